"""Compare two check results of the same policy: which flows appear, disappear or change path.

Pure: two `CheckResult`s in, one `CheckDiff` out; no I/O.

**What a flow is.**  A witness stands for a product of (source parties × destination parties × protocols ×
ports), where a party is an endpoint id (`eni-…`, `db-…@subnet-…`) or, for the built-in zones, `internet` /
`on-premises` together with the addresses the witness names.  Two witnesses are the same flow where those
products overlap, whatever rules admitted them: that is the stable key (assertion, from ids, to ids,
protocol, port range) with the rule wording left out.  Endpoint addresses are left out too, so an instance
that keeps its id keeps its flows.

The comparison is a set difference, not an equality of keys, so that merging is harmless: a class that
gains a member shows that member's flows as new and nothing as gone; a rule narrowed from tcp/5432-5433 to
tcp/5432 shows tcp/5433 as gone and nothing as new (an equality of keys would report a "new" tcp/5432
witness and fail the gate on a fix).

Each witness becomes one `Box` of the engine's packet-set algebra: party and address are packed into one
integer (party index × 2**130 + address, the address line being shorter than 2**129), so `Box.subtract`
does all the work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Literal, Optional, Sequence

from zonecheck.engine.addresses import ALL_ADDRESSES, describe, of_networks
from zonecheck.engine.intervals import EMPTY, IntervalSet
from zonecheck.engine.packets import ALL_PORTS, ALL_PROTOCOL_NUMBERS, Box, subtract_all
from zonecheck.engine.results import AssertionResult, CheckResult, EndpointRef, Verdict, Witness
from zonecheck.engine.witnesses import protocol_units
from zonecheck.model import ICMP, ICMPV6, TCP, UDP

Change = Literal["newly-fails", "new-unknown", "fixed", "changed", "unchanged"]
"""How one assertion moved, most serious first: the first two are what the gate reports."""


_SLOT = 1 << 130
_PROTOCOL_NUMBERS = {"tcp": TCP, "udp": UDP, "icmp": ICMP, "icmpv6": ICMPV6}
_SPANS = re.compile(r"^(?:type|IP protocols) (\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*)$")
_BUILTIN_PARTIES = ("internet", "on-premises")


# --------------------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class FlowPart:
    """The part of a witness a change is about, in the witness's own terms."""

    sources: tuple[str, ...]
    """Party ids (endpoint ids, or `internet` / `on-premises` followed by the addresses in parentheses)."""
    targets: tuple[str, ...]
    services: tuple[str, ...]
    """`tcp/5432`, `udp/53-54`, `icmp (type 8)`, `any`…"""

    def as_dict(self) -> dict[str, object]:
        return {"from": list(self.sources), "to": list(self.targets), "services": list(self.services)}


@dataclass(frozen=True)
class FlowChange:
    """A witness that appears or disappears (in whole or in part), or whose path changed."""

    witness: Witness
    """The after side's witness for a new flow or a changed path, the before side's for a gone flow."""
    part: Optional[FlowPart] = None
    """Only this part of the witness appears / disappears / changed path (None: all of it)."""
    previous: Optional[Witness] = None
    """For a changed path: the before side's witness of the same flow."""


@dataclass(frozen=True)
class AssertionDiff:
    name: str
    from_zone: str
    to_zone: str
    expect: str
    before: Optional[AssertionResult]
    after: Optional[AssertionResult]
    change: Change
    new: tuple[FlowChange, ...] = ()
    gone: tuple[FlowChange, ...] = ()
    changed_paths: tuple[FlowChange, ...] = ()
    new_reasons: tuple[str, ...] = ()
    """Why-unknown reasons the after side gives and the before side did not."""
    notes: tuple[str, ...] = ()

    @property
    def before_verdict(self) -> str:
        return self.before.result if self.before else "absent"

    @property
    def after_verdict(self) -> str:
        return self.after.result if self.after else "absent"


