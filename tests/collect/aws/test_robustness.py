"""Transforms take whatever a response holds: a missing optional key is never an error, and a value of the
wrong kind is an `InvalidItem` (which the reader turns into one line naming the file), never a crash."""

from __future__ import annotations

import copy
from typing import Any, Callable, Iterator

import pytest

from zonecheck.collect.aws import transform as t
from zonecheck.collect.aws.transform import InvalidItem

from . import responses as r

CASES: dict[str, tuple[Callable[[list[Any]], Any], list[dict[str, Any]]]] = {
    "vpcs": (t.to_vpcs, r.DESCRIBE_VPCS),
    "subnets": (t.to_subnets, r.DESCRIBE_SUBNETS),
    "route_tables": (t.to_route_tables, r.DESCRIBE_ROUTE_TABLES),
    "route_propagations": (t.to_route_propagations, r.DESCRIBE_ROUTE_TABLES),
    "internet_gateways": (t.to_internet_gateways, r.DESCRIBE_INTERNET_GATEWAYS),
    "egress_only": (t.to_egress_only_internet_gateways, r.DESCRIBE_EGRESS_ONLY_INTERNET_GATEWAYS),
    "nat_gateways": (t.to_nat_gateways, r.DESCRIBE_NAT_GATEWAYS),
    "nat_endpoints": (t.nat_gateway_endpoints, r.DESCRIBE_NAT_GATEWAYS),
    "peerings": (t.to_vpc_peerings, r.DESCRIBE_VPC_PEERING_CONNECTIONS),
    "security_groups": (t.to_security_groups, r.DESCRIBE_SECURITY_GROUPS),
    "security_group_rules": (t.to_security_group_rules, r.DESCRIBE_SECURITY_GROUP_RULES),
    "prefix_lists": (t.to_prefix_lists, r.DESCRIBE_PREFIX_LISTS + r.DESCRIBE_MANAGED_PREFIX_LISTS),
    "prefix_list_entries": (t.to_prefix_list_entries, r.PREFIX_LIST_ENTRIES),
    "network_acls": (t.to_network_acls, r.DESCRIBE_NETWORK_ACLS),
    "network_interfaces": (t.to_network_interfaces, r.DESCRIBE_NETWORK_INTERFACES),
    "instances": (t.to_instances, r.DESCRIBE_INSTANCES),
    "instance_interfaces": (t.instance_interfaces, r.DESCRIBE_INSTANCES),
    "elastic_ips": (lambda raw: t.with_elastic_ips(t.to_network_interfaces(r.DESCRIBE_NETWORK_INTERFACES), raw),
                    r.DESCRIBE_ADDRESSES),
    "rds": (t.to_rds_endpoints, r.DESCRIBE_DB_INSTANCES),
    "transit_gateways": (t.to_transit_gateways, r.DESCRIBE_TRANSIT_GATEWAYS),
    "attachments": (lambda raw: t.to_transit_gateway_attachments(raw, r.DESCRIBE_TRANSIT_GATEWAY_VPC_ATTACHMENTS,
                                                                 r.DESCRIBE_TRANSIT_GATEWAY_PEERING_ATTACHMENTS),
                    r.DESCRIBE_TRANSIT_GATEWAY_ATTACHMENTS),
    "vpc_attachments": (lambda raw: t.to_transit_gateway_attachments([], raw), r.DESCRIBE_TRANSIT_GATEWAY_VPC_ATTACHMENTS),
    "tgw_route_tables": (lambda raw: t.to_transit_gateway_route_tables(
        raw, r.TRANSIT_GATEWAY_PROPAGATIONS, r.TRANSIT_GATEWAY_STATIC_ROUTES, r.DESCRIBE_TRANSIT_GATEWAY_ATTACHMENTS),
        r.DESCRIBE_TRANSIT_GATEWAY_ROUTE_TABLES),
    "tgw_propagations": (lambda raw: t.to_transit_gateway_route_tables(r.DESCRIBE_TRANSIT_GATEWAY_ROUTE_TABLES, raw, []),
                         r.TRANSIT_GATEWAY_PROPAGATIONS),
    "tgw_routes": (lambda raw: t.to_transit_gateway_route_tables(r.DESCRIBE_TRANSIT_GATEWAY_ROUTE_TABLES, [], raw),
                   r.TRANSIT_GATEWAY_STATIC_ROUTES),
    "vpn_connections": (t.to_vpn_connections, r.DESCRIBE_VPN_CONNECTIONS),
    "vpn_gateways": (t.to_vpn_gateways, r.DESCRIBE_VPN_GATEWAYS),
    "customer_gateways": (t.to_customer_gateways, r.DESCRIBE_CUSTOMER_GATEWAYS),
    "dx_gateways": (lambda raw: t.to_direct_connect_gateways(raw, r.DESCRIBE_DIRECT_CONNECT_GATEWAY_ASSOCIATIONS),
                    r.DESCRIBE_DIRECT_CONNECT_GATEWAYS),
    "dx_associations": (lambda raw: t.to_direct_connect_gateways(r.DESCRIBE_DIRECT_CONNECT_GATEWAYS, raw),
                        r.DESCRIBE_DIRECT_CONNECT_GATEWAY_ASSOCIATIONS),
    "vpc_endpoints": (t.to_vpc_endpoints, r.DESCRIBE_VPC_ENDPOINTS),
    "load_balancers": (t.to_load_balancers, r.DESCRIBE_LOAD_BALANCERS),
    "listeners": (t.to_listeners, r.DESCRIBE_LISTENERS),
    "target_groups": (t.to_target_groups, r.DESCRIBE_TARGET_GROUPS),
    "target_health": (t.to_target_health, r.TARGET_HEALTH),
    "classic_load_balancers": (t.to_classic_load_balancers, r.DESCRIBE_CLASSIC_LOAD_BALANCERS),
}


def paths(value: Any, prefix: tuple[Any, ...] = (), depth: int = 4) -> Iterator[tuple[Any, ...]]:
    """Every key path into nested objects and lists of objects."""
    if depth == 0:
        return
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key)
            yield from paths(inner, (*prefix, key), depth - 1)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from paths(inner, (*prefix, index), depth - 1)


def changed(items: list[dict[str, Any]], path: tuple[Any, ...], replacement: Any) -> list[dict[str, Any]]:
    copied = copy.deepcopy(items)
    parent: Any = copied
    for step in path[:-1]:
        parent = parent[step]
    if replacement is _DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    return copied


_DELETE = object()


@pytest.mark.parametrize("name", sorted(CASES))
def test_any_key_may_be_missing(name: str) -> None:
    function, items = CASES[name]
    for index, item in enumerate(items):
        for path in paths(item):
            try:
                function(changed(items, (index, *path), _DELETE))
            except InvalidItem:
                pass  # a required part of a nested entry (a NACL entry's action…): named, not a crash


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("wrong", [42, "x", [1], {"a": 1}, None, True], ids=["int", "str", "list", "object", "null", "bool"])
def test_a_value_of_the_wrong_kind_is_invalid_or_ignored_never_a_crash(name: str, wrong: Any) -> None:
    function, items = CASES[name]
    for index, item in enumerate(items):
        for path in paths(item):
            try:
                function(changed(items, (index, *path), wrong))
            except InvalidItem as err:
                assert str(err) and "\n" not in str(err)


@pytest.mark.parametrize("name", sorted(CASES))
def test_an_empty_item_is_skipped(name: str) -> None:
    function, _ = CASES[name]
    function([{}])
