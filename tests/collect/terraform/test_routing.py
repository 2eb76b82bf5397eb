"""Route tables: every target kind, associations, and which table is main."""

from __future__ import annotations

from pathlib import Path

import pytest

from zonecheck.collect.terraform import load_terraform
from zonecheck.model import RouteTable, Snapshot

from .conftest import StateWriter, driftctl, load, subnet_attrs, vpc_attrs

PRIVATE_A = "rtb-01a2b3c4d5e6f7a8b"


def table(snapshot: Snapshot, table_id: str) -> RouteTable:
    return next(t for t in snapshot.route_tables if t.id == table_id)


def routes(snapshot: Snapshot, table_id: str) -> set[str]:
    return {r.label() for r in table(snapshot, table_id).routes}


def test_routes_of_every_target_kind() -> None:
    snapshot = load("network.tfstate")
    found = {(r.target, r.label()) for r in table(snapshot, PRIVATE_A).routes}
    assert found == {
        ("nat-gateway", "0.0.0.0/0 -> nat-0a2c4e6f8b1d3579a"),
        ("nat-gateway", "10.99.0.0/16 -> nat-0ffffeeeeddddcccc (blackhole)"),
        ("egress-only-internet-gateway", "::/0 -> eigw-03b5d7f9a1c2e4680"),
        ("vpc-peering", "10.30.0.0/16 -> pcx-0e1f2a3b4c5d6e7f8"),
        ("transit-gateway", "10.40.0.0/16 -> tgw-0123456789abcdef0"),
        ("transit-gateway", "pl-0b1c2d3e4f5a60789 -> tgw-0123456789abcdef0"),
        ("network-interface", "10.50.0.0/16 -> eni-0f1e2d3c4b5a69870"),
        ("vpc-endpoint", "100.64.0.0/10 -> vpce-0a1b2c3d4e5f67890"),
        ("core-network", "10.60.0.0/16 -> arn:aws:networkmanager::123456789012:core-network/core-network-0a1b2c3d4e5f67890"),
    }
    assert {(r.target, r.label()) for r in table(snapshot, "rtb-0d1e2f3a4b5c6d7e8").routes} == {
        ("internet-gateway", "0.0.0.0/0 -> igw-0f2a4c6e8b0d13579"), ("internet-gateway", "::/0 -> igw-0f2a4c6e8b0d13579")}
    assert ("vpn-gateway", "vgw-0fedcba9876543210") in {
        (r.target, r.target_id) for r in table(snapshot, "rtb-02b3c4d5e6f7a8b9c").routes}


def test_a_route_both_inline_and_as_aws_route_counts_once_and_keeps_its_blackhole_state() -> None:
    private_a = table(load("network.tfstate"), PRIVATE_A)
    assert len(private_a.routes) == 9
    (stale,) = [r for r in private_a.routes if str(r.destination) == "10.99.0.0/16"]
    assert stale.state == "blackhole"


def test_routes_added_only_by_aws_route_land_on_their_table() -> None:
    assert routes(load("network.tfstate"), "rtb-02b3c4d5e6f7a8b9c") == {
        "0.0.0.0/0 -> nat-0a2c4e6f8b1d3579a", "192.168.0.0/16 -> vgw-0fedcba9876543210"}


