"""`load_aws_dump`: layouts, merging, what is noted, what is incomplete, and bad input."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Callable

import pytest

from zonecheck.collect.aws import load_aws_dump
from zonecheck.collect.errors import CollectError
from zonecheck.model import Incomplete, from_json_text, to_json

from . import responses as r

Dump = dict[str, Any]
Writer = Callable[..., Path]


def complete_dump(prefix: str = "") -> Dump:
    """The smallest dump that leaves nothing the engine needs unknown."""
    return {
        f"{prefix}Vpcs.json": {"Vpcs": r.DESCRIBE_VPCS[:1]},
        f"{prefix}Subnets.json": {"Subnets": r.DESCRIBE_SUBNETS},
        f"{prefix}RouteTables.json": {"RouteTables": [r.DESCRIBE_ROUTE_TABLES[0]]},
        f"{prefix}NetworkAcls.json": {"NetworkAcls": [{**r.DESCRIBE_NETWORK_ACLS[0], "IsDefault": True}]},
        f"{prefix}SecurityGroups.json": {"SecurityGroups": [
            {"GroupId": "sg-web", "VpcId": "vpc-0a1", "GroupName": "web"},
            {"GroupId": "sg-default", "VpcId": "vpc-0a1", "GroupName": "default"}]},
        f"{prefix}NetworkInterfaces.json": {"NetworkInterfaces": [r.DESCRIBE_NETWORK_INTERFACES[0], r.DESCRIBE_NETWORK_INTERFACES[7]]},
        f"{prefix}Reservations.json": {"Reservations": r.DESCRIBE_INSTANCES},
        f"{prefix}TransitGateways.json": {"TransitGateways": r.DESCRIBE_TRANSIT_GATEWAYS},
        f"{prefix}TransitGatewayAttachments.json": {"TransitGatewayAttachments": r.DESCRIBE_TRANSIT_GATEWAY_ATTACHMENTS[:1]},
        f"{prefix}TransitGatewayRouteTables.json": {"TransitGatewayRouteTables": r.DESCRIBE_TRANSIT_GATEWAY_ROUTE_TABLES[:1]},
        f"{prefix}TransitGatewayPropagations.json": {"TransitGatewayPropagations": r.TRANSIT_GATEWAY_PROPAGATIONS[:1]},
        f"{prefix}TransitGatewayStaticRoutes.json": {"TransitGatewayStaticRoutes": [
            {"TransitGatewayRouteTableId": "tgw-rtb-a", "Routes": []}]},
        f"{prefix}VpnGateways.json": {"VpnGateways": r.DESCRIBE_VPN_GATEWAYS},
        f"{prefix}VpnConnections.json": {"VpnConnections": r.DESCRIBE_VPN_CONNECTIONS[1:2]},
        f"{prefix}DBInstances.json": {"DBInstances": []},
    }


@pytest.fixture
def write_dump(tmp_path: Path) -> Writer:
    def write(files: Dump, root: str = "dump") -> Path:
        base = tmp_path / root
        base.mkdir(parents=True, exist_ok=True)
        for rel, content in files.items():
            path = base / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content if isinstance(content, str) else json.dumps(content, indent=1))
        return base
    return write


# -- layouts -------------------------------------------------------------------------------------------------


def test_a_complete_flat_dump_has_nothing_incomplete(write_dump: Writer) -> None:
    snapshot = load_aws_dump(write_dump(complete_dump()))
    assert snapshot.incomplete == ()
    assert snapshot.source.kind == "aws-dump"


def test_a_zone_tag_on_a_vpc_endpoint_reaches_its_described_interface(write_dump: Writer) -> None:
    """Regression: only the stand-ins made for undescribed endpoint interfaces carried the endpoint's tags."""
    files = complete_dump()
    files["NetworkInterfaces.json"]["NetworkInterfaces"].append(
        next(e for e in r.DESCRIBE_NETWORK_INTERFACES if e["NetworkInterfaceId"] == "eni-vpce"))
    ssm = next(v for v in r.DESCRIBE_VPC_ENDPOINTS if v["VpcEndpointId"] == "vpce-0ssm")
    files["VpcEndpoints.json"] = {"VpcEndpoints": [{**ssm, "Tags": [{"Key": "Zone", "Value": "ssm"}]}]}
    interface = next(e for e in load_aws_dump(write_dump(files)).endpoints if e.id == "eni-vpce")
    assert (interface.kind, interface.owner_id, interface.owner_tags) == ("vpc-endpoint", "vpce-0ssm", {"Zone": "ssm"})


