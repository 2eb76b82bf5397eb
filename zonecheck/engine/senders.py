"""Source classes that no step of a path can tell apart, walked as one.

Classes of one subnet differ by their security groups.  Once their egress rules say the same thing, the
only steps that could still tell their packets apart are ingress rules that reference a group: those are
answered exactly from the addresses of the classes in that group (`sender`), never from address ranges.
So one walk serves them all, and its deliveries are split back into each class by source address.  This
turns the cost of a zone of thousands of interfaces from one walk per class into one per subnet.

Classes are merged only when nothing else on the way depends on who they are: no public address (the
internet gateway would translate each to its own), every address known (a range would overlap the
others'), every group in the source and none assumed (witnesses and --strict name the group).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional, Sequence, Union

from zonecheck.engine.addresses import ALL_ADDRESSES
from zonecheck.engine.classes import EndpointClass
from zonecheck.engine.estate import Estate
from zonecheck.engine.flows import DropSink, Flow, Hop
from zonecheck.engine.intervals import IntervalSet
from zonecheck.engine.packets import Box
from zonecheck.engine.security_groups import SenderGroups, compile_groups, egress_scope, sg_filter


@dataclass(frozen=True)
class MergedSource:
    walked: EndpointClass
    """What the walker follows: every part's addresses and interfaces, the first part's groups."""
    parts: tuple[EndpointClass, ...]
    egress_hops: tuple[dict[Hop, Hop], ...]
    """Per part: the walked class's egress hops -> the part's own (same rule, its own group)."""
    sender: SenderGroups
    egress_after: bool = False
    """The parts' egress rules differ and were not applied by the walk: split_flow applies each part's."""


Source = Union[EndpointClass, MergedSource]


def _signature(estate: Estate, cls: EndpointClass, by_subnet: bool) -> Optional[tuple]:
    if cls.public or cls.public_unknown:
        return None
    for endpoint_id in cls.endpoint_ids:
        endpoint = estate.endpoints.get(endpoint_id)
        if endpoint is None or endpoint.address_unknown or endpoint.public_address_unknown:
            return None
    groups = [estate.security_groups.get(g) for g in cls.group_ids]
    if any(g is None or g.assumed for g in groups):
        return None
    if by_subnet:
        return (cls.subnet_id, cls.vpc_id)
    compiled = compile_groups(estate, tuple(cls.group_ids), "egress") if cls.group_ids else None
    rules = () if compiled is None else tuple((r.box, r.ref, r.doubt, r.hop.rule, r.hop.step) for r in compiled.rules)
    return (cls.subnet_id, cls.vpc_id, bool(cls.group_ids), rules)


def _egress_hops(estate: Estate, walked: EndpointClass, part: EndpointClass) -> dict[Hop, Hop]:
    if not walked.group_ids:
        return {}
    mine = compile_groups(estate, tuple(walked.group_ids), "egress").rules
    theirs = compile_groups(estate, tuple(part.group_ids), "egress").rules
    return {a.hop: b.hop for a, b in zip(mine, theirs) if a.hop != b.hop}


def merge_sources(estate: Estate, sources: Sequence[EndpointClass], *, by_subnet: bool = False) -> list[Source]:
    """Sources grouped into walks, in the order of their first class.

    `by_subnet`: merge every mergeable class of a subnet, whatever its egress rules, which are then applied
    to each part's deliveries instead of before the walk.  Exact only when nothing on the way rewrites
    destination addresses or ports (no load balancer relays): an egress rule looks at those alone, so
    it may be applied at either end of the path."""
    buckets: dict[tuple, list[EndpointClass]] = {}
    out: list[Union[EndpointClass, list[EndpointClass]]] = []
    for cls in sources:
        signature = _signature(estate, cls, by_subnet)
        if signature is None:
            out.append(cls)
            continue
        bucket = buckets.get(signature)
        if bucket is None:
            bucket = buckets[signature] = []
            out.append(bucket)
        bucket.append(cls)
    merged: list[Source] = []
    for item in out:
        if isinstance(item, EndpointClass):
            merged.append(item)
        elif len(item) == 1:
            merged.append(item[0])
        else:
            merged.append(_merge(estate, item, by_subnet))
    return merged


def _merge(estate: Estate, parts: list[EndpointClass], egress_after: bool) -> MergedSource:
    first = parts[0]
    # Spans gathered, then normalised once: a union per part is quadratic in a subnet of many classes.
    private = IntervalSet([span for part in parts for span in part.private.spans])
    ids = tuple(sorted(e for part in parts for e in part.endpoint_ids))
    walked = replace(first, key=f"merged|{first.key}", endpoint_ids=ids, private=private)
    spans: dict[str, list[tuple[int, int]]] = {}
    for part in parts:
        for gid in part.group_ids:
            spans.setdefault(gid, []).extend(part.private.spans)
    sender = {gid: IntervalSet(group_spans) for gid, group_spans in spans.items()}
    if egress_after:
        return MergedSource(walked, tuple(parts), tuple({} for _ in parts), sender, egress_after=True)
    return MergedSource(walked, tuple(parts), tuple(_egress_hops(estate, first, p) for p in parts), sender)


def split_flow(estate: Estate, merged: MergedSource, flow: Flow) -> list[tuple[EndpointClass, Flow]]:
    """The flow of a merged walk as each part's own: its source addresses, its own egress rule."""
    out: list[tuple[EndpointClass, Flow]] = []
    for part, hops in zip(merged.parts, merged.egress_hops):
        origin = flow.origin & part.private
        if not origin:
            continue
        box = flow.box if flow.rewritten else flow.box.with_src(flow.box.src & part.private)
        if not box.src:
            continue
        if merged.egress_after:
            out.extend((part, own) for own in _egress(estate, part, replace(flow, box=box, origin=origin)))
            continue
        # The walk's first hop is the source's egress rule (Walker.from_class): name the part's own group.
        own_hops = (hops.get(flow.hops[0], flow.hops[0]),) + flow.hops[1:] if hops and flow.hops else flow.hops
        out.append((part, replace(flow, box=box, origin=origin, hops=own_hops)))
    return out


