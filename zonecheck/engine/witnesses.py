"""Turn delivered (or missing) packet sets into maximal, readable witnesses.

Flows that took the same path between the same classes are merged when the union is exact (boxes that
differ in one dimension only), then reported one per (protocol, port range), as SPEC §5 asks.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Optional

from zonecheck.engine import addresses as addr
from zonecheck.engine.classes import EndpointClass
from zonecheck.engine.flows import Hop
from zonecheck.engine.intervals import IntervalSet
from zonecheck.engine.packets import ALL_PORTS, ALL_PROTOCOL_NUMBERS, ICMP_TYPES, Box
from zonecheck.engine.results import EndpointRef, Witness
from zonecheck.model import ICMP, ICMPV6, TCP, UDP

_NAMED = (("tcp", TCP), ("udp", UDP), ("icmp", ICMP), ("icmpv6", ICMPV6))


def protocol_units(protocols: IntervalSet, ports: IntervalSet) -> list[tuple[str, Optional[IntervalSet], Optional[str]]]:
    """Split a (protocols, ports) pair into report units: (name, port set or None, detail)."""
    if protocols == ALL_PROTOCOL_NUMBERS and ports == ALL_PORTS:
        return [("any", None, None)]
    units: list[tuple[str, Optional[IntervalSet], Optional[str]]] = []
    rest = protocols
    for name, number in _NAMED:
        if number not in protocols:
            continue
        rest = rest - IntervalSet.single(number, number)
        if number in (TCP, UDP):
            units.append((name, ports, None))
        else:
            types = ports & ICMP_TYPES
            detail = None if types == ICMP_TYPES or ports == ALL_PORTS else f"type {_spans_text(types)}"
            units.append((name, None, detail))
    if rest:
        units.append(("any", None, f"IP protocols {_spans_text(rest)}"))
    return units


def _spans_text(values: IntervalSet) -> str:
    return ",".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in values)


def _merge_exact(triples: list[tuple[IntervalSet, IntervalSet, Optional[IntervalSet]]]
                 ) -> list[tuple[IntervalSet, IntervalSet, Optional[IntervalSet]]]:
    """Merge (src, dst, ports) triples whose union is again one product (they differ in one dimension)."""
    items = list(triples)
    changed = True
    while changed and len(items) > 1:
        changed = False
        for i in range(len(items)):
            for j in range(i + 1, len(items)):
                a, b = items[i], items[j]
                same = [a[k] == b[k] for k in range(3)]
                if sum(same) >= 2:
                    k = same.index(False) if False in same else 0
                    merged = list(a)
                    if a[k] is not None and b[k] is not None:
                        merged[k] = a[k] | b[k]  # type: ignore[operator]
                    items[i] = (merged[0], merged[1], merged[2])
                    del items[j]
                    changed = True
                    break
            if changed:
                break
    return items


def endpoint_ref(cls: Optional[EndpointClass], addresses: IntervalSet, *,
                 members: Optional[Mapping[str, IntervalSet]] = None) -> EndpointRef:
    if cls is None:
        text = _internet_text(addresses)
        networks = () if text.startswith("any internet") else _cidrs(addresses)
        return EndpointRef("internet", text, networks=networks)
    if cls.key == "on-premises":
        networks = _cidrs(addresses)
        text = addr.describe(addresses) if len(networks) <= 4 else "any on-premises address"
        return EndpointRef("on-premises", text, networks=networks)
    ids = cls.endpoint_ids
    if members:
        hit = tuple(i for i in ids if members.get(i) is not None and members[i] & addresses)
        ids = hit or ids
    text = cls.address_hint if cls.address_hint and not (addresses & addr.V4_ALL).isdisjoint(cls.private) \
        and addresses.issubset(cls.private) else addr.describe(addresses)
    return EndpointRef(ids[0], text, ids, networks=_cidrs(addresses))


def _cidrs(addresses: IntervalSet) -> tuple[str, ...]:
    return tuple(str(n) for n in addr.to_networks(addresses))


_INTERNET_TEXT_LIMIT = 3


def _internet_text(addresses: IntervalSet) -> str:
    nets = addr.to_networks(addresses)
    if len(nets) > _INTERNET_TEXT_LIMIT:
        families = sorted({n.version for n in nets})
        return "any internet address" + ("" if families == [4, 6] else f" (IPv{families[0]})")
    return addr.describe(addresses)


def build_witnesses(
    pieces: Iterable[tuple[Optional[EndpointClass], Optional[EndpointClass], Box, IntervalSet, tuple[Hop, ...],
                           tuple[str, ...], bool, Optional[Hop]]],
    members: Mapping[str, IntervalSet],
    limit: int = 200,
) -> tuple[list[Witness], int]:
    """pieces: (source class, target class, box, origin, hops, doubts, rewritten, dropped_at, reply note).

    Returns the first `limit` witnesses (certain ones first, then by source, target, protocol and port) and
    how many there are in all.
    """
    groups: dict[tuple, list[tuple[IntervalSet, IntervalSet, Optional[IntervalSet]]]] = {}
    meta: dict[tuple, tuple] = {}
    for source, target, box, origin, hops, doubts, rewritten, dropped_at, reply in pieces:
        seen = box.src if rewritten else None
        for name, ports, detail in protocol_units(box.protocols, box.ports):
            key = (source.key if source else "internet", target.key if target else "internet", hops,
                   tuple(sorted(set(doubts))), name, detail, dropped_at, rewritten, reply)
            groups.setdefault(key, []).append((origin, box.dst, ports))
            previous = meta.get(key)
            if previous is not None and previous[2] is not None and seen is not None:
                seen = previous[2] | seen
            meta[key] = (source, target, seen)
    # Order cheaply first, then build readable references only for the witnesses that will be shown.
    rows = []
    for key, triples in groups.items():
        for origin, dst, ports in _merge_exact(triples):
            spans = list(ports) if ports is not None else [None]
            for span in spans:
                rows.append((key, origin, dst, span))
    rows.sort(key=lambda r: (bool(r[0][3]), r[0][0], r[0][1], r[0][4], r[3] or (0, 0), origin_first(r[1]),
                             origin_first(r[2]), [h.at for h in r[0][2]]))
    witnesses: list[Witness] = []
    for key, origin, dst, span in rows[:limit]:
        _, _, hops, doubts, name, detail, dropped_at, rewritten, reply = key
        source, target, seen = meta[key]
        src_ref = endpoint_ref(source, origin, members=members)
        if rewritten and seen is not None:
            src_ref = EndpointRef(src_ref.id, src_ref.address, src_ref.endpoints, seen_as=_internet_text(seen),
                                  networks=src_ref.networks)
        dst_ref = endpoint_ref(target, dst, members=members)
        witnesses.append(Witness(src_ref, dst_ref, name, span, hops, certain=not doubts, doubts=doubts,
                                 detail=detail, dropped_at=dropped_at, reply=reply))
    return witnesses, len(rows)


def origin_first(addresses: IntervalSet) -> int:
    return addresses.first() if addresses else -1