def test_flat_layout_takes_account_from_owner_ids_and_region_from_subnet_zones(write_dump: Writer) -> None:
    (vpc,) = load_aws_dump(write_dump(complete_dump())).vpcs
    assert (vpc.account, vpc.region) == (r.ACCOUNT, "us-east-1")


def test_region_directories_give_the_region(write_dump: Writer) -> None:
    files = {**complete_dump("eu-west-3/"), "eu-west-3/Vpcs.json": {"Vpcs": [{"VpcId": "vpc-0a1", "CidrBlock": "10.0.0.0/16"}]}}
    (vpc,) = load_aws_dump(write_dump(files)).vpcs
    assert vpc.region == "eu-west-3"


def test_account_and_region_directories_give_both(write_dump: Writer) -> None:
    files = {"accounts/111/us-west-1/Vpcs.json": {"Vpcs": [{"VpcId": "vpc-a", "CidrBlock": "10.1.0.0/16"}]},
             "222222222222/us-west-2/Vpcs.json": {"Vpcs": [{"VpcId": "vpc-b", "CidrBlock": "10.2.0.0/16"}]}}
    snapshot = load_aws_dump(write_dump(files))
    assert {(v.id, v.account, v.region) for v in snapshot.vpcs} == {("vpc-a", "111", "us-west-1"),
                                                                     ("vpc-b", "222222222222", "us-west-2")}
    assert {i.scope for i in snapshot.incomplete if i.family == "subnet"} == {"111/us-west-1", "222222222222/us-west-2"}


def test_files_are_recognised_by_their_top_level_key_not_their_name(write_dump: Writer) -> None:
    renamed = load_aws_dump(write_dump({f"part-{i}.json": c for i, c in enumerate(complete_dump().values())}, "renamed"))
    named = load_aws_dump(write_dump(complete_dump(), "named"))
    assert renamed.source.files != named.source.files
    assert renamed.model_copy(update={"source": named.source}) == named


# -- merging -------------------------------------------------------------------------------------------------


def test_two_files_of_one_family_are_merged(write_dump: Writer) -> None:
    files = complete_dump()
    files["Subnets.json"] = {"Subnets": r.DESCRIBE_SUBNETS[:1], "NextToken": "page-2"}
    files["Subnets-page2.json"] = {"Subnets": r.DESCRIBE_SUBNETS[1:], "NextToken": None}
    snapshot = load_aws_dump(write_dump(files))
    assert {s.id for s in snapshot.subnets} == {"subnet-0a1", "subnet-0a2"}
    assert snapshot.incomplete == ()


def test_an_item_repeated_in_two_files_counts_once(write_dump: Writer) -> None:
    files = complete_dump()
    files["more-vpcs.json"] = {"Vpcs": r.DESCRIBE_VPCS[:1]}
    assert len(load_aws_dump(write_dump(files)).vpcs) == 1


def test_a_family_whose_last_page_is_missing_is_incomplete(write_dump: Writer) -> None:
    files = complete_dump()
    files["Subnets.json"] = {"Subnets": r.DESCRIBE_SUBNETS, "NextToken": "there-is-more"}
    snapshot = load_aws_dump(write_dump(files))
    assert [(i.family, i.scope) for i in snapshot.incomplete] == [("subnet", f"{r.ACCOUNT}/us-east-1")]


def test_a_resource_seen_from_two_accounts_is_one_record_with_merged_tags(write_dump: Writer) -> None:
    pcx = r.DESCRIBE_VPC_PEERING_CONNECTIONS[0]
    files = {"111111111111/us-east-1/VpcPeeringConnections.json": {"VpcPeeringConnections": [
                 {**pcx, "Tags": [{"Key": "Name", "Value": "r"}]}]},
             "222222222222/us-east-1/VpcPeeringConnections.json": {"VpcPeeringConnections": [
                 {**pcx, "Tags": [{"Key": "Name", "Value": "a"}, {"Key": "Owner", "Value": "partner"}]}]}}
    (peering,) = load_aws_dump(write_dump(files)).vpc_peerings
    assert peering.tags == {"Name": "r", "Owner": "partner"}


