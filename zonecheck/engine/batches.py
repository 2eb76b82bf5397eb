"""Packets of many sources that reach the same place, followed from there once.

In a hub-and-spoke estate every source subnet's packets reach the same transit gateway route table, and
from there the same hundreds of spokes: followed per source, the part of the walk past the hub is repeated
for every source subnet (748 × 333 spokes on the large synthetic estate, two thirds of the engine).  Inside
a VPC, the subnets of a zone all deliver `local`ly to the same destination subnets, through the same ACL
when their subnets share one.

What happens from there depends on a packet alone (routes look at its destination; ACLs and security
groups at its addresses, protocol and port; a group reference at whether its sender is a member), never on
which walk carried it.  So the walker defers the packets each source sends into a transit gateway (or to
another subnet of its VPC), and afterwards follows, per place (route table and Availability Zone; or VPC
and outbound ACL), protocol and port, one packet set whose source and destination addresses are the unions
of theirs; each delivery is then handed back to the sources whose addresses it carries, cut to the
destinations each of them sent to (`Batch.attribute`), with their own hops before.  (Their destinations
differ: each source's own VPC is routed `local`, not to the hub; a source's own subnet is delivered to
without any ACL, so it is never deferred.)

That is exact when a delivery's origin still tells its sources apart: their addresses must be disjoint (they
are, unless two VPCs overlap; then the batch is split), and nothing past the hub may mix a packet's source
with another address (an appliance route or a load balancer does: the walker does not batch then, see
Walker.batch_transit), nor rewrite a destination (a load balancer again).  A NAT gateway past the hub
rewrites the source of every packet it receives alike, so the packets of all the batched sources that reach
it share one fate.  The union also holds pairs no member sent (a member's source with another's destination):
they are cut away from every delivery, but the resources they reach count as touched (check._global_doubts),
which can only make a verdict resting on an incomplete part `unknown`, never hide a path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, KeysView, Mapping, Optional

from zonecheck.engine.addresses import ALL_ADDRESSES
from zonecheck.engine.classes import EndpointClass
from zonecheck.engine.flows import Flow
from zonecheck.engine.intervals import EMPTY, IntervalSet
from zonecheck.engine.packets import Box
from zonecheck.engine.security_groups import SenderGroups
from zonecheck.engine.span_index import SpanIndex
from zonecheck.model import TransitGatewayAttachment

BATCH_SOURCE = EndpointClass(key="batch", subnet_id="", vpc_id="", group_ids=(), endpoint_ids=(),
                             private=EMPTY, public=EMPTY, public_unknown=False)
"""Stands for the batched sources while the walker follows their packets."""


@dataclass(frozen=True)
class Deferred:
    """One source's packets as they reached the place they are batched at."""

    source: EndpointClass
    sender: SenderGroups
    flow: Flow
    origin_vpc: str
    subnet_id: str
    """The subnet that sent them."""
    ingress: Optional[TransitGatewayAttachment] = None
    """The attachment they entered a transit gateway by."""


