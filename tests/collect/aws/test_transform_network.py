"""VPCs, subnets, route tables, gateways and peerings: describe-* items → model records."""

from __future__ import annotations

from ipaddress import ip_address, ip_network

import pytest

from zonecheck.collect.aws.transform import (
    Findings, InvalidItem, to_egress_only_internet_gateways, to_internet_gateways, to_nat_gateways,
    to_route_propagations, to_route_tables, to_subnets, to_vpc_peerings, to_vpcs,
)
from zonecheck.collect.aws.transform.gateways import nat_gateway_endpoints
from zonecheck.model import RoutePropagation

from . import responses as r


def by_id(records):  # type: ignore[no-untyped-def]
    return {record.id: record for record in records}


# -- VPCs and subnets ----------------------------------------------------------------------------------------


def test_vpc_keeps_only_associated_cidr_blocks_primary_and_secondary() -> None:
    vpc = by_id(to_vpcs(r.DESCRIBE_VPCS, "999999999999", "us-east-1"))["vpc-0a1"]
    assert vpc.cidrs == (ip_network("10.0.0.0/16"), ip_network("100.64.0.0/20"))
    assert vpc.ipv6_cidrs == (ip_network("2600:1f18:abc:de00::/56"),)


def test_vpc_account_is_its_owner_id_else_the_scope_account_and_region_is_the_scope_region() -> None:
    vpcs = by_id(to_vpcs(r.DESCRIBE_VPCS, "999999999999", "us-east-1"))
    assert (vpcs["vpc-0a1"].account, vpcs["vpc-0a1"].region) == (r.ACCOUNT, "us-east-1")
    assert vpcs["vpc-0b2"].account == "999999999999"
    assert vpcs["vpc-0a1"].tags == {"Name": "prod", "Zone": "private-db"}


def test_vpc_without_association_set_uses_its_cidr_block() -> None:
    assert by_id(to_vpcs(r.DESCRIBE_VPCS))["vpc-0b2"].cidrs == (ip_network("172.31.0.0/16"),)


def test_subnet_with_ipv6_block_availability_zone_and_public_ip_on_launch() -> None:
    subnets = by_id(to_subnets(r.DESCRIBE_SUBNETS))
    public = subnets["subnet-0a1"]
    assert (public.vpc_id, public.cidr, public.ipv6_cidr) == ("vpc-0a1", ip_network("10.0.1.0/24"),
                                                             ip_network("2600:1f18:abc:de01::/64"))
    assert public.availability_zone == "us-east-1a" and public.map_public_ip_on_launch
    assert subnets["subnet-0a2"].ipv6_cidr is None and not subnets["subnet-0a2"].map_public_ip_on_launch


def test_items_missing_their_ids_are_skipped_with_a_note() -> None:
    findings = Findings()
    assert to_vpcs([{"CidrBlock": "10.0.0.0/16"}], findings=findings) == []
    assert to_subnets([{"SubnetId": "subnet-x"}], findings=findings) == []
    assert len(findings.notes) == 2


def test_an_invalid_cidr_block_names_the_item() -> None:
    with pytest.raises(InvalidItem, match=r"vpc-bad: CidrBlock must be a CIDR block, found '10\.0\.0\.0/33'"):
        to_vpcs([{"VpcId": "vpc-bad", "CidrBlock": "10.0.0.0/33"}])


# -- route tables --------------------------------------------------------------------------------------------


def test_main_route_table_association_marks_the_table_main() -> None:
    tables = by_id(to_route_tables(r.DESCRIBE_ROUTE_TABLES))
    assert tables["rtb-main"].is_main and tables["rtb-main"].subnet_ids == ()
    assert not tables["rtb-public"].is_main


def test_only_associated_subnet_associations_count() -> None:
    assert by_id(to_route_tables(r.DESCRIBE_ROUTE_TABLES))["rtb-public"].subnet_ids == ("subnet-0a1",)


def test_every_target_kind_of_a_route_is_recognised() -> None:
    routes = {str(x.destination or x.destination_prefix_list_id): x
              for x in by_id(to_route_tables(r.DESCRIBE_ROUTE_TABLES))["rtb-public"].routes}
    assert (routes["10.0.0.0/16"].target, routes["10.0.0.0/16"].target_id) == ("local", None)
    assert (routes["0.0.0.0/0"].target, routes["0.0.0.0/0"].target_id) == ("internet-gateway", "igw-01")
    assert (routes["::/0"].target, routes["::/0"].target_id) == ("egress-only-internet-gateway", "eigw-01")
    assert (routes["10.30.0.0/16"].target, routes["10.30.0.0/16"].target_id) == ("vpc-peering", "pcx-01")
    assert (routes["pl-63a5400a"].target, routes["pl-63a5400a"].target_id) == ("vpc-endpoint", "vpce-s3")
    assert routes["10.50.0.0/16"].target == "core-network"