# -- notes, incomplete and unsupported -----------------------------------------------------------------------


def test_an_unrelated_file_is_noted_and_ignored(write_dump: Writer) -> None:
    files = {**complete_dump(), "AvailabilityZones.json": {"AvailabilityZones": [{"ZoneName": "us-east-1a"}]},
             "ElasticsearchDomains.json": {"DomainStatusList": []}}
    snapshot = load_aws_dump(write_dump(files))
    assert "AvailabilityZones.json: ignored, not a response zonecheck reads (top-level keys: AvailabilityZones)" in snapshot.notes
    assert any(n.startswith("ElasticsearchDomains.json: ignored") for n in snapshot.notes)
    assert snapshot.incomplete == ()


def test_a_missing_network_acls_file_makes_the_scope_incomplete(write_dump: Writer) -> None:
    files = complete_dump()
    del files["NetworkAcls.json"]
    snapshot = load_aws_dump(write_dump(files))
    assert snapshot.incomplete == (Incomplete(family="network-acl", scope=f"{r.ACCOUNT}/us-east-1",
                                              reason="no describe-network-acls file in the dump"),)


def test_a_missing_route_target_family_is_incomplete_only_when_a_route_uses_it(write_dump: Writer) -> None:
    files = complete_dump()
    files["RouteTables.json"] = {"RouteTables": r.DESCRIBE_ROUTE_TABLES[:2]}
    families = {(i.family, i.reason) for i in load_aws_dump(write_dump(files)).incomplete}
    assert ("internet-gateway", "no describe-internet-gateways file in the dump") in families
    assert ("vpc-peering", "no describe-vpc-peering-connections file in the dump") in families
    assert not any(f == "nat-gateway" for f, _ in families)  # its route is a blackhole: nothing to know


