"""A deliberately naive packet simulator, written from SPEC §6 alone: the oracle the engine is tested against.

It shares no code with `zonecheck.engine` and uses no packet sets.  It takes ONE concrete packet and walks
it hop by hop with plain `ipaddress` objects and loops:

    SG egress of the sender → the sender subnet's route table (longest prefix match) → the route's target
    (local delivery, a peering, an internet gateway, an egress-only gateway, a NAT gateway — IPv4 TCP, UDP
    and ICMP only, as AWS documents —, a blackhole)
    → NACL out / NACL in when the packet crosses a subnet boundary → SG ingress of the receiver.

From the internet: a public IPv4 (or an IPv6 address) on the receiver, an internet gateway attached to its
VPC, a route in the receiver's subnet that sends the packet's *source* to that gateway, then NACL in and
SG ingress.  A packet that leaves through a gateway towards another host's public address comes back in
that way (hairpin), seen as the sender's public (or NAT) address.

Anything SPEC §6 leaves unmodelled in the engine (transit gateways, appliances, VPN, endpoints…) gives an
outcome `delivered=None` ("unknown"), as does a host sending to itself (no network is crossed).

Slow on purpose: it is only ever asked about a few thousand packets per test example.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import Any, Optional, Union

from zonecheck.model import Endpoint, NetworkAcl, RouteTable, Snapshot, Subnet

Address = Union[IPv4Address, IPv6Address]
Network = Union[IPv4Network, IPv6Network]

INTERNET = "internet"
ALL = -1
ICMP, TCP, UDP, ICMPV6 = 1, 6, 17, 58

UNMODELLED_TARGETS = (
    "transit-gateway", "network-interface", "instance", "vpn-gateway", "vpc-endpoint", "carrier-gateway",
    "local-gateway", "core-network", "unknown",
)


# --------------------------------------------------------------------------------------------- packet, outcome


@dataclass(frozen=True)
class Packet:
    """One concrete packet.

    `source` is an endpoint id (the ENI that emits it; `src` must be one of its private IPv4 / IPv6
    addresses) or "internet" (`src` must be an internet address).  `port` is the destination port for
    tcp/udp, the ICMP type for icmp/icmpv6 and None for every other protocol.  `target` says what counts
    as delivery: an endpoint id, "internet" (the packet leaves the estate towards an internet address), or
    None (whoever owns `dst`).
    """

    source: str
    src: Address
    dst: Address
    protocol: int
    port: Optional[int] = None
    target: Optional[str] = None
    code: int = 0
    """ICMP code; only consulted by rules that name a code."""

    def describe(self) -> str:
        what = {TCP: "tcp", UDP: "udp", ICMP: "icmp", ICMPV6: "icmpv6"}.get(self.protocol, f"proto {self.protocol}")
        port = "" if self.port is None else (f" type {self.port}" if self.protocol in (ICMP, ICMPV6) else f"/{self.port}")
        to = f" (target {self.target})" if self.target else ""
        return f"{self.source} {self.src} -> {self.dst} {what}{port}{to}"

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "src": str(self.src), "dst": str(self.dst), "protocol": self.protocol,
                "port": self.port, "target": self.target, "code": self.code}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Packet":
        return cls(source=data["source"], src=ip_address(data["src"]), dst=ip_address(data["dst"]),
                   protocol=int(data["protocol"]), port=data.get("port"), target=data.get("target"),
                   code=int(data.get("code", 0)))


@dataclass
class Outcome:
    delivered: Optional[bool]
    """True: delivered to the target; False: dropped; None: unknown (an unmodelled construct on the path)."""
    hops: list[str] = field(default_factory=list)
    dropped_at: str = ""
    """For a drop (or an unknown): the hop that decided it."""
    reached: Optional[str] = None
    """The endpoint id (or "internet") the packet reached, when it reached something."""

    def __str__(self) -> str:
        verdict = {True: "delivered", False: "dropped", None: "unknown"}[self.delivered]
        tail = f" at {self.dropped_at}" if self.dropped_at else ""
        return f"{verdict}{tail}: " + " | ".join(self.hops)


class InvalidPacket(ValueError):
    """The packet cannot be emitted as described (e.g. an ENI sending from an address it does not own)."""


# --------------------------------------------------------------------------------------------- addresses


@lru_cache(maxsize=65536)
def _t(value: object) -> str:
    """Text of an address or network for hop labels (formatting IPv6 is slow; labels repeat a lot)."""
    return str(value)


def _contains(net: Network, addr: Address) -> bool:
    return net.version == addr.version and addr in net


_GLOBAL_UNICAST_V6 = ip_network("2000::/3")
"""The only IPv6 space IANA allocates for the internet; Python's `is_global` also says yes to the rest of the
unreserved space (e.g. 1fff:…), which no internet route reaches (the engine agrees: README, SPEC §6)."""
_IETF_PROTOCOL_V4 = ip_network("192.0.0.0/24")
"""RFC 6890 special-purpose block that Python 3.11 calls global except for two small parts."""


def is_internet_address(snapshot: Snapshot, addr: Address) -> bool:
    """An address of the public internet: globally routable unicast, not in any VPC of the estate."""
    if not addr.is_global or addr.is_multicast:
        return False
    if addr.version == 6 and addr not in _GLOBAL_UNICAST_V6:
        return False
    if addr.version == 4 and addr in _IETF_PROTOCOL_V4:
        return False
    for vpc in snapshot.vpcs:
        for net in tuple(vpc.cidrs) + tuple(vpc.ipv6_cidrs):
            if _contains(net, addr):
                return False
    return True


# --------------------------------------------------------------------------------------------- the estate


@dataclass
class _Sender:
    """Whoever puts the packet on the wire at the current hop: the source ENI, or a NAT gateway."""

    endpoint_id: Optional[str]
    vpc_id: str
    subnet_id: str
    public_ip: Optional[IPv4Address]
    public_unknown: bool
    group_ids: tuple[str, ...]
    is_nat: bool = False


class _Estate:
    """Plain dictionaries over the snapshot, built once per snapshot."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.vpcs = {v.id: v for v in snapshot.vpcs}
        self.subnets = {s.id: s for s in snapshot.subnets}
        self.endpoints = {e.id: e for e in snapshot.endpoints}
        self.groups = {g.id: g for g in snapshot.security_groups}
        self.prefix_lists = {p.id: p for p in snapshot.prefix_lists}
        self.igws = {g.id: g for g in snapshot.internet_gateways}
        self.eigws = {g.id: g for g in snapshot.egress_only_internet_gateways}
        self.nats = {n.id: n for n in snapshot.nat_gateways}
        self.peerings = {p.id: p for p in snapshot.vpc_peerings}
        self._routes: dict[str, Any] = {}

    def vpc_of(self, endpoint: Endpoint) -> str:
        return self.subnets[endpoint.subnet_id].vpc_id

    # -- who has which address ---------------------------------------------------------------
    def private_addresses_contain(self, endpoint: Endpoint, addr: Address) -> bool:
        """Is `addr` one of the endpoint's own (private IPv4 or IPv6) addresses?"""
        if addr in endpoint.private_ips or addr in endpoint.ipv6_addresses:
            return True
        if endpoint.address_unknown:
            # Any address of its subnet that no other interface there holds (SPEC §6.6): an address another
            # interface owns is never its own (found by the differential test, session 2: the oracle let an
            # RDS instance of unknown address be a group member "at" an instance's known IPv6 address).
            if any(e.subnet_id == endpoint.subnet_id and not e.address_unknown
                   and (addr in e.private_ips or addr in e.ipv6_addresses) for e in self.snapshot.endpoints):
                return False
            subnet = self.subnets[endpoint.subnet_id]
            for net in (subnet.cidr, subnet.ipv6_cidr):
                if net is not None and _contains(net, addr):
                    return True
        return False

    def owns(self, endpoint: Endpoint, addr: Address) -> bool:
        return addr in endpoint.public_ips or self.private_addresses_contain(endpoint, addr)

    def owners(self, addr: Address) -> list[Endpoint]:
        """Endpoints that own `addr`; those whose address is known come first."""
        known = [e for e in self.snapshot.endpoints
                 if addr in e.private_ips or addr in e.public_ips or addr in e.ipv6_addresses]
        guessed = [e for e in self.snapshot.endpoints if e not in known and self.owns(e, addr)]
        return known + guessed

    # -- tables ------------------------------------------------------------------------------
    def route_table_of(self, subnet: Subnet) -> Optional[RouteTable]:
        for table in self.snapshot.route_tables:
            if subnet.id in table.subnet_ids:
                return table
        for table in self.snapshot.route_tables:
            if table.vpc_id == subnet.vpc_id and table.is_main:
                return table
        return None

    def routes_of(self, table: RouteTable) -> Union[list[tuple[Network, str, Optional[str], str]], str]:
        """(destination, target kind, target id, state) of every route, the implicit `local` ones first; or the
        reason the table cannot be read (a prefix list whose entries are unknown)."""
        cached = self._routes.get(table.id)
        if cached is not None:
            return cached
        vpc = self.vpcs[table.vpc_id]
        candidates: list[tuple[Network, str, Optional[str], str]] = []
        for net in tuple(vpc.cidrs) + tuple(vpc.ipv6_cidrs):
            candidates.append((net, "local", None, "active"))
        result: Union[list[tuple[Network, str, Optional[str], str]], str] = candidates
        for route in table.routes:
            if route.destination is not None:
                nets: tuple[Network, ...] = (route.destination,)
            else:
                plist = self.prefix_lists.get(route.destination_prefix_list_id or "")
                if plist is None or plist.entries is None:
                    result = f"route {table.id}: prefix list {route.destination_prefix_list_id} unknown"
                    break
                nets = tuple(plist.entries)
            for net in nets:
                candidates.append((net, route.target, route.target_id, route.state))
        self._routes[table.id] = result
        return result

    def nacl_of(self, subnet: Subnet) -> Optional[NetworkAcl]:
        for acl in self.snapshot.network_acls:
            if subnet.id in acl.subnet_ids:
                return acl
        for acl in self.snapshot.network_acls:
            if acl.vpc_id == subnet.vpc_id and acl.is_default:
                return acl
        return None

    def same_region(self, vpc_a: str, vpc_b: str) -> bool:
        a, b = self.vpcs.get(vpc_a), self.vpcs.get(vpc_b)
        return a is not None and b is not None and a.region == b.region

    def active_peering_between(self, vpc_a: str, vpc_b: str) -> bool:
        for pcx in self.snapshot.vpc_peerings:
            if pcx.status == "active" and {pcx.requester_vpc_id, pcx.accepter_vpc_id} == {vpc_a, vpc_b}:
                return True
        return False

    def group_members(self, group_id: str) -> list[Endpoint]:
        return [e for e in self.snapshot.endpoints if group_id in e.security_group_ids]


