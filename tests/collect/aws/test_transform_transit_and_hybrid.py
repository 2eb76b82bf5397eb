"""Transit gateways, VPN and Direct Connect: describe-* items → model records."""

from __future__ import annotations

from ipaddress import ip_network

from zonecheck.collect.aws.transform import (
    Findings, static_vpn_ids, to_customer_gateways, to_direct_connect_gateways, to_transit_gateway_attachments,
    to_transit_gateway_route_tables, to_transit_gateways, to_vpn_connections, to_vpn_gateways,
)
from zonecheck.model import VpnConnection

from . import responses as r


def tables(**overrides):  # type: ignore[no-untyped-def]
    arguments = {"propagations": r.TRANSIT_GATEWAY_PROPAGATIONS, "routes": r.TRANSIT_GATEWAY_STATIC_ROUTES,
                 "attachments": r.DESCRIBE_TRANSIT_GATEWAY_ATTACHMENTS, "static_vpn_ids": ()}
    arguments.update(overrides)
    return {t.id: t for t in to_transit_gateway_route_tables(r.DESCRIBE_TRANSIT_GATEWAY_ROUTE_TABLES, **arguments)}


def test_transit_gateway_options_enable_disable() -> None:
    (tgw,) = to_transit_gateways(r.DESCRIBE_TRANSIT_GATEWAYS)
    assert not tgw.default_route_table_association and tgw.default_route_table_propagation
    assert (tgw.association_default_route_table_id, tgw.propagation_default_route_table_id) == ("tgw-rtb-a", "tgw-rtb-b")
    assert (tgw.account, tgw.region, tgw.tags) == (r.ACCOUNT, "us-east-1", {"Name": "core"})


def test_attachments_get_subnets_and_appliance_mode_from_the_vpc_attachment_response() -> None:
    found = {a.id: a for a in to_transit_gateway_attachments(
        r.DESCRIBE_TRANSIT_GATEWAY_ATTACHMENTS, r.DESCRIBE_TRANSIT_GATEWAY_VPC_ATTACHMENTS,
        r.DESCRIBE_TRANSIT_GATEWAY_PEERING_ATTACHMENTS)}
    vpc = found["tgw-attach-0a1"]
    assert (vpc.kind, vpc.resource_id, vpc.subnet_ids, vpc.appliance_mode) == ("vpc", "vpc-0a1", ("subnet-0a1", "subnet-0a2"), True)
    assert (found["tgw-attach-vpn"].kind, found["tgw-attach-vpn"].resource_id) == ("vpn", "vpn-01")


def test_peering_attachment_knows_its_peer_account_and_region() -> None:
    found = {a.id: a for a in to_transit_gateway_attachments(
        r.DESCRIBE_TRANSIT_GATEWAY_ATTACHMENTS, peering_attachments=r.DESCRIBE_TRANSIT_GATEWAY_PEERING_ATTACHMENTS)}
    peer = found["tgw-attach-peer"]
    assert (peer.kind, peer.resource_id, peer.peer_account, peer.peer_region) == ("peering", "tgw-far", r.OTHER_ACCOUNT, "eu-west-1")


def test_deleted_attachments_are_left_out() -> None:
    findings = Findings()
    found = {a.id for a in to_transit_gateway_attachments(r.DESCRIBE_TRANSIT_GATEWAY_ATTACHMENTS, findings=findings)}
    assert "tgw-attach-old" not in found and any("tgw-attach-old" in n for n in findings.notes)


def test_a_vpc_attachment_only_the_vpc_response_lists_is_still_an_attachment() -> None:
    (only,) = to_transit_gateway_attachments([], r.DESCRIBE_TRANSIT_GATEWAY_VPC_ATTACHMENTS)
    assert (only.id, only.kind, only.transit_gateway_id) == ("tgw-attach-0a1", "vpc", "tgw-01")


def test_route_table_associations_come_from_the_attachments() -> None:
    found = tables()
    assert found["tgw-rtb-a"].associations == ("tgw-attach-0a1", "tgw-attach-vpn")
    assert found["tgw-rtb-b"].associations == ("tgw-attach-peer",)
    assert found["tgw-rtb-a"].is_default_association and found["tgw-rtb-b"].is_default_propagation