def test_a_route_to_a_gateway_absent_from_its_file_is_incomplete_for_that_gateway(write_dump: Writer) -> None:
    files = {**complete_dump(), "InternetGateways.json": {"InternetGateways": []}}
    files["RouteTables.json"] = {"RouteTables": [r.DESCRIBE_ROUTE_TABLES[0], {
        "RouteTableId": "rtb-x", "VpcId": "vpc-0a1",
        "Routes": [{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-ghost", "State": "active"}]}]}
    (gap,) = load_aws_dump(write_dump(files)).incomplete
    assert (gap.family, gap.scope) == ("internet-gateway", "igw-ghost")


def test_a_transit_gateway_table_without_route_search_results_is_incomplete(write_dump: Writer) -> None:
    files = complete_dump()
    del files["TransitGatewayStaticRoutes.json"]
    snapshot = load_aws_dump(write_dump(files))
    assert [(i.family, i.scope) for i in snapshot.incomplete] == [("transit-gateway-route", "tgw-rtb-a")]
    assert not snapshot.transit_gateway_route_tables[0].routes_complete


def test_interfaces_of_a_stopped_instance_carry_no_traffic_and_are_noted(write_dump: Writer) -> None:
    snapshot = load_aws_dump(write_dump(complete_dump()))
    endpoint = next(e for e in snapshot.endpoints if e.id == "eni-stopped")
    assert endpoint.state == "stopped"
    assert "i-stopped is stopped: kept, but its interfaces carry no traffic" in snapshot.notes
    assert {i.id: i.state for i in snapshot.instances}["i-gone"] == "terminated"


def test_without_a_network_interfaces_file_endpoints_come_from_instances_and_the_gap_is_recorded(write_dump: Writer) -> None:
    files = complete_dump()
    del files["NetworkInterfaces.json"]
    snapshot = load_aws_dump(write_dump(files))
    assert {e.id for e in snapshot.endpoints} == {"eni-web", "eni-stopped"}
    assert [i.family for i in snapshot.incomplete] == ["network-interface"]


def test_hybrid_records_gateway_load_balancers_and_rds_stand_ins(write_dump: Writer) -> None:
    files = {**complete_dump(), "CustomerGateways.json": {"CustomerGateways": r.DESCRIBE_CUSTOMER_GATEWAYS},
             "dx.json": {"directConnectGateways": r.DESCRIBE_DIRECT_CONNECT_GATEWAYS},
             "VpcEndpoints.json": {"VpcEndpoints": r.DESCRIBE_VPC_ENDPOINTS[2:]},
             "DBInstances.json": {"DBInstances": r.DESCRIBE_DB_INSTANCES[:1]}}
    snapshot = load_aws_dump(write_dump(files))
    assert [c.id for c in snapshot.customer_gateways] == ["cgw-01"] and len(snapshot.direct_connect_gateways) == 1
    assert [v.id for v in snapshot.vpn_gateways] == ["vgw-01"] and [v.id for v in snapshot.vpn_connections] == ["vpn-02"]
    assert ("vpce-gwlb", "gateway-load-balancer-endpoint") in {(u.resource, u.kind) for u in snapshot.unsupported}
    assert {e.id for e in snapshot.endpoints if e.kind == "rds"} == {"db-ORDERS@subnet-0a2", "db-ORDERS@subnet-0a3"}
    assert ("subnet", "subnet-0a3") in {(i.family, i.scope) for i in snapshot.incomplete}


def test_a_gateway_endpoint_learns_its_prefix_list_from_the_service_name(write_dump: Writer) -> None:
    files = {**complete_dump(), "VpcEndpoints.json": {"VpcEndpoints": r.DESCRIBE_VPC_ENDPOINTS[:1]},
             "PrefixLists.json": {"PrefixLists": r.DESCRIBE_PREFIX_LISTS}}
    (vpce,) = load_aws_dump(write_dump(files)).vpc_endpoints
    assert vpce.prefix_list_id == "pl-63a5400a"


def test_the_vpn_tunnel_keys_never_reach_the_snapshot(write_dump: Writer) -> None:
    files = {**complete_dump(), "VpnConnections.json": {"VpnConnections": r.DESCRIBE_VPN_CONNECTIONS}}
    assert "NEVER-SHOW-ME" not in to_json(load_aws_dump(write_dump(files)))


# -- source and determinism ----------------------------------------------------------------------------------


def test_source_lists_relative_paths_and_hashes_them_with_their_content(write_dump: Writer) -> None:
    root = write_dump(complete_dump("us-east-1/"))
    snapshot = load_aws_dump(root)
    assert snapshot.source.files == tuple(sorted(f"us-east-1/{name}" for name in complete_dump()))
    lines = "".join(f"{rel}\t{hashlib.sha256((root / rel).read_bytes()).hexdigest()}\n" for rel in snapshot.source.files)
    assert snapshot.source.sha256 == hashlib.sha256(lines.encode()).hexdigest()


def test_same_dump_gives_byte_identical_snapshots(write_dump: Writer) -> None:
    assert to_json(load_aws_dump(write_dump(complete_dump(), "a"))) == to_json(load_aws_dump(write_dump(complete_dump(), "a")))


# -- bad input -----------------------------------------------------------------------------------------------


def refusal(root: Path | str) -> str:
    with pytest.raises(CollectError) as caught:
        load_aws_dump(root)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_invalid_json_names_the_file(write_dump: Writer) -> None:
    root = write_dump({**complete_dump(), "us-east-1/Broken.json": '{"Vpcs": [}'})
    assert refusal(root).startswith(f"{root / 'us-east-1' / 'Broken.json'}: not valid JSON")


def test_a_file_that_is_a_list_names_the_file(write_dump: Writer) -> None:
    root = write_dump({"Vpcs.json": [{"VpcId": "vpc-1"}]})
    assert refusal(root) == (f"{root / 'Vpcs.json'}: a describe-* response is a JSON object such as "
                             '{"Vpcs": [...]}, found a list')


def test_a_family_that_is_not_a_list_names_the_file_and_key(write_dump: Writer) -> None:
    root = write_dump({"Vpcs.json": {"Vpcs": {"VpcId": "vpc-1"}}})
    assert refusal(root) == f"{root / 'Vpcs.json'}: Vpcs must be a list of objects, found an object"


def test_an_invalid_value_names_the_file_and_the_resource(write_dump: Writer) -> None:
    files = complete_dump()
    files["SecurityGroups.json"] = {"SecurityGroups": [{"GroupId": "sg-bad", "VpcId": "vpc-0a1", "IpPermissions": [
        {"IpProtocol": "tcp", "FromPort": 1, "ToPort": 2, "IpRanges": [{"CidrIp": "10.0.0.0/99"}]}]}]}
    root = write_dump(files)
    assert refusal(root) == (f"{root / 'SecurityGroups.json'}: sg-bad: IpRanges[].CidrIp must be a CIDR block, "
                             "found '10.0.0.0/99'")


def test_an_invalid_instance_inside_a_reservation_names_the_file(write_dump: Writer) -> None:
    files = complete_dump()
    files["Reservations.json"] = {"Reservations": [{"Instances": [
        {"InstanceId": "i-bad", "SubnetId": "subnet-0a1", "PrivateIpAddress": "10.0.1.999"}]}]}
    root = write_dump(files)
    assert refusal(root).startswith(f"{root / 'Reservations.json'}: i-bad: PrivateIpAddress must be an IPv4 address")


def test_a_directory_that_does_not_exist(tmp_path: Path) -> None:
    assert refusal(tmp_path / "nowhere") == f"{tmp_path / 'nowhere'}: no such directory"


def test_a_file_instead_of_a_directory(tmp_path: Path) -> None:
    (tmp_path / "Vpcs.json").write_text("{}")
    assert "not a directory" in refusal(tmp_path / "Vpcs.json")


def test_a_directory_without_any_recognisable_file(write_dump: Writer) -> None:
    root = write_dump({"AvailabilityZones.json": {"AvailabilityZones": []}, "notes.txt": "hello"})
    assert refusal(root).startswith(f"{root}: no describe-* response found")


# -- other shapes a dump may hold ----------------------------------------------------------------------------


def test_prefix_list_entries_of_one_list_need_the_list_id_beside_them(write_dump: Writer) -> None:
    files = {**complete_dump(), "ManagedPrefixLists.json": {"ManagedPrefixLists": r.DESCRIBE_MANAGED_PREFIX_LISTS[:2]},
             "entries-office.json": {"PrefixListId": "pl-0123456789abcdef0", "Entries": [{"Cidr": "198.51.100.0/24"}]},
             "entries-unknown.json": {"Entries": [{"Cidr": "192.0.2.0/24"}]}}
    snapshot = load_aws_dump(write_dump(files))
    lists = {p.id: p.entries for p in snapshot.prefix_lists}
    assert lists["pl-0123456789abcdef0"] is not None and len(lists["pl-0123456789abcdef0"]) == 1
    assert lists["pl-0fedcba9876543210"] is None
    assert "entries-unknown.json: ignored Entries: the file does not say which PrefixListId they belong to" in snapshot.notes


def test_instances_outside_reservations_are_read_too(write_dump: Writer) -> None:
    files = complete_dump()
    files["Reservations.json"] = {"Instances": r.DESCRIBE_INSTANCES[0]["Instances"]}
    assert {i.id for i in load_aws_dump(write_dump(files)).instances} == {"i-web", "i-stopped", "i-gone"}


def test_load_balancers_listeners_targets_and_the_listener_rules_over_approximation(write_dump: Writer) -> None:
    files = {**complete_dump(), "LoadBalancers.json": {"LoadBalancers": r.DESCRIBE_LOAD_BALANCERS},
             "Listeners.json": {"Listeners": r.DESCRIBE_LISTENERS},
             "TargetGroups.json": {"TargetGroups": r.DESCRIBE_TARGET_GROUPS},
             "health-web.json": {"TargetGroupArn": r.TG_WEB, "TargetHealthDescriptions": r.TARGET_HEALTH[0]["TargetHealthDescriptions"]},
             "classic.json": {"LoadBalancerDescriptions": r.DESCRIBE_CLASSIC_LOAD_BALANCERS}}
    snapshot = load_aws_dump(write_dump(files))
    balancers = {b.id: b for b in snapshot.load_balancers}
    assert set(balancers) == {r.ALB_ARN, "legacy"}
    https = next(listener for listener in balancers[r.ALB_ARN].listeners if listener.port == 443)
    assert https.target_group_ids == tuple(sorted((r.TG_WEB, r.TG_API, r.TG_BLUE)))  # rules unknown: every attached group
    assert any("listener rules are not in the source" in n for n in snapshot.notes)
    groups = {g.id: g for g in snapshot.target_groups}
    assert groups[r.TG_WEB].targets_known and not groups[r.TG_API].targets_known
    assert "legacy/instances:8080" in groups


def test_load_balancer_interfaces_without_load_balancers_are_incomplete(write_dump: Writer) -> None:
    files = complete_dump()
    files["NetworkInterfaces.json"] = {"NetworkInterfaces": [r.DESCRIBE_NETWORK_INTERFACES[2]]}
    assert ("load-balancer", "elbv2 describe-load-balancers") in {
        (i.family, i.reason.split(" file")[0].removeprefix("no ")) for i in load_aws_dump(write_dump(files)).incomplete}


def test_a_shared_transit_gateway_whose_owner_is_not_in_the_dump_has_unknown_route_tables(write_dump: Writer) -> None:
    files = complete_dump()
    files["TransitGatewayRouteTables.json"] = {"TransitGatewayRouteTables": []}
    files["TransitGatewayPropagations.json"] = {"TransitGatewayPropagations": []}
    files["TransitGatewayStaticRoutes.json"] = {"TransitGatewayStaticRoutes": []}
    gaps = {(i.family, i.scope): i.reason for i in load_aws_dump(write_dump(files)).incomplete}
    assert gaps == {("transit-gateway-route-table", "tgw-01"):
                    f"no route table of tgw-01 is in the source (only its owner account {r.ACCOUNT} can describe them)"}


def test_vpc_lambda_functions_without_interfaces_and_network_firewalls_are_unsupported(write_dump: Writer) -> None:
    files = {**complete_dump(),
             "Functions.json": {"Functions": [{"FunctionName": "resize", "FunctionArn": "arn:aws:lambda:us-east-1:1:function:resize",
                                               "VpcConfig": {"SubnetIds": ["subnet-0a2"], "SecurityGroupIds": ["sg-web"]}},
                                              {"FunctionName": "no-vpc"}]},
             "firewall.json": {"Firewall": {"FirewallName": "inspection", "VpcId": "vpc-0a1"}, "FirewallStatus": {}}}
    del files["NetworkInterfaces.json"]
    kinds = {(u.resource, u.kind) for u in load_aws_dump(write_dump(files)).unsupported}
    assert kinds == {("arn:aws:lambda:us-east-1:1:function:resize", "lambda-function"), ("inspection", "network-firewall")}


def test_security_group_rules_alone_build_groups_placed_by_the_interfaces_using_them(write_dump: Writer) -> None:
    files = complete_dump()
    del files["SecurityGroups.json"]
    files["SecurityGroupRules.json"] = {"SecurityGroupRules": [
        {**rule, "GroupId": "sg-web"} for rule in r.DESCRIBE_SECURITY_GROUP_RULES[:2]] + r.DESCRIBE_SECURITY_GROUP_RULES[2:]}
    snapshot = load_aws_dump(write_dump(files))
    (web,) = snapshot.security_groups
    assert (web.id, web.vpc_id, len(web.ingress), len(web.egress)) == ("sg-web", "vpc-0a1", 1, 1)
    assert {(i.family, i.scope) for i in snapshot.incomplete} >= {("security-group", "sg-db"), ("security-group", "sg-default")}


def test_a_file_with_a_byte_order_mark_is_read(write_dump: Writer) -> None:
    root = write_dump(complete_dump())
    (root / "Vpcs.json").write_bytes(b"\xef\xbb\xbf" + json.dumps({"Vpcs": r.DESCRIBE_VPCS[:1]}).encode())
    assert [v.id for v in load_aws_dump(root).vpcs] == ["vpc-0a1"]


def test_a_dump_of_every_family_reads_back_as_a_consistent_snapshot(write_dump: Writer) -> None:
    files = {**complete_dump(),
             "RouteTables.json": {"RouteTables": r.DESCRIBE_ROUTE_TABLES},
             "NetworkAcls.json": {"NetworkAcls": [{**r.DESCRIBE_NETWORK_ACLS[0], "IsDefault": True}]},
             "SecurityGroups.json": {"SecurityGroups": r.DESCRIBE_SECURITY_GROUPS},
             "SecurityGroupRules.json": {"SecurityGroupRules": r.DESCRIBE_SECURITY_GROUP_RULES},
             "NetworkInterfaces.json": {"NetworkInterfaces": r.DESCRIBE_NETWORK_INTERFACES},
             "Addresses.json": {"Addresses": r.DESCRIBE_ADDRESSES},
             "DBInstances.json": {"DBInstances": r.DESCRIBE_DB_INSTANCES},
             "InternetGateways.json": {"InternetGateways": r.DESCRIBE_INTERNET_GATEWAYS},
             "EgressOnlyInternetGateways.json": {"EgressOnlyInternetGateways": r.DESCRIBE_EGRESS_ONLY_INTERNET_GATEWAYS},
             "NatGateways.json": {"NatGateways": r.DESCRIBE_NAT_GATEWAYS},
             "VpcPeeringConnections.json": {"VpcPeeringConnections": r.DESCRIBE_VPC_PEERING_CONNECTIONS},
             "PrefixLists.json": {"PrefixLists": r.DESCRIBE_PREFIX_LISTS},
             "ManagedPrefixLists.json": {"ManagedPrefixLists": r.DESCRIBE_MANAGED_PREFIX_LISTS},
             "PrefixListEntries.json": {"PrefixListEntries": r.PREFIX_LIST_ENTRIES},
             "TransitGatewayAttachments.json": {"TransitGatewayAttachments": r.DESCRIBE_TRANSIT_GATEWAY_ATTACHMENTS},
             "TransitGatewayVpcAttachments.json": {"TransitGatewayVpcAttachments": r.DESCRIBE_TRANSIT_GATEWAY_VPC_ATTACHMENTS},
             "TransitGatewayPeeringAttachments.json": {
                 "TransitGatewayPeeringAttachments": r.DESCRIBE_TRANSIT_GATEWAY_PEERING_ATTACHMENTS},
             "TransitGatewayRouteTables.json": {"TransitGatewayRouteTables": r.DESCRIBE_TRANSIT_GATEWAY_ROUTE_TABLES},
             "TransitGatewayPropagations.json": {"TransitGatewayPropagations": r.TRANSIT_GATEWAY_PROPAGATIONS},
             "TransitGatewayStaticRoutes.json": {"TransitGatewayStaticRoutes": r.TRANSIT_GATEWAY_STATIC_ROUTES},
             "VpnConnections.json": {"VpnConnections": r.DESCRIBE_VPN_CONNECTIONS},
             "CustomerGateways.json": {"CustomerGateways": r.DESCRIBE_CUSTOMER_GATEWAYS},
             "dx.json": {"directConnectGateways": r.DESCRIBE_DIRECT_CONNECT_GATEWAYS},
             "dx-assoc.json": {"directConnectGatewayAssociations": r.DESCRIBE_DIRECT_CONNECT_GATEWAY_ASSOCIATIONS},
             "VpcEndpoints.json": {"VpcEndpoints": r.DESCRIBE_VPC_ENDPOINTS},
             "LoadBalancers.json": {"LoadBalancers": r.DESCRIBE_LOAD_BALANCERS},
             "Listeners.json": {"Listeners": r.DESCRIBE_LISTENERS},
             "TargetGroups.json": {"TargetGroups": r.DESCRIBE_TARGET_GROUPS},
             "LoadBalancerTargetHealth.json": {"LoadBalancerTargetHealth": r.TARGET_HEALTH},
             "classic.json": {"LoadBalancerDescriptions": r.DESCRIBE_CLASSIC_LOAD_BALANCERS}}
    snapshot = load_aws_dump(write_dump(files))
    assert from_json_text(to_json(snapshot), "round trip") == snapshot
    assert len(snapshot.endpoints) > len(r.DESCRIBE_NETWORK_INTERFACES)  # plus RDS and GWLB endpoint stand-ins
    assert snapshot.transit_gateway_attachments and snapshot.direct_connect_gateways and snapshot.load_balancers