_ESTATES: dict[int, tuple[Snapshot, _Estate]] = {}


def _estate(snapshot: Snapshot) -> _Estate:
    cached = _ESTATES.get(id(snapshot))
    if cached is not None and cached[0] is snapshot:
        return cached[1]
    if len(_ESTATES) > 8:
        _ESTATES.clear()
    estate = _Estate(snapshot)
    _ESTATES[id(snapshot)] = (snapshot, estate)
    return estate


# --------------------------------------------------------------------------------------------- rule matching


def protocol_and_port_match(rule_protocol: int, from_port: Optional[int], to_port: Optional[int],
                            packet: Packet) -> bool:
    """Does a rule's protocol/port part (SG rule or NACL entry) cover the packet?"""
    if rule_protocol == ALL:
        return True
    if rule_protocol != packet.protocol:
        return False
    if rule_protocol in (TCP, UDP):
        return packet.port is not None and from_port is not None and to_port is not None \
            and from_port <= packet.port <= to_port
    if rule_protocol in (ICMP, ICMPV6):
        if from_port is not None and from_port != -1 and from_port != packet.port:
            return False
        if to_port is not None and to_port != -1 and to_port != packet.code:
            return False
        return True
    return True


class _Unknown(Exception):
    """Raised when the walk meets something the oracle cannot decide."""

    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.where = where