def test_only_enabled_propagations_count() -> None:
    assert tables()["tgw-rtb-b"].propagations == ("tgw-attach-0a1", "tgw-attach-vpn")


def test_static_routes_blackholes_and_prefix_list_routes_and_deleted_routes_left_out() -> None:
    routes = {str(x.destination or x.destination_prefix_list_id): x for x in tables()["tgw-rtb-a"].routes}
    assert set(routes) == {"0.0.0.0/0", "10.66.0.0/16", "pl-0123456789abcdef0"}
    assert routes["0.0.0.0/0"].attachment_ids == ("tgw-attach-peer",) and routes["0.0.0.0/0"].kind == "static"
    assert routes["10.66.0.0/16"].state == "blackhole" and routes["10.66.0.0/16"].label() == "10.66.0.0/16 -> blackhole"


def test_routes_are_incomplete_when_a_bgp_vpn_propagates_routes_the_source_does_not_list() -> None:
    assert tables()["tgw-rtb-a"].routes_complete
    assert not tables()["tgw-rtb-b"].routes_complete
    assert tables(static_vpn_ids={"vpn-01"})["tgw-rtb-b"].routes_complete


def test_routes_are_incomplete_for_a_table_without_propagation_or_route_results() -> None:
    assert not tables()["tgw-rtb-c"].routes_complete
    assert not tables(routes=None)["tgw-rtb-a"].routes_complete


def test_truncated_route_search_makes_the_routes_incomplete() -> None:
    truncated = [{**r.TRANSIT_GATEWAY_STATIC_ROUTES[0], "AdditionalRoutesAvailable": True}]
    assert not tables(routes=truncated)["tgw-rtb-a"].routes_complete


# -- VPN and Direct Connect ----------------------------------------------------------------------------------


def test_vpn_connections_with_static_routes_and_deleted_ones_left_out() -> None:
    found = {v.id: v for v in to_vpn_connections(r.DESCRIBE_VPN_CONNECTIONS)}
    assert set(found) == {"vpn-01", "vpn-02"}
    assert found["vpn-01"] == VpnConnection(id="vpn-01", customer_gateway_id="cgw-01", transit_gateway_id="tgw-01")
    assert found["vpn-02"].static_routes == (ip_network("192.168.0.0/16"),) and found["vpn-02"].static_routes_only
    assert found["vpn-02"].vpn_gateway_id == "vgw-01"
    assert static_vpn_ids(r.DESCRIBE_VPN_CONNECTIONS) == {"vpn-02", "vpn-03"}


def test_the_tunnel_configuration_with_its_keys_is_never_copied() -> None:
    assert "NEVER-SHOW-ME" not in repr(to_vpn_connections(r.DESCRIBE_VPN_CONNECTIONS))


def test_vpn_gateway_lists_only_attached_vpcs() -> None:
    (vgw,) = to_vpn_gateways(r.DESCRIBE_VPN_GATEWAYS)
    assert (vgw.vpc_ids, vgw.amazon_side_asn) == (("vpc-0a1",), 64512)


def test_customer_gateway_asn_is_a_number() -> None:
    (cgw,) = to_customer_gateways(r.DESCRIBE_CUSTOMER_GATEWAYS)
    assert (cgw.ip_address, cgw.bgp_asn) == ("198.51.100.1", 65000)


def test_direct_connect_gateway_with_its_transit_gateway_and_allowed_prefixes() -> None:
    (dx,) = to_direct_connect_gateways(r.DESCRIBE_DIRECT_CONNECT_GATEWAYS, r.DESCRIBE_DIRECT_CONNECT_GATEWAY_ASSOCIATIONS)
    assert (dx.name, dx.transit_gateway_ids, dx.vpn_gateway_ids) == ("dx-core", ("tgw-01",), ())
    assert dx.allowed_prefixes == (ip_network("10.0.0.0/16"),)
