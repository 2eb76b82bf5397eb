"""Constructs zonecheck does not model (or cannot know exactly) on a possible path, built with boto3 in
moto and collected live: the verdict is `unknown` and names the construct, never `pass`.  The same small
site is built in three regions, each collected alone, so that each construct is the only difference.

    site 10.110.0.0/16: app 10.110.1/24, db 10.110.2/24 (tcp 5432 from 192.168.0.0/16 only)
      us-east-1  nothing more: app -> db passes; a Lambda function in the app subnet, group "fn", which db
                 admits (modelled: its interfaces are endpoints like any other, not an unsupported construct)
      us-east-2  a Gateway Load Balancer and its endpoint (how AWS Network Firewall and third-party firewalls
                 are put in the path): app routes 0.0.0.0/0 to the endpoint; the internet gateway has an
                 edge association (ingress routing through a route table)
      us-west-2  a virtual private gateway with a VPN connection (BGP: the on-premises prefixes are not known);
                 app routes 192.168.0.0/16 to it

Where moto differs from AWS: CreateVpnConnection ignores `Options` (so every VPN connection is dynamic, as
used here) and CreateVpnConnectionRoute / EnableVgwRoutePropagation are not implemented, so a static VPN
cannot be built.  AWS Network Firewall itself: moto's CreateFirewall makes no firewall endpoint to route
to (and refuses a route to an endpoint it does not know), and the live collector does not list firewalls
by design (`test_plan.py`: what puts a firewall on a path is a route to its endpoint, already unsupported);
a route to a Gateway Load Balancer endpoint, which is what a firewall endpoint is, is tested here.  Lambda
interfaces are made as AWS makes them by `moto_extras` (moto makes none).
"""

from __future__ import annotations

import io
import zipfile

import boto3
import pytest

from tests.collect.aws.live.scenarios.builder import Builder, allow, collect_regions, decide, hops
from zonecheck.engine.results import AssertionResult
from zonecheck.model import Snapshot

PLAIN, APPLIANCES, VPN = "us-east-1", "us-east-2", "us-west-2"

POLICY = """\
version: 1
zones:
  app: {match: [{tags: {Zone: site-app}}]}
  db: {match: [{tags: {Zone: site-db}}]}
assertions:
  - {name: app-cannot-reach-db, from: app, to: db, expect: no-access}
  - {name: app-cannot-reach-internet, from: app, to: internet, expect: no-access}
  - {name: on-premises-cannot-reach-db, from: on-premises, to: db, expect: no-access}
"""


def site(moto: boto3.Session, region: str) -> Builder:
    b = Builder(moto, region)
    b.vpc("site", "10.110.0.0/16")
    b.subnet("app", "site", "10.110.1.0/24")
    b.subnet("db", "site", "10.110.2.0/24")
    b.table("app", "site", "app")
    b.group("app", "site")
    b.group("db", "site", allow("tcp", 5432, cidr="192.168.0.0/16"))
    b.instance("app", "app", "app", zone="site-app")
    b.instance("db", "db", "db", zone="site-db")
    return b


@pytest.fixture(scope="module")
def plain(moto: boto3.Session) -> Builder:
    b = site(moto, PLAIN)
    b.group("fn", "site")
    b.ec2.authorize_security_group_ingress(GroupId=b["sg-db"], IpPermissions=[allow("tcp", 5432, group=b["sg-fn"])])
    role = moto.client("iam").create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("fn.py", "def handler(event, context):\n    return None\n")
    moto.client("lambda", region_name=PLAIN).create_function(
        FunctionName="resize", Runtime="python3.11", Role=role, Handler="fn.handler", Code={"ZipFile": code.getvalue()},
        VpcConfig={"SubnetIds": [b["subnet-app"]], "SecurityGroupIds": [b["sg-fn"]]})
    return b


