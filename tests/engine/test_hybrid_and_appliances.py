"""Appliances (routes to an ENI or instance), VPN gateways and the built-in `on-premises` zone, gateway endpoints."""

from topology.builder import EstateBuilder
from tests.scenario import one, steps
from zonecheck.model import RoutePropagation, VpcEndpoint, VpnConnection, VpnGateway
from ipaddress import ip_network


def with_firewall(*, source_dest_check: bool):
    b = EstateBuilder()
    b.vpc("vpc-1", "10.0.0.0/16")
    b.subnet("subnet-a", "vpc-1", "10.0.1.0/24")
    b.subnet("subnet-fw", "vpc-1", "10.0.9.0/24")
    b.vpc("vpc-2", "10.1.0.0/16")
    b.subnet("subnet-b", "vpc-2", "10.1.1.0/24")
    b.peering("pcx-12", "vpc-1", "vpc-2")
    b.route_table("rtb-a", "vpc-1", subnets=["subnet-a"], routes=[("10.1.0.0/16", "i-fw")])
    b.route_table("rtb-fw", "vpc-1", subnets=["subnet-fw"], routes=[("10.1.0.0/16", "pcx-12")])
    b.route_table("rtb-b", "vpc-2", subnets=["subnet-b"], routes=[("10.0.0.0/16", "pcx-12")])
    b.security_group("sg-fw", "vpc-1", ingress=[("-1", None, None, "0.0.0.0/0")])
    b.security_group("sg-b", "vpc-2", ingress=[("tcp", 22, 22, "10.0.0.0/16")])
    b.instance("i-fw", "subnet-fw", "10.0.9.10", groups=["sg-fw"], source_dest_check=source_dest_check)
    b.instance("i-a", "subnet-a", "10.0.1.10", tags={"Zone": "a"})
    b.instance("i-b", "subnet-b", "10.1.1.10", groups=["sg-b"], tags={"Zone": "b"})
    return b.build()


def test_appliance_route_is_over_approximated_and_says_so():
    result = one(with_firewall(source_dest_check=False), "a", "b")
    assert result.result == "unknown"
    [witness] = result.witnesses
    assert ("appliance", "eni-i-fw") in steps(witness)
    assert any("over-approximation" in d for d in witness.doubts)


def test_appliance_with_source_dest_check_on_forwards_nothing():
    assert one(with_firewall(source_dest_check=True), "a", "b").result == "pass"


def vpn(*, static: bool):
    b = EstateBuilder()
    b.vpc("vpc-1", "10.0.0.0/16")
    b.subnet("subnet-a", "vpc-1", "10.0.1.0/24")
    b.route_table("rtb-a", "vpc-1", subnets=["subnet-a"])
    b.add("vpn_gateways", VpnGateway(id="vgw-1", vpc_ids=("vpc-1",)))
    b.add("vpn_connections", VpnConnection(id="vpn-1", vpn_gateway_id="vgw-1", customer_gateway_id="cgw-1",
                                           static_routes=(ip_network("192.168.0.0/16"),) if static else (),
                                           static_routes_only=static))
    b.add("route_propagations", RoutePropagation(route_table_id="rtb-a", gateway_id="vgw-1"))
    b.security_group("sg-a", "vpc-1", ingress=[("tcp", 22, 22, "192.168.0.0/16")])
    b.instance("i-a", "subnet-a", "10.0.1.10", groups=["sg-a"], tags={"Zone": "a"})
    return b.build()


def test_on_premises_reaches_the_vpc_through_the_vpn_gateway():
    result = one(vpn(static=True), "on-premises", "a")
    assert result.result == "fail"
    [witness] = result.witnesses
    assert witness.service() == "tcp/22"
    assert witness.source.id == "on-premises" and witness.source.address == "192.168.0.0/16"
    assert steps(witness)[0] == ("vpn-gateway", "vgw-1")


def test_vpc_reaches_on_premises_over_propagated_static_vpn_routes():
    result = one(vpn(static=True), "a", "on-premises")
    assert result.result == "fail"
    assert ("on-premises", "vgw-1") in steps(result.witnesses[0])


def test_bgp_learned_prefixes_make_on_premises_paths_uncertain():
    result = one(vpn(static=False), "on-premises", "a")
    assert result.result == "unknown"


def test_reports_list_the_on_premises_assumption():
    from tests.scenario import check, policy_yaml
    result = check(vpn(static=True), policy_yaml({"a": "a"}, [("on-premises", "a", "no-access")]))
    assert any("on-premises networks" in a for a in result.assumptions)


def test_gateway_endpoint_leads_to_the_aws_service_not_into_the_estate():
    b = EstateBuilder()
    b.vpc("vpc-1", "10.0.0.0/16")
    b.subnet("subnet-a", "vpc-1", "10.0.1.0/24")
    b.prefix_list("pl-s3", ["52.216.0.0/15"], aws_managed=True)
    b.route_table("rtb-a", "vpc-1", subnets=["subnet-a"], routes=[("pl-s3", "vpce-s3")])
    b.add("vpc_endpoints", VpcEndpoint(id="vpce-s3", vpc_id="vpc-1", kind="gateway",
                                       service_name="com.amazonaws.us-east-1.s3", route_table_ids=("rtb-a",),
                                       prefix_list_id="pl-s3"))
    b.instance("i-a", "subnet-a", "10.0.1.10", tags={"Zone": "a"})
    result = one(b.build(), "a", "internet")
    assert result.result == "fail"
    assert ("vpc-endpoint", "vpce-s3") in steps(result.witnesses[0])
    assert result.witnesses[0].target.address == "52.216.0.0/15"


def test_stopped_instances_carry_no_traffic():
    b = EstateBuilder()
    b.vpc("vpc-1", "10.0.0.0/16")
    b.subnet("subnet-a", "vpc-1", "10.0.1.0/24")
    b.instance("i-a", "subnet-a", "10.0.1.10", tags={"Zone": "a"})
    b.instance("i-b", "subnet-a", "10.0.1.11", tags={"Zone": "b"}, state="stopped")
    assert one(b.build(), "a", "b").result == "pass"
