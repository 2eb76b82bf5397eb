"""get: EC2 networking (VPCs, subnets, routes, gateways, peerings, security groups, prefix lists, network
ACLs, interfaces, instances, Elastic IPs, VPC endpoints, Client VPN).  Each function is the boto3 call,
every page of it, nothing else; `transform/` turns the items into records."""

from __future__ import annotations

from typing import Any, Iterable, Optional

from zonecheck.collect.aws.live.pages import Item, all_items, per_parent

PEERING_STATES = ("active", "pending-acceptance", "provisioning")
"""Peerings that exist or are about to: deleted, rejected, failed and expired ones carry nothing."""


def get_vpcs(ec2: Any, page_size: Optional[int] = None) -> list[Item]:
    return all_items(ec2, "describe_vpcs", "Vpcs", page_size)


def get_subnets(ec2: Any, page_size: Optional[int] = None) -> list[Item]:
    return all_items(ec2, "describe_subnets", "Subnets", page_size)


def get_route_tables(ec2: Any, page_size: Optional[int] = None) -> list[Item]:
    return all_items(ec2, "describe_route_tables", "RouteTables", page_size)


def get_internet_gateways(ec2: Any, page_size: Optional[int] = None) -> list[Item]:
    return all_items(ec2, "describe_internet_gateways", "InternetGateways", page_size)


def get_egress_only_internet_gateways(ec2: Any, page_size: Optional[int] = None) -> list[Item]:
    return all_items(ec2, "describe_egress_only_internet_gateways", "EgressOnlyInternetGateways", page_size)


def get_nat_gateways(ec2: Any, page_size: Optional[int] = None) -> list[Item]:
    return all_items(ec2, "describe_nat_gateways", "NatGateways", page_size)


def get_vpc_peering_connections(ec2: Any, page_size: Optional[int] = None) -> list[Item]:
    return all_items(ec2, "describe_vpc_peering_connections", "VpcPeeringConnections", page_size,
                     Filters=[{"Name": "status-code", "Values": list(PEERING_STATES)}])


def get_security_groups(ec2: Any, page_size: Optional[int] = None) -> list[Item]:
    return all_items(ec2, "describe_security_groups", "SecurityGroups", page_size)


def get_managed_prefix_lists(ec2: Any, page_size: Optional[int] = None) -> list[Item]:
    """Customer-managed and AWS-managed lists (DescribeManagedPrefixLists answers under `PrefixLists`)."""
    return all_items(ec2, "describe_managed_prefix_lists", "PrefixLists", page_size)


def get_managed_prefix_list_entries(ec2: Any, prefix_list_ids: Iterable[str],
                                    page_size: Optional[int] = None) -> list[Item]:
    """One `{PrefixListId, Entries}` per list (the shape `to_prefix_list_entries` reads)."""
    return per_parent(prefix_list_ids, lambda pl_id: {
        "PrefixListId": pl_id,
        "Entries": all_items(ec2, "get_managed_prefix_list_entries", "Entries", page_size, PrefixListId=pl_id)})


def get_network_acls(ec2: Any, page_size: Optional[int] = None) -> list[Item]:
    return all_items(ec2, "describe_network_acls", "NetworkAcls", page_size)


def get_network_interfaces(ec2: Any, page_size: Optional[int] = None) -> list[Item]:
    return all_items(ec2, "describe_network_interfaces", "NetworkInterfaces", page_size)


def get_instances(ec2: Any, page_size: Optional[int] = None) -> list[Item]:
    """`Reservations`, each with its `Instances`."""
    return all_items(ec2, "describe_instances", "Reservations", page_size)


def get_addresses(ec2: Any, page_size: Optional[int] = None) -> list[Item]:
    """Elastic IPs (DescribeAddresses has no pages: it answers everything at once)."""
    return all_items(ec2, "describe_addresses", "Addresses", page_size)


def get_vpc_endpoints(ec2: Any, page_size: Optional[int] = None) -> list[Item]:
    return all_items(ec2, "describe_vpc_endpoints", "VpcEndpoints", page_size)


def get_client_vpn_endpoints(ec2: Any, page_size: Optional[int] = None) -> list[Item]:
    return all_items(ec2, "describe_client_vpn_endpoints", "ClientVpnEndpoints", page_size)


def get_regions(ec2: Any) -> list[Item]:
    """Every region of the partition, with its `OptInStatus`."""
    return all_items(ec2, "describe_regions", "Regions", AllRegions=True)


__all__ = [
    "PEERING_STATES", "get_addresses", "get_client_vpn_endpoints", "get_egress_only_internet_gateways", "get_instances",
    "get_internet_gateways", "get_managed_prefix_list_entries", "get_managed_prefix_lists", "get_nat_gateways",
    "get_network_acls", "get_network_interfaces", "get_regions", "get_route_tables", "get_security_groups",
    "get_subnets", "get_vpc_endpoints", "get_vpc_peering_connections", "get_vpcs",
]
