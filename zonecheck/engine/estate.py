"""Read-only index over a snapshot: the lookups the engine needs, computed once.

Nothing here decides reachability; it answers "which route table does this subnet use?", "which
addresses are members of sg-x?" and the like, so the deciding code stays small.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import ip_network
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence, TypeVar

if TYPE_CHECKING:
    from zonecheck.engine.graph import Reach
    from zonecheck.engine.transit import TransitIndex

from zonecheck.engine import addresses as addr
from zonecheck.engine.intervals import EMPTY, IntervalSet
from zonecheck.model import (
    Endpoint,
    TransitGatewayAttachment,
    VpcEndpoint,
    VpnGateway,
    NatGateway,
    NetworkAcl,
    PrefixList,
    Route,
    RouteTable,
    SecurityGroup,
    Snapshot,
    Subnet,
    Vpc,
    VpcPeering,
)

T = TypeVar("T")

INACTIVE_STATES = frozenset({"stopped", "stopping", "terminated", "shutting-down", "available", "detached", "deleted"})
"""Instance or interface states in which an interface carries no traffic (`available` = not attached)."""


@dataclass(frozen=True)
class OnPremises:
    """What the estate shows of the networks behind VPN connections and Direct Connect."""

    addresses: IntervalSet
    doubt: Optional[str]
    """Set when their prefixes are not known (learned over BGP): then any address outside the VPCs."""
    vpn_gateway_entries: tuple[tuple[str, str], ...]
    """(VPN gateway, VPC) pairs through which on-premises traffic enters a VPC."""
    transit_entries: tuple["TransitGatewayAttachment", ...]
    """VPN / Direct Connect / Connect attachments through which it enters a transit gateway."""


@dataclass(frozen=True, slots=True)
class RouteEntry:
    """One destination of a route table as an address set, with the prefix length LPM orders by."""

    destinations: IntervalSet
    prefix_len: int
    route: Route
    doubt: Optional[str] = None
    """Set when the destination is not known (a prefix list whose entries the source does not give)."""


class Estate:
    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.vpcs: dict[str, Vpc] = {v.id: v for v in snapshot.vpcs}
        self.subnets: dict[str, Subnet] = {s.id: s for s in snapshot.subnets}
        self.route_tables: dict[str, RouteTable] = {t.id: t for t in snapshot.route_tables}
        self.network_acls: dict[str, NetworkAcl] = {a.id: a for a in snapshot.network_acls}
        self.security_groups: dict[str, SecurityGroup] = {g.id: g for g in snapshot.security_groups}
        self.prefix_lists: dict[str, PrefixList] = {p.id: p for p in snapshot.prefix_lists}
        self.nat_gateways: dict[str, NatGateway] = {n.id: n for n in snapshot.nat_gateways}
        self.peerings: dict[str, VpcPeering] = {p.id: p for p in snapshot.vpc_peerings}
        self.endpoints: dict[str, Endpoint] = {e.id: e for e in snapshot.endpoints}
        self.igws_of_vpc: dict[str, set[str]] = {}
        for igw in snapshot.internet_gateways:
            for vpc_id in igw.vpc_ids:
                self.igws_of_vpc.setdefault(vpc_id, set()).add(igw.id)
        self.eigws_of_vpc: dict[str, set[str]] = {}
        for eigw in snapshot.egress_only_internet_gateways:
            self.eigws_of_vpc.setdefault(eigw.vpc_id, set()).add(eigw.id)
        self._table_of_subnet: dict[str, RouteTable] = {}
        main_of_vpc: dict[str, RouteTable] = {t.vpc_id: t for t in snapshot.route_tables if t.is_main}
        for table in snapshot.route_tables:
            for subnet_id in table.subnet_ids:
                self._table_of_subnet[subnet_id] = table
        for subnet in snapshot.subnets:
            if subnet.id not in self._table_of_subnet and subnet.vpc_id in main_of_vpc:
                self._table_of_subnet[subnet.id] = main_of_vpc[subnet.vpc_id]
        self._acl_of_subnet: dict[str, NetworkAcl] = {}
        default_acl_of_vpc = {a.vpc_id: a for a in snapshot.network_acls if a.is_default}
        for acl in snapshot.network_acls:
            for subnet_id in acl.subnet_ids:
                self._acl_of_subnet[subnet_id] = acl
        for subnet in snapshot.subnets:
            if subnet.id not in self._acl_of_subnet and subnet.vpc_id in default_acl_of_vpc:
                self._acl_of_subnet[subnet.id] = default_acl_of_vpc[subnet.vpc_id]
        self.vpn_gateways: dict[str, VpnGateway] = {g.id: g for g in snapshot.vpn_gateways}
        self.vpc_endpoints: dict[str, VpcEndpoint] = {e.id: e for e in snapshot.vpc_endpoints}
        self._propagations: dict[str, list[str]] = {}
        for prop in snapshot.route_propagations:
            self._propagations.setdefault(prop.route_table_id, []).append(prop.gateway_id)
        self._routes_cache: dict[str, list[RouteEntry]] = {}
        self.sg_cache: dict[tuple, Any] = {}
        self.nacl_cache: dict[tuple, Any] = {}
        self.lpm_cache: dict[tuple, Any] = {}
        self.class_cache: dict[tuple, Any] = {}
        """Compiled security-group rules per (groups, direction), network ACL splits and LPM results:
        see security_groups.py, nacls.py, routing.py."""
        self._members_cache: dict[str, IntervalSet] = {}
        self._private_cache: dict[str, IntervalSet] = {}
        self._prefix_list_cache: dict[str, Optional[IntervalSet]] = {}
        self._known_cache: dict[str, IntervalSet] = {}

    # -- placement ---------------------------------------------------------------------------------
    def vpc_of_subnet(self, subnet_id: str) -> Optional[str]:
        subnet = self.subnets.get(subnet_id)
        return subnet.vpc_id if subnet else None

    def route_table_of(self, subnet_id: str) -> Optional[RouteTable]:
        return self._table_of_subnet.get(subnet_id)

    def network_acl_of(self, subnet_id: str) -> Optional[NetworkAcl]:
        return self._acl_of_subnet.get(subnet_id)

    def vpc_space(self, vpc_id: str) -> IntervalSet:
        vpc = self.vpcs.get(vpc_id)
        if vpc is None:
            return EMPTY
        return addr.of_networks([*vpc.cidrs, *vpc.ipv6_cidrs])

    def subnet_space(self, subnet_id: str) -> IntervalSet:
        subnet = self.subnets.get(subnet_id)
        if subnet is None:
            return EMPTY
        return addr.of_networks([n for n in (subnet.cidr, subnet.ipv6_cidr) if n is not None])

    def same_region(self, vpc_a: str, vpc_b: str) -> bool:
        a, b = self.vpcs.get(vpc_a), self.vpcs.get(vpc_b)
        if a is None or b is None or a.region is None or b.region is None:
            return True  # unknown region: assume the reference may be valid (over-approximation)
        return a.region == b.region

    def availability_zone(self, subnet_id: str) -> Optional[str]:
        subnet = self.subnets.get(subnet_id)
        return subnet.availability_zone if subnet else None

    @cached_property
    def inactive(self) -> frozenset[str]:
        """Interfaces that carry no traffic: their instance is not running, or they are not attached."""
        stopped = {i.id for i in self.snapshot.instances if i.state in INACTIVE_STATES}
        return frozenset(e.id for e in self.snapshot.endpoints
                         if e.state in INACTIVE_STATES or (e.owner_id is not None and e.owner_id in stopped))

    def derived(self, name: tuple, inputs: Sequence[object], build: Callable[[], T]) -> T:
        """What `build` makes of these objects, once per estate (a policy names the same zone in many
        assertions): keyed by `name` and the objects' identities, and kept with them so that an identity cannot
        be taken over by another object."""
        key = (*name, *map(id, inputs))
        found = self.class_cache.get(key)
        if found is None:
            found = self.class_cache[key] = (tuple(inputs), build())
        return found[1]  # type: ignore[no-any-return]

    @cached_property
    def has_appliance_routes(self) -> bool:
        """Some route sends packets to an instance or interface (a firewall, a NAT instance)."""
        return any(r.target in ("network-interface", "instance") for t in self.route_tables.values() for r in t.routes)

    def appliance(self, target_id: str) -> Optional[Endpoint]:
        """The interface a route to an ENI or instance sends packets to (an instance: its first interface)."""
        if target_id in self.endpoints:
            return self.endpoints[target_id]
        return self._first_interface_of.get(target_id)

    @cached_property
    def _first_interface_of(self) -> dict[str, Endpoint]:
        return {owner: min(interfaces, key=lambda e: e.id) for owner, interfaces in self.interfaces_of_owner.items()}

    @cached_property
    def interfaces_of_owner(self) -> dict[str, list[Endpoint]]:
        """Interfaces by the resource that owns them (instance, load balancer, RDS instance…)."""
        out: dict[str, list[Endpoint]] = {}
        for endpoint in self.snapshot.endpoints:
            if endpoint.owner_id is not None:
                out.setdefault(endpoint.owner_id, []).append(endpoint)
        return out

    @cached_property
    def transit(self) -> "TransitIndex":
        from zonecheck.engine.transit import TransitIndex

        return TransitIndex(self.snapshot)

    @cached_property
    def on_premises(self) -> OnPremises:
        snap = self.snapshot
        known = [net for c in snap.vpn_connections for net in c.static_routes]
        # A Direct Connect gateway's allowed prefixes are the AWS side's; on-premises prefixes arrive over BGP.
        learned = any(not c.static_routes_only for c in snap.vpn_connections) or bool(snap.direct_connect_gateways) \
            or (not snap.vpn_connections and bool(snap.vpn_gateways))
        if learned or (not known and (snap.vpn_gateways or snap.vpn_connections or snap.direct_connect_gateways)):
            vpc_space = addr.of_networks([n for v in snap.vpcs for n in (*v.cidrs, *v.ipv6_cidrs)])
            addresses = addr.ALL_ADDRESSES - vpc_space
            doubt: Optional[str] = "on-premises prefixes are learned over BGP and not in the source"
        else:
            addresses, doubt = addr.of_networks(known), None
        connected_vgws = {c.vpn_gateway_id for c in snap.vpn_connections if c.vpn_gateway_id and c.state == "available"}
        connected_vgws |= {v for g in snap.direct_connect_gateways for v in g.vpn_gateway_ids}
        vgw_entries = tuple(sorted((g.id, vpc) for g in snap.vpn_gateways if g.id in connected_vgws for vpc in g.vpc_ids))
        transit_entries = tuple(sorted((a for a in snap.transit_gateway_attachments
                                        if a.kind in ("vpn", "direct-connect-gateway", "connect")
                                        and a.state in ("available", "modifying")), key=lambda a: a.id))
        return OnPremises(addresses, doubt, vgw_entries, transit_entries)

    @cached_property
    def reach(self) -> "Reach":
        from zonecheck.engine.graph import Reach

        return Reach(self)

    @cached_property
    def known_ids(self) -> frozenset[str]:
        """Ids of every record in the snapshot (to tell a scope that names a resource from one that does not)."""
        snap = self.snapshot
        ids: set[str] = set()
        for name in type(snap).model_fields:
            for record in getattr(snap, name) if isinstance(getattr(snap, name), tuple) else ():
                record_id = getattr(record, "id", None)
                if isinstance(record_id, str):
                    ids.add(record_id)
        return frozenset(ids)

    @cached_property
    def known_gateways(self) -> frozenset[str]:
        """Every internet / egress-only gateway the source describes (attached or not)."""
        return frozenset([g.id for g in self.snapshot.internet_gateways]
                         + [g.id for g in self.snapshot.egress_only_internet_gateways])

    @cached_property
    def vpc_space_all(self) -> IntervalSet:
        return addr.of_networks([n for v in self.vpcs.values() for n in (*v.cidrs, *v.ipv6_cidrs)])

    @cached_property
    def internet(self) -> IntervalSet:
        nets = [n for v in self.vpcs.values() for n in (*v.cidrs, *v.ipv6_cidrs)]
        return addr.internet_space(nets)

    # -- endpoint addresses --------------------------------------------------------------------------
    def private_addresses(self, endpoint: Endpoint) -> IntervalSet:
        """Addresses the endpoint sends from and receives on inside the VPC (private IPv4 and IPv6).

        An endpoint whose address is unknown (SPEC §6.6) may hold any address of its subnet that no other
        interface holds: an address another interface owns can never be its own, neither as a source nor as
        a member of its security groups.
        """
        # Cached per interface of this snapshot (a caller may pass an interface that is not one of them).
        ours = self.endpoints.get(endpoint.id) is endpoint
        cached = self._private_cache.get(endpoint.id) if ours else None
        if cached is None:
            if endpoint.address_unknown:
                cached = self.subnet_space(endpoint.subnet_id) - self._known_in_subnet(endpoint.subnet_id)
            else:
                cached = addr.of_addresses(endpoint.private_ips if not endpoint.ipv6_addresses else
                                           (*endpoint.private_ips, *endpoint.ipv6_addresses))
            if ours:
                self._private_cache[endpoint.id] = cached
        return cached

    def _known_in_subnet(self, subnet_id: str) -> IntervalSet:
        if not self._known_cache:
            known: dict[str, list[tuple[int, int]]] = {}
            for e in self.snapshot.endpoints:
                if not e.address_unknown:  # (their own sets are cached: group members need them all anyway)
                    known.setdefault(e.subnet_id, []).extend(self.private_addresses(e).spans)
            self._known_cache = {sid: IntervalSet(spans) for sid, spans in known.items()}
            self._known_cache.setdefault("", EMPTY)  # marks the cache as built
        return self._known_cache.get(subnet_id, EMPTY)

    def public_addresses(self, endpoint: Endpoint) -> IntervalSet:
        return addr.of_addresses(endpoint.public_ips) if endpoint.public_ips else EMPTY

    def members(self, group_id: str) -> IntervalSet:
        """Private addresses of the interfaces in a security group (how a group reference matches)."""
        if not self._members_cache:
            # One pass over the interfaces for every group at once: a scan per group would be
            # groups x interfaces (10,000 x 100,000 on a large organisation).
            spans: dict[str, list[tuple[int, int]]] = {}
            for endpoint in self.snapshot.endpoints:
                if not endpoint.security_group_ids:
                    continue
                own = self.private_addresses(endpoint).spans
                for gid in set(endpoint.security_group_ids):
                    spans.setdefault(gid, []).extend(own)
            self._members_cache = {gid: IntervalSet(s) for gid, s in spans.items()}
            self._members_cache.setdefault("", EMPTY)  # marks the cache as built
        return self._members_cache.get(group_id, EMPTY)

    def prefix_list_addresses(self, pl_id: str) -> Optional[IntervalSet]:
        """The list's addresses, or None when its entries are unknown."""
        if pl_id in self._prefix_list_cache:
            return self._prefix_list_cache[pl_id]
        pl = self.prefix_lists.get(pl_id)
        found = None if pl is None or pl.entries is None else addr.of_networks(pl.entries)
        self._prefix_list_cache[pl_id] = found
        return found

    # -- routes --------------------------------------------------------------------------------------
    def _propagated_routes(self, table: RouteTable, vgw_id: str) -> list[RouteEntry]:
        """Routes a VPN gateway propagates into a table: its static VPN routes, or unknown BGP routes."""
        if any(r.target_id == vgw_id for r in table.routes):
            return []  # the source lists the routes it learned (describe-route-tables does)
        connections = [c for c in self.snapshot.vpn_connections if c.vpn_gateway_id == vgw_id]
        entries: list[RouteEntry] = []
        for connection in connections:
            for net in connection.static_routes:
                entries.append(RouteEntry(addr.of_network(net), _plen(net),
                                          Route(destination=net, target="vpn-gateway", target_id=vgw_id)))
        if not connections or any(not c.static_routes_only for c in connections):
            entries.append(RouteEntry(addr.ALL_ADDRESSES - self.vpc_space_all, -1, Route(destination=ip_network("0.0.0.0/0"),
                                                                    target="vpn-gateway", target_id=vgw_id),
                                      doubt=f"routes {vgw_id} propagates into {table.id} (BGP) are not in the source"))
        return entries

    def routes(self, table: RouteTable) -> list[RouteEntry]:
        """Route entries longest prefix first, with the implicit `local` route for every VPC CIDR."""
        cached = self._routes_cache.get(table.id)
        if cached is not None:
            return cached
        entries: list[RouteEntry] = []
        local_covered: set[str] = set()
        for route in table.routes:
            if route.destination is not None:
                if route.target == "local":
                    local_covered.add(str(route.destination))
                entries.append(RouteEntry(addr.of_network(route.destination), _plen(route.destination), route))
            else:
                pl_id = route.destination_prefix_list_id or ""
                pl = self.prefix_lists.get(pl_id)
                if pl is None or pl.entries is None:
                    entries.append(RouteEntry(addr.ALL_ADDRESSES, -1, route,
                                              doubt=f"route table {table.id}: entries of prefix list {pl_id} are unknown"))
                else:
                    for net in pl.entries:
                        entries.append(RouteEntry(addr.of_network(net), _plen(net), route))
        for vgw_id in self._propagations.get(table.id, []):
            entries.extend(self._propagated_routes(table, vgw_id))
        vpc = self.vpcs.get(table.vpc_id)
        if vpc is not None:
            for net in (*vpc.cidrs, *vpc.ipv6_cidrs):
                if str(net) not in local_covered:
                    entries.append(RouteEntry(addr.of_network(net), _plen(net), Route(destination=net, target="local")))
        entries.sort(key=lambda e: (-e.prefix_len, e.route.label()))
        self._routes_cache[table.id] = entries
        return entries


def _plen(net: addr.Network) -> int:
    # IPv4 and IPv6 never compete in LPM (disjoint ranges), so raw prefix lengths order correctly.
    return net.prefixlen
