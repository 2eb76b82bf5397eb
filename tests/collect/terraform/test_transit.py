"""Transit gateways: attachments, route tables, associations, propagations, static and blackhole routes."""

from __future__ import annotations

from ipaddress import ip_network

import pytest

from zonecheck.collect.errors import CollectError
from zonecheck.collect.terraform import load_terraform
from zonecheck.model import Snapshot, TransitGatewayRouteTable

from .conftest import StateWriter, load

HUB = "tgw-0a0b0c0d0e0f10203"
RT_REPLICA, RT_CORE, RT_ONPREM = "tgw-rtb-0a0b0c0d0e0f1a001", "tgw-rtb-0a0b0c0d0e0f1a002", "tgw-rtb-0a0b0c0d0e0f1a003"
ATT = {name: f"tgw-attach-0a0b0c0d0e0f1b00{n}" for n, name in enumerate(("replica", "app", "db", "vpn", "dx", "peer"), 1)}


@pytest.fixture(scope="module")
def segmented() -> Snapshot:
    return load("transit.tfstate")


@pytest.fixture(scope="module")
def flat() -> Snapshot:
    return load("transit_flat.tfstate")


def table(snapshot: Snapshot, table_id: str) -> TransitGatewayRouteTable:
    return next(t for t in snapshot.transit_gateway_route_tables if t.id == table_id)


# -- gateways and attachments --------------------------------------------------------------------------------


def test_the_gateway_and_its_default_table_settings(segmented: Snapshot, flat: Snapshot) -> None:
    (hub,) = segmented.transit_gateways
    assert (hub.id, hub.account, hub.region, hub.default_route_table_association,
            hub.default_route_table_propagation, hub.association_default_route_table_id) == (
        HUB, "123456789012", "eu-west-1", False, False, None)
    (hub,) = flat.transit_gateways
    assert (hub.default_route_table_association, hub.default_route_table_propagation,
            hub.association_default_route_table_id, hub.propagation_default_route_table_id) == (
        True, True, "tgw-rtb-0f1a2b3c4d5e6f701", "tgw-rtb-0f1a2b3c4d5e6f701")


def test_attachments_of_every_kind(segmented: Snapshot) -> None:
    found = {a.id: (a.kind, a.transit_gateway_id, a.resource_id) for a in segmented.transit_gateway_attachments}
    assert found == {
        ATT["replica"]: ("vpc", HUB, "vpc-0a0b0c0d0e0f2a001"),
        ATT["app"]: ("vpc", HUB, "vpc-0a0b0c0d0e0f2b001"),
        ATT["db"]: ("vpc", HUB, "vpc-0a0b0c0d0e0f2c001"),
        ATT["vpn"]: ("vpn", HUB, "vpn-0a0b0c0d0e0f3c001"),  # created by the aws_vpn_connection itself
        ATT["dx"]: ("direct-connect-gateway", HUB, "5f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"),
        ATT["peer"]: ("peering", HUB, "tgw-0b1c2d3e4f5a60718"),
    }
    peer = next(a for a in segmented.transit_gateway_attachments if a.kind == "peering")
    assert (peer.peer_account, peer.peer_region, peer.state) == ("210987654321", "us-east-1", "available")


def test_a_vpc_attachment_serves_the_zones_of_its_subnets(segmented: Snapshot) -> None:
    app = next(a for a in segmented.transit_gateway_attachments if a.id == ATT["app"])
    assert app.subnet_ids == ("subnet-0a0b0c0d0e0f2b1f1", "subnet-0a0b0c0d0e0f2b1f2")
    assert not app.appliance_mode


# -- segmented route tables ----------------------------------------------------------------------------------


def test_explicit_associations_and_propagations(segmented: Snapshot) -> None:
    tables = {t.id: (t.associations, t.propagations) for t in segmented.transit_gateway_route_tables}
    assert tables == {
        RT_REPLICA: ((ATT["replica"],), (ATT["app"],)),
        RT_CORE: ((ATT["app"], ATT["db"], ATT["peer"]), (ATT["replica"], ATT["app"], ATT["db"])),
        RT_ONPREM: ((ATT["vpn"], ATT["dx"]), (ATT["app"],)),
    }


def test_static_blackhole_and_prefix_list_routes(segmented: Snapshot) -> None:
    assert {r.label() for r in table(segmented, RT_CORE).routes} == {
        "10.53.9.0/24 -> blackhole",
        f"192.168.0.0/16 -> {ATT['vpn']} (static)",
        f"10.100.0.0/16 -> {ATT['peer']} (static)",
        f"pl-0a0b0c0d0e0f4d001 -> {ATT['peer']} (static)",
    }
    (default,) = table(segmented, RT_REPLICA).routes
    assert (default.destination, default.attachment_ids, default.state) == (ip_network("0.0.0.0/0"), (), "blackhole")
    partners = next(p for p in segmented.prefix_lists if p.id == "pl-0a0b0c0d0e0f4d001")
    assert [str(n) for n in partners.entries or ()] == ["172.20.0.0/16", "172.21.0.0/16"]