def _egress(estate: Estate, part: EndpointClass, flow: Flow) -> list[Flow]:
    """A part's egress rules on a delivered flow, cited first on its path as if applied at the start."""
    out = []
    for box, hops, doubts, assumed in _egress_pieces(estate, part, flow.box):
        src = flow.box.src & box.src
        if not src:
            continue
        out.append(Flow(Box(src, box.dst, box.protocols, box.ports), flow.origin & src if not flow.rewritten
                        else flow.origin, hops + flow.hops, flow.doubts + tuple(d for d in doubts if d not in flow.doubts),
                        flow.assumed | assumed, flow.rewritten, flow.partial_origin))
    return out


def _egress_pieces(estate: Estate, part: EndpointClass, box: Box) -> list[tuple[Box, tuple[Hop, ...], tuple[str, ...],
                                                                               frozenset[str]]]:
    """What the part's egress rules admit of packets to `box`'s destinations, protocols and ports, from any
    source (an egress rule never looks at the source): once per group set and box shape, for all the parts
    and deliveries that meet it."""
    key = ("egress-after", part.group_ids, part.vpc_id, box.dst, box.protocols, box.ports)
    cached = estate.sg_cache.get(key)
    if cached is None:
        start = Flow(Box(ALL_ADDRESSES, box.dst, box.protocols, box.ports), origin=ALL_ADDRESSES)
        admitted, _ = sg_filter(estate, start, part.group_ids, "egress", egress_scope(estate, part.vpc_id),
                                sink=DropSink(False))
        cached = estate.sg_cache[key] = [(a.box, a.hops, a.doubts, a.assumed) for a in admitted]
    return cached