class _Drop(Exception):
    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.where = where


# --------------------------------------------------------------------------------------------- the walk


class _Walk:
    def __init__(self, estate: _Estate, packet: Packet, target: str) -> None:
        self.estate = estate
        self.packet = packet
        self.target = target
        self.hops: list[str] = []

    def hop(self, text: str) -> None:
        self.hops.append(text)

    # -- security groups ---------------------------------------------------------------------
    def _peer_matches(self, rule: Any, peer: Address, group_ref_matches: Any) -> Optional[bool]:
        if rule.cidr is not None:
            return _contains(rule.cidr, peer)
        if rule.prefix_list_id is not None:
            plist = self.estate.prefix_lists.get(rule.prefix_list_id)
            if plist is None or plist.entries is None:
                return None
            return any(_contains(net, peer) for net in plist.entries)
        return group_ref_matches(rule.security_group_id)

    def security_groups_allow(self, group_ids: tuple[str, ...], direction: str, peer: Address,
                              group_ref_matches: Any, where: str) -> None:
        """Union of every rule of every group; raises _Drop / _Unknown."""
        unknown_rules = []
        for group_id in group_ids:
            group = self.estate.groups.get(group_id)
            if group is None:
                raise _Unknown(f"{where}: security group {group_id} is not in the snapshot")
            rules = group.ingress if direction == "ingress" else group.egress
            for rule in rules:
                if not protocol_and_port_match(rule.protocol, rule.from_port, rule.to_port, self.packet):
                    continue
                matched = self._peer_matches(rule, peer, group_ref_matches)
                if matched:
                    self.hop(f"{where} {group_id}: {rule.id}")
                    return
                if matched is None:
                    unknown_rules.append(rule.id)
        if unknown_rules:
            raise _Unknown(f"{where}: rules with unknown peers {unknown_rules}")
        raise _Drop(f"{where} {','.join(group_ids) or '(no groups)'}: no rule allows {_t(peer)}")

    # -- NACLs -------------------------------------------------------------------------------
    def nacl_allows(self, subnet: Subnet, egress: bool, peer: Address) -> None:
        where = "nacl-out" if egress else "nacl-in"
        acl = self.estate.nacl_of(subnet)
        if acl is None:
            self.hop(f"{where} {subnet.id}: no NACL in the snapshot, AWS default allows all")
            return
        entries = [e for e in acl.entries if e.egress == egress]
        entries.sort(key=lambda e: e.rule_number)
        for entry in entries:
            if not _contains(entry.cidr, peer):
                continue
            if not protocol_and_port_match(entry.protocol, entry.from_port, entry.to_port, self.packet):
                continue
            if entry.action == "allow":
                self.hop(f"{where} {acl.id}: #{entry.rule_number} allow {_t(entry.cidr)}")
                return
            raise _Drop(f"{where} {acl.id}: #{entry.rule_number} deny {_t(entry.cidr)}")
        raise _Drop(f"{where} {acl.id}: implicit deny")

    def cross_subnets(self, from_subnet: Subnet, to_subnet: Subnet, src: Address, dst: Address) -> None:
        """NACL out of the subnet left and NACL in of the subnet entered; nothing inside one subnet."""
        if from_subnet.id == to_subnet.id:
            self.hop(f"same subnet {from_subnet.id}: no NACL")
            return
        self.nacl_allows(from_subnet, True, dst)
        self.nacl_allows(to_subnet, False, src)

    # -- routing -----------------------------------------------------------------------------
    def longest_prefix_match(self, subnet: Subnet, addr: Address) -> tuple[str, Optional[str], str]:
        """(target kind, target id, label) of the route `addr` takes from `subnet`."""
        table = self.estate.route_table_of(subnet)
        if table is None:
            raise _Unknown(f"route: subnet {subnet.id} has no route table and its VPC no main table")
        candidates = self.estate.routes_of(table)
        if isinstance(candidates, str):
            raise _Unknown(candidates)
        best: list[tuple[Network, str, Optional[str], str]] = []
        for cand in candidates:
            if not _contains(cand[0], addr):
                continue
            if not best or cand[0].prefixlen > best[0][0].prefixlen:
                best = [cand]
            elif cand[0].prefixlen == best[0][0].prefixlen:
                best.append(cand)
        if not best:
            raise _Drop(f"route {table.id}: no route to {_t(addr)}")
        if len({(b[1], b[2], b[3]) for b in best}) > 1:
            raise _Unknown(f"route {table.id}: several routes for {_t(best[0][0])}")
        net, kind, target_id, state = best[0]
        if state == "blackhole":
            kind = "blackhole"
        label = f"route {table.id}: {_t(net)} -> {target_id or kind}"
        return kind, target_id, label

    def route_from(self, sender: _Sender, src: Address, dst: Address, nat_hops: int = 0) -> str:
        """Route the packet from the sender's subnet; returns what it reached or raises."""
        subnet = self.estate.subnets[sender.subnet_id]
        kind, target_id, label = self.longest_prefix_match(subnet, dst)
        self.hop(label)

        if kind == "local":
            return self.deliver_in_vpc(sender, subnet, src, dst, sender.vpc_id, peering=None)

        if kind == "vpc-peering":
            pcx = self.estate.peerings.get(target_id or "")
            if pcx is None:
                raise _Drop(f"peering {target_id}: not in the snapshot")
            if pcx.status != "active":
                raise _Drop(f"peering {pcx.id}: status {pcx.status}")
            if sender.vpc_id == pcx.requester_vpc_id:
                peer_vpc_id = pcx.accepter_vpc_id
            elif sender.vpc_id == pcx.accepter_vpc_id:
                peer_vpc_id = pcx.requester_vpc_id
            else:
                raise _Drop(f"peering {pcx.id}: does not connect {sender.vpc_id}")
            peer_vpc = self.estate.vpcs.get(peer_vpc_id)
            if peer_vpc is None:
                raise _Unknown(f"peering {pcx.id}: peer VPC {peer_vpc_id} not in the snapshot")
            if not any(_contains(n, dst) for n in tuple(peer_vpc.cidrs) + tuple(peer_vpc.ipv6_cidrs)):
                raise _Drop(f"peering {pcx.id}: {_t(dst)} is not in the peer VPC {peer_vpc_id}")
            self.hop(f"peering {pcx.id} into {peer_vpc_id}")
            # Not transitive: what arrives over a peering is only ever delivered locally.
            return self.deliver_in_vpc(sender, subnet, src, dst, peer_vpc_id, peering=pcx.id)

        if kind == "internet-gateway":
            igw = self.estate.igws.get(target_id or "")
            if igw is None or sender.vpc_id not in igw.vpc_ids:
                raise _Drop(f"igw {target_id}: not attached to {sender.vpc_id}")
            if dst.version == 4:
                if sender.public_unknown and sender.public_ip is None:
                    raise _Unknown(f"igw {igw.id}: the sender's public address is unknown")
                if sender.public_ip is None:
                    raise _Drop(f"igw {igw.id}: sender has no public IPv4 address")
                new_src: Address = sender.public_ip
            else:
                new_src = src
            self.nacl_allows(subnet, True, dst)
            self.hop(f"igw {igw.id}: out as {_t(new_src)}")
            return self.on_the_internet(new_src, dst)

        if kind == "egress-only-internet-gateway":
            eigw = self.estate.eigws.get(target_id or "")
            if eigw is None or eigw.vpc_id != sender.vpc_id:
                raise _Drop(f"eigw {target_id}: not in {sender.vpc_id}")
            if dst.version == 4:
                raise _Drop(f"eigw {eigw.id}: IPv6 only")
            self.nacl_allows(subnet, True, dst)
            self.hop(f"eigw {eigw.id}: out as {_t(src)}")
            return self.on_the_internet(src, dst)

        if kind == "nat-gateway":
            if nat_hops:
                raise _Drop(f"nat {target_id}: a NAT gateway's own route leads to a NAT gateway again")
            nat = self.estate.nats.get(target_id or "")
            if nat is None:
                raise _Drop(f"nat {target_id}: not in the snapshot")
            if nat.state != "available":
                raise _Drop(f"nat {nat.id}: state {nat.state}")
            if dst.version != 4:
                raise _Drop(f"nat {nat.id}: IPv4 only")
            if self.packet.protocol not in (TCP, UDP, ICMP):
                raise _Drop(f"nat {nat.id}: a NAT gateway translates only TCP, UDP and ICMP")
            nat_subnet = self.estate.subnets.get(nat.subnet_id)
            if nat_subnet is None or nat_subnet.vpc_id != sender.vpc_id:
                raise _Drop(f"nat {nat.id}: not in {sender.vpc_id}")
            if nat.private_ip is None:
                raise _Unknown(f"nat {nat.id}: private address unknown")
            self.cross_subnets(subnet, nat_subnet, src, dst)
            self.hop(f"nat {nat.id}: source becomes {_t(nat.private_ip)}")
            nat_eni = next((e.id for e in self.estate.snapshot.endpoints if e.owner_id == nat.id), None)
            nat_sender = _Sender(endpoint_id=nat_eni, vpc_id=nat_subnet.vpc_id, subnet_id=nat_subnet.id,
                                 public_ip=nat.public_ip, public_unknown=False, group_ids=(), is_nat=True)
            return self.route_from(nat_sender, nat.private_ip, dst, nat_hops + 1)

        if kind == "blackhole":
            raise _Drop(f"{label}: blackhole")

        if kind in UNMODELLED_TARGETS:
            raise _Unknown(f"{label}: {kind} is not modelled")
        raise _Unknown(f"{label}: unexpected target kind {kind}")

    # -- arrival -----------------------------------------------------------------------------
    def receiver_for(self, dst: Address, vpc_id: Optional[str]) -> Endpoint:
        """The endpoint that receives `dst` (inside `vpc_id` when given)."""
        if self.target not in (INTERNET, ""):
            endpoint = self.estate.endpoints[self.target]
            if self.estate.owns(endpoint, dst) and (vpc_id is None or self.estate.vpc_of(endpoint) == vpc_id):
                return endpoint
        candidates = [e for e in self.estate.owners(dst) if vpc_id is None or self.estate.vpc_of(e) == vpc_id]
        if not candidates:
            raise _Drop(f"no host owns {_t(dst)}" + (f" in {vpc_id}" if vpc_id else ""))
        return candidates[0]

    def group_ref_for_ingress(self, sender: Optional[_Sender], src: Address, receiver_vpc: str,
                              peering: Optional[str]) -> Any:
        """A group reference in the receiver's ingress matches the sender when it is a member, sent from
        its own private address, from the same VPC or a same-region peered VPC."""

        def matches(group_id: str) -> bool:
            if sender is None or sender.endpoint_id is None or sender.is_nat:
                return False
            endpoint = self.estate.endpoints[sender.endpoint_id]
            if group_id not in endpoint.security_group_ids:
                return False
            if not self.estate.private_addresses_contain(endpoint, src):
                return False
            if sender.vpc_id == receiver_vpc:
                return True
            return peering is not None and self.estate.same_region(sender.vpc_id, receiver_vpc)

        return matches

    def group_ref_for_egress(self, sender_vpc: str) -> Any:
        """A group reference in the sender's egress matches destinations that are private addresses of
        the group's members, in the same VPC or a same-region peered VPC."""

        def matches(group_id: str) -> bool:
            for member in self.estate.group_members(group_id):
                if not self.estate.private_addresses_contain(member, self.packet.dst):
                    continue
                member_vpc = self.estate.vpc_of(member)
                if member_vpc == sender_vpc:
                    return True
                if self.estate.active_peering_between(sender_vpc, member_vpc) and \
                        self.estate.same_region(sender_vpc, member_vpc):
                    return True
            return False

        return matches

    def arrive(self, receiver: Endpoint) -> str:
        if receiver.kind == "nat-gateway":
            raise _Drop(f"{receiver.id}: a NAT gateway accepts no inbound connections")
        return receiver.id

    def deliver_in_vpc(self, sender: _Sender, from_subnet: Subnet, src: Address, dst: Address, vpc_id: str,
                       peering: Optional[str]) -> str:
        receiver = self.receiver_for(dst, vpc_id)
        if not self.estate.private_addresses_contain(receiver, dst):
            raise _Drop(f"{receiver.id}: {_t(dst)} is not a private address, the VPC router does not deliver it")
        to_subnet = self.estate.subnets[receiver.subnet_id]
        self.cross_subnets(from_subnet, to_subnet, src, dst)
        self.security_groups_allow(receiver.security_group_ids, "ingress", src,
                                   self.group_ref_for_ingress(sender, src, vpc_id, peering), "sg-ingress")
        return self.arrive(receiver)

    def on_the_internet(self, src: Address, dst: Address) -> str:
        """The packet has left through a gateway with source `src`."""
        snapshot = self.estate.snapshot
        if self.target == INTERNET:
            if is_internet_address(snapshot, dst):
                self.hop(f"internet: reached {_t(dst)}")
                return INTERNET
            raise _Drop(f"internet: {_t(dst)} is not an internet address")
        owners = [e for e in self.estate.owners(dst)
                  if dst in e.public_ips or (dst.version == 6 and self.estate.owns(e, dst))]
        if owners:
            self.hop(f"internet: hairpin back to {_t(dst)}")
            return self.enter_from_internet(src, dst)
        if dst.version == 6 and any(any(_contains(n, dst) for n in v.ipv6_cidrs) for v in snapshot.vpcs):
            raise _Drop(f"internet: no host owns {_t(dst)}")
        if is_internet_address(snapshot, dst):
            self.hop(f"internet: reached {_t(dst)}")
            return INTERNET
        raise _Drop(f"internet: {_t(dst)} is not routed on the internet")

    def enter_from_internet(self, src: Address, dst: Address) -> str:
        receiver = self.receiver_for(dst, None)
        if dst.version == 4 and dst not in receiver.public_ips:
            if receiver.public_address_unknown:
                raise _Unknown(f"{receiver.id}: public address unknown")
            raise _Drop(f"internet: {_t(dst)} is a private address of {receiver.id}")
        if receiver.kind == "nat-gateway":
            raise _Drop(f"{receiver.id}: a NAT gateway accepts no inbound connections")
        subnet = self.estate.subnets[receiver.subnet_id]
        vpc_id = subnet.vpc_id
        attached = [g.id for g in self.estate.snapshot.internet_gateways if vpc_id in g.vpc_ids]
        if not attached:
            raise _Drop(f"internet: no internet gateway attached to {vpc_id}")
        kind, target_id, label = self.longest_prefix_match(subnet, src)
        if kind != "internet-gateway" or target_id not in attached:
            raise _Drop(f"igw-in: {label} does not lead back to an internet gateway of {vpc_id}")
        self.hop(f"igw-in {target_id}: {label}")
        self.nacl_allows(subnet, False, src)
        self.security_groups_allow(receiver.security_group_ids, "ingress", src, lambda _g: False, "sg-ingress")
        return self.arrive(receiver)

    # -- the whole walk ----------------------------------------------------------------------
    def run(self) -> str:
        packet = self.packet
        if packet.source == INTERNET:
            self.hop(f"internet: {_t(packet.src)} sends to {_t(packet.dst)}")
            return self.enter_from_internet(packet.src, packet.dst)
        endpoint = self.estate.endpoints[packet.source]
        subnet = self.estate.subnets[endpoint.subnet_id]
        self.security_groups_allow(endpoint.security_group_ids, "egress", packet.dst,
                                   self.group_ref_for_egress(subnet.vpc_id), "sg-egress")
        sender = _Sender(endpoint_id=endpoint.id, vpc_id=subnet.vpc_id, subnet_id=subnet.id,
                         public_ip=endpoint.public_ips[0] if endpoint.public_ips else None,
                         public_unknown=endpoint.public_address_unknown, group_ids=endpoint.security_group_ids)
        return self.route_from(sender, packet.src, packet.dst)