@pytest.mark.parametrize("target, kind", [
    ({"gateway_id": "igw-1"}, "internet-gateway"), ({"gateway_id": "vgw-1"}, "vpn-gateway"),
    ({"gateway_id": "vpce-1"}, "vpc-endpoint"), ({"gateway_id": "nat-1"}, "nat-gateway"),
    ({"nat_gateway_id": "nat-1"}, "nat-gateway"), ({"egress_only_gateway_id": "eigw-1"}, "egress-only-internet-gateway"),
    ({"vpc_peering_connection_id": "pcx-1"}, "vpc-peering"), ({"transit_gateway_id": "tgw-1"}, "transit-gateway"),
    ({"network_interface_id": "eni-1"}, "network-interface"), ({"instance_id": "i-1"}, "instance"),
    ({"vpc_endpoint_id": "vpce-1"}, "vpc-endpoint"), ({"carrier_gateway_id": "cagw-1"}, "carrier-gateway"),
    ({"local_gateway_id": "lgw-1"}, "local-gateway"),
    ({"core_network_arn": "arn:aws:networkmanager::1:core-network/x"}, "core-network"),
    ({"instance_id": "i-1", "network_interface_id": "eni-1"}, "network-interface"),
])
def test_route_target_kinds(write_state: StateWriter, target: dict[str, str], kind: str) -> None:
    route = {"destination_cidr_block": "10.9.0.0/16", "route_table_id": "rtb-1", "state": "active", **target}
    path = write_state(("aws_route_table", "t", {"id": "rtb-1", "vpc_id": "vpc-1", "route": []}),
                       ("aws_route", "r", {"id": "r-rtb-1", **route}))
    (found,) = table(load_terraform([path]), "rtb-1").routes
    assert found.target == kind
    assert found.target_id == target.get("network_interface_id", next(iter(target.values())))


def test_local_routes_are_left_to_the_engine(write_state: StateWriter) -> None:
    path = write_state(("aws_route_table", "t", {"id": "rtb-1", "vpc_id": "vpc-1", "route": [
        {"cidr_block": "10.0.0.0/16", "gateway_id": "local"}, {"cidr_block": "0.0.0.0/0", "gateway_id": "igw-1"}]}))
    assert routes(load_terraform([path]), "rtb-1") == {"0.0.0.0/0 -> igw-1"}


def test_explicit_subnet_associations() -> None:
    snapshot = load("network.tfstate")
    assert table(snapshot, "rtb-0d1e2f3a4b5c6d7e8").subnet_ids == ("subnet-0c33e5a7b9d1f4c63", "subnet-0d44f6b8c0e2a5d74")
    assert table(snapshot, PRIVATE_A).subnet_ids == ("subnet-0a11c3e5f7b9d2a41",)


def test_an_edge_association_is_unsupported_and_associates_no_subnet() -> None:
    snapshot = load("network.tfstate")
    assert table(snapshot, "rtb-03c4d5e6f7a8b9c0d").subnet_ids == ()
    edge = [u for u in snapshot.unsupported if u.kind == "aws_route_table_association"]
    assert [u.resource for u in edge] == ["module.net.aws_route_table_association.edge"]
    assert "igw-0f2a4c6e8b0d13579" in edge[0].reason


def test_propagating_vgws_become_route_propagations() -> None:
    snapshot = load("network.tfstate")
    assert [(p.route_table_id, p.gateway_id) for p in snapshot.route_propagations] == [
        ("rtb-02b3c4d5e6f7a8b9c", "vgw-0fedcba9876543210")]
    assert not [u for u in snapshot.unsupported if u.kind == "aws_route_table"]
    # the gateway itself lives in another stack: what it propagates is not known
    assert ("vpn-gateway", "vgw-0fedcba9876543210") in {(i.family, i.scope) for i in snapshot.incomplete}


def test_a_vpn_gateway_route_propagation_resource_is_the_same_fact(write_state: StateWriter) -> None:
    path = write_state(("aws_route_table", "t", {"id": "rtb-1", "vpc_id": "vpc-1", "route": [], "propagating_vgws": ["vgw-1"]}),
                       ("aws_vpn_gateway_route_propagation", "p", {"id": "vgw-1_rtb-1", "route_table_id": "rtb-1",
                                                                   "vpn_gateway_id": "vgw-1"}),
                       ("aws_vpn_gateway_route_propagation", "q", {"id": "vgw-2_rtb-1", "route_table_id": "rtb-1",
                                                                   "vpn_gateway_id": "vgw-2"}))
    assert [(p.route_table_id, p.gateway_id) for p in load_terraform([path]).route_propagations] == [
        ("rtb-1", "vgw-1"), ("rtb-1", "vgw-2")]


# -- the main table ------------------------------------------------------------------------------------------


