"""Every page is read: security groups and instances beyond one page (moto), and transit gateway route
searches that AWS cuts short at 1000 routes (a fake EC2 client that never gives a NextToken)."""

from __future__ import annotations

import math
from ipaddress import IPv4Network, ip_network
from typing import Any, Optional

import boto3
import pytest

from tests.collect.aws.live.conftest import collect
from tests.collect.aws.live.estate import REGION
from zonecheck.collect.aws.build import ScopeData, build_snapshot
from zonecheck.collect.aws.live.clients import Clients, ReadOnlyGuard
from zonecheck.collect.aws.live.ec2 import get_instances, get_security_groups
from zonecheck.collect.aws.live.transit import get_transit_gateway_routes
from zonecheck.model import SourceInfo

GROUPS = 120
RESERVATIONS, PER_RESERVATION = 30, 4


@pytest.fixture(scope="module")
def many(moto: boto3.Session) -> dict[str, Any]:
    ec2 = moto.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.50.0.0/20", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    groups = [ec2.create_security_group(GroupName=f"g{i:03}", Description="many", VpcId=vpc)["GroupId"]
              for i in range(GROUPS)]
    instances = [i["InstanceId"] for _ in range(RESERVATIONS)  # DescribeInstances pages reservations
                 for i in ec2.run_instances(ImageId="ami-12c6146b", MinCount=PER_RESERVATION, MaxCount=PER_RESERVATION,
                                            SubnetId=subnet)["Instances"]]
    return {"vpc": vpc, "groups": groups, "instances": instances}


def counted_ec2(session: boto3.Session) -> tuple[Any, ReadOnlyGuard]:
    guard = ReadOnlyGuard()
    return Clients(guard).get(session, "123456789012", REGION, "ec2"), guard


def test_security_groups_beyond_one_page_are_all_read(moto: boto3.Session, many: dict[str, Any]) -> None:
    ec2, guard = counted_ec2(moto)
    found = get_security_groups(ec2, page_size=25)
    assert set(many["groups"]) <= {g["GroupId"] for g in found}
    assert guard.calls["ec2:DescribeSecurityGroups"] == math.ceil(len(found) / 25) >= 5


def test_reservations_beyond_one_page_are_all_read(moto: boto3.Session, many: dict[str, Any]) -> None:
    ec2, guard = counted_ec2(moto)
    found = {i["InstanceId"] for r in get_instances(ec2, page_size=10) for i in r["Instances"]}
    assert set(many["instances"]) <= found
    assert guard.calls["ec2:DescribeInstances"] >= RESERVATIONS // 10


def test_a_collection_with_small_pages_misses_nothing(many: dict[str, Any]) -> None:
    result = collect(page_size=25)
    snapshot = result.snapshot
    assert set(many["groups"]) <= {g.id for g in snapshot.security_groups}
    assert set(many["instances"]) <= {i.id for i in snapshot.instances}
    assert len([e for e in snapshot.endpoints if e.owner_id in set(many["instances"])]) == len(many["instances"])
    assert result.calls["ec2:DescribeSecurityGroups"] >= 5 and result.calls["ec2:DescribeInstances"] >= 2
    assert snapshot.incomplete == ()


# -- SearchTransitGatewayRoutes: at most 1000 routes an answer ----------------------------------------------------


class ShortSearches:
    """SearchTransitGatewayRoutes as older EC2 answers it: at most `limit` routes, `AdditionalRoutesAvailable`
    when there are more, and no NextToken to continue with."""

    def __init__(self, routes: list[dict[str, Any]], limit: int = 1000) -> None:
        self.routes, self.limit, self.searches = routes, limit, 0
        self.nets = [ip_network(r["DestinationCidrBlock"]) if r.get("DestinationCidrBlock") else None for r in routes]

    def can_paginate(self, operation: str) -> bool:
        return False

    def search_transit_gateway_routes(self, TransitGatewayRouteTableId: str, Filters: list[dict[str, Any]],
                                      MaxResults: Optional[int] = None) -> dict[str, Any]:
        self.searches += 1
        wanted = [(f["Name"], [ip_network(v) if "match" in f["Name"] else v for v in f["Values"]]) for f in Filters]
        found = [r for r, net in zip(self.routes, self.nets, strict=True) if all(_matches(r, net, name, v) for name, v in wanted)]
        return {"Routes": found[:self.limit], "AdditionalRoutesAvailable": len(found) > self.limit}


