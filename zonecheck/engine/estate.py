"""Read-only index over a snapshot: the lookups the engine needs, computed once.

Nothing here decides reachability; it answers "which route table does this subnet use?", "which
addresses are members of sg-x?" and the like, so the deciding code stays small.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from zonecheck.engine.graph import Reach

from zonecheck.engine import addresses as addr
from zonecheck.engine.intervals import EMPTY, IntervalSet
from zonecheck.model import (
    Endpoint,
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
        self._routes_cache: dict[str, list[RouteEntry]] = {}
        self._members_cache: dict[str, IntervalSet] = {}

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

    @cached_property
    def reach(self) -> "Reach":
        from zonecheck.engine.graph import Reach

        return Reach(self)

    @cached_property
    def internet(self) -> IntervalSet:
        nets = [n for v in self.vpcs.values() for n in (*v.cidrs, *v.ipv6_cidrs)]
        return addr.internet_space(nets)

    # -- endpoint addresses --------------------------------------------------------------------------
    def private_addresses(self, endpoint: Endpoint) -> IntervalSet:
        """Addresses the endpoint sends from and receives on inside the VPC (private IPv4 and IPv6)."""
        if endpoint.address_unknown:
            return self.subnet_space(endpoint.subnet_id)
        return addr.of_addresses([*endpoint.private_ips, *endpoint.ipv6_addresses])

    def public_addresses(self, endpoint: Endpoint) -> IntervalSet:
        return addr.of_addresses(endpoint.public_ips)

    def members(self, group_id: str) -> IntervalSet:
        """Private addresses of the interfaces in a security group (how a group reference matches)."""
        cached = self._members_cache.get(group_id)
        if cached is None:
            cached = EMPTY
            for endpoint in self.snapshot.endpoints:
                if group_id in endpoint.security_group_ids:
                    cached = cached | self.private_addresses(endpoint)
            self._members_cache[group_id] = cached
        return cached

    def prefix_list_addresses(self, pl_id: str) -> Optional[IntervalSet]:
        """The list's addresses, or None when its entries are unknown."""
        pl = self.prefix_lists.get(pl_id)
        if pl is None or pl.entries is None:
            return None
        return addr.of_networks(pl.entries)

    # -- routes --------------------------------------------------------------------------------------
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
