"""The describe-* responses zonecheck reads, recognised by their top-level key (not by file name).

Each family has the name its items are filed under, the name an `Incomplete` record uses for it, and the
API call a user should run to provide it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Family:
    name: str
    """Where its items are filed (`ScopeData.items[name]`)."""
    incomplete: str
    """Family name in `Incomplete` records."""
    api: str
    """The call that gives it, e.g. `describe-vpcs`."""
    wrap: Optional[str] = None
    """For responses that do not name their parent (a single GetManagedPrefixListEntries or
    DescribeTargetHealth result): the sibling key that must name it."""


_FAMILIES: dict[str, Family] = {
    "Vpcs": Family("vpcs", "vpc", "describe-vpcs"),
    "Subnets": Family("subnets", "subnet", "describe-subnets"),
    "RouteTables": Family("route_tables", "route-table", "describe-route-tables"),
    "InternetGateways": Family("internet_gateways", "internet-gateway", "describe-internet-gateways"),
    "EgressOnlyInternetGateways": Family("egress_only_internet_gateways", "egress-only-internet-gateway",
                                         "describe-egress-only-internet-gateways"),
    "NatGateways": Family("nat_gateways", "nat-gateway", "describe-nat-gateways"),
    "VpcPeeringConnections": Family("vpc_peerings", "vpc-peering", "describe-vpc-peering-connections"),
    "SecurityGroups": Family("security_groups", "security-group", "describe-security-groups"),
    "SecurityGroupRules": Family("security_group_rules", "security-group", "describe-security-group-rules"),
    "PrefixLists": Family("prefix_lists", "prefix-list", "describe-prefix-lists"),
    "ManagedPrefixLists": Family("prefix_lists", "prefix-list", "describe-managed-prefix-lists"),
    "PrefixListEntries": Family("prefix_list_entries", "prefix-list", "get-managed-prefix-list-entries"),
    "Entries": Family("prefix_list_entries", "prefix-list", "get-managed-prefix-list-entries", wrap="PrefixListId"),
    "NetworkAcls": Family("network_acls", "network-acl", "describe-network-acls"),
    "NetworkInterfaces": Family("network_interfaces", "network-interface", "describe-network-interfaces"),
    "Reservations": Family("reservations", "instance", "describe-instances"),
    "Instances": Family("reservations", "instance", "describe-instances", wrap="Instances"),
    "Addresses": Family("addresses", "elastic-ip", "describe-addresses"),
    "DBInstances": Family("db_instances", "rds-instance", "rds describe-db-instances"),
    "TransitGateways": Family("transit_gateways", "transit-gateway", "describe-transit-gateways"),
    "TransitGatewayAttachments": Family("tgw_attachments", "transit-gateway-attachment",
                                        "describe-transit-gateway-attachments"),
    "TransitGatewayVpcAttachments": Family("tgw_vpc_attachments", "transit-gateway-attachment",
                                           "describe-transit-gateway-vpc-attachments"),
    "TransitGatewayPeeringAttachments": Family("tgw_peering_attachments", "transit-gateway-attachment",
                                               "describe-transit-gateway-peering-attachments"),
    "TransitGatewayRouteTables": Family("tgw_route_tables", "transit-gateway-route-table",
                                        "describe-transit-gateway-route-tables"),
    "TransitGatewayPropagations": Family("tgw_propagations", "transit-gateway-propagation",
                                         "get-transit-gateway-route-table-propagations"),
    "TransitGatewayStaticRoutes": Family("tgw_routes", "transit-gateway-route", "search-transit-gateway-routes"),
    "TransitGatewayRoutes": Family("tgw_routes", "transit-gateway-route", "search-transit-gateway-routes"),
    "VpnConnections": Family("vpn_connections", "vpn-connection", "describe-vpn-connections"),
    "VpnGateways": Family("vpn_gateways", "vpn-gateway", "describe-vpn-gateways"),
    "CustomerGateways": Family("customer_gateways", "customer-gateway", "describe-customer-gateways"),
    "DirectConnectGateways": Family("dx_gateways", "direct-connect-gateway", "directconnect describe-direct-connect-gateways"),
    "DirectConnectGatewayAssociations": Family("dx_associations", "direct-connect-gateway",
                                               "directconnect describe-direct-connect-gateway-associations"),
    "VpcEndpoints": Family("vpc_endpoints", "vpc-endpoint", "describe-vpc-endpoints"),
    "LoadBalancers": Family("load_balancers", "load-balancer", "elbv2 describe-load-balancers"),
    "LoadBalancerDescriptions": Family("classic_load_balancers", "load-balancer", "elb describe-load-balancers"),
    "LoadBalancerListeners": Family("listeners", "load-balancer-listener", "elbv2 describe-listeners"),
    "Listeners": Family("listeners", "load-balancer-listener", "elbv2 describe-listeners"),
    "TargetGroups": Family("target_groups", "target-group", "elbv2 describe-target-groups"),
    "LoadBalancerTargetHealth": Family("target_health", "target-group", "elbv2 describe-target-health"),
    "TargetHealthDescriptions": Family("target_health", "target-group", "elbv2 describe-target-health",
                                       wrap="TargetGroupArn"),
    "Functions": Family("lambda_functions", "lambda-function", "lambda list-functions"),
    "Firewalls": Family("network_firewalls", "network-firewall", "network-firewall list-firewalls"),
    "Firewall": Family("network_firewalls", "network-firewall", "network-firewall describe-firewall"),
    "ClientVpnEndpoints": Family("client_vpn_endpoints", "client-vpn-endpoint", "describe-client-vpn-endpoints"),
}

BY_KEY: dict[str, Family] = {key.lower(): family for key, family in _FAMILIES.items()}
"""Top-level key, lower-cased (Direct Connect spells them in camelCase) → family."""

PAGINATION_KEYS = frozenset({"nexttoken", "nextmarker", "marker", "nextpagetoken", "responsemetadata"})
"""Keys that come with a page of a response and say nothing about the estate."""

# One API call per family name, for messages about a missing family.
API_OF: dict[str, str] = {}
INCOMPLETE_OF: dict[str, str] = {}
for _family in _FAMILIES.values():
    API_OF.setdefault(_family.name, _family.api)
    INCOMPLETE_OF.setdefault(_family.name, _family.incomplete)


def missing_reason(name: str) -> str:
    return f"no {API_OF[name]} file in the dump"


__all__ = ["API_OF", "BY_KEY", "Family", "INCOMPLETE_OF", "PAGINATION_KEYS", "missing_reason"]