def test_an_instance_route_targets_the_instance_network_interface() -> None:
    routes = {str(x.destination): x for x in by_id(to_route_tables(r.DESCRIBE_ROUTE_TABLES))["rtb-public"].routes}
    assert (routes["10.40.0.0/16"].target, routes["10.40.0.0/16"].target_id) == ("network-interface", "eni-appliance")


def test_a_blackhole_route_keeps_its_target_and_is_blackhole() -> None:
    routes = {str(x.destination): x for x in by_id(to_route_tables(r.DESCRIBE_ROUTE_TABLES))["rtb-public"].routes}
    nat = routes["172.16.0.0/12"]
    assert (nat.state, nat.target, nat.target_id) == ("blackhole", "nat-gateway", "nat-01")
    assert nat.label() == "172.16.0.0/12 -> nat-01 (blackhole)"


def test_vgw_propagated_routes_are_routes_and_propagating_vgws_are_route_propagations() -> None:
    main = by_id(to_route_tables(r.DESCRIBE_ROUTE_TABLES))["rtb-main"]
    assert any(x.target == "vpn-gateway" and x.target_id == "vgw-01" for x in main.routes)
    assert to_route_propagations(r.DESCRIBE_ROUTE_TABLES) == [RoutePropagation(route_table_id="rtb-main", gateway_id="vgw-01")]


def test_a_gateway_edge_association_is_unsupported() -> None:
    findings = Findings()
    to_route_tables(r.DESCRIBE_ROUTE_TABLES, findings)
    assert [(u.resource, u.kind) for u in findings.unsupported] == [("rtb-edge", "gateway-route-table")]


def test_a_route_without_target_is_kept_as_unknown_and_noted() -> None:
    findings = Findings()
    table = to_route_tables([{"RouteTableId": "rtb-x", "VpcId": "vpc-x", "Routes": [
        {"DestinationCidrBlock": "10.9.0.0/16", "State": "active"}]}], findings)[0]
    assert table.routes[0].target == "unknown" and findings.notes


# -- gateways and peerings -----------------------------------------------------------------------------------


def test_internet_gateway_lists_its_attached_vpcs_and_a_detached_one_none() -> None:
    igws = by_id(to_internet_gateways(r.DESCRIBE_INTERNET_GATEWAYS))
    assert igws["igw-01"].vpc_ids == ("vpc-0a1",) and igws["igw-detached"].vpc_ids == ()


def test_egress_only_internet_gateway_is_attached_to_its_vpc() -> None:
    (eigw,) = to_egress_only_internet_gateways(r.DESCRIBE_EGRESS_ONLY_INTERNET_GATEWAYS)
    assert (eigw.id, eigw.vpc_id) == ("eigw-01", "vpc-0a1")


def test_only_available_nat_gateways_are_kept_with_their_primary_addresses() -> None:
    findings = Findings()
    nats = by_id(to_nat_gateways(r.DESCRIBE_NAT_GATEWAYS, findings))
    assert set(nats) == {"nat-01", "nat-02"}
    assert (nats["nat-01"].private_ip, nats["nat-01"].public_ip) == (ip_address("10.0.1.20"), ip_address("4.4.4.4"))
    assert nats["nat-02"].connectivity == "private" and nats["nat-02"].public_ip is None
    assert any("nat-old" in n for n in findings.notes)


def test_nat_gateway_interfaces_come_from_its_addresses_when_no_interface_is_described() -> None:
    endpoints = by_id(nat_gateway_endpoints(r.DESCRIBE_NAT_GATEWAYS))
    assert set(endpoints) == {"eni-nat", "eni-nat2"}
    nat = endpoints["eni-nat"]
    assert (nat.kind, nat.owner_id, nat.subnet_id) == ("nat-gateway", "nat-01", "subnet-0a1")
    assert nat.public_ips == (ip_address("4.4.4.4"),) and not nat.source_dest_check


def test_peering_sides_with_accounts_and_regions_and_gone_peerings_left_out() -> None:
    findings = Findings()
    peerings = by_id(to_vpc_peerings(r.DESCRIBE_VPC_PEERING_CONNECTIONS, findings))
    assert set(peerings) == {"pcx-01", "pcx-02"}
    pcx = peerings["pcx-01"]
    assert (pcx.requester_vpc_id, pcx.accepter_vpc_id) == ("vpc-0a1", "vpc-peer")
    assert (pcx.requester_account, pcx.accepter_account) == (r.ACCOUNT, r.OTHER_ACCOUNT)
    assert (pcx.requester_region, pcx.accepter_region, pcx.status) == ("us-east-1", "eu-west-1", "active")
    assert peerings["pcx-02"].status == "pending-acceptance"
    assert any("pcx-03 is deleted" in n for n in findings.notes)
