"""VPN gateways, customer gateways, VPN connections and Direct Connect."""

from __future__ import annotations

from ipaddress import ip_network

from zonecheck.collect.terraform import load_terraform

from .conftest import StateWriter, load


def test_a_static_vpn_on_a_vpn_gateway() -> None:
    snapshot = load("services.tfstate")
    (gateway,) = snapshot.vpn_gateways
    assert (gateway.id, gateway.vpc_ids, gateway.amazon_side_asn) == (
        "vgw-0c1d2e3f4a5b6e001", ("vpc-0c1d2e3f4a5b60001",), 64512)
    (customer,) = snapshot.customer_gateways
    assert (customer.id, customer.ip_address, customer.bgp_asn) == ("cgw-0c1d2e3f4a5b76001", "203.0.113.10", 65000)
    (vpn,) = snapshot.vpn_connections
    assert (vpn.id, vpn.vpn_gateway_id, vpn.customer_gateway_id, vpn.transit_gateway_id) == (
        "vpn-0c1d2e3f4a5b76001", "vgw-0c1d2e3f4a5b6e001", "cgw-0c1d2e3f4a5b76001", None)
    assert vpn.static_routes_only and vpn.static_routes == (ip_network("192.168.0.0/16"),)
    assert [(p.route_table_id, p.gateway_id) for p in snapshot.route_propagations] == [
        ("rtb-0c1d2e3f4a5b6d002", "vgw-0c1d2e3f4a5b6e001")]


def test_a_bgp_vpn_and_direct_connect_on_a_transit_gateway() -> None:
    snapshot = load("transit.tfstate")
    (vpn,) = snapshot.vpn_connections
    assert (vpn.transit_gateway_id, vpn.vpn_gateway_id, vpn.static_routes_only, vpn.static_routes) == (
        "tgw-0a0b0c0d0e0f10203", None, False, ())
    (dx,) = snapshot.direct_connect_gateways
    assert (dx.id, dx.name, dx.transit_gateway_ids, dx.vpn_gateway_ids, dx.allowed_prefixes) == (
        "5f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "corp-dx", ("tgw-0a0b0c0d0e0f10203",), (), (ip_network("10.52.0.0/16"),))


def test_a_static_vpn_on_a_transit_gateway_reaches_the_prefixes_routed_to_it(write_state: StateWriter) -> None:
    path = write_state(
        ("aws_ec2_transit_gateway", "hub", {"id": "tgw-1", "default_route_table_association": "enable",
                                            "default_route_table_propagation": "enable",
                                            "association_default_route_table_id": "tgw-rtb-1",
                                            "propagation_default_route_table_id": "tgw-rtb-1"}),
        ("aws_vpn_connection", "dc", {"id": "vpn-1", "transit_gateway_id": "tgw-1", "static_routes_only": True,
                                      "transit_gateway_attachment_id": "tgw-attach-vpn", "customer_gateway_id": "cgw-1"}),
        ("aws_ec2_transit_gateway_route", "dc", {"id": "tgw-rtb-1_172.16.0.0/12", "destination_cidr_block": "172.16.0.0/12",
                                                 "blackhole": False, "transit_gateway_attachment_id": "tgw-attach-vpn",
                                                 "transit_gateway_route_table_id": "tgw-rtb-1"}))
    snapshot = load_terraform([path])
    (vpn,) = snapshot.vpn_connections
    assert vpn.static_routes == (ip_network("172.16.0.0/12"),)
    (default,) = snapshot.transit_gateway_route_tables
    assert default.routes_complete  # a static VPN propagates nothing unknown


def test_a_vpn_gateway_attached_by_a_separate_resource(write_state: StateWriter) -> None:
    path = write_state(("aws_vpn_gateway", "g", {"id": "vgw-1", "vpc_id": "", "amazon_side_asn": "64512"}),
                       ("aws_vpn_gateway_attachment", "a", {"id": "vpn-attachment-1", "vpn_gateway_id": "vgw-1", "vpc_id": "vpc-1"}),
                       ("aws_vpn_gateway_attachment", "b", {"id": "vpn-attachment-2", "vpn_gateway_id": "vgw-9", "vpc_id": "vpc-2"}))
    snapshot = load_terraform([path])
    assert {g.id: g.vpc_ids for g in snapshot.vpn_gateways} == {"vgw-1": ("vpc-1",)}
    assert ("vpn-gateway", "vgw-9") in {(i.family, i.scope) for i in snapshot.incomplete}


def test_vpn_static_routes_of_a_connection_not_in_the_source_are_incomplete(write_state: StateWriter) -> None:
    path = write_state(("aws_vpn_connection_route", "r", {"id": "10.9.0.0/16:vpn-9", "destination_cidr_block": "10.9.0.0/16",
                                                          "vpn_connection_id": "vpn-9"}))
    assert ("vpn-connection", "vpn-9") in {(i.family, i.scope) for i in load_terraform([path]).incomplete}


def test_a_direct_connect_association_with_a_vpn_gateway(write_state: StateWriter) -> None:
    path = write_state(("aws_dx_gateway_association", "a", {
        "id": "ga-1", "dx_gateway_id": "dx-1", "associated_gateway_id": "vgw-1", "associated_gateway_type": "virtualPrivateGateway",
        "allowed_prefixes": ["10.1.0.0/16"]}),
        ("aws_dx_private_virtual_interface", "v", {"id": "dxvif-1", "name": "direct", "vpn_gateway_id": "vgw-2",
                                                    "dx_gateway_id": ""}))
    found = {g.id: (g.vpn_gateway_ids, g.transit_gateway_ids) for g in load_terraform([path]).direct_connect_gateways}
    # the gateway itself is in another account's stack; a virtual interface straight on a VPN gateway also counts
    assert found == {"dx-1": (("vgw-1",), ()), "dxvif-1": (("vgw-2",), ())}