def test_an_unmanaged_main_table_is_assumed_to_hold_only_local() -> None:
    snapshot = load("network.tfstate")
    main = table(snapshot, "rtb-0c4e1a9d7b3f50112")
    assert (main.is_main, main.assumed, main.routes, main.vpc_id) == (True, True, (), "vpc-0a7d3c1e5b9f20461")
    assert ("rtb-0c4e1a9d7b3f50112: main route table of vpc-0a7d3c1e5b9f20461 is not in the source; "
            "assumed to hold only the local route (AWS default)") in snapshot.assumptions
    assert [t.id for t in snapshot.route_tables if t.is_main] == ["rtb-0c4e1a9d7b3f50112"]


def test_a_managed_default_route_table_is_the_main_table() -> None:
    snapshot = load("managed_defaults.tfstate")
    main = table(snapshot, "rtb-0d0e0f1a2b3c4d5e6")
    assert main.is_main and not main.assumed
    assert routes(snapshot, main.id) == {"0.0.0.0/0 -> igw-0d0e0f1a2b3c4d5e6"}


def test_a_main_route_table_association_wins() -> None:
    snapshot = load("managed_defaults.tfstate")
    mains = {t.vpc_id: t.id for t in snapshot.route_tables if t.is_main}
    assert mains["vpc-0e0f1a2b3c4d5e6f7"] == "rtb-0e9e8e7e6e5e4e3e2"
    assert "rtb-0e0f1a2b3c4d5e6f7" not in {t.id for t in snapshot.route_tables}  # the VPC's original main table
    assert not any(a.startswith("rtb-") for a in snapshot.assumptions)


def test_a_main_table_chosen_by_association_but_absent_is_incomplete_not_assumed(write_state: StateWriter) -> None:
    path = write_state(("aws_vpc", "v", vpc_attrs()), ("aws_main_route_table_association", "m", {
        "id": "rtbassoc-1", "vpc_id": "vpc-1", "route_table_id": "rtb-custom", "original_route_table_id": "rtb-main"}))
    snapshot = load_terraform([path])
    assert not any(t.id == "rtb-custom" for t in snapshot.route_tables)
    assert ("route-table", "vpc-1") in {(i.family, i.scope) for i in snapshot.incomplete}


def test_routes_and_associations_of_a_table_not_in_the_state_are_incomplete(real_data: Path,
                                                                           write_state: StateWriter) -> None:
    snapshot = load_terraform([driftctl(real_data, "aws_route")])
    assert {(i.family, i.scope) for i in snapshot.incomplete} == {("route-table", "rtb-0232602f0f07748fc")}
    path = write_state(("aws_vpc", "v", vpc_attrs()), ("aws_subnet", "s", subnet_attrs()),
                       ("aws_route_table_association", "a", {"id": "rtbassoc-1", "subnet_id": "subnet-1",
                                                             "route_table_id": "rtb-elsewhere", "gateway_id": ""}))
    assert ("route-table", "subnet-1") in {(i.family, i.scope) for i in load_terraform([path]).incomplete}


def test_a_real_route_table_without_routes(real_data: Path) -> None:
    snapshot = load_terraform([driftctl(real_data, "aws_route_table")])
    (rr,) = snapshot.route_tables
    assert (rr.id, rr.vpc_id, rr.routes, rr.is_main, rr.tags) == (
        "rtb-0a946227959883445", "vpc-0b76cbfa2bd868650", (), False, {"Name": "rr"})


def test_an_internet_gateway_attached_by_a_separate_resource() -> None:
    snapshot = load("managed_defaults.tfstate")
    assert {g.id: g.vpc_ids for g in snapshot.internet_gateways} == {"igw-0d0e0f1a2b3c4d5e6": ("vpc-0d0e0f1a2b3c4d5e6",)}


def test_an_internet_gateway_only_named_by_a_route_is_assumed_attached_to_the_tables_vpc(write_state: StateWriter) -> None:
    path = write_state(("aws_route_table", "t", {"id": "rtb-1", "vpc_id": "vpc-1", "route": [
        {"cidr_block": "0.0.0.0/0", "gateway_id": "igw-other-stack"}]}))
    snapshot = load_terraform([path])
    assert {g.id: g.vpc_ids for g in snapshot.internet_gateways} == {"igw-other-stack": ("vpc-1",)}
    assert any(a.startswith("igw-other-stack: internet gateway is not in the source") for a in snapshot.assumptions)
