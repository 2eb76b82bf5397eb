"""Follow packet sets from a source class to the destination zone, hop by hop (SPEC §6).

The walker is the one place that decides reachability.  Every step either admits part of a flow (and
records the hop and rule that admitted it) or drops part of it (and records why): witnesses and `explain`
are this same record, never a second reconstruction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from zonecheck.engine import addresses as addr
from zonecheck.engine.classes import EndpointClass
from zonecheck.engine.estate import Estate
from zonecheck.engine.flows import Drop, Flow, Hop
from zonecheck.engine.intervals import EMPTY, IntervalSet
from zonecheck.engine.nacls import nacl_filter
from zonecheck.engine.packets import ALL_PORTS, ALL_PROTOCOL_NUMBERS, Box
from zonecheck.engine.routing import lpm_split
from zonecheck.engine.security_groups import ANY_REFERENCES, NO_REFERENCES, ReferenceScope, sg_filter

MAX_NAT_DEPTH = 3


@dataclass(frozen=True)
class Sender:
    """Who puts the packets on the wire in a subnet: an endpoint class, or a NAT gateway forwarding."""

    subnet_id: str
    vpc_id: str
    name: str
    public: IntervalSet
    """Public IPv4 addresses the internet gateway translates this sender to."""
    public_unknown: bool = False


@dataclass(frozen=True)
class Delivery:
    flow: Flow
    source: Optional[EndpointClass]
    """None: the packets came from the internet."""
    target: Optional[EndpointClass]
    """None: the packets reached the internet."""


@dataclass
class WalkResult:
    deliveries: list[Delivery] = field(default_factory=list)
    drops: list[Drop] = field(default_factory=list)


def _per_family(sources: IntervalSet, destinations: IntervalSet) -> list[Box]:
    """IPv4 packets go to IPv4 addresses and IPv6 to IPv6: never one box that mixes the two."""
    boxes = []
    for family in (addr.V4_ALL, addr.V6_ALL):
        box = Box(sources & family, destinations & family, ALL_PROTOCOL_NUMBERS, ALL_PORTS)
        if not box.is_empty():
            boxes.append(box)
    return boxes


class Walker:
    def __init__(self, estate: Estate, targets: list[EndpointClass], *, to_internet: bool = False) -> None:
        self.estate = estate
        self.targets = targets
        self.to_internet = to_internet
        self._by_vpc: dict[str, dict[str, list[EndpointClass]]] = {}
        for target in targets:
            self._by_vpc.setdefault(target.vpc_id, {}).setdefault(target.subnet_id, []).append(target)
        self._subnet_private: dict[str, IntervalSet] = {}
        for target in targets:
            self._subnet_private[target.subnet_id] = self._subnet_private.get(target.subnet_id, EMPTY) | target.private
        self.destinations = EMPTY
        for target in targets:
            self.destinations = self.destinations | target.addresses
            if target.public_unknown:
                self.destinations = self.destinations | (estate.internet & addr.V4_ALL)
        if to_internet:
            self.destinations = self.destinations | estate.internet
        self._source: Optional[EndpointClass] = None
        self._result = WalkResult()

    # -- entry points ------------------------------------------------------------------------------
    def from_class(self, source: EndpointClass) -> WalkResult:
        self._source, self._result = source, WalkResult()
        sender = Sender(source.subnet_id, source.vpc_id, source.label(), source.public, source.public_unknown)
        for box in _per_family(source.private, self.destinations):
            flow = Flow(box, origin=box.src)
            # Egress references match by member addresses wherever the packet goes next; a reference that
            # is not valid on the path simply matches no destination address there.
            admitted, dropped = sg_filter(self.estate, flow, source.group_ids, "egress", ANY_REFERENCES)
            self._result.drops.extend(dropped)
            for piece in admitted:
                self._forward(piece, sender, depth=0)
        return self._result

    def from_internet(self) -> WalkResult:
        self._source, self._result = None, WalkResult()
        for box in _per_family(self.estate.internet, self.destinations):
            self._enter_from_internet(Flow(box, origin=box.src))
        return self._result

    # -- helpers -----------------------------------------------------------------------------------
    def _drop(self, flow: Flow, box: Box, at: str, step: str, reason: str) -> None:
        self._result.drops.append(Drop.of(flow, box, at, step, reason))

    def _deliver(self, flow: Flow, target: Optional[EndpointClass]) -> None:
        self._result.deliveries.append(Delivery(flow, self._source, target))

    def _nacl(self, flows: list[Flow], subnet_id: str, way: str) -> list[Flow]:
        out: list[Flow] = []
        for flow in flows:
            admitted, dropped = nacl_filter(self.estate, flow, subnet_id, way)  # type: ignore[arg-type]
            out.extend(admitted)
            self._result.drops.extend(dropped)
        return out

    def _sg_in(self, flows: list[Flow], target: EndpointClass, scope: ReferenceScope,
               only: Optional[IntervalSet] = None) -> None:
        """SG ingress of `target`; `only` narrows the destination first (when flows hold several targets)."""
        for flow in flows:
            piece = flow.box if only is None else flow.box.restrict_dst(only)
            if piece is None:
                continue
            admitted, dropped = sg_filter(self.estate, flow.through_box(piece), target.group_ids, "ingress", scope)
            self._result.drops.extend(dropped)
            for done in admitted:
                self._deliver(done, target)

    # -- routing from a subnet ---------------------------------------------------------------------
    def _forward(self, flow: Flow, sender: Sender, depth: int) -> None:
        table = self.estate.route_table_of(sender.subnet_id)
        if table is None:
            self._unmodelled(flow.with_doubt(f"route table of {sender.subnet_id} is not in the source"),
                             Hop(sender.subnet_id, "route", "route table unknown"))
            return
        assumed = table.id if table.assumed else None
        for part, entry, doubt in lpm_split(self.estate, table, flow.box.dst):
            box = flow.box.with_dst(part)
            if entry is None:
                self._result.drops.append(Drop.of(flow, box, table.id, "route", "no route matches", assumed))
                continue
            route = entry.route
            routed = flow.through(Hop(table.id, "route", route.label()), box, doubt=doubt, assumed=assumed)
            if route.state == "blackhole" or route.target == "blackhole":
                self._drop(routed, box, table.id, "route", f"blackhole route {route.label()}")
            elif route.target == "local":
                scope = ReferenceScope(frozenset({sender.vpc_id}))
                self._deliver_in_vpc(routed, sender.subnet_id, sender.vpc_id, scope, crossing_vpc=False)
            elif route.target == "vpc-peering":
                self._via_peering(routed, sender, route.target_id or "")
            elif route.target in ("internet-gateway", "egress-only-internet-gateway"):
                self._via_internet_gateway(routed, sender, route.target_id or "",
                                           egress_only=route.target == "egress-only-internet-gateway")
            elif route.target == "nat-gateway":
                self._via_nat(routed, sender, route.target_id or "", depth)
            else:
                self._unsupported(routed, sender, route.target, route.target_id)

    def _deliver_in_vpc(self, flow: Flow, from_subnet: str, vpc_id: str, scope: ReferenceScope,
                        crossing_vpc: bool) -> None:
        """Deliver to the destination classes inside one VPC (local routing; nothing leaves the VPC again)."""
        for subnet_id, targets in sorted(self._by_vpc.get(vpc_id, {}).items()):
            box = flow.box.restrict_dst(self._subnet_private.get(subnet_id, EMPTY))
            if box is None:
                continue
            flows = [flow.through_box(box)]
            if crossing_vpc or subnet_id != from_subnet:
                # NACLs apply only when the packet crosses a subnet boundary (SPEC §6.3).
                flows = self._nacl(flows, from_subnet, "out")
                flows = self._nacl(flows, subnet_id, "in")
            for target in targets:
                self._sg_in(flows, target, scope, only=target.private)

    def _via_peering(self, flow: Flow, sender: Sender, pcx_id: str) -> None:
        peering = self.estate.peerings.get(pcx_id)
        if peering is None:
            self._unmodelled(flow.with_doubt(f"VPC peering {pcx_id} is not in the source"),
                             Hop(pcx_id, "peering", "peering unknown"))
            return
        if peering.status != "active":
            self._drop(flow, flow.box, pcx_id, "peering", f"peering is {peering.status}, not active")
            return
        if sender.vpc_id == peering.requester_vpc_id:
            peer_vpc = peering.accepter_vpc_id
        elif sender.vpc_id == peering.accepter_vpc_id:
            peer_vpc = peering.requester_vpc_id
        else:
            self._drop(flow, flow.box, pcx_id, "peering", f"peering does not connect {sender.vpc_id}")
            return
        if peer_vpc not in self.estate.vpcs:
            # The far side is outside the snapshot: none of our destinations can be there, and
            # peering is not transitive, so nothing comes back out of it towards them.
            self._drop(flow, flow.box, pcx_id, "peering", f"peer VPC {peer_vpc} is not in the source")
            return
        space = self.estate.vpc_space(peer_vpc)
        inside = flow.box.restrict_dst(space)
        outside = flow.box.dst - space
        if outside:
            self._drop(flow, flow.box.with_dst(outside), pcx_id, "peering",
                       "a peering carries only traffic to the peer VPC's CIDRs (not transitive)")
        if inside is None:
            return
        hop = Hop(pcx_id, "peering", f"{sender.vpc_id} -> {peer_vpc}")
        valid = {peer_vpc, sender.vpc_id} if self.estate.same_region(peer_vpc, sender.vpc_id) else {peer_vpc}
        self._deliver_in_vpc(flow.through(hop, inside), sender.subnet_id, peer_vpc,
                             ReferenceScope(frozenset(valid)), crossing_vpc=True)

    def _via_internet_gateway(self, flow: Flow, sender: Sender, gateway_id: str, *, egress_only: bool) -> None:
        attached = (self.estate.eigws_of_vpc if egress_only else self.estate.igws_of_vpc).get(sender.vpc_id, set())
        if gateway_id not in attached:
            self._drop(flow, flow.box, gateway_id, "igw", f"{gateway_id} is not attached to {sender.vpc_id}")
            return
        flows = self._nacl([flow], sender.subnet_id, "out")
        for leaving in flows:
            v6 = leaving.box.restrict_dst(addr.V6_ALL)
            v4 = leaving.box.restrict_dst(addr.V4_ALL)
            if v6 is not None:
                self._to_internet(leaving.through(Hop(gateway_id, "igw", "IPv6 to the internet"), v6), gateway_id)
            if v4 is None:
                continue
            if egress_only:
                self._drop(leaving, v4, gateway_id, "igw", "an egress-only internet gateway carries only IPv6")
            elif sender.public:
                hop = Hop(gateway_id, "igw", f"to the internet as {addr.describe(sender.public)}")
                self._to_internet(leaving.through_box(v4).rewrite_source(sender.public, hop), gateway_id)
            elif sender.public_unknown:
                hop = Hop(gateway_id, "igw", "to the internet as its public IPv4 (value unknown)")
                moved = leaving.through_box(v4).rewrite_source(self.estate.internet & addr.V4_ALL, hop)
                self._to_internet(moved.with_doubt(f"public address of {sender.name} is unknown"), gateway_id)
            else:
                self._drop(leaving, v4, gateway_id, "igw",
                           f"{sender.name} has no public IPv4 address: the internet gateway does not forward it")

    def _to_internet(self, flow: Flow, gateway_id: str) -> None:
        """Packets on the internet: they reach the internet itself, and any public address of the estate."""
        routable = flow.box.dst & self.estate.internet
        unroutable = flow.box.dst - self.estate.internet
        # Destinations whose public address is ours are reached again through their own gateway (hairpin).
        public_targets = self._public_destinations()
        hairpin = flow.box.dst & public_targets
        if unroutable - hairpin:
            self._drop(flow, flow.box.with_dst(unroutable - hairpin), gateway_id, "igw",
                       "private address: not routable on the internet")
        if self.to_internet and routable:
            self._deliver(flow.through_box(flow.box.with_dst(routable)), None)
        if hairpin or any(t.public_unknown for t in self.targets):
            self._enter_from_internet(flow)

    def _public_destinations(self) -> IntervalSet:
        out = EMPTY
        for target in self.targets:
            out = out | target.public | (target.private & addr.V6_ALL)
        return out

    def _enter_from_internet(self, flow: Flow) -> None:
        """From the internet into the estate: public IPv4 or IPv6 of a target, via its VPC's IGW (SPEC §6.5)."""
        internet_v4 = self.estate.internet & addr.V4_ALL
        for target in self.targets:
            known = target.public | (target.private & addr.V6_ALL)
            box = flow.box.restrict_dst(known) if known else None
            if box is not None:
                self._enter_target(flow.through_box(box), target, None)
            if target.public_unknown:
                # Its public address could be any internet address: follow whatever heads there.
                box = flow.box.restrict_dst(internet_v4)
                if box is not None:
                    doubt = None if box.dst == internet_v4 else f"public address of {target.label()} is unknown"
                    self._enter_target(flow.through_box(box), target, doubt)

    def _enter_target(self, flow: Flow, target: EndpointClass, doubt: Optional[str]) -> None:
        if doubt:
            flow = flow.with_doubt(doubt)
        gateways = sorted(self.estate.igws_of_vpc.get(target.vpc_id, set()))
        if not gateways:
            self._drop(flow, flow.box, target.vpc_id, "igw", f"{target.vpc_id} has no internet gateway")
            return
        table = self.estate.route_table_of(target.subnet_id)
        if table is None:
            flows = [flow.with_doubt(f"route table of {target.subnet_id} is not in the source")]
        else:
            flows = []
            assumed = table.id if table.assumed else None
            for part, entry, route_doubt in lpm_split(self.estate, table, flow.box.src):
                box = flow.box.with_src(part)
                route = entry.route if entry else None
                if route is not None and route.target == "internet-gateway" and route.target_id in gateways \
                        and route.state == "active":
                    hop = Hop(route.target_id or "", "igw", f"from the internet to {addr.describe(box.dst)}")
                    entered = flow.through(hop, box).through(
                        Hop(table.id, "route", f"return route {route.label()}"), box, doubt=route_doubt, assumed=assumed)
                    flows.append(entered)
                else:
                    why = f"{target.subnet_id} has no route to an internet gateway for these sources"
                    if route is not None:
                        why += f" (they match {route.label()})"
                    self._result.drops.append(Drop.of(flow, box, table.id, "route", why, assumed))
        flows = self._nacl(flows, target.subnet_id, "in")
        self._sg_in(flows, target, NO_REFERENCES)

    def _via_nat(self, flow: Flow, sender: Sender, nat_id: str, depth: int) -> None:
        nat = self.estate.nat_gateways.get(nat_id)
        if nat is None or nat.private_ip is None:
            self._unmodelled(flow.with_doubt(f"NAT gateway {nat_id} is not (fully) in the source"),
                             Hop(nat_id, "nat", "NAT gateway unknown"))
            return
        v6 = flow.box.restrict_dst(addr.V6_ALL)
        if v6 is not None:
            self._drop(flow, v6, nat_id, "nat", "a NAT gateway does not forward IPv6 (NAT64 not modelled)")
        v4 = flow.box.restrict_dst(addr.V4_ALL)
        if v4 is None:
            return
        if depth >= MAX_NAT_DEPTH:
            self._drop(flow, v4, nat_id, "nat", "NAT gateways chained too deep")
            return
        flows = [flow.through_box(v4)]
        if nat.subnet_id != sender.subnet_id:
            flows = self._nacl(flows, sender.subnet_id, "out")
            flows = self._nacl(flows, nat.subnet_id, "in")
        vpc_id = self.estate.vpc_of_subnet(nat.subnet_id) or sender.vpc_id
        nat_sender = Sender(nat.subnet_id, vpc_id, nat_id,
                            addr.of_addresses([nat.public_ip]) if nat.public_ip else EMPTY)
        private = addr.of_addresses([nat.private_ip])
        for arrived in flows:
            hop = Hop(nat_id, "nat", f"source rewritten to {nat.private_ip}")
            self._forward(arrived.rewrite_source(private, hop), nat_sender, depth + 1)

    def _unsupported(self, flow: Flow, sender: Sender, kind: str, target_id: Optional[str]) -> None:
        name = target_id or kind
        doubt = f"route to {kind} {name}: zonecheck does not model where it forwards"
        hop = Hop(name, "unsupported", f"{kind} (over-approximated: may deliver anywhere)")
        self._unmodelled(flow.with_doubt(doubt), hop)

    def _unmodelled(self, flow: Flow, hop: Hop) -> None:
        """A hop we cannot follow: assume it may deliver to any destination (ingress checks still apply)."""
        flow = flow.through(hop)
        if self.to_internet:
            routable = flow.box.dst & self.estate.internet
            if routable:
                self._deliver(flow.through_box(flow.box.with_dst(routable)), None)
        for vpc_id, subnets in sorted(self._by_vpc.items()):
            for subnet_id, targets in sorted(subnets.items()):
                box = flow.box.restrict_dst(self._subnet_private.get(subnet_id, EMPTY))
                if box is None:
                    continue
                flows = self._nacl([flow.through_box(box)], subnet_id, "in")
                for target in targets:
                    self._sg_in(flows, target, ANY_REFERENCES, only=target.private)