# --------------------------------------------------------------------------------------------- entry point


def _check_packet(estate: _Estate, packet: Packet) -> None:
    if packet.src.version != packet.dst.version:
        raise InvalidPacket(f"{packet.describe()}: source and destination are of different IP versions")
    if packet.protocol in (TCP, UDP):
        if packet.port is None or not 0 <= packet.port <= 65535:
            raise InvalidPacket(f"{packet.describe()}: tcp/udp needs a port 0-65535")
    elif packet.protocol in (ICMP, ICMPV6):
        if packet.port is None or not 0 <= packet.port <= 255:
            raise InvalidPacket(f"{packet.describe()}: icmp needs a type 0-255")
    elif packet.port is not None:
        raise InvalidPacket(f"{packet.describe()}: protocol {packet.protocol} has no ports")
    if not 0 <= packet.protocol <= 255:
        raise InvalidPacket(f"{packet.describe()}: protocol out of range")
    if packet.source == INTERNET:
        if not is_internet_address(estate.snapshot, packet.src):
            raise InvalidPacket(f"{packet.describe()}: {_t(packet.src)} is not an internet address")
    else:
        endpoint = estate.endpoints.get(packet.source)
        if endpoint is None:
            raise InvalidPacket(f"{packet.describe()}: no endpoint {packet.source}")
        if not estate.private_addresses_contain(endpoint, packet.src):
            raise InvalidPacket(f"{packet.describe()}: {_t(packet.src)} is not a private address of {packet.source}")
    if packet.target not in (None, INTERNET):
        endpoint = estate.endpoints.get(packet.target)
        if endpoint is None:
            raise InvalidPacket(f"{packet.describe()}: no endpoint {packet.target}")
        if not estate.owns(endpoint, packet.dst):
            raise InvalidPacket(f"{packet.describe()}: {_t(packet.dst)} is not an address of {packet.target}")