def test_tables_into_which_no_bgp_attachment_propagates_are_complete(segmented: Snapshot) -> None:
    assert all(t.routes_complete for t in segmented.transit_gateway_route_tables)
    assert segmented.unknowns == () and segmented.unsupported == () and segmented.incomplete == ()


# -- the default table ---------------------------------------------------------------------------------------


def test_the_default_table_is_added_with_every_attachment_that_takes_it(flat: Snapshot) -> None:
    (default,) = flat.transit_gateway_route_tables
    attachments = tuple(a.id for a in flat.transit_gateway_attachments)
    assert len(attachments) == 3
    assert (default.id, default.associations, default.propagations) == ("tgw-rtb-0f1a2b3c4d5e6f701", attachments, attachments)
    assert default.is_default_association and default.is_default_propagation and default.routes == ()
    assert any(a.startswith("tgw-rtb-0f1a2b3c4d5e6f701: default route table of tgw-0f1a2b3c4d5e6f701 is not in the source")
               for a in flat.assumptions)


def tgw(**options: object) -> dict:
    return {"id": "tgw-1", "arn": "arn:aws:ec2:eu-west-1:111111111111:transit-gateway/tgw-1", "owner_id": "111111111111",
            "default_route_table_association": "enable", "default_route_table_propagation": "enable",
            "association_default_route_table_id": "tgw-rtb-default", "propagation_default_route_table_id": "tgw-rtb-default",
            **options}


def vpc_attachment(attachment_id: str, vpc_id: str, association: bool = True, propagation: bool = True) -> dict:
    return {"id": attachment_id, "transit_gateway_id": "tgw-1", "vpc_id": vpc_id, "subnet_ids": [f"subnet-{vpc_id}"],
            "appliance_mode_support": "disable", "transit_gateway_default_route_table_association": association,
            "transit_gateway_default_route_table_propagation": propagation}


def test_an_attachment_that_opts_out_of_the_defaults(write_state: StateWriter) -> None:
    path = write_state(("aws_ec2_transit_gateway", "hub", tgw()),
                       ("aws_ec2_transit_gateway_vpc_attachment", "a", vpc_attachment("tgw-attach-a", "vpc-a")),
                       ("aws_ec2_transit_gateway_vpc_attachment", "b", vpc_attachment("tgw-attach-b", "vpc-b", False, True)),
                       ("aws_ec2_transit_gateway_vpc_attachment", "c", vpc_attachment("tgw-attach-c", "vpc-c", True, False)))
    (default,) = load_terraform([path]).transit_gateway_route_tables
    assert default.associations == ("tgw-attach-a", "tgw-attach-c")
    assert default.propagations == ("tgw-attach-a", "tgw-attach-b")


def test_defaults_disabled_on_the_gateway_leave_attachments_unassociated(write_state: StateWriter) -> None:
    path = write_state(("aws_ec2_transit_gateway", "hub", tgw(default_route_table_association="disable",
                                                               default_route_table_propagation="disable")),
                       ("aws_ec2_transit_gateway_vpc_attachment", "a", vpc_attachment("tgw-attach-a", "vpc-a")))
    assert load_terraform([path]).transit_gateway_route_tables == ()


def test_an_explicit_association_wins_over_the_default(write_state: StateWriter) -> None:
    path = write_state(("aws_ec2_transit_gateway", "hub", tgw()),
                       ("aws_ec2_transit_gateway_route_table", "inspect", {"id": "tgw-rtb-inspect", "transit_gateway_id": "tgw-1"}),
                       ("aws_ec2_transit_gateway_vpc_attachment", "a", vpc_attachment("tgw-attach-a", "vpc-a")),
                       ("aws_ec2_transit_gateway_route_table_association", "a", {
                           "id": "tgw-rtb-inspect_tgw-attach-a", "transit_gateway_attachment_id": "tgw-attach-a",
                           "transit_gateway_route_table_id": "tgw-rtb-inspect", "replace_existing_association": True}))
    tables = {t.id: t.associations for t in load_terraform([path]).transit_gateway_route_tables}
    assert tables == {"tgw-rtb-default": (), "tgw-rtb-inspect": ("tgw-attach-a",)}


