"""Each resource family, built with boto3 in moto, collected live and found in the snapshot as it should be.

One estate and one collection for the module (`estate.build` plus what the reference estate does not
have: IPv6, NAT and egress-only gateways, a gateway endpoint, a VPN gateway with Direct Connect, load
balancers); each test checks one family.
"""

from __future__ import annotations

import json
from ipaddress import ip_address, ip_network
from typing import Any

import boto3
import pytest

from tests.collect.aws.live import moto_extras
from tests.collect.aws.live.conftest import collect
from tests.collect.aws.live.estate import OFFICE, PRE_SHARED_KEY, REGION, WEB_PUBLIC_IP, Estate, build, tags
from zonecheck.collect.aws.live import LiveCollection
from zonecheck.model import Snapshot

ACCOUNT = "123456789012"  # moto's
DX_GATEWAY = "5f3c1d2e-0000-4000-8000-00000000dx01"


@pytest.fixture(scope="module")
def estate(moto: boto3.Session) -> Estate:
    e = build(moto)
    ec2, elbv2, elb = (moto.client(s, region_name=REGION) for s in ("ec2", "elbv2", "elb"))
    ec2.associate_vpc_cidr_block(VpcId=e["vpc-data"], CidrBlock="100.64.0.0/20")
    v6 = ec2.create_vpc(CidrBlock="10.40.0.0/16", AmazonProvidedIpv6CidrBlock=True,
                        TagSpecifications=tags("vpc", Name="v6"))["Vpc"]["VpcId"]
    e.ids["vpc-v6"] = v6
    e.ids["eigw"] = ec2.create_egress_only_internet_gateway(VpcId=v6)["EgressOnlyInternetGateway"][
        "EgressOnlyInternetGatewayId"]
    main_v6 = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [v6]}])["RouteTables"][0]["RouteTableId"]
    e.ids["rtb-main-v6"] = main_v6
    ec2.create_route(RouteTableId=main_v6, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=e["eigw"])
    # NAT gateway in the public subnet, used by the app VPC's main table
    nat_eip = ec2.allocate_address(Domain="vpc", Address="54.214.10.30")
    e.ids["nat"] = ec2.create_nat_gateway(SubnetId=e["subnet-public"], AllocationId=nat_eip["AllocationId"])[
        "NatGateway"]["NatGatewayId"]
    ec2.create_route(RouteTableId=e["rtb-main-app"], DestinationCidrBlock="0.0.0.0/0", NatGatewayId=e["nat"])
    e.ids["vpce-s3"] = ec2.create_vpc_endpoint(VpcId=e["vpc-app"], ServiceName=f"com.amazonaws.{REGION}.s3",
                                               VpcEndpointType="Gateway", RouteTableIds=[e["rtb-private"]])[
        "VpcEndpoint"]["VpcEndpointId"]
    # a VPN gateway on the data VPC, with a VPN and a Direct Connect gateway association
    e.ids["vgw"] = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpcId=e["vpc-data"], VpnGatewayId=e["vgw"])
    e.ids["vpn-vgw"] = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=e["cgw"], VpnGatewayId=e["vgw"],
                                                 Options={"StaticRoutesOnly": True})["VpnConnection"]["VpnConnectionId"]
    moto_extras.DX_GATEWAYS[ACCOUNT] = [{"directConnectGatewayId": DX_GATEWAY, "directConnectGatewayName": "corp",
                                         "amazonSideAsn": 64512, "ownerAccount": ACCOUNT,
                                         "directConnectGatewayState": "available"}]
    moto_extras.DX_ASSOCIATIONS[ACCOUNT] = [{
        "directConnectGatewayId": DX_GATEWAY, "directConnectGatewayOwnerAccount": ACCOUNT,
        "associationState": "associated", "associationId": "dxassoc-1",
        "associatedGateway": {"id": e["vgw"], "type": "virtualPrivateGateway", "ownerAccount": ACCOUNT, "region": REGION},
        "allowedPrefixesToDirectConnectGateway": [{"cidr": "10.20.0.0/16"}]}]
    # load balancers in front of the web instance
    e.ids["subnet-public-b"] = ec2.create_subnet(VpcId=e["vpc-app"], CidrBlock="10.10.3.0/24",
                                                 AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    lb = elbv2.create_load_balancer(Name="front", Subnets=[e["subnet-public"], e["subnet-public-b"]],
                                    SecurityGroups=[e["sg-web"]], Scheme="internet-facing", Type="application")[
        "LoadBalancers"][0]
    e.ids["alb"] = lb["LoadBalancerArn"]
    e.ids["tg"] = elbv2.create_target_group(Name="web", Protocol="HTTP", Port=8080, VpcId=e["vpc-app"],
                                            TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
    elbv2.register_targets(TargetGroupArn=e["tg"], Targets=[{"Id": e["i-web"], "Port": 8080}])
    e.ids["listener"] = elbv2.create_listener(LoadBalancerArn=e["alb"], Protocol="HTTP", Port=80, DefaultActions=[
        {"Type": "forward", "TargetGroupArn": e["tg"]}])["Listeners"][0]["ListenerArn"]
    elb.create_load_balancer(LoadBalancerName="legacy", Subnets=[e["subnet-public"]], SecurityGroups=[e["sg-web"]],
                             Listeners=[{"Protocol": "TCP", "LoadBalancerPort": 25, "InstanceProtocol": "TCP",
                                         "InstancePort": 2525}])
    elb.register_instances_with_load_balancer(LoadBalancerName="legacy", Instances=[{"InstanceId": e["i-web"]}])
    yield e
    moto_extras.DX_GATEWAYS.clear()
    moto_extras.DX_ASSOCIATIONS.clear()


@pytest.fixture(scope="module")
def collection(estate: Estate) -> LiveCollection:
    return collect()


@pytest.fixture(scope="module")
def snapshot(collection: LiveCollection) -> Snapshot:
    return collection.snapshot


def one(records: Any, record_id: str) -> Any:
    found = [r for r in records if r.id == record_id]
    assert len(found) == 1, f"{record_id} not found once in {[r.id for r in records]}"
    return found[0]


# -- the collection as a whole ----------------------------------------------------------------------------------


def test_a_complete_collection_has_nothing_incomplete_or_unsupported(snapshot: Snapshot) -> None:
    assert snapshot.incomplete == ()
    assert snapshot.unsupported == ()


def test_the_source_names_the_account_and_region(snapshot: Snapshot) -> None:
    assert snapshot.source.kind == "aws"
    assert snapshot.source.files == (f"{ACCOUNT}/{REGION}",)
    assert snapshot.source.sha256 and len(snapshot.source.sha256) == 64


def test_every_family_of_the_plan_is_read_once_per_scope(collection: LiveCollection) -> None:
    from zonecheck.collect.aws.live.plan import PLAN

    (scope,) = collection.scopes
    assert set(scope.items) == {f.name for f in PLAN}
    assert scope.denied == {}


# -- VPCs, subnets, routes, gateways ---------------------------------------------------------------------------


def test_vpcs_carry_account_region_and_every_associated_cidr(snapshot: Snapshot, estate: Estate) -> None:
    data = one(snapshot.vpcs, estate["vpc-data"])
    assert (data.account, data.region) == (ACCOUNT, REGION)
    assert set(data.cidrs) == {ip_network("10.20.0.0/16"), ip_network("100.64.0.0/20")}
    assert one(snapshot.vpcs, estate["vpc-app"]).tags == {"Name": "app"}
    assert len(one(snapshot.vpcs, estate["vpc-v6"]).ipv6_cidrs) == 1


def test_subnets_keep_their_vpc_cidr_and_zone(snapshot: Snapshot, estate: Estate) -> None:
    db2 = one(snapshot.subnets, estate["subnet-db2"])
    assert (db2.vpc_id, db2.cidr, db2.availability_zone) == (estate["vpc-data"], ip_network("10.20.2.0/24"), "us-east-1b")


def test_route_tables_keep_associations_main_flag_and_each_target(snapshot: Snapshot, estate: Estate) -> None:
    private = one(snapshot.route_tables, estate["rtb-private"])
    assert private.subnet_ids == (estate["subnet-private"],) and not private.is_main
    targets = {(str(r.destination), r.target, r.target_id) for r in private.routes if r.destination}
    assert {("10.20.0.0/16", "vpc-peering", estate["pcx"]), ("10.30.0.0/16", "transit-gateway", estate["tgw"]),
            ("10.10.0.0/16", "local", None)} <= targets
    assert any(r.destination_prefix_list_id and r.target_id == estate["vpce-s3"] for r in private.routes)
    assert one(snapshot.route_tables, estate["rtb-main-data"]).is_main
    public = one(snapshot.route_tables, estate["rtb-public"])
    assert ("0.0.0.0/0", "internet-gateway", estate["igw"]) in {(str(r.destination), r.target, r.target_id)
                                                               for r in public.routes}
    main_app = one(snapshot.route_tables, estate["rtb-main-app"])
    assert ("0.0.0.0/0", "nat-gateway", estate["nat"]) in {(str(r.destination), r.target, r.target_id)
                                                          for r in main_app.routes}


def test_internet_egress_only_and_nat_gateways(snapshot: Snapshot, estate: Estate) -> None:
    assert one(snapshot.internet_gateways, estate["igw"]).vpc_ids == (estate["vpc-app"],)
    assert one(snapshot.egress_only_internet_gateways, estate["eigw"]).vpc_id == estate["vpc-v6"]
    nat = one(snapshot.nat_gateways, estate["nat"])
    assert nat.subnet_id == estate["subnet-public"] and str(nat.public_ip) == "54.214.10.30"
    routes = one(snapshot.route_tables, estate["rtb-main-v6"]).routes
    assert any(r.target == "egress-only-internet-gateway" and str(r.destination) == "::/0" for r in routes)


def test_an_accepted_peering_is_active_between_both_vpcs(snapshot: Snapshot, estate: Estate) -> None:
    peering = one(snapshot.vpc_peerings, estate["pcx"])
    assert (peering.requester_vpc_id, peering.accepter_vpc_id, peering.status) == (
        estate["vpc-app"], estate["vpc-data"], "active")


# -- security groups, prefix lists, network ACLs ---------------------------------------------------------------


def test_the_default_group_admits_its_own_members(snapshot: Snapshot, estate: Estate) -> None:
    default = one(snapshot.security_groups, estate["sg-default-app"])
    assert default.is_default
    assert [r.security_group_id for r in default.ingress] == [estate["sg-default-app"]]


def test_group_references_and_prefix_list_rules_are_kept(snapshot: Snapshot, estate: Estate) -> None:
    (db_rule,) = one(snapshot.security_groups, estate["sg-db"]).ingress
    assert (db_rule.protocol, db_rule.from_port, db_rule.to_port, db_rule.security_group_id) == (
        6, 5432, 5432, estate["sg-app"])
    assert db_rule.id == f"{estate['sg-db']}/ingress/tcp:5432-5432/{estate['sg-app']}"
    web = one(snapshot.security_groups, estate["sg-web"])
    assert {r.prefix_list_id for r in web.ingress} == {None, estate["pl-office"]}


def test_managed_prefix_lists_come_with_their_entries(snapshot: Snapshot, estate: Estate) -> None:
    office = one(snapshot.prefix_lists, estate["pl-office"])
    assert (office.name, office.entries, office.aws_managed) == ("office", (ip_network(OFFICE),), False)
    s3 = next(p for p in snapshot.prefix_lists if p.name == f"com.amazonaws.{REGION}.s3")
    assert s3.aws_managed and s3.entries


def test_network_acls_keep_rule_order_actions_and_subnets(snapshot: Snapshot, estate: Estate) -> None:
    ops = one(snapshot.network_acls, estate["acl-ops"])
    assert ops.subnet_ids == (estate["subnet-ops"],) and not ops.is_default
    deny = next(r for r in ops.entries if r.rule_number == 90 and not r.egress)
    assert (deny.action, deny.protocol, deny.from_port, deny.to_port, str(deny.cidr)) == (
        "deny", 6, 22, 22, "10.10.2.0/24")
    assert one(snapshot.network_acls, estate["acl-default-data"]).is_default


# -- interfaces, instances, Elastic IPs, endpoints -------------------------------------------------------------


def test_instance_interfaces_carry_address_groups_and_owner_tags(snapshot: Snapshot, estate: Estate) -> None:
    app = one(snapshot.endpoints, estate["eni-app"])
    assert (app.kind, app.owner_id, app.subnet_id) == ("instance", estate["i-app"], estate["subnet-private"])
    assert app.private_ips == (ip_address(estate.addresses["app"]),)
    assert app.security_group_ids == (estate["sg-app"],)
    assert app.owner_tags["Zone"] == "app"
    assert one(snapshot.instances, estate["i-app"]).state == "running"


def test_an_elastic_ip_is_the_public_address_of_its_interface(snapshot: Snapshot, estate: Estate) -> None:
    assert ip_address(WEB_PUBLIC_IP) in one(snapshot.endpoints, estate["eni-web"]).public_ips


def test_a_gateway_endpoint_keeps_its_service_and_route_tables(snapshot: Snapshot, estate: Estate) -> None:
    vpce = one(snapshot.vpc_endpoints, estate["vpce-s3"])
    assert (vpce.kind, vpce.service_name, vpce.route_table_ids) == (
        "gateway", f"com.amazonaws.{REGION}.s3", (estate["rtb-private"],))
    assert vpce.prefix_list_id is not None


# -- transit gateway ---------------------------------------------------------------------------------------------


def test_transit_gateway_attachments_carry_their_subnets(snapshot: Snapshot, estate: Estate) -> None:
    tgw = one(snapshot.transit_gateways, estate["tgw"])
    assert (tgw.account, tgw.region) == (ACCOUNT, REGION)
    app = one(snapshot.transit_gateway_attachments, estate["tgw-attach-app"])
    assert (app.kind, app.resource_id, app.subnet_ids) == ("vpc", estate["vpc-app"], (estate["subnet-private"],))
    assert {a.kind for a in snapshot.transit_gateway_attachments} == {"vpc", "vpn"}


def test_transit_gateway_route_table_has_associations_propagations_and_static_routes(snapshot: Snapshot,
                                                                                     estate: Estate) -> None:
    table = one(snapshot.transit_gateway_route_tables, estate["tgw-rtb"])
    assert {estate["tgw-attach-app"], estate["tgw-attach-shared"]} <= set(table.associations)
    assert set(table.propagations) == {estate["tgw-attach-app"], estate["tgw-attach-shared"]}
    assert {(str(r.destination), r.attachment_ids, r.kind, r.state) for r in table.routes} == {
        ("10.10.0.0/16", (estate["tgw-attach-app"],), "static", "active"),
        ("10.30.0.0/16", (estate["tgw-attach-shared"],), "static", "active")}
    assert table.is_default_association and table.routes_complete


# -- VPN and Direct Connect --------------------------------------------------------------------------------------


def test_vpn_connections_gateways_and_customer_gateways(snapshot: Snapshot, estate: Estate) -> None:
    vpn = one(snapshot.vpn_connections, estate["vpn-vgw"])
    assert (vpn.vpn_gateway_id, vpn.customer_gateway_id) == (estate["vgw"], estate["cgw"])
    assert vpn.state == "available"
    assert one(snapshot.vpn_connections, estate["vpn"]).transit_gateway_id == estate["tgw"]
    assert one(snapshot.vpn_gateways, estate["vgw"]).vpc_ids == (estate["vpc-data"],)
    assert str(one(snapshot.customer_gateways, estate["cgw"]).ip_address) == "198.51.100.7"


def test_pre_shared_keys_never_leave_the_get_function(collection: LiveCollection) -> None:
    raw = json.dumps([s.items for s in collection.scopes])
    assert PRE_SHARED_KEY not in raw
    assert "CustomerGatewayConfiguration" not in raw and "PreSharedKey" not in raw
    assert "<pre_shared_key>" not in raw


def test_direct_connect_gateways_come_with_their_associations(snapshot: Snapshot, estate: Estate) -> None:
    dx = one(snapshot.direct_connect_gateways, DX_GATEWAY)
    assert (dx.name, dx.vpn_gateway_ids, dx.allowed_prefixes) == ("corp", (estate["vgw"],), (ip_network("10.20.0.0/16"),))


# -- managed services ----------------------------------------------------------------------------------------


def test_an_rds_instance_lives_in_every_subnet_of_its_group(snapshot: Snapshot, estate: Estate) -> None:
    (db,) = snapshot.rds_instances
    assert (db.identifier, db.engine, db.security_group_ids) == ("orders", "postgres", (estate["sg-db"],))
    assert set(db.subnet_ids) == {estate["subnet-db1"], estate["subnet-db2"]}
    placed = {e.subnet_id for e in snapshot.endpoints if e.kind == "rds" and e.owner_id == db.id}
    assert placed == {estate["subnet-db1"], estate["subnet-db2"]}
    assert one(snapshot.rds_instances, db.id).tags == {"Zone": "private-db"}


def test_an_application_load_balancer_forwards_to_its_registered_targets(snapshot: Snapshot, estate: Estate) -> None:
    lb = one(snapshot.load_balancers, estate["alb"])
    assert (lb.kind, lb.scheme, lb.security_group_ids) == ("application", "internet-facing", (estate["sg-web"],))
    (listener,) = lb.listeners
    assert (listener.protocol, listener.port, listener.target_group_ids) == ("HTTP", 80, (estate["tg"],))
    group = one(snapshot.target_groups, estate["tg"])
    assert group.targets_known and [(t.target_id, t.port) for t in group.targets] == [(estate["i-web"], 8080)]


def test_a_classic_load_balancer_becomes_a_listener_and_an_instance_group(snapshot: Snapshot, estate: Estate) -> None:
    legacy = one(snapshot.load_balancers, "legacy")
    assert legacy.kind == "classic" and [(lsn.port, lsn.target_group_ids) for lsn in legacy.listeners] == [
        (25, ("legacy/instances:2525",))]
    assert [t.target_id for t in one(snapshot.target_groups, "legacy/instances:2525").targets] == [estate["i-web"]]


# -- read-only, and the IAM policy that allows it ----------------------------------------------------------------


def test_a_full_collection_calls_only_read_only_operations(collection: LiveCollection) -> None:
    from zonecheck.collect.aws.live.clients import READ_ONLY_PREFIXES

    operations = {action.split(":", 1)[1] for action in collection.calls}
    assert operations and all(op.startswith(READ_ONLY_PREFIXES) for op in operations), operations


def test_every_operation_of_the_plan_is_called(collection: LiveCollection) -> None:
    from zonecheck.collect.aws.live.clients import iam_action
    from zonecheck.collect.aws.live.plan import PLAN

    assert {iam_action(f.service, op) for f in PLAN for op in f.operations} <= set(collection.calls)


def test_the_example_iam_policy_allows_exactly_what_the_collector_calls(moto: boto3.Session,
                                                                        collection: LiveCollection) -> None:
    from pathlib import Path

    from zonecheck.collect.aws.live.accounts import Account, regions_of
    from zonecheck.collect.aws.live.clients import Clients, ReadOnlyGuard

    policy = json.loads((Path(__file__).resolve().parents[4] / "examples" / "iam" / "zonecheck-readonly.json").read_text())
    allowed = {action for statement in policy["Statement"] if statement["Effect"] == "Allow"
               for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])}
    guard = ReadOnlyGuard()  # `--region all` also lists the regions
    regions_of(Account(id=ACCOUNT, session=moto), Clients(guard), REGION, ("all",))
    called = set(collection.calls) | guard.actions
    assert called - allowed == set(), "the policy misses these"
    assert allowed - called == set(), "the policy allows more than zonecheck calls"