@pytest.fixture(scope="module")
def appliances(moto: boto3.Session) -> Builder:
    b = site(moto, APPLIANCES)
    b.subnet("inspection", "site", "10.110.9.0/24")
    b.ids["gwlb"] = b.elbv2.create_load_balancer(Name="inspection", Type="gateway", Subnets=[b["subnet-inspection"]])[
        "LoadBalancers"][0]["LoadBalancerArn"]
    b.ids["vpce-gwlb"] = b.ec2.create_vpc_endpoint(
        VpcId=b["vpc-site"], VpcEndpointType="GatewayLoadBalancer", SubnetIds=[b["subnet-inspection"]],
        ServiceName=f"com.amazonaws.vpce.{APPLIANCES}.vpce-svc-0123456789abcdef0")["VpcEndpoint"]["VpcEndpointId"]
    b.route("app", "0.0.0.0/0", VpcEndpointId=b["vpce-gwlb"])
    b.igw("site", "site")
    b.table("ingress", "site")
    b.ec2.associate_route_table(RouteTableId=b["rtb-ingress"], GatewayId=b["igw-site"])
    return b


@pytest.fixture(scope="module")
def vpn(moto: boto3.Session) -> Builder:
    b = site(moto, VPN)
    b.ids["vgw"] = b.ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    b.ec2.attach_vpn_gateway(VpcId=b["vpc-site"], VpnGatewayId=b["vgw"])
    b.ids["cgw"] = b.ec2.create_customer_gateway(Type="ipsec.1", PublicIp="198.51.100.7", BgpAsn=65010)[
        "CustomerGateway"]["CustomerGatewayId"]
    b.ids["vpn"] = b.ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=b["cgw"], VpnGatewayId=b["vgw"])[
        "VpnConnection"]["VpnConnectionId"]
    b.route("app", "192.168.0.0/16", GatewayId=b["vgw"])
    return b


def collected(region: str, policy: str = POLICY) -> tuple[Snapshot, dict[str, AssertionResult]]:
    snapshot = collect_regions(region).snapshot
    return snapshot, decide(snapshot, policy)


@pytest.fixture(scope="module")
def plain_site(plain: Builder) -> tuple[Snapshot, dict[str, AssertionResult]]:
    policy = POLICY.replace("zones:\n", f"zones:\n  fn: {{match: [{{security_group: {plain['sg-fn']}}}]}}\n") + \
        "  - {name: fn-cannot-reach-db, from: fn, to: db, expect: no-access}\n"
    return collected(PLAIN, policy)


@pytest.fixture(scope="module")
def appliance_site(appliances: Builder) -> tuple[Snapshot, dict[str, AssertionResult]]:
    return collected(APPLIANCES)


@pytest.fixture(scope="module")
def vpn_site(vpn: Builder) -> tuple[Snapshot, dict[str, AssertionResult]]:
    return collected(VPN)


def verdicts(results: dict[str, AssertionResult]) -> dict[str, str]:
    return {name: r.result for name, r in results.items()}


def test_without_such_constructs_the_site_passes(plain_site: tuple[Snapshot, dict[str, AssertionResult]]) -> None:
    snapshot, results = plain_site
    assert (snapshot.incomplete, snapshot.unsupported) == ((), ())
    assert verdicts(results) == {"app-cannot-reach-db": "pass", "app-cannot-reach-internet": "pass",
                                 "on-premises-cannot-reach-db": "pass", "fn-cannot-reach-db": "fail"}


def test_a_lambda_function_in_a_vpc_is_modelled_through_its_interfaces(
        plain_site: tuple[Snapshot, dict[str, AssertionResult]], plain: Builder) -> None:
    snapshot, results = plain_site
    (interface,) = [e for e in snapshot.endpoints if e.kind == "lambda"]
    assert (interface.owner_id, interface.subnet_id, interface.security_group_ids) == (
        "resize", plain["subnet-app"], (plain["sg-fn"],))
    (witness,) = results["fn-cannot-reach-db"].witnesses
    assert witness.source.id == interface.id and witness.certain
    path = hops(witness)
    assert path[0] == ("sg-egress", plain["sg-fn"], "egress all to 0.0.0.0/0")
    assert path[-1] == ("sg-ingress", plain["sg-db"], f"ingress tcp 5432 from {plain['sg-fn']}")