@dataclass(frozen=True)
class CheckDiff:
    result: Verdict
    """The gate: `fail` when the after side newly fails, `unknown` when it only adds unknowns, else `pass`."""
    before: CheckResult
    after: CheckResult
    assertions: tuple[AssertionDiff, ...]
    notes: tuple[str, ...] = field(default=())
    labels: tuple[str, str] = ("", "")
    """How the user named each side (the SOURCE arguments), for reports."""

    @property
    def changed(self) -> bool:
        return any(a.change != "unchanged" for a in self.assertions)

    def count(self, change: Change) -> int:
        return sum(1 for a in self.assertions if a.change == change)


# --------------------------------------------------------------------------------------------- flows as boxes


class _Parties:
    """Party id <-> integer index, shared by both sides so that equal ids get equal coordinates."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.ids = sorted(set(ids))
        self.index = {pid: i for i, pid in enumerate(self.ids)}

    def of_ref(self, ref: EndpointRef) -> IntervalSet:
        if ref.endpoints:
            return IntervalSet(_slot(self.index[pid]) for pid in ref.endpoints)
        addresses = of_networks(_networks(ref.networks)) if ref.networks else ALL_ADDRESSES
        base = self.index[ref.id] * _SLOT
        return IntervalSet((base + lo, base + hi) for lo, hi in addresses)

    def describe(self, values: IntervalSet) -> tuple[str, ...]:
        """Party ids in `values`; a built-in party with part of its addresses shows them in parentheses."""
        out: list[str] = []
        by_party: dict[int, IntervalSet] = {}
        for lo, hi in values:
            for index in range(lo // _SLOT, hi // _SLOT + 1):
                start, end = max(lo, index * _SLOT), min(hi, index * _SLOT + _SLOT - 1)
                by_party[index] = by_party.get(index, EMPTY) | IntervalSet.single(start - index * _SLOT,
                                                                                   end - index * _SLOT)
        for index, addresses in sorted(by_party.items()):
            pid = self.ids[index]
            if pid in _BUILTIN_PARTIES and not ALL_ADDRESSES.issubset(addresses):
                out.append(f"{pid} ({describe(addresses & ALL_ADDRESSES)})")
            else:
                out.append(pid)
        return tuple(out)


def _slot(index: int) -> tuple[int, int]:
    return index * _SLOT, index * _SLOT + _SLOT - 1


def _networks(texts: Sequence[str]):  # type: ignore[no-untyped-def]
    from ipaddress import ip_network

    return [ip_network(t, strict=False) for t in texts]


def _party_ids(ref: EndpointRef) -> tuple[str, ...]:
    return ref.endpoints or (ref.id,)


def _spans(text: Optional[str]) -> Optional[IntervalSet]:
    """`type 0,3-4` / `IP protocols 47,50` as written by the engine's witnesses; None when absent or unreadable."""
    match = _SPANS.match(text or "")
    if not match:
        return None
    spans = []
    for part in match.group(1).split(","):
        lo, _, hi = part.partition("-")
        spans.append((int(lo), int(hi or lo)))
    return IntervalSet(spans)


def _service_sets(witness: Witness) -> tuple[IntervalSet, IntervalSet]:
    """(protocols, ports) a witness covers: the inverse of `engine.witnesses.protocol_units`."""
    name = witness.protocol
    if name in ("tcp", "udp"):
        lo, hi = witness.port_range or (0, 65535)
        return IntervalSet.single(_PROTOCOL_NUMBERS[name], _PROTOCOL_NUMBERS[name]), IntervalSet.single(lo, hi)
    if name in ("icmp", "icmpv6"):
        number = _PROTOCOL_NUMBERS[name]
        return IntervalSet.single(number, number), _spans(witness.detail) or ALL_PORTS
    return _spans(witness.detail) or ALL_PROTOCOL_NUMBERS, ALL_PORTS


def _box(parties: _Parties, witness: Witness) -> Box:
    protocols, ports = _service_sets(witness)
    return Box(parties.of_ref(witness.source), parties.of_ref(witness.target), protocols, ports)


def _route(witness: Witness) -> tuple:
    """What admitted (or dropped) the flow, and whether it is certain: a different route is a changed path."""
    return (witness.path, witness.dropped_at, witness.certain)


