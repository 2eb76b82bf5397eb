"""Follow packet sets from a source class to the destination zone, hop by hop (SPEC §6).

The walker is the one place that decides reachability.  Every step either admits part of a flow (and
records the hop and rule that admitted it) or drops part of it (and records why): witnesses and `explain`
are this same record, never a second reconstruction.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal, Optional, Sequence

from zonecheck.engine import addresses as addr
from zonecheck.engine.classes import ON_PREMISES, EndpointClass
from zonecheck.engine.estate import Estate
from zonecheck.engine.flows import Drop, DropSink, Flow, Hop
from zonecheck.engine.intervals import EMPTY, IntervalSet
from zonecheck.engine.nacls import nacl_filter
from zonecheck.engine.packets import ALL_PORTS, ALL_PROTOCOL_NUMBERS, Box, subtract_all
from zonecheck.engine.relays import Relay, find_relays, listener_boxes
from zonecheck.engine.routing import lpm_split
from zonecheck.engine.span_index import SpanIndex
from zonecheck.engine.batches import BATCH_SOURCE, Batch, Batches, Deferred
from zonecheck.engine.security_groups import (
    ANY_REFERENCES,
    NO_REFERENCES,
    CompiledGroups,
    ReferenceScope,
    SenderGroups,
    compile_groups,
    egress_scope,
    sender_groups_of,
    sg_filter,
)
from zonecheck.model import TransitGatewayAttachment

NAT_PROTOCOLS = IntervalSet([(1, 1), (6, 6), (17, 17)])
"""What a NAT gateway translates: ICMP, TCP and UDP."""

MAX_DEPTH = 4
"""Forwarding hops after the first route (NAT, transit gateway, appliance): enough for real designs
(spoke -> TGW -> inspection VPC -> TGW -> spoke -> NAT), and a bound against routing loops."""

Arrival = Literal["origin", "nat", "tgw", "appliance"]


@dataclass(frozen=True)
class Sender:
    """Who puts the packets on the wire in a subnet: an endpoint class, or a gateway forwarding them."""

    subnet_id: str
    vpc_id: str
    name: str
    public: IntervalSet
    """Public IPv4 addresses the internet gateway translates this sender to."""
    public_unknown: bool = False
    arrived: Arrival = "origin"
    """How the packets reached this subnet: VPC edge-to-edge rules forbid some ways out afterwards."""
    reference_vpcs: frozenset[str] = frozenset()
    """VPCs (besides the sender's) whose security group references stay valid for these packets."""


@dataclass(frozen=True)
class Delivery:
    flow: Flow
    source: Optional[EndpointClass]
    """None: the packets came from the internet (or on-premises, see ON_PREMISES)."""
    target: Optional[EndpointClass]
    """None: the packets reached the internet; ON_PREMISES: they left to on-premises networks."""


@dataclass
class WalkResult:
    deliveries: list[Delivery] = field(default_factory=list)
    drops: list[Drop] = field(default_factory=list)
    drops_by_source: dict[str, list[Drop]] = field(default_factory=dict)
    """The same drops, by the key of the source class they came from ("internet", "on-premises")."""
    touched: set[str] = field(default_factory=set)
    """Resources (and comma-joined group lists) packets reached before they were dropped, when the drops
    themselves were not kept (see flows.DropSink)."""
    assumed: set[str] = field(default_factory=set)
    """Assumed defaults those unkept drops rested on."""

    def index_drops(self, source_key: str) -> "WalkResult":
        self.drops_by_source = {source_key: self.drops}
        return self


def _per_family(sources: IntervalSet, destinations: IntervalSet) -> list[Box]:
    """IPv4 packets go to IPv4 addresses and IPv6 to IPv6: never one box that mixes the two."""
    boxes = []
    for family in (addr.V4_ALL, addr.V6_ALL):
        box = Box(sources & family, destinations & family, ALL_PROTOCOL_NUMBERS, ALL_PORTS)
        if not box.is_empty():
            boxes.append(box)
    return boxes


@dataclass
class _DestinationSide:
    """What a walker knows of its destination classes, and the indexes it builds over them: the same for
    every assertion towards the same zone, so built once per estate (a policy names a zone many times)."""

    by_vpc: dict[str, dict[str, list[EndpointClass]]]
    subnet_private: dict[str, IntervalSet]
    destinations: IntervalSet
    relays: list[Relay]
    relay_of: dict[str, Relay]
    entry_targets: list[EndpointClass]
    listener_boxes: dict
    public_targets: IntervalSet
    public_unknown_targets: list[EndpointClass]
    by_vpc_subnet: dict[str, list[EndpointClass]]
    indexes: dict[str, "TargetIndex"] = field(default_factory=dict)
    vpc_subnets: dict[str, list[str]] = field(default_factory=dict)
    hops: dict[tuple, Hop] = field(default_factory=dict)
    entry_by_subnet: Optional[SpanIndex[tuple[str, str, list[EndpointClass]]]] = None
    relay_addresses: IntervalSet = EMPTY
    """Every address of a relay's interfaces: packets heading there may have their ports rewritten again."""


def _destination_side(estate: Estate, targets: list[EndpointClass], to_internet: bool, to_on_premises: bool,
                      undescribed: IntervalSet) -> _DestinationSide:
    return estate.derived(("destination-side", to_internet, to_on_premises, undescribed), targets,
                          lambda: _build_destination_side(estate, targets, to_internet, to_on_premises, undescribed))


def _build_destination_side(estate: Estate, targets: list[EndpointClass], to_internet: bool, to_on_premises: bool,
                            undescribed: IntervalSet) -> _DestinationSide:
    by_vpc: dict[str, dict[str, list[EndpointClass]]] = {}
    for target in targets:
        by_vpc.setdefault(target.vpc_id, {}).setdefault(target.subnet_id, []).append(target)
    # Spans gathered, then normalised once: a union per target would be quadratic in big zones.
    subnet_spans: dict[str, list[tuple[int, int]]] = {}
    destination_spans: list[tuple[int, int]] = []
    for target in targets:
        subnet_spans.setdefault(target.subnet_id, []).extend(target.private.spans)
        destination_spans.extend(target.private.spans)
        destination_spans.extend(target.public.spans)
        if target.public_unknown:
            destination_spans.extend((estate.internet & addr.V4_ALL).spans)
    subnet_private: dict[str, IntervalSet] = {k: IntervalSet(v) for k, v in subnet_spans.items()}
    destinations = IntervalSet(destination_spans)
    if to_internet:
        destinations = destinations | estate.internet
    if to_on_premises:
        destinations = destinations | estate.on_premises.addresses
    destinations = destinations | undescribed
    # Load balancers forwarding to some target are relays: deliveries to their interfaces continue.
    relays = find_relays(estate, targets)
    relay_of: dict[str, Relay] = {}
    for relay in relays:
        for iface in relay.interfaces:
            relay_of[iface.key] = relay
            by_vpc.setdefault(iface.vpc_id, {}).setdefault(iface.subnet_id, []).append(iface)
            subnet_private[iface.subnet_id] = subnet_private.get(iface.subnet_id, EMPTY) | iface.private
            destinations = destinations | iface.addresses
            if iface.public_unknown:
                destinations = destinations | (estate.internet & addr.V4_ALL)
    entry_targets = list(targets) + [i for r in relays for i in r.interfaces]
    return _DestinationSide(
        by_vpc=by_vpc, subnet_private=subnet_private, destinations=destinations,
        relays=relays, relay_of=relay_of, entry_targets=entry_targets,
        listener_boxes=listener_boxes(estate, targets),
        public_targets=IntervalSet([span for t in entry_targets for span in t.internet_addresses.spans]),
        public_unknown_targets=[t for t in entry_targets if t.public_unknown],
        by_vpc_subnet={subnet_id: classes for subnets in by_vpc.values() for subnet_id, classes in subnets.items()},
        relay_addresses=IntervalSet([span for r in relays for i in r.interfaces for span in i.addresses.spans]),
    )


class Walker:
    def __init__(self, estate: Estate, targets: list[EndpointClass], *, to_internet: bool = False,
                 to_on_premises: bool = False, keep_drops: bool = True, ignore: Sequence[Box] = (),
                 undescribed: IntervalSet = EMPTY) -> None:
        """`ignore`: (protocol, port) boxes the assertion does not ask about (an `only` assertion's allowed
        services); they are not followed unless a load balancer, which rewrites ports, lies ahead.
        `undescribed`: addresses the destination zone names by address alone (ResolvedZone.address_space):
        packets heading there into a VPC the source does not describe may be delivered."""
        self.estate = estate
        self.keep_drops = keep_drops
        self.targets = targets
        self.to_internet = to_internet
        self.to_on_premises = to_on_premises
        self._undescribed = undescribed
        side = _destination_side(estate, targets, to_internet, to_on_premises, undescribed)
        self._side = side
        self._by_vpc = side.by_vpc
        self._subnet_private = side.subnet_private
        self.destinations = side.destinations
        self.relays = side.relays
        self._relay_of = side.relay_of
        self._entry_targets = side.entry_targets
        self._listener_boxes = side.listener_boxes
        self._public_targets = side.public_targets
        self._public_unknown_targets = side.public_unknown_targets
        self._by_vpc_subnet = side.by_vpc_subnet
        self._indexes = side.indexes
        self._vpc_subnets = side.vpc_subnets
        self._hops = side.hops
        self._ignore = list(ignore) if not self.relays else []
        self._ignore_past_relays = list(ignore)

        self._source: Optional[EndpointClass] = None
        self._sender: SenderGroups = {}
        self._result = WalkResult()
        self._sink = DropSink(keep_drops)
        self._batches: Optional[Batches] = None

    def batch_sources(self, sources: Sequence[EndpointClass]) -> bool:
        """Follow what lies past a transit gateway, or past the source subnet's outbound ACL inside its VPC,
        once for all these sources (batches.py), when that is exact: drops are not kept per source, no
        appliance or load balancer ahead could mix a packet's source address with another, and no interface
        is both a source and a destination (a packet from an interface to itself is no witness, which only
        the single source's walk can tell)."""
        if self.keep_drops or self.relays or self.estate.has_appliance_routes:
            return False
        targets = {e for t in self.targets for e in t.endpoint_ids}
        if any(e in targets for s in sources for e in s.endpoint_ids):
            return False
        self._batches = Batches()
        return True

    def flush_batches(self) -> tuple[dict[str, list[Delivery]], WalkResult]:
        """Follow the deferred packets from where they were deferred: deliveries by the key of the source
        class they belong to, and what the packets touched on the way."""
        delivered: dict[str, list[Delivery]] = {}
        self._sink = DropSink(False)
        batches = self._batches.batches() if self._batches else []
        for batch in batches:
            self._source, self._sender, self._result = BATCH_SOURCE, batch.sender(), WalkResult()
            self._follow(batch)
            for delivery in self._result.deliveries:
                for source, flow in batch.attribute(delivery.flow):
                    delivered.setdefault(source.key, []).append(Delivery(flow, source, delivery.target))
        rest = WalkResult()
        rest.touched, rest.assumed = self._sink.touched, self._sink.assumed
        self._source, self._result, self._sink = None, WalkResult(), DropSink(self.keep_drops)
        return delivered, rest

    def _follow(self, batch: Batch) -> None:
        kind, where, detail = batch.place
        if kind == "transit":
            self._tgw_route(batch.flow(), where, batch.ingress, detail, 0, batch.origin_vpcs)
            return
        # Local: every member crosses a subnet boundary (its own subnet was not deferred), through the same
        # outbound ACL: the first member's subnet stands for all of them.
        self._deliver_in_vpc(batch.flow(), batch.members[0].subnet_id, where, ReferenceScope(frozenset({where})),
                             crossing_vpc=True)

    # -- entry points ------------------------------------------------------------------------------
    def from_class(self, source: EndpointClass, sender: Optional[SenderGroups] = None, *,
                   egress: bool = True) -> WalkResult:
        """`sender`: for several classes walked as one (senders.py), which of their addresses are in which
        group; by default every address of `source` is in each of its groups.  `egress` False: the caller
        applies the sources' egress rules to the deliveries (senders.split_flow)."""
        self._start(source)
        self._sender = sender if sender is not None else sender_groups_of(source.group_ids)
        origin = Sender(source.subnet_id, source.vpc_id, source.label(), source.public, source.public_unknown)
        for box in self._initial(source.private, self.destinations):
            flow = Flow(box, origin=box.src)
            if not egress:
                self._forward(flow, origin, depth=0)
                continue
            # Egress references match by member addresses wherever the packet goes next, in the VPCs where
            # they can be valid at all (egress_scope).
            admitted, _ = sg_filter(self.estate, flow, source.group_ids, "egress",
                                    egress_scope(self.estate, source.vpc_id), sink=self._sink)
            for piece in admitted:
                self._forward(piece, origin, depth=0)
        return self._finish(source.key)

    def from_internet(self) -> WalkResult:
        self._start(None)
        for box in self._initial(self.estate.internet, self.destinations):
            self._enter_from_internet(Flow(box, origin=box.src))
        return self._finish("internet")

    def from_on_premises(self) -> WalkResult:
        """Packets from networks behind VPN connections and Direct Connect, through the gateways the data shows."""
        self._start(ON_PREMISES)
        onprem = self.estate.on_premises
        for box in self._initial(onprem.addresses, self.destinations):
            # Unknown on-premises prefixes do not make a path doubtful by themselves: a delivery that admits
            # every possible on-premises address holds whatever they are (see check.py).
            flow = Flow(box, origin=box.src)
            for vgw_id, vpc_id in onprem.vpn_gateway_entries:
                hop = Hop(vgw_id, "vpn-gateway", f"from on-premises into {vpc_id}")
                scope = ReferenceScope(frozenset({vpc_id}))
                self._deliver_in_vpc(flow.through(hop), None, vpc_id, scope, crossing_vpc=True)
            for attachment in onprem.transit_entries:
                hop = Hop(attachment.id, "tgw-attachment", f"from on-premises ({attachment.kind}) into "
                                                          f"{attachment.transit_gateway_id}")
                self._tgw_route(flow.through(hop), attachment.transit_gateway_id, attachment, None, 0, frozenset())
        return self._finish(ON_PREMISES.key)

    # -- helpers -----------------------------------------------------------------------------------
    def _initial(self, sources: IntervalSet, destinations: IntervalSet) -> list[Box]:
        return subtract_all(_per_family(sources, destinations), self._ignore)

    def _start(self, source: Optional[EndpointClass]) -> None:
        self._source, self._result, self._sink = source, WalkResult(), DropSink(self.keep_drops)

    def _finish(self, source_key: str) -> WalkResult:
        self._result.drops = self._sink.items
        self._result.touched = self._sink.touched
        self._result.assumed = self._sink.assumed
        return self._result.index_drops(source_key)

    def _drop(self, flow: Flow, box: Box, at: str, step: str, reason: str, assumed: Optional[str] = None) -> None:
        self._sink.add(flow, box, at, step, reason, assumed)

    def _deliver(self, flow: Flow, target: Optional[EndpointClass]) -> None:
        if target is not None and target.key in self._relay_of:
            self._relay(flow, target, self._relay_of[target.key])
            return
        boxes = [flow.box]
        if target is not None and target.key in self._listener_boxes:
            # A load balancer's interface answers only on its listeners' ports.
            balancer_id, listening = self._listener_boxes[target.key]
            boxes = [p for b in listening for p in [flow.box.intersect(b)] if p is not None]
            for piece in subtract_all([flow.box], listening):
                self._drop(flow, piece, balancer_id, "load-balancer", "no listener on this protocol and port")
        if target is not None and self._source is not None:
            boxes = [piece for box in boxes for piece in self._without_self_flows(flow.through_box(box), target)]
        for box in boxes:
            self._result.deliveries.append(Delivery(flow.through_box(box), self._source, target))

    def _without_self_flows(self, flow: Flow, target: EndpointClass) -> list[Box]:
        """Packets from an interface to its own address never leave the host: they are no witness (SPEC §6
        speaks of delivery from ENI A to ENI B)."""
        shared = set(self._source.endpoint_ids) & set(target.endpoint_ids) if self._source else set()
        boxes = [flow.box]
        if not shared or (flow.rewritten and len(self._source.endpoint_ids) > 1):  # type: ignore[union-attr]
            return boxes
        for endpoint_id in sorted(shared):
            endpoint = self.estate.endpoints[endpoint_id]
            own = self.estate.private_addresses(endpoint) | self.estate.public_addresses(endpoint)
            if endpoint.address_unknown or endpoint.public_address_unknown:
                # Its "addresses" are a range: pairs inside it are the same host only if no other interface of
                # either class may hold an address of that range (else a PASS would rest on a guess).
                others = (set(self._source.endpoint_ids) | set(target.endpoint_ids)) - {endpoint_id}  # type: ignore[union-attr]
                if endpoint.public_address_unknown or any(
                        not own.isdisjoint(self.estate.private_addresses(self.estate.endpoints[o]))
                        for o in others if o in self.estate.endpoints):
                    continue
            src = flow.box.src if flow.rewritten else own
            boxes = [piece for box in boxes for piece in box.subtract(Box(src, own, ALL_PROTOCOL_NUMBERS, ALL_PORTS))]
        return boxes

    def _relay(self, flow: Flow, iface: EndpointClass, relay: Relay) -> None:
        """Packets that reached a load balancer's interface continue to its targets (see relays.py)."""
        balancer = relay.balancer
        if sum(1 for h in flow.hops if h.step == "load-balancer") >= 2:
            self._drop(flow, flow.box, balancer.id, "load-balancer", "load balancers chained too deep")
            return
        listening: list[Box] = []
        for forward in relay.forwards:
            listener = forward.listener
            ports = IntervalSet.single(listener.port, listener.port) if listener.port else ALL_PORTS
            for protocol in forward.protocols:
                listening.append(Box(flow.box.src, flow.box.dst, IntervalSet.single(protocol, protocol), ports))
                piece = flow.box.intersect(listening[-1])
                if piece is None:
                    continue
                family = addr.V6_ALL if forward.addresses.first() >= addr.V6_OFFSET else addr.V4_ALL
                src = iface.private & family
                if relay.preserves_client:
                    src = src | (piece.src & family)
                if not src:
                    continue
                hop = Hop(balancer.id, "load-balancer",
                          f"{listener.protocol} {listener.port or 'any'} -> {forward.group.name or forward.group.id} "
                          f"port {forward.port}")
                moved = flow.through(hop, piece).rewrite_source(src, hop)
                moved = replace(moved, box=Box(src, forward.addresses, IntervalSet.single(protocol, protocol),
                                               IntervalSet.single(forward.port, forward.port)),
                                hops=moved.hops[:-1])
                if forward.doubt:
                    moved = moved.with_doubt(forward.doubt)
                if self._ignore_past_relays and moved.box.dst.isdisjoint(self._side.relay_addresses) \
                        and not subtract_all([moved.box], self._ignore_past_relays):
                    # Past the last balancer nothing rewrites ports again: packets on a service the assertion
                    # allows can no longer become a violation (the `ignore` of Walker.__init__, applied late).
                    continue
                admitted, _ = sg_filter(self.estate, moved, iface.group_ids, "egress",
                                        egress_scope(self.estate, iface.vpc_id), sink=self._sink)
                sender = Sender(iface.subnet_id, iface.vpc_id, balancer.id, EMPTY)
                for leaving in admitted:
                    self._forward(leaving, sender, depth=1)
        for piece in subtract_all([flow.box], listening):
            self._drop(flow, piece, balancer.id, "load-balancer",
                       "no listener forwards this protocol and port to the destination zone")

    def _nacl(self, flows: list[Flow], subnet_id: str, way: str) -> list[Flow]:
        out: list[Flow] = []
        for flow in flows:
            admitted, _ = nacl_filter(self.estate, flow, subnet_id, way, self._sink)  # type: ignore[arg-type]
            out.extend(admitted)
        return out

    def _sender_groups(self, flow: Flow) -> Optional[SenderGroups]:
        """The groups of the interfaces that sent `flow`, while it still carries their own addresses."""
        if self._source is not None and self._source.key != ON_PREMISES.key and not flow.rewritten \
                and not any(h.step in ("appliance", "load-balancer") for h in flow.hops):
            return self._sender
        return None

    def _sg_in(self, flows: list[Flow], target: EndpointClass, scope: ReferenceScope,
               only: Optional[IntervalSet] = None, sender: Optional[SenderGroups] = None) -> None:
        """SG ingress of `target`; `only` narrows the destination first (when flows hold several targets).
        `sender`: _sender_groups of the flows, when the caller has it already (one flow)."""
        for flow in flows:
            piece = flow.box if only is None else flow.box.restrict_dst(only)
            if piece is None:
                continue
            admitted, _ = sg_filter(self.estate, flow.through_box(piece), target.group_ids, "ingress", scope,
                                    sender if sender is not None else self._sender_groups(flow), sink=self._sink)
            for done in admitted:
                self._deliver(done, target)

    def _sg_in_subnet(self, flows: list[Flow], subnet_id: str, scope: ReferenceScope) -> None:
        """SG ingress of every target class of a subnet the flows reached.

        When drops are not kept, only the classes whose ingress rules could admit some of the flows are
        evaluated (an index by referenced group and by peer addresses, see TargetIndex): the others would
        drop everything, and the flows have already touched the subnet.  Never a loop over sources x targets.
        """
        targets = self._by_vpc_subnet.get(subnet_id, [])
        if self.keep_drops or len(targets) < 4:
            for target in targets:
                self._sg_in(flows, target, scope, only=target.private)
            return
        index = self._index(subnet_id, targets)
        for flow in flows:
            self._ends_at(index, flow)  # for the classes skipped
            sender = self._sender_groups(flow)
            for target in index.candidates(flow.box, sender):
                self._sg_in([flow], target, scope, only=target.private, sender=sender)

    def _route_hop(self, table_id: str, step: str, route, doubt: Optional[str]) -> Hop:  # type: ignore[no-untyped-def]
        """The hop citing a route (its label formats addresses: made once per route, not per walk)."""
        key = (table_id, step, id(route), doubt is None)
        hop = self._hops.get(key)
        if hop is None:
            label = route.label() if doubt is None else \
                f"routes learned over BGP -> {','.join(route.attachment_ids)} (not in the source)"
            hop = self._hops[key] = Hop(table_id, step, label)
        return hop

    def _ends_at_groups(self, flow: Flow, subnet_id: str, vpc_id: str, attachment_id: str) -> bool:
        """Whether packets leaving a transit gateway attachment into `subnet_id` are all routed `local` and no
        destination class of the VPC lets their sources in: then they end at those groups, and the walk
        need not follow them hop by hop (a hub reaches hundreds of spokes from every source subnet).  The
        resources they touch, and what that rests on, are recorded as _deliver_in_vpc would."""
        if self.keep_drops:
            return False
        table = self.estate.route_table_of(subnet_id)
        if table is None:
            return False
        for _, entry, doubt in lpm_split(self.estate, table, flow.box.dst):
            if entry is None or doubt is not None or entry.route.target != "local" or entry.route.state == "blackhole":
                return False
        if not self._subnets_of_vpc(vpc_id):
            return False
        whole = self._vpc_index(vpc_id)
        if whole.candidates(flow.box, self._sender_groups(flow)):
            return False
        self._ends_at(whole, flow, attachment_id, table.id)
        if table.assumed:
            self._sink.assumed.add(table.id)
        return True

    def _ends_at(self, index: "TargetIndex", flow: Flow, *ats: str) -> None:
        """Record what `flow` touched when the classes of `index` drop it unevaluated (no Drop is made):
        the resources on its way (`ats`: hops not on it yet), their groups and the assumed ones among them."""
        self._sink.touch(flow)
        self._sink.touched.update(ats)
        self._sink.touched.update(index.group_keys)
        self._sink.assumed.update(index.assumed)

    def _subnets_of_vpc(self, vpc_id: str) -> list[str]:
        """The VPC's subnets that hold destination classes, in order."""
        subnets = self._vpc_subnets.get(vpc_id)
        if subnets is None:
            subnets = self._vpc_subnets[vpc_id] = sorted(self._by_vpc.get(vpc_id, {}))
        return subnets

    def _vpc_index(self, vpc_id: str) -> "TargetIndex":
        return self._index(vpc_id, [t for subnet_id in self._subnets_of_vpc(vpc_id)
                                    for t in self._by_vpc_subnet.get(subnet_id, [])])

    def _index(self, key: str, targets: list[EndpointClass]) -> "TargetIndex":
        """The index of these classes (a subnet's or a VPC's, by its id), built once per walker."""
        index = self._indexes.get(key)
        if index is None:
            index = self._indexes[key] = TargetIndex(self.estate, targets)
        return index

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
                self._drop(flow, box, table.id, "route", "no route matches", assumed)
                continue
            route = entry.route
            routed = flow.through(self._route_hop(table.id, "route", route, None), box, doubt=doubt, assumed=assumed)
            target = route.target
            if route.state == "blackhole" or target == "blackhole":
                self._drop(routed, box, table.id, "route", f"blackhole route {route.label()}")
            elif target == "local":
                scope = ReferenceScope(frozenset({sender.vpc_id}) | sender.reference_vpcs)
                self._deliver_locally(routed, sender, scope, depth)
            elif sender.arrived == "tgw" and target in ("vpc-peering", "vpn-gateway"):
                self._drop(routed, box, route.target_id or target, "route",
                           "traffic that arrived through a transit gateway cannot leave over a peering or VPN gateway "
                           "(no edge-to-edge routing)")
            elif target == "vpc-peering":
                self._via_peering(routed, sender, route.target_id or "")
            elif target in ("internet-gateway", "egress-only-internet-gateway"):
                self._via_internet_gateway(routed, sender, route.target_id or "",
                                           egress_only=target == "egress-only-internet-gateway")
            elif target == "nat-gateway":
                self._via_nat(routed, sender, route.target_id or "", depth)
            elif target == "transit-gateway":
                self._via_transit_gateway(routed, sender, route.target_id or "", depth)
            elif target in ("network-interface", "instance"):
                self._via_appliance(routed, sender, route.target_id or "", depth)
            elif target == "vpn-gateway":
                self._via_vpn_gateway(routed, sender, route.target_id or "")
            elif target == "vpc-endpoint":
                self._via_vpc_endpoint(routed, sender, route.target_id or "")
            else:
                self._unsupported(routed, target, route.target_id)

    def _deliver_in_vpc(self, flow: Flow, from_subnet: Optional[str], vpc_id: str, scope: ReferenceScope,
                        crossing_vpc: bool) -> None:
        """Deliver to the destination classes inside one VPC (local routing; nothing leaves the VPC again).

        `from_subnet` None: the packets enter from a gateway (VPN), only the destination's inbound NACL applies.
        """
        subnets = self._subnets_of_vpc(vpc_id)
        if not self.keep_drops and subnets:
            whole = self._vpc_index(vpc_id)
            if not whole.candidates(flow.box, self._sender_groups(flow)):
                # No destination here lets any of these sources in: skip the ACLs of every subnet.
                self._ends_at(whole, flow)
                return
        # The sender's outbound ACL looks at destinations only: split the whole flow once, then take each
        # subnet's part (the same pieces and hops as splitting each part).  Not when every drop is kept: the
        # drops would then also cover destinations no subnet here holds.
        left: Optional[list[Flow]] = None
        for subnet_id in subnets:
            inside = self._subnet_private.get(subnet_id, EMPTY)
            box = flow.box.restrict_dst(inside)
            if box is None:
                continue
            flows = [flow.through_box(box)]
            if from_subnet is None:
                flows = self._nacl(flows, subnet_id, "in")
            elif crossing_vpc or subnet_id != from_subnet:
                # NACLs apply only when the packet crosses a subnet boundary (SPEC §6.3).
                if self.keep_drops:
                    flows = self._nacl(flows, from_subnet, "out")
                else:
                    if left is None:
                        left = self._nacl([flow], from_subnet, "out")
                    flows = [f.through_box(b) for f in left for b in [f.box.restrict_dst(inside)] if b is not None]
                flows = self._nacl(flows, subnet_id, "in")
            self._sg_in_subnet(flows, subnet_id, scope)

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
            # The far side is outside the snapshot: no interface of ours is there, and peering is not
            # transitive, so nothing comes back out of it towards them; but a zone named by addresses there
            # may be reached, through groups and ACLs nobody read.
            hop = Hop(pcx_id, "peering", f"{sender.vpc_id} -> {peer_vpc} (not in the source)")
            self._to_undescribed(flow, hop, peer_vpc)
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

    # -- the internet ------------------------------------------------------------------------------
    def _via_internet_gateway(self, flow: Flow, sender: Sender, gateway_id: str, *, egress_only: bool) -> None:
        attached = (self.estate.eigws_of_vpc if egress_only else self.estate.igws_of_vpc).get(sender.vpc_id, set())
        if gateway_id not in attached:
            if gateway_id in self.estate.known_gateways:
                self._drop(flow, flow.box, gateway_id, "igw", f"{gateway_id} is not attached to {sender.vpc_id}")
                return
            # A route to a gateway the source does not describe: it may well be attached.
            flow = flow.with_doubt(f"internet gateway {gateway_id} is not in the source")
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
        hairpin = flow.box.dst & self._public_targets
        unroutable = flow.box.dst - self.estate.internet - hairpin
        if unroutable:
            self._drop(flow, flow.box.with_dst(unroutable), gateway_id, "igw",
                       "private address: not routable on the internet")
        if self.to_internet and routable:
            self._deliver(flow.through_box(flow.box.with_dst(routable)), None)
        if hairpin or self._public_unknown_targets:
            self._enter_from_internet(flow)

    def _enter_from_internet(self, flow: Flow) -> None:
        """From the internet into the estate: public IPv4 or IPv6 of a target, via its VPC's IGW (SPEC §6.5)."""
        if not self.keep_drops:
            self._enter_subnets(flow)
            return
        for target in self._entry_targets:
            self._enter_known(flow, target)
            if target.public_unknown:
                self._enter_anywhere(flow, target)

    def _enter_subnets(self, flow: Flow) -> None:
        """_enter_from_internet when drops are not kept: targets are taken by subnet, through an index of their
        addresses, and a subnet that lets nobody in from the internet (its VPC has no internet gateway, or it
        has no route back to one for these sources) is passed over at once, touching what each target's own
        walk would have touched (a large zone sits mostly in such subnets)."""
        for subnet_id, vpc_id, targets in self._entry_index().meeting(flow.box.dst):
            if self._enters_nowhere(flow, subnet_id, vpc_id):
                continue
            for target in targets:
                self._enter_known(flow, target)
        for target in self._public_unknown_targets:
            self._enter_anywhere(flow, target)

    def _enter_known(self, flow: Flow, target: EndpointClass) -> None:
        """The packets heading to the addresses the internet knows the target by."""
        box = flow.box.restrict_dst(target.internet_addresses)
        if box is not None:
            self._enter_target(flow.through_box(box), target, None)

    def _enter_anywhere(self, flow: Flow, target: EndpointClass) -> None:
        """A target whose public address is unknown could be at any internet address: follow whatever heads
        there."""
        internet_v4 = self.estate.internet & addr.V4_ALL
        box = flow.box.restrict_dst(internet_v4)
        if box is not None:
            doubt = None if box.dst == internet_v4 else f"public address of {target.label()} is unknown"
            self._enter_target(flow.through_box(box), target, doubt)

    def _entry_index(self) -> SpanIndex[tuple[str, str, list[EndpointClass]]]:
        """Entry targets by subnet, indexed by the addresses the internet reaches them at."""
        side = self._side
        if side.entry_by_subnet is None:
            by_subnet: dict[str, list[EndpointClass]] = {}
            for target in self._entry_targets:
                by_subnet.setdefault(target.subnet_id, []).append(target)
            side.entry_by_subnet = SpanIndex([
                (IntervalSet([span for t in targets for span in t.internet_addresses.spans]),
                 (subnet_id, targets[0].vpc_id, targets)) for subnet_id, targets in by_subnet.items()])
        return side.entry_by_subnet

    def _enters_nowhere(self, flow: Flow, subnet_id: str, vpc_id: str) -> bool:
        """Whether the internet gateway step drops all of `flow` for every target of the subnet (what
        _enter_target decides first), recording what that touched."""
        table = self.estate.route_table_of(subnet_id)
        if table is None:
            return False
        unknown = any(r.target == "internet-gateway" and r.target_id and r.state == "active"
                      and r.target_id not in self.estate.known_gateways for r in table.routes)
        if unknown:
            return False
        gateways = self.estate.igws_of_vpc.get(vpc_id, set())
        if not gateways:
            self._sink.touch(flow, vpc_id)
            return True
        for _, entry, _ in lpm_split(self.estate, table, flow.box.src):
            route = entry.route if entry else None
            if route is not None and route.target == "internet-gateway" and route.target_id in gateways \
                    and route.state == "active":
                return False
        self._sink.touch(flow, table.id)
        if table.assumed:
            self._sink.assumed.add(table.id)
        return True

    def _enter_target(self, flow: Flow, target: EndpointClass, doubt: Optional[str]) -> None:
        if doubt:
            flow = flow.with_doubt(doubt)
        gateways = sorted(self.estate.igws_of_vpc.get(target.vpc_id, set()))
        table = self.estate.route_table_of(target.subnet_id)
        if table is not None:
            # A route to an internet gateway the source does not describe: it may be attached to this VPC.
            unknown = sorted({r.target_id for r in table.routes if r.target == "internet-gateway" and r.target_id
                              and r.state == "active" and r.target_id not in self.estate.known_gateways})
            if unknown:
                gateways += unknown
                flow = flow.with_doubt(f"internet gateway {', '.join(unknown)} is not in the source")
        if not gateways:
            self._drop(flow, flow.box, target.vpc_id, "igw", f"{target.vpc_id} has no internet gateway")
            return
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
                    if route is not None and self.keep_drops:
                        why += f" (they match {route.label()})"
                    self._drop(flow, box, table.id, "route", why, assumed)
        flows = self._nacl(flows, target.subnet_id, "in")
        self._sg_in(flows, target, NO_REFERENCES)

    # -- forwarding devices ------------------------------------------------------------------------
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
        if depth >= MAX_DEPTH:
            self._drop(flow, v4, nat_id, "nat", "forwarded too many times (routing loop?)")
            return
        translated = v4.intersect(Box(v4.src, v4.dst, NAT_PROTOCOLS, ALL_PORTS))
        rest = v4.protocols - NAT_PROTOCOLS
        if rest:
            self._drop(flow, Box(v4.src, v4.dst, rest, v4.ports), nat_id, "nat",
                       "a NAT gateway translates only TCP, UDP and ICMP")
        if translated is None:
            return
        flows = [flow.through_box(translated)]
        if nat.subnet_id != sender.subnet_id:
            flows = self._nacl(flows, sender.subnet_id, "out")
            flows = self._nacl(flows, nat.subnet_id, "in")
        vpc_id = self.estate.vpc_of_subnet(nat.subnet_id) or sender.vpc_id
        nat_sender = Sender(nat.subnet_id, vpc_id, nat_id,
                            addr.of_addresses([nat.public_ip]) if nat.public_ip else EMPTY, arrived="nat")
        private = addr.of_addresses([nat.private_ip])
        for arrived in flows:
            hop = Hop(nat_id, "nat", f"source rewritten to {nat.private_ip}")
            self._forward(arrived.rewrite_source(private, hop), nat_sender, depth + 1)

    def _via_appliance(self, flow: Flow, sender: Sender, target_id: str, depth: int) -> None:
        """A route to an instance or ENI (firewall, NAT instance): over-approximated as forwarding anything."""
        endpoint = self.estate.appliance(target_id)
        if endpoint is None:
            self._unsupported(flow, "network-interface", target_id)
            return
        if endpoint.source_dest_check:
            self._drop(flow, flow.box, endpoint.id, "appliance",
                       "source/destination check is on: the instance cannot forward packets not addressed to it")
            return
        if depth >= MAX_DEPTH:
            self._drop(flow, flow.box, endpoint.id, "appliance", "forwarded too many times (routing loop?)")
            return
        flows = [flow]
        if endpoint.subnet_id != sender.subnet_id:
            flows = self._nacl(flows, sender.subnet_id, "out")
            flows = self._nacl(flows, endpoint.subnet_id, "in")
        vpc_id = self.estate.vpc_of_subnet(endpoint.subnet_id) or sender.vpc_id
        own = self.estate.private_addresses(endpoint)
        appliance = Sender(endpoint.subnet_id, vpc_id, endpoint.id, self.estate.public_addresses(endpoint),
                           arrived="appliance", reference_vpcs=sender.reference_vpcs | {sender.vpc_id})
        doubt = f"appliance {endpoint.id} is assumed to forward anything it receives (over-approximation)"
        hop = Hop(endpoint.id, "appliance", "forwards anything it receives, possibly as its own address "
                                            "(over-approximation)")
        for arrived in flows:
            # It may forward as-is or translate to its own address (a NAT instance): keep both sources.
            moved = arrived.through(hop).with_doubt(doubt)
            widened = moved.box.with_src(moved.box.src | (own & (addr.V6_ALL if moved.box.src.first() >= addr.V6_OFFSET
                                                                   else addr.V4_ALL)))
            self._forward(moved.through_box(widened), appliance, depth + 1)

    def _via_transit_gateway(self, flow: Flow, sender: Sender, tgw_id: str, depth: int) -> None:
        transit = self.estate.transit
        attachment = transit.vpc_attachment(tgw_id, sender.vpc_id)
        if attachment is None:
            if tgw_id not in transit.gateways and not transit.attachments_of_vpc(sender.vpc_id):
                self._unsupported(flow, "transit-gateway", tgw_id)
            else:
                self._drop(flow, flow.box, tgw_id, "tgw", f"{sender.vpc_id} has no available attachment to {tgw_id}")
            return
        entry_subnet = self._attachment_subnet(attachment, sender.subnet_id)
        if entry_subnet is None:
            zone = self.estate.availability_zone(sender.subnet_id)
            self._drop(flow, flow.box, attachment.id, "tgw-attachment",
                       f"the attachment has no subnet in {zone}: the transit gateway does not serve that zone")
            return
        flows = self._nacl([flow], sender.subnet_id, "out")
        if entry_subnet != sender.subnet_id:
            flows = self._nacl(flows, entry_subnet, "in")
        hop = Hop(attachment.id, "tgw-attachment", f"{sender.vpc_id} -> {tgw_id} (via {entry_subnet})")
        zone = self.estate.availability_zone(entry_subnet)
        for entered in flows:
            moved = entered.through(hop)
            if self._defer(moved, sender, tgw_id, attachment, zone, depth):
                continue
            self._tgw_route(moved, tgw_id, attachment, zone, depth, frozenset({sender.vpc_id}))

    def _batchable(self, flow: Flow, sender: Sender, depth: int) -> bool:
        """A source's own packets, as it sent them (see batch_sources)."""
        return self._batches is not None and not depth and sender.arrived == "origin" and not flow.rewritten \
            and self._source is not None and self._sender_groups(flow) is not None

    def _defer(self, flow: Flow, sender: Sender, tgw_id: str, attachment: TransitGatewayAttachment,
               zone: Optional[str], depth: int) -> bool:
        """Keep a source's own packets entering a transit gateway for flush_batches."""
        if not self._batchable(flow, sender, depth):
            return False
        table = self.estate.transit.table_for(attachment, tgw_id)
        if table is None:
            return False
        self._sink.touch(flow)  # the hops up to the hub: the batch's walk records only those past it
        self._batches.defer(("transit", table.id, tgw_id, zone), ("transit", tgw_id, zone),  # type: ignore[union-attr]
                            Deferred(self._source, self._sender, flow, sender.vpc_id, sender.subnet_id,  # type: ignore[arg-type]
                                     attachment))
        return True

    def _deliver_locally(self, flow: Flow, sender: Sender, scope: ReferenceScope, depth: int) -> None:
        """Packets routed `local`: to the sender's own subnet at once (no ACL on the way), to the others of the
        VPC now or, a source's own packets, batched with the other subnets' that leave through the same ACL."""
        acl = self.estate.network_acl_of(sender.subnet_id)
        if acl is None or not self._batchable(flow, sender, depth):
            self._deliver_in_vpc(flow, sender.subnet_id, sender.vpc_id, scope, crossing_vpc=False)
            return
        own = self._subnet_private.get(sender.subnet_id, EMPTY)
        inside = flow.box.restrict_dst(own)
        if inside is not None:
            self._deliver_in_vpc(flow.through_box(inside), sender.subnet_id, sender.vpc_id, scope, crossing_vpc=False)
        elsewhere = flow.box.dst - own
        if not elsewhere or not self._subnets_of_vpc(sender.vpc_id):
            return
        moved = flow.through_box(flow.box.with_dst(elsewhere))
        self._sink.touch(moved)
        self._batches.defer(("local", sender.vpc_id, acl.id), ("local", sender.vpc_id, acl.id),  # type: ignore[union-attr]
                            Deferred(self._source, self._sender, moved, sender.vpc_id, sender.subnet_id))  # type: ignore[arg-type]

    def _attachment_subnet(self, attachment: TransitGatewayAttachment, subnet_id: str) -> Optional[str]:
        """The attachment subnet serving `subnet_id`'s Availability Zone (SPEC §6.2), if any."""
        if not attachment.subnet_ids:
            return subnet_id  # the source does not say: assume the zone is served (over-approximation)
        if subnet_id in attachment.subnet_ids:
            return subnet_id
        zone = self.estate.availability_zone(subnet_id)
        for candidate in attachment.subnet_ids:
            candidate_zone = self.estate.availability_zone(candidate)
            if zone is None or candidate_zone is None or candidate_zone == zone:
                return candidate
        return None

    def _tgw_route(self, flow: Flow, tgw_id: str, ingress: TransitGatewayAttachment, zone: Optional[str],
                   depth: int, origin_vpcs: frozenset[str]) -> None:
        """`origin_vpcs`: the VPCs the packets were sent from (group references to them stay valid)."""
        transit = self.estate.transit
        if depth >= MAX_DEPTH:
            self._drop(flow, flow.box, tgw_id, "tgw", "forwarded too many times (routing loop?)")
            return
        table = transit.table_for(ingress, tgw_id)
        if table is None:
            self._drop(flow, flow.box, ingress.id, "tgw", f"{ingress.id} is not associated with a route table of {tgw_id}")
            return
        for part, entry, doubt in transit.lpm(table, flow.box.dst):
            box = flow.box.with_dst(part)
            if entry is None:
                self._drop(flow, box, table.id, "tgw-route", "no route matches")
                continue
            route = entry.route
            routed = flow.through(self._route_hop(table.id, "tgw-route", route, entry.doubt), box, doubt=doubt)
            if route.state == "blackhole" or not route.attachment_ids:
                self._drop(routed, box, table.id, "tgw-route", f"blackhole route {route.label()}")
                continue
            for att_id in route.attachment_ids:  # ECMP: any of them may carry it
                out = transit.attachments.get(att_id)
                if out is None:
                    self._unsupported(routed, "transit-gateway-attachment", att_id)
                elif out.kind == "vpc":
                    self._tgw_into_vpc(routed, tgw_id, out, zone, depth, origin_vpcs)
                elif out.kind == "peering":
                    peer = out.resource_id if out.transit_gateway_id == tgw_id else out.transit_gateway_id
                    if peer is None or peer not in transit.gateways:
                        self._unsupported(routed, "transit-gateway peering", out.id)
                        continue
                    hop = Hop(out.id, "tgw-peering", f"{tgw_id} -> {peer}")
                    self._tgw_route(routed.through(hop), peer, out, None, depth + 1, origin_vpcs)
                elif out.kind in ("vpn", "direct-connect-gateway", "connect"):
                    self._to_on_premises(routed, out.id, f"{out.kind} attachment")
                else:
                    self._unsupported(routed, f"transit-gateway {out.kind} attachment", out.id)

    def _tgw_into_vpc(self, flow: Flow, tgw_id: str, attachment: TransitGatewayAttachment, zone: Optional[str],
                      depth: int, origin_vpcs: frozenset[str]) -> None:
        vpc_id = attachment.resource_id or ""
        if vpc_id not in self.estate.vpcs:
            hop = Hop(attachment.id, "tgw-attachment", f"{tgw_id} -> {vpc_id} (not in the source)")
            self._to_undescribed(flow, hop, vpc_id)
            self._drop(flow, flow.box, attachment.id, "tgw-attachment", f"{vpc_id} is not in the source")
            return
        subnets = list(attachment.subnet_ids)
        same_zone = [s for s in subnets if zone is not None and self.estate.availability_zone(s) == zone]
        # The TGW prefers the attachment's interface in the sender's zone; otherwise any of them.
        for exit_subnet in same_zone[:1] or subnets:
            if self._ends_at_groups(flow, exit_subnet, vpc_id, attachment.id):
                continue
            hop = Hop(attachment.id, "tgw-attachment", f"{tgw_id} -> {vpc_id} (via {exit_subnet})")
            # Packets leave the attachment's interface and are routed by that subnet's route table.
            sender = Sender(exit_subnet, vpc_id, attachment.id, EMPTY, arrived="tgw",
                            reference_vpcs=origin_vpcs)
            self._forward(flow.through(hop), sender, depth + 1)
        if not subnets:
            self._unmodelled(flow.with_doubt(f"subnets of {attachment.id} are not in the source"),
                             Hop(attachment.id, "tgw-attachment", f"{tgw_id} -> {vpc_id}"))

    # -- leaving the estate ------------------------------------------------------------------------
    def _via_vpn_gateway(self, flow: Flow, sender: Sender, vgw_id: str) -> None:
        gateway = self.estate.vpn_gateways.get(vgw_id)
        if gateway is None:
            self._unsupported(flow, "vpn-gateway", vgw_id)
            return
        if sender.vpc_id not in gateway.vpc_ids:
            self._drop(flow, flow.box, vgw_id, "vpn-gateway", f"{vgw_id} is not attached to {sender.vpc_id}")
            return
        for leaving in self._nacl([flow], sender.subnet_id, "out"):
            self._to_on_premises(leaving, vgw_id, "VPN gateway")

    def _to_on_premises(self, flow: Flow, at: str, how: str) -> None:
        onprem = self.estate.on_premises
        reach = flow.box.restrict_dst(onprem.addresses)
        if reach is not None and self.to_on_premises:
            moved = flow.through(Hop(at, "on-premises", f"to on-premises networks through the {how}"), reach)
            self._deliver(moved.with_doubt(onprem.doubt) if onprem.doubt else moved, ON_PREMISES)
        # On-premises networks are assumed not to route packets back into the estate (listed as an assumption).
        self._drop(flow, flow.box, at, "on-premises", "leaves the estate to on-premises networks")

    def _via_vpc_endpoint(self, flow: Flow, sender: Sender, endpoint_id: str) -> None:
        endpoint = self.estate.vpc_endpoints.get(endpoint_id)
        if endpoint is None or endpoint.kind != "gateway":
            self._unsupported(flow, "vpc-endpoint", endpoint_id)
            return
        # A gateway endpoint (S3, DynamoDB) delivers to the AWS service: public AWS addresses, outside the estate.
        for leaving in self._nacl([flow], sender.subnet_id, "out"):
            service = leaving.box.dst & self.estate.internet
            if service and self.to_internet:
                hop = Hop(endpoint_id, "vpc-endpoint", f"to {endpoint.service_name or 'an AWS service'} (gateway endpoint)")
                self._deliver(leaving.through(hop, leaving.box.with_dst(service)), None)
            self._drop(leaving, leaving.box, endpoint_id, "vpc-endpoint",
                       f"delivered to {endpoint.service_name or 'the AWS service'}, not into the estate")

    def _to_undescribed(self, flow: Flow, hop: Hop, vpc_id: str) -> None:
        """Packets entering a VPC the source does not describe, towards addresses the destination zone names:
        a possible delivery (its groups and ACLs are unknown), never a proof of isolation."""
        box = flow.box.restrict_dst(self._undescribed) if self._undescribed else None
        if box is None:
            return
        far = EndpointClass(key=f"undescribed|{vpc_id}", subnet_id="", vpc_id=vpc_id, group_ids=(),
                            endpoint_ids=(f"{vpc_id} (not in the source)",), private=self._undescribed, public=EMPTY,
                            public_unknown=False)
        moved = flow.through(hop, box).with_doubt(f"{vpc_id} is not in the source: what its security groups and "
                                                  f"network ACLs admit is unknown")
        self._deliver(moved, far)

    def _unsupported(self, flow: Flow, kind: str, target_id: Optional[str]) -> None:
        name = target_id or kind
        doubt = f"{kind} {name}: zonecheck does not model where it forwards"
        hop = Hop(name, "unsupported", f"{kind} (over-approximated: may deliver anywhere)")
        self._unmodelled(flow.with_doubt(doubt), hop)

    def _unmodelled(self, flow: Flow, hop: Hop) -> None:
        """A hop we cannot follow: assume it may deliver to any destination (ingress checks still apply)."""
        flow = flow.through(hop)
        if self.to_internet:
            routable = flow.box.dst & self.estate.internet
            if routable:
                self._deliver(flow.through_box(flow.box.with_dst(routable)), None)
        if self.to_on_premises:
            reach = flow.box.restrict_dst(self.estate.on_premises.addresses)
            if reach is not None:
                self._deliver(flow.through_box(reach), ON_PREMISES)
        for vpc_id, subnets in sorted(self._by_vpc.items()):
            for subnet_id, targets in sorted(subnets.items()):
                box = flow.box.restrict_dst(self._subnet_private.get(subnet_id, EMPTY))
                if box is None:
                    continue
                flows = self._nacl([flow.through_box(box)], subnet_id, "in")
                self._sg_in_subnet(flows, subnet_id, ANY_REFERENCES)


class TargetIndex:
    """The target classes of one subnet, indexed by what their ingress rules admit.

    A class is a candidate for a flow when one of its rules could match the flow's sources: a rule whose
    peer addresses meet them, or a reference to a group the sender is in (or, the sender unknown, whose
    members' addresses meet them), or a class whose rules are not all known; and one of its rules must be for
    some of the flow's protocols and ports.  Every other class drops the whole flow.  Which parts a candidate
    admits is left to sg_filter (it may still drop all: the peer and the port of one rule must meet together).
    """

    def __init__(self, estate: Estate, targets: list[EndpointClass]) -> None:
        self.estate = estate
        self.order = {t.key: i for i, t in enumerate(targets)}
        self.always: list[EndpointClass] = []
        self.by_peers: dict[IntervalSet, list[EndpointClass]] = {}
        self.by_ref: dict[str, list[EndpointClass]] = {}
        self.compiled: dict[str, CompiledGroups] = {}
        self._peer_index: Optional[SpanIndex[list[EndpointClass]]] = None
        self.group_keys = {",".join(t.group_ids) for t in targets if t.group_ids}
        self.assumed = {g for t in targets for g in t.group_ids
                        if g in estate.security_groups and estate.security_groups[g].assumed}
        """Assumed default groups among them: a flow they all drop rests on that assumption (--strict)."""
        for target in targets:
            if not target.group_ids or any(g not in estate.security_groups for g in target.group_ids):
                self.always.append(target)
                continue
            compiled = self.compiled[target.key] = compile_groups(estate, target.group_ids, "ingress")
            if compiled.peers:
                self.by_peers.setdefault(compiled.peers, []).append(target)
            for ref in compiled.refs:
                self.by_ref.setdefault(ref, []).append(target)

    def candidates(self, box: Box, sender_groups: Optional[SenderGroups]) -> list[EndpointClass]:
        found: dict[str, EndpointClass] = {t.key: t for t in self.always}
        src = box.src
        if self._peer_index is None:
            # Peer sets of every class of a VPC: an interval index, not a test of each.
            self._peer_index = SpanIndex(list(self.by_peers.items()))
        for targets in self._peer_index.meeting(src):
            found.update((t.key, t) for t in targets)
        if sender_groups is not None:
            for group_id in self.by_ref.keys() & sender_groups.keys():
                if not src.isdisjoint(sender_groups[group_id]):
                    found.update((t.key, t) for t in self.by_ref[group_id])
        else:
            for group_id, targets in self.by_ref.items():
                if not src.isdisjoint(self.estate.members(group_id)):
                    found.update((t.key, t) for t in targets)
        order, compiled = self.order, self.compiled
        # A class none of whose rules is for these protocols and ports drops them whatever their sources.
        return sorted((t for t in found.values() if t.key not in compiled or compiled[t.key].serves(box)),
                      key=lambda t: order[t.key])