def test_a_chosen_default_table_replaces_the_gateways_own(write_state: StateWriter) -> None:
    path = write_state(("aws_ec2_transit_gateway", "hub", tgw()),
                       ("aws_ec2_transit_gateway_route_table", "shared", {"id": "tgw-rtb-shared", "transit_gateway_id": "tgw-1"}),
                       ("aws_ec2_transit_gateway_default_route_table_association", "x", {
                           "id": "tgw-1", "transit_gateway_id": "tgw-1", "transit_gateway_route_table_id": "tgw-rtb-shared"}),
                       ("aws_ec2_transit_gateway_vpc_attachment", "a", vpc_attachment("tgw-attach-a", "vpc-a")))
    tables = {t.id: (t.associations, t.propagations) for t in load_terraform([path]).transit_gateway_route_tables}
    assert tables == {"tgw-rtb-shared": (("tgw-attach-a",), ()), "tgw-rtb-default": ((), ("tgw-attach-a",))}


def test_static_routes_to_an_unknown_table_are_incomplete(write_state: StateWriter) -> None:
    path = write_state(("aws_ec2_transit_gateway", "hub", tgw()),
                       ("aws_ec2_transit_gateway_route", "r", {"id": "tgw-rtb-gone_10.0.0.0/8", "blackhole": False,
                                                               "destination_cidr_block": "10.0.0.0/8",
                                                               "transit_gateway_attachment_id": "tgw-attach-a",
                                                               "transit_gateway_route_table_id": "tgw-rtb-gone"}))
    assert ("transit-gateway", "tgw-rtb-gone") in {(i.family, i.scope) for i in load_terraform([path]).incomplete}


def test_a_bgp_attachment_propagating_makes_the_table_incomplete(write_state: StateWriter) -> None:
    path = write_state(("aws_ec2_transit_gateway", "hub", tgw()),
                       ("aws_vpn_connection", "dc", {"id": "vpn-1", "transit_gateway_id": "tgw-1", "static_routes_only": False,
                                                     "transit_gateway_attachment_id": "tgw-attach-vpn", "customer_gateway_id": "cgw-1"}))
    (default,) = load_terraform([path]).transit_gateway_route_tables
    assert default.propagations == ("tgw-attach-vpn",) and not default.routes_complete


def test_an_attachment_to_a_gateway_not_in_the_source_is_left_out_and_incomplete(write_state: StateWriter) -> None:
    path = write_state(("aws_ec2_transit_gateway_vpc_attachment", "a", vpc_attachment("tgw-attach-a", "vpc-a")))
    snapshot = load_terraform([path])
    assert snapshot.transit_gateway_attachments == ()
    (gap,) = snapshot.incomplete
    assert (gap.family, gap.scope) == ("transit-gateway", "tgw-1") and "tgw-attach-a" in gap.reason


def test_both_sides_of_a_cross_account_vpc_attachment_merge(write_state: StateWriter) -> None:
    requester = write_state(("aws_ec2_transit_gateway_vpc_attachment", "a", vpc_attachment("tgw-attach-a", "vpc-a")))
    accepter = write_state(("aws_ec2_transit_gateway", "hub", tgw()),
                           ("aws_ec2_transit_gateway_vpc_attachment_accepter", "a", {
                               "id": "tgw-attach-a", "transit_gateway_attachment_id": "tgw-attach-a", "transit_gateway_id": "tgw-1",
                               "vpc_id": "vpc-a", "subnet_ids": ["subnet-vpc-a"],
                               "transit_gateway_default_route_table_association": False,
                               "transit_gateway_default_route_table_propagation": True}))
    snapshot = load_terraform([requester, accepter])
    (attachment,) = snapshot.transit_gateway_attachments
    assert attachment.subnet_ids == ("subnet-vpc-a",)
    (default,) = snapshot.transit_gateway_route_tables
    assert (default.associations, default.propagations) == ((), ("tgw-attach-a",))  # the gateway owner's choice


def test_two_associations_of_one_attachment_on_one_gateway_are_an_error(write_state: StateWriter) -> None:
    def association(table_id: str) -> dict:
        return {"id": f"{table_id}_tgw-attach-a", "transit_gateway_attachment_id": "tgw-attach-a",
                "transit_gateway_route_table_id": table_id}
    path = write_state(("aws_ec2_transit_gateway", "hub", tgw()),
                       ("aws_ec2_transit_gateway_route_table", "x", {"id": "tgw-rtb-x", "transit_gateway_id": "tgw-1"}),
                       ("aws_ec2_transit_gateway_route_table", "y", {"id": "tgw-rtb-y", "transit_gateway_id": "tgw-1"}),
                       ("aws_ec2_transit_gateway_route_table_association", "x", association("tgw-rtb-x")),
                       ("aws_ec2_transit_gateway_route_table_association", "y", association("tgw-rtb-y")))
    with pytest.raises(CollectError, match="tgw-attach-a on tgw-1"):
        load_terraform([path])