def _part(parties: _Parties, region: list[Box], whole: Box) -> Optional[FlowPart]:
    """Describe `region` (a part of the witness box `whole`); None when it is all of it."""
    if subtract_all([whole], region) == []:
        return None
    src = dst = protocols = EMPTY
    services: dict[str, None] = {}
    for box in region:
        src, dst, protocols = src | box.src, dst | box.dst, protocols | box.protocols
        for name, ports, detail in protocol_units(box.protocols, box.ports):
            if ports is None:
                services[name + (f" ({detail})" if detail else "")] = None
            else:
                for lo, hi in ports:
                    services[f"{name}/{lo}" if lo == hi else f"{name}/{lo}-{hi}"] = None
    return FlowPart(parties.describe(src), parties.describe(dst), tuple(services))


# --------------------------------------------------------------------------------------------- comparison


@dataclass
class _Side:
    witnesses: list[Witness]
    boxes: list[Box]
    by_target: dict[int, list[int]] = field(default_factory=dict)
    """Destination party index -> the witnesses (by position) that reach it: only those can overlap."""

    def candidates(self, box: Box) -> list[int]:
        """Positions of the witnesses that may overlap `box` (same destination party), in order."""
        found: set[int] = set()
        for index in _slots(box.dst):
            found.update(self.by_target.get(index, ()))
        return sorted(found)


