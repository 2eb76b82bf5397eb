"""What the live collector reads in each account and region: one entry per response family, in order.

Each family is filed under the name the transforms know it by (`ScopeData.items[name]`) and written, with
`--raw-dir`, under the top-level key the AWS CLI prints (the dump reader recognises files by that key), so
that `--aws-dump` of a raw directory gives the same snapshot.  A family that `needs` others reads their
items (route tables → their routes…) and is skipped when one of them could not be read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional, Protocol

from zonecheck.collect.aws.live import ec2, hybrid, services, transit
from zonecheck.collect.aws.live.pages import Item


class Reader(Protocol):
    """What a family's fetch gets: the clients of its scope and what was read before it."""

    page_size: Optional[int]

    def client(self, service: str) -> Any: ...

    def items(self, family: str) -> list[Item]: ...

    def has(self, family: str) -> bool: ...


@dataclass(frozen=True)
class LiveFamily:
    name: str
    """`ScopeData.items` key (as in `families.py`)."""
    key: str
    """Top-level key of its raw file, as the AWS CLI prints it."""
    service: str
    operations: tuple[str, ...]
    """The API operations it calls (for messages; the guard records the real ones)."""
    fetch: Callable[[Reader], list[Item]]
    needs: tuple[str, ...] = ()
    once_per_account: bool = False
    """Global resources (Direct Connect): read once per account, in the home region (else the first)."""


def _ids(items: Iterable[Item], key: str, gone: tuple[str, ...] = ()) -> list[str]:
    return [str(i[key]) for i in items if i.get(key) and str(i.get("State") or "").lower() not in gone]


def _tables(r: Reader) -> list[str]:
    return _ids(r.items("tgw_route_tables"), "TransitGatewayRouteTableId", ("deleted", "deleting"))


def _lists(r: Reader) -> list[str]:
    return _ids(r.items("prefix_lists"), "PrefixListId", ("delete-complete", "delete-in-progress"))


def _known_lists(r: Reader) -> Optional[list[str]]:
    """Every list a transit gateway route can name (None when DescribeManagedPrefixLists was denied)."""
    return _ids(r.items("prefix_lists"), "PrefixListId") if r.has("prefix_lists") else None


def _simple(name: str, key: str, service: str, operation: str, get: Callable[..., list[Item]]) -> LiveFamily:
    return LiveFamily(name, key, service, (operation,), lambda r: get(r.client(service), r.page_size))