def test_a_route_through_a_gateway_load_balancer_endpoint_is_unknown_and_names_it(
        appliance_site: tuple[Snapshot, dict[str, AssertionResult]], appliances: Builder) -> None:
    _, results = appliance_site
    out = results["app-cannot-reach-internet"]
    assert out.result == "unknown"
    (witness,) = out.witnesses
    assert not witness.certain
    assert witness.doubts == (f"vpc-endpoint {appliances['vpce-gwlb']}: zonecheck does not model where it forwards",)
    assert hops(witness)[1:] == [
        ("route", appliances["rtb-app"], f"0.0.0.0/0 -> {appliances['vpce-gwlb']}"),
        ("unsupported", appliances["vpce-gwlb"], "vpc-endpoint (over-approximated: may deliver anywhere)")]
    named = [r for r in out.reasons if r.startswith("not modelled: ")]
    assert any(r.startswith(f"not modelled: gateway-load-balancer-endpoint {appliances['vpce-gwlb']} ") for r in named)
    assert any(r.startswith(f"not modelled: route-to-gateway-load-balancer-endpoint {appliances['rtb-app']} ")
               for r in named)


def test_an_unmodelled_construct_keeps_every_verdict_of_the_estate_from_passing(
        appliance_site: tuple[Snapshot, dict[str, AssertionResult]], appliances: Builder) -> None:
    snapshot, results = appliance_site
    assert {(u.kind, u.resource) for u in snapshot.unsupported} == {
        ("gateway-load-balancer", appliances["gwlb"]), ("gateway-load-balancer-endpoint", appliances["vpce-gwlb"]),
        ("route-to-gateway-load-balancer-endpoint", appliances["rtb-app"]), ("gateway-route-table", appliances["rtb-ingress"])}
    local = results["app-cannot-reach-db"]  # passes on the plain site: nothing on its path differs
    assert (local.result, local.witnesses) == ("unknown", ())
    assert any(r.startswith(f"not modelled: gateway-route-table {appliances['rtb-ingress']} (") and "ingress routing" in r
               for r in local.reasons)


def test_on_premises_prefixes_learned_over_bgp_leave_the_vpn_path_unknown(
        vpn_site: tuple[Snapshot, dict[str, AssertionResult]], vpn: Builder) -> None:
    snapshot, results = vpn_site
    (connection,) = snapshot.vpn_connections
    assert (connection.id, connection.vpn_gateway_id, connection.static_routes_only) == (vpn["vpn"], vpn["vgw"], False)
    inbound = results["on-premises-cannot-reach-db"]
    assert inbound.result == "unknown"
    (witness,) = inbound.witnesses
    assert witness.source.id == "on-premises" and (witness.protocol, witness.port_range) == ("tcp", (5432, 5432))
    assert witness.doubts == ("on-premises prefixes are learned over BGP and not in the source",)
    assert hops(witness)[0] == ("vpn-gateway", vpn["vgw"], f"from on-premises into {vpn['vpc-site']}")
    assert hops(witness)[-1] == ("sg-ingress", vpn["sg-db"], "ingress tcp 5432 from 192.168.0.0/16")
    assert verdicts(results)["app-cannot-reach-db"] == "pass"  # modelled, so what does not touch it still passes


def test_aws_network_firewall(moto: boto3.Session, plain: Builder) -> None:
    firewalls = moto.client("network-firewall", region_name=PLAIN)
    firewalls.create_firewall(FirewallName="edge", VpcId=plain["vpc-site"], SubnetMappings=[{"SubnetId": plain["subnet-db"]}],
                              FirewallPolicyArn=f"arn:aws:network-firewall:{PLAIN}:123456789012:firewall-policy/edge")
    status = firewalls.describe_firewall(FirewallName="edge")["FirewallStatus"]
    if not status.get("SyncStates"):
        pytest.skip("moto: CreateFirewall makes no firewall endpoint (FirewallStatus has no SyncStates), so no route "
                    "can send traffic through it; routes to a Gateway Load Balancer endpoint, which is what a firewall "
                    "endpoint is, are tested above")
    pytest.fail("moto now makes firewall endpoints: route through one and assert the verdict names it")