def _slots(values: IntervalSet) -> Iterator[int]:
    for lo, hi in values:
        yield from range(lo // _SLOT, hi // _SLOT + 1)


def _side(parties: _Parties, result: Optional[AssertionResult]) -> _Side:
    witnesses = list(result.witnesses) if result else []
    side = _Side(witnesses, [_box(parties, w) for w in witnesses])
    for position, box in enumerate(side.boxes):
        for index in _slots(box.dst):
            side.by_target.setdefault(index, []).append(position)
    return side


def _appearing(parties: _Parties, mine: _Side, theirs: _Side) -> list[FlowChange]:
    """Witnesses of `mine` (in whole or in part) that no witness of `theirs` covers."""
    out = []
    for witness, box in zip(mine.witnesses, mine.boxes):
        region = subtract_all([box], (theirs.boxes[j] for j in theirs.candidates(box)))
        if region:
            out.append(FlowChange(witness, _part(parties, region, box)))
    return out


def _path_changes(parties: _Parties, before: _Side, after: _Side) -> list[FlowChange]:
    """Flows on both sides that one side admits by a route the other side does not use for them."""
    route_ids: dict[tuple, int] = {}
    routes = {id(side): [route_ids.setdefault(_route(w), len(route_ids)) for w in side.witnesses]
              for side in (before, after)}
    found: dict[tuple[int, int], FlowChange] = {}
    for mine, theirs, mine_is_after in ((after, before, True), (before, after, False)):
        my_routes, their_routes = routes[id(mine)], routes[id(theirs)]
        same_route: dict[int, list[Box]] = {}
        for route, other_box in zip(their_routes, theirs.boxes):
            same_route.setdefault(route, []).append(other_box)
        for i, (witness, box) in enumerate(zip(mine.witnesses, mine.boxes)):
            route = my_routes[i]
            for j in theirs.candidates(box):
                other_box = theirs.boxes[j]
                if their_routes[j] == route:
                    continue
                a_index, b_index = (i, j) if mine_is_after else (j, i)
                if (a_index, b_index) in found:
                    continue
                overlap = box.intersect(other_box)
                if overlap is None:
                    continue
                region = subtract_all([overlap], same_route.get(route, ()))
                if not region:
                    continue
                other = theirs.witnesses[j]
                after_w, before_w = (witness, other) if mine_is_after else (other, witness)
                found[(a_index, b_index)] = FlowChange(after_w, _part(parties, region, after.boxes[a_index]),
                                                       previous=before_w)
    return [found[k] for k in sorted(found)]


def _is_new_failure(parties: _Parties, before: _Side, after: _Side) -> bool:
    """A certain after-side witness not covered by a certain before-side one (a flow that appeared, or became sure)."""
    for witness, box in zip(after.witnesses, after.boxes):
        sure = (before.boxes[j] for j in before.candidates(box) if before.witnesses[j].certain)
        if witness.certain and subtract_all([box], sure):
            return True
    return False


def _change(before: Optional[AssertionResult], after: Optional[AssertionResult], new: list[FlowChange],
            gone: list[FlowChange], changed: list[FlowChange], new_reasons: Sequence[str],
            new_failure: bool, reasons_differ: bool) -> Change:
    vb = before.result if before else None
    va = after.result if after else None
    if va == "fail" and (vb != "fail" or new_failure):
        return "newly-fails"
    if va == "unknown" and (vb != "unknown" or new_reasons):
        return "new-unknown"
    if va in ("unknown", "fail") and any(not c.witness.certain for c in new):
        return "new-unknown"
    if va == "pass" and vb != "pass":
        return "fixed"
    if vb != va or new or gone or changed or reasons_differ:
        return "changed"
    return "unchanged"


def _reason_key(reason: str, files: Sequence[str]) -> str:
    """A reason without the side's own file names: the same doubt read from the state and from the plan."""
    for name in sorted(files, key=len, reverse=True):
        if name:
            reason = re.sub(rf"(?<![\w./-]){re.escape(name)}(?![\w./-])", "<source>", reason)
    return reason


def compare_assertion(parties: _Parties, before: Optional[AssertionResult], after: Optional[AssertionResult],
                      files: tuple[Sequence[str], Sequence[str]] = ((), ())) -> AssertionDiff:
    either = after or before
    assert either is not None
    b_side, a_side = _side(parties, before), _side(parties, after)
    new = _appearing(parties, a_side, b_side)
    gone = _appearing(parties, b_side, a_side)
    changed = _path_changes(parties, b_side, a_side)
    before_reasons = {_reason_key(r, files[0]) for r in (before.reasons if before else ())}
    after_reasons = {_reason_key(r, files[1]) for r in (after.reasons if after else ())}
    new_reasons = tuple(r for r in (after.reasons if after and after.result == "unknown" else ())
                        if _reason_key(r, files[1]) not in before_reasons)
    notes = []
    for label, result in (("before", before), ("after", after)):
        if result is None:
            notes.append(f"the {label} side has no assertion named '{either.name}'")
        elif result.truncated:
            notes.append(f"the {label} side has {result.truncated} more witnesses than a report keeps; "
                         "flows are compared on the first ones only")
    change = _change(before, after, new, gone, changed, new_reasons, _is_new_failure(parties, b_side, a_side),
                     reasons_differ=before_reasons != after_reasons)
    return AssertionDiff(
        name=either.name, from_zone=either.from_zone, to_zone=either.to_zone, expect=either.expect,
        before=before, after=after, change=change, new=tuple(new), gone=tuple(gone), changed_paths=tuple(changed),
        new_reasons=new_reasons, notes=tuple(notes),
    )


def compare(before: CheckResult, after: CheckResult, notes: Sequence[str] = (),
            labels: tuple[str, str] = ("", "")) -> CheckDiff:
    """Decide what the change from `before` to `after` does to every assertion (both from the same policy)."""
    ids: set[str] = set()
    for result in (before, after):
        for assertion in result.assertions:
            for witness in assertion.witnesses:
                ids.update(_party_ids(witness.source))
                ids.update(_party_ids(witness.target))
    parties = _Parties(ids)
    by_name_before = {a.name: a for a in before.assertions}
    by_name_after = {a.name: a for a in after.assertions}
    names = list(by_name_after) + [n for n in by_name_before if n not in by_name_after]
    files = (before.source.files, after.source.files)
    diffs = tuple(compare_assertion(parties, by_name_before.get(n), by_name_after.get(n), files) for n in names)
    changes = {d.change for d in diffs}
    result: Verdict = "fail" if "newly-fails" in changes else "unknown" if "new-unknown" in changes else "pass"
    return CheckDiff(result=result, before=before, after=after, assertions=diffs, notes=tuple(notes),
                     labels=labels)


__all__ = ["AssertionDiff", "Change", "CheckDiff", "FlowChange", "FlowPart", "compare",
           "compare_assertion"]