def _matches(route: dict[str, Any], net: Any, name: str, values: list[Any]) -> bool:
    if name == "type":
        return route["Type"] in values
    if name == "prefix-list-id":
        return route.get("PrefixListId") in values
    if net is None:
        return False
    if name == "route-search.exact-match":
        return net in values
    if name == "route-search.subnet-of-match":
        return any(net.version == v.version and net.subnet_of(v) for v in values)
    raise AssertionError(f"unexpected filter {name}")


def route(destination: Optional[str], route_type: str = "static", prefix_list: Optional[str] = None) -> dict[str, Any]:
    attachment = [{"TransitGatewayAttachmentId": "tgw-attach-1", "ResourceType": "vpc", "ResourceId": "vpc-1"}]
    out = {"Type": route_type, "State": "active", "TransitGatewayAttachments": attachment}
    if destination:
        out["DestinationCidrBlock"] = destination
    if prefix_list:
        out["PrefixListId"] = prefix_list
    return out


def test_a_search_cut_short_is_split_until_every_route_is_found() -> None:
    many = [route(str(net)) for net in list(IPv4Network("10.0.0.0/12").subnets(new_prefix=24))[:1500]]
    routes = many + [route("0.0.0.0/0"), route("10.0.0.0/8"), route("2600:1f18::/56"),
                     route(None, prefix_list="pl-0123456789abcdef0"), route("172.16.0.0/16", "propagated")]
    fake = ShortSearches(routes)
    (result,) = get_transit_gateway_routes(fake, ["tgw-rtb-1"], ["pl-0123456789abcdef0"])
    assert result["AdditionalRoutesAvailable"] is False
    assert len(result["Routes"]) == len(routes)
    assert fake.searches < 60


@pytest.mark.parametrize("lists, complete", [(["pl-0123456789abcdef0"], True), ([], True), (None, False)])
def test_a_split_search_is_complete_only_when_every_prefix_list_is_known(lists: Optional[list[str]],
                                                                         complete: bool) -> None:
    to_list = [route(None, route_type, prefix_list="pl-0123456789abcdef0") for route_type in ("static", "propagated")]
    fake = ShortSearches([route("10.1.0.0/16"), route("10.2.0.0/16"), *(to_list if lists else [])], limit=1)
    (result,) = get_transit_gateway_routes(fake, ["tgw-rtb-1"], lists)
    assert result["AdditionalRoutesAvailable"] is not complete
    assert len(result["Routes"]) == 4 if lists else 2


def test_a_part_that_cannot_be_split_further_is_incomplete() -> None:
    fake = ShortSearches([route(None, prefix_list="pl-0123456789abcdef0"), route(None, prefix_list="pl-0123456789abcdef1"),
                          route("10.1.0.0/16")], limit=1)
    (result,) = get_transit_gateway_routes(fake, ["tgw-rtb-1"], ["pl-0123456789abcdef0", "pl-0123456789abcdef1"])
    assert result["AdditionalRoutesAvailable"] is True


def test_a_table_whose_routes_are_cut_short_is_incomplete() -> None:
    scope = ScopeData(label="111122223333/us-east-1", account="111122223333", region=REGION, items={
        "tgw_route_tables": [{"TransitGatewayRouteTableId": "tgw-rtb-1", "TransitGatewayId": "tgw-1", "State": "available"}],
        "tgw_propagations": [{"TransitGatewayRouteTableId": "tgw-rtb-1", "TransitGatewayRouteTablePropagations": []}],
        "tgw_routes": [{"TransitGatewayRouteTableId": "tgw-rtb-1", "Routes": [route("10.1.0.0/16")],
                        "AdditionalRoutesAvailable": True}]})
    snapshot = build_snapshot([scope], SourceInfo(kind="aws"))
    assert ("transit-gateway-route", "tgw-rtb-1") in {(i.family, i.scope) for i in snapshot.incomplete}
    assert not snapshot.transit_gateway_route_tables[0].routes_complete