PLAN: tuple[LiveFamily, ...] = (
    # -- EC2 networking -----------------------------------------------------------------------------------------
    _simple("vpcs", "Vpcs", "ec2", "DescribeVpcs", ec2.get_vpcs),
    _simple("subnets", "Subnets", "ec2", "DescribeSubnets", ec2.get_subnets),
    _simple("route_tables", "RouteTables", "ec2", "DescribeRouteTables", ec2.get_route_tables),
    _simple("internet_gateways", "InternetGateways", "ec2", "DescribeInternetGateways", ec2.get_internet_gateways),
    _simple("egress_only_internet_gateways", "EgressOnlyInternetGateways", "ec2", "DescribeEgressOnlyInternetGateways",
            ec2.get_egress_only_internet_gateways),
    _simple("nat_gateways", "NatGateways", "ec2", "DescribeNatGateways", ec2.get_nat_gateways),
    _simple("vpc_peerings", "VpcPeeringConnections", "ec2", "DescribeVpcPeeringConnections",
            ec2.get_vpc_peering_connections),
    _simple("security_groups", "SecurityGroups", "ec2", "DescribeSecurityGroups", ec2.get_security_groups),
    _simple("prefix_lists", "PrefixLists", "ec2", "DescribeManagedPrefixLists", ec2.get_managed_prefix_lists),
    LiveFamily("prefix_list_entries", "PrefixListEntries", "ec2", ("GetManagedPrefixListEntries",),
               lambda r: ec2.get_managed_prefix_list_entries(r.client("ec2"), _lists(r), r.page_size),
               needs=("prefix_lists",)),
    _simple("network_acls", "NetworkAcls", "ec2", "DescribeNetworkAcls", ec2.get_network_acls),
    _simple("network_interfaces", "NetworkInterfaces", "ec2", "DescribeNetworkInterfaces", ec2.get_network_interfaces),
    _simple("reservations", "Reservations", "ec2", "DescribeInstances", ec2.get_instances),
    _simple("addresses", "Addresses", "ec2", "DescribeAddresses", ec2.get_addresses),
    _simple("vpc_endpoints", "VpcEndpoints", "ec2", "DescribeVpcEndpoints", ec2.get_vpc_endpoints),
    _simple("client_vpn_endpoints", "ClientVpnEndpoints", "ec2", "DescribeClientVpnEndpoints",
            ec2.get_client_vpn_endpoints),
    # -- transit gateways ---------------------------------------------------------------------------------------
    _simple("transit_gateways", "TransitGateways", "ec2", "DescribeTransitGateways", transit.get_transit_gateways),
    _simple("tgw_attachments", "TransitGatewayAttachments", "ec2", "DescribeTransitGatewayAttachments",
            transit.get_transit_gateway_attachments),
    _simple("tgw_vpc_attachments", "TransitGatewayVpcAttachments", "ec2", "DescribeTransitGatewayVpcAttachments",
            transit.get_transit_gateway_vpc_attachments),
    _simple("tgw_peering_attachments", "TransitGatewayPeeringAttachments", "ec2",
            "DescribeTransitGatewayPeeringAttachments", transit.get_transit_gateway_peering_attachments),
    _simple("tgw_route_tables", "TransitGatewayRouteTables", "ec2", "DescribeTransitGatewayRouteTables",
            transit.get_transit_gateway_route_tables),
    LiveFamily("tgw_propagations", "TransitGatewayPropagations", "ec2", ("GetTransitGatewayRouteTablePropagations",),
               lambda r: transit.get_transit_gateway_route_table_propagations(r.client("ec2"), _tables(r), r.page_size),
               needs=("tgw_route_tables",)),
    LiveFamily("tgw_routes", "TransitGatewayRoutes", "ec2", ("SearchTransitGatewayRoutes",),
               lambda r: transit.get_transit_gateway_routes(r.client("ec2"), _tables(r), _known_lists(r)),
               needs=("tgw_route_tables",)),
    # -- VPN and Direct Connect ---------------------------------------------------------------------------------
    _simple("vpn_connections", "VpnConnections", "ec2", "DescribeVpnConnections", hybrid.get_vpn_connections),
    _simple("vpn_gateways", "VpnGateways", "ec2", "DescribeVpnGateways", hybrid.get_vpn_gateways),
    _simple("customer_gateways", "CustomerGateways", "ec2", "DescribeCustomerGateways", hybrid.get_customer_gateways),
    LiveFamily("dx_gateways", "directConnectGateways", "directconnect", ("DescribeDirectConnectGateways",),
               lambda r: hybrid.get_direct_connect_gateways(r.client("directconnect"), r.page_size),
               once_per_account=True),
    LiveFamily("dx_associations", "directConnectGatewayAssociations", "directconnect",
               ("DescribeDirectConnectGatewayAssociations",),
               lambda r: hybrid.get_direct_connect_gateway_associations(
                   r.client("directconnect"), _ids(r.items("dx_gateways"), "directConnectGatewayId"), r.page_size),
               needs=("dx_gateways",), once_per_account=True),
    # -- managed services ---------------------------------------------------------------------------------------
    _simple("db_instances", "DBInstances", "rds", "DescribeDBInstances", services.get_db_instances),
    _simple("load_balancers", "LoadBalancers", "elbv2", "DescribeLoadBalancers", services.get_load_balancers),
    LiveFamily("listeners", "Listeners", "elbv2", ("DescribeListeners",),
               lambda r: services.get_listeners(r.client("elbv2"), _ids(r.items("load_balancers"), "LoadBalancerArn"),
                                                r.page_size),
               needs=("load_balancers",)),
    _simple("target_groups", "TargetGroups", "elbv2", "DescribeTargetGroups", services.get_target_groups),
    LiveFamily("target_health", "LoadBalancerTargetHealth", "elbv2", ("DescribeTargetHealth",),
               lambda r: services.get_target_health(r.client("elbv2"),
                                                    _ids(r.items("target_groups"), "TargetGroupArn")),
               needs=("target_groups",)),
    _simple("classic_load_balancers", "LoadBalancerDescriptions", "elb", "DescribeLoadBalancers",
            services.get_classic_load_balancers),
)

KEY_OF = {f.name: f.key for f in PLAN}


def plan_for(with_global: bool) -> list[LiveFamily]:
    """The families of one account and region; `with_global` in the one region that also reads global ones."""
    return [f for f in PLAN if with_global or not f.once_per_account]


__all__ = ["KEY_OF", "LiveFamily", "PLAN", "Reader", "plan_for"]