@dataclass
class Batch:
    place: tuple
    """Where the packets are (see Walker.flush_batches): ("transit", tgw, zone) or ("local", vpc, acl)."""
    members: list[Deferred] = field(default_factory=list)
    _by_origin: Optional[SpanIndex[Deferred]] = field(default=None, init=False, repr=False, compare=False)
    """The members by the source addresses their packets were sent from (see attribute)."""

    @property
    def ingress(self) -> TransitGatewayAttachment:
        """An attachment the packets entered by (all of them are associated with the same route table)."""
        assert self.members[0].ingress is not None
        return self.members[0].ingress

    @property
    def origin_vpcs(self) -> frozenset[str]:
        """VPCs the packets come from: a group reference to one of them stays valid past the hub (it can
        only match senders that are members, and those sit in the group's own VPC)."""
        return frozenset(m.origin_vpc for m in self.members)

    def flow(self) -> Flow:
        """The members' packets in one box (their protocols and ports are the same)."""
        first = self.members[0].flow.box
        src = IntervalSet([span for m in self.members for span in m.flow.box.src.spans])
        dst = IntervalSet([span for m in self.members for span in m.flow.box.dst.spans])
        origin = IntervalSet([span for m in self.members for span in m.flow.origin.spans])
        return Flow(Box(src, dst, first.protocols, first.ports), origin=origin)

    def sender(self) -> SenderGroups:
        """Which of the members' addresses are in which group (exact: each member's senders are its own)."""
        spans: dict[str, list[tuple[int, int]]] = {}
        for member in self.members:
            own = member.flow.origin
            for group_id, addresses in member.sender.items():
                # A member's senders' addresses are its own (a reference is only ever matched against a
                # packet's source): no need to cut them to the addresses this flow still carries.
                spans.setdefault(group_id, []).extend((own if addresses is ALL_ADDRESSES else addresses).spans)
        return _Senders(spans)

    def attribute(self, delivered: Flow) -> list[tuple[EndpointClass, Flow]]:
        """A delivery of the batch's packets as each member's own: its sources, its hops up to the hub."""
        if self._by_origin is None:
            self._by_origin = SpanIndex([(m.flow.origin, m) for m in self.members])
        out: list[tuple[EndpointClass, Flow]] = []
        for member in self._by_origin.meeting(delivered.origin):
            before = member.flow
            origin = delivered.origin & before.origin
            if not origin:
                continue
            box = delivered.box
            dst = box.dst & before.box.dst
            if not dst:
                continue
            if delivered.rewritten:
                box = box.with_dst(dst)
            else:
                src = box.src & before.box.src
                if not src:
                    continue
                box = Box(src, dst, box.protocols, box.ports)
            doubts = before.doubts + tuple(d for d in delivered.doubts if d not in before.doubts)
            out.append((member.source, Flow(box, origin, before.hops + delivered.hops, doubts,
                                            before.assumed | delivered.assumed, delivered.rewritten,
                                            before.partial_origin or delivered.partial_origin)))
        return out


class _Senders(Mapping[str, IntervalSet]):
    """A batch's sender map, each group's addresses normalised when a rule first asks about that group (most
    of the members' groups are never referenced on the way)."""

    def __init__(self, spans: dict[str, list[tuple[int, int]]]) -> None:
        self._spans = spans
        self._sets: dict[str, IntervalSet] = {}

    def __getitem__(self, group_id: str) -> IntervalSet:
        found = self._sets.get(group_id)
        if found is None:
            found = self._sets[group_id] = IntervalSet(self._spans[group_id])
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._spans)

    def __len__(self) -> int:
        return len(self._spans)

    def keys(self) -> KeysView[str]:  # type: ignore[override]
        return self._spans.keys()  # a set-like view: the walker intersects it with a rule index's keys


class Batches:
    """Deferred packets, grouped into batches that can be followed as one."""

    def __init__(self) -> None:
        self._pending: dict[tuple, tuple[tuple, list[Deferred]]] = {}

    def defer(self, key: tuple, place: tuple, deferred: Deferred) -> None:
        """`key`: what the packets' fate from here depends on besides their addresses (the walker says);
        `place`: what the walker needs to follow them from here."""
        box = deferred.flow.box
        self._pending.setdefault((*key, box.protocols, box.ports), (place, []))[1].append(deferred)

    def __bool__(self) -> bool:
        return bool(self._pending)

    def batches(self) -> list[Batch]:
        """Batches in the order their first packets arrived; members of one batch never share an address."""
        out: list[Batch] = []
        for place, members in self._pending.values():
            out.extend(_disjoint_batches(place, members))
        self._pending = {}
        return out


def _disjoint_batches(place: tuple, members: list[Deferred]) -> list[Batch]:
    """Members split so that no two in a batch share a source address (overlapping VPCs): a delivery's
    origin must name its member, and a sender's groups must be its own.  (Whole sources are compared, not
    only what their flows still carry: the sender map holds all of a source's addresses.)"""
    spans = sorted(span for m in members for span in m.source.private.spans)
    if all(spans[i][1] < spans[i + 1][0] for i in range(len(spans) - 1)):
        return [Batch(place, list(members))]
    batches: list[Batch] = []
    taken: list[IntervalSet] = []
    for member in members:
        for i, batch in enumerate(batches):
            if taken[i].isdisjoint(member.source.private):
                batch.members.append(member)
                taken[i] = taken[i] | member.source.private
                break
        else:
            batches.append(Batch(place, [member]))
            taken.append(member.source.private)
    return batches