def deliver(snapshot: Snapshot, packet: Packet) -> Outcome:
    """Walk one packet through the estate; see the module docstring."""
    estate = _estate(snapshot)
    _check_packet(estate, packet)
    if snapshot.incomplete or snapshot.unsupported or snapshot.unknowns:
        return Outcome(None, [], "snapshot: incomplete, unknown or unsupported parts")

    target = packet.target
    if target is None:
        owners = estate.owners(packet.dst)
        if owners:
            target = owners[0].id
        elif is_internet_address(snapshot, packet.dst):
            target = INTERNET
        else:
            target = ""
    if target not in (INTERNET, "") and target == packet.source:
        return Outcome(None, ["a host sending to itself crosses no network"], "self", None)

    walk = _Walk(estate, packet, target)
    try:
        reached = walk.run()
    except _Drop as drop:
        return Outcome(False, walk.hops, drop.where, None)
    except _Unknown as unknown:
        return Outcome(None, walk.hops, unknown.where, None)
    if target and reached != target:
        return Outcome(False, walk.hops, f"reached {reached}, not {target}", reached)
    return Outcome(True, walk.hops, "", reached)


__all__ = ["INTERNET", "InvalidPacket", "Outcome", "Packet", "deliver", "is_internet_address",
           "protocol_and_port_match"]
