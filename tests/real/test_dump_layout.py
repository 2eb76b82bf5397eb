"""The README's "Auditing an account without credentials" commands produce a dump `load_aws_dump` reads.

The three commands are taken from README.md as written and run by bash against a stand-in `aws` program that
answers each call the way the AWS CLI does (the real response shape and top-level key of each API, `--query`
evaluated with JMESPath, `--output text` as tab-separated words).  The folder they write is packed and
unpacked as the README says, then read: every file must be recognised, no family may be missing, the region
comes from the folder, the account from the owner ids, and the load balancer's listener and registered
targets (asked per load balancer and per target group) must arrive.  The tiny estate behind the answers: one
VPC in us-east-1, an internet-facing ALB (HTTPS 443 -> instance port 8443) in a public subnet, the instance
and a PostgreSQL RDS instance in a private subnet; eu-west-1 is empty.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from zonecheck.cli.run import run_check
from zonecheck.collect.aws import load_aws_dump
from zonecheck.collect.aws.families import BY_KEY
from zonecheck.policy import parse_policy_text

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## Auditing an account without credentials"
EC2_FAMILIES = ["Vpcs", "Subnets", "RouteTables", "NetworkAcls", "SecurityGroups", "NetworkInterfaces", "Reservations",
                "InternetGateways", "EgressOnlyInternetGateways", "NatGateways", "VpcPeeringConnections",
                "TransitGateways", "TransitGatewayAttachments", "TransitGatewayVpcAttachments",
                "TransitGatewayRouteTables", "ManagedPrefixLists", "VpcEndpoints", "VpnConnections", "VpnGateways",
                "CustomerGateways", "Addresses"]
REGIONS = ("us-east-1", "eu-west-1")

OWNER = "111122223333"
VPC, PUBLIC, PRIVATE = "vpc-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"
IGW, ACL = "igw-0a1b2c3d4e5f60718", "acl-0a1b2c3d4e5f60718"
SG_LB, SG_APP, SG_DB = "sg-0a1b2c3d4e5f60001", "sg-0a1b2c3d4e5f60002", "sg-0a1b2c3d4e5f60003"
APP, APP_ENI, ALB_ENI = "i-0a1b2c3d4e5f60718", "eni-0a1b2c3d4e5f60001", "eni-0a1b2c3d4e5f60002"
ALB = f"arn:aws:elasticloadbalancing:us-east-1:{OWNER}:loadbalancer/app/shop-web/0123456789abcdef"
TG = f"arn:aws:elasticloadbalancing:us-east-1:{OWNER}:targetgroup/shop-web/fedcba9876543210"
DB = "db-ORDERS23456789ABCDEFGHIJ"


def _tags(name: str) -> list[dict]:
    return [{"Key": "Name", "Value": name}]


def _all(group_id: str, ingress: list[dict]) -> dict:
    return {"GroupId": group_id, "GroupName": group_id, "Description": group_id, "OwnerId": OWNER, "VpcId": VPC,
            "IpPermissions": ingress,
            "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [],
                                     "PrefixListIds": [], "UserIdGroupPairs": []}]}


def _tcp(port: int, *, cidr: str | None = None, group: str | None = None) -> dict:
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "Ipv6Ranges": [], "PrefixListIds": [],
            "IpRanges": [{"CidrIp": cidr}] if cidr else [],
            "UserIdGroupPairs": [{"GroupId": group, "UserId": OWNER}] if group else []}


def _acl_entry(number: int, egress: bool, action: str) -> dict:
    return {"CidrBlock": "0.0.0.0/0", "Egress": egress, "Protocol": "-1", "RuleAction": action, "RuleNumber": number}


# What each call answers in us-east-1, with the top-level key the real API uses.
RESPONSES: dict[str, dict] = {
    "ec2 describe-vpcs": {"Vpcs": [{
        "CidrBlock": "10.0.0.0/16", "DhcpOptionsId": "dopt-0a1b2c3d", "State": "available", "VpcId": VPC,
        "OwnerId": OWNER, "InstanceTenancy": "default", "IsDefault": False, "Tags": _tags("shop"),
        "CidrBlockAssociationSet": [{"AssociationId": "vpc-cidr-assoc-0a1b2c3d", "CidrBlock": "10.0.0.0/16",
                                     "CidrBlockState": {"State": "associated"}}]}]},
    "ec2 describe-subnets": {"Subnets": [
        {"SubnetId": subnet, "VpcId": VPC, "CidrBlock": cidr, "AvailabilityZone": zone, "AvailabilityZoneId": zone_id,
         "AvailableIpAddressCount": 250, "DefaultForAz": False, "MapPublicIpOnLaunch": False, "State": "available",
         "OwnerId": OWNER, "SubnetArn": f"arn:aws:ec2:us-east-1:{OWNER}:subnet/{subnet}",
         "Ipv6CidrBlockAssociationSet": [], "AssignIpv6AddressOnCreation": False, "Tags": _tags(name)}
        for subnet, cidr, zone, zone_id, name in ((PUBLIC, "10.0.1.0/24", "us-east-1a", "use1-az1", "public"),
                                                  (PRIVATE, "10.0.2.0/24", "us-east-1b", "use1-az2", "private"))]},
    "ec2 describe-route-tables": {"RouteTables": [
        {"RouteTableId": "rtb-0a1b2c3d4e5f60001", "VpcId": VPC, "OwnerId": OWNER, "PropagatingVgws": [], "Tags": [],
         "Associations": [{"Main": False, "RouteTableAssociationId": "rtbassoc-0a1b2c3d4e5f60001",
                           "RouteTableId": "rtb-0a1b2c3d4e5f60001", "SubnetId": PUBLIC,
                           "AssociationState": {"State": "associated"}}],
         "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable",
                     "State": "active"},
                    {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": IGW, "Origin": "CreateRoute", "State": "active"}]},
        {"RouteTableId": "rtb-0a1b2c3d4e5f60002", "VpcId": VPC, "OwnerId": OWNER, "PropagatingVgws": [], "Tags": [],
         "Associations": [{"Main": True, "RouteTableAssociationId": "rtbassoc-0a1b2c3d4e5f60002",
                           "RouteTableId": "rtb-0a1b2c3d4e5f60002", "AssociationState": {"State": "associated"}}],
         "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable",
                     "State": "active"}]}]},
    "ec2 describe-network-acls": {"NetworkAcls": [{
        "NetworkAclId": ACL, "VpcId": VPC, "IsDefault": True, "OwnerId": OWNER, "Tags": [],
        "Associations": [{"NetworkAclAssociationId": f"aclassoc-0a1b2c3d4e5f6000{i}", "NetworkAclId": ACL,
                          "SubnetId": subnet} for i, subnet in enumerate((PUBLIC, PRIVATE), 1)],
        "Entries": [_acl_entry(100, True, "allow"), _acl_entry(32767, True, "deny"),
                    _acl_entry(100, False, "allow"), _acl_entry(32767, False, "deny")]}]},
    "ec2 describe-security-groups": {"SecurityGroups": [
        _all(SG_LB, [_tcp(443, cidr="0.0.0.0/0")]), _all(SG_APP, [_tcp(8443, group=SG_LB)]),
        _all(SG_DB, [_tcp(5432, group=SG_APP)])]},
    "ec2 describe-network-interfaces": {"NetworkInterfaces": [
        {"NetworkInterfaceId": APP_ENI, "InterfaceType": "interface", "SubnetId": PRIVATE, "VpcId": VPC,
         "AvailabilityZone": "us-east-1b", "OwnerId": OWNER, "RequesterManaged": False, "SourceDestCheck": True,
         "Status": "in-use", "Description": "", "MacAddress": "0e:00:00:00:00:01", "PrivateIpAddress": "10.0.2.20",
         "Groups": [{"GroupId": SG_APP, "GroupName": SG_APP}], "Ipv6Addresses": [], "TagSet": [],
         "Attachment": {"AttachmentId": "eni-attach-0a1b2c3d4e5f60001", "DeviceIndex": 0, "InstanceId": APP,
                        "InstanceOwnerId": OWNER, "Status": "attached"},
         "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": "10.0.2.20"}]},
        {"NetworkInterfaceId": ALB_ENI, "InterfaceType": "interface", "SubnetId": PUBLIC, "VpcId": VPC,
         "AvailabilityZone": "us-east-1a", "OwnerId": OWNER, "RequesterId": "amazon-elb", "RequesterManaged": True,
         "SourceDestCheck": True, "Status": "in-use", "Description": "ELB app/shop-web/0123456789abcdef",
         "MacAddress": "0e:00:00:00:00:02", "PrivateIpAddress": "10.0.1.10",
         "Groups": [{"GroupId": SG_LB, "GroupName": SG_LB}], "Ipv6Addresses": [], "TagSet": [],
         "Association": {"IpOwnerId": "amazon-elb", "PublicIp": "54.0.0.10"},
         "Attachment": {"AttachmentId": "ela-attach-0a1b2c3d4e5f60002", "DeviceIndex": 1,
                        "InstanceOwnerId": "amazon-elb", "Status": "attached"},
         "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": "10.0.1.10",
                                 "Association": {"IpOwnerId": "amazon-elb", "PublicIp": "54.0.0.10"}}]}]},
    "ec2 describe-instances": {"Reservations": [{
        "ReservationId": "r-0a1b2c3d4e5f60718", "OwnerId": OWNER, "Groups": [],
        "Instances": [{"InstanceId": APP, "InstanceType": "t3.micro", "ImageId": "ami-0a1b2c3d",
                       "State": {"Code": 16, "Name": "running"}, "SubnetId": PRIVATE, "VpcId": VPC,
                       "PrivateIpAddress": "10.0.2.20", "Placement": {"AvailabilityZone": "us-east-1b"},
                       "SecurityGroups": [{"GroupId": SG_APP, "GroupName": SG_APP}], "Tags": _tags("web"),
                       "NetworkInterfaces": [{"NetworkInterfaceId": APP_ENI, "SubnetId": PRIVATE, "VpcId": VPC,
                                              "PrivateIpAddress": "10.0.2.20", "Groups": [{"GroupId": SG_APP}],
                                              "Attachment": {"DeviceIndex": 0, "Status": "attached"}}]}]}]},
    "ec2 describe-internet-gateways": {"InternetGateways": [{
        "InternetGatewayId": IGW, "OwnerId": OWNER, "Tags": [],
        "Attachments": [{"State": "available", "VpcId": VPC}]}]},
    "ec2 describe-egress-only-internet-gateways": {"EgressOnlyInternetGateways": []},
    "ec2 describe-nat-gateways": {"NatGateways": []},
    "ec2 describe-vpc-peering-connections": {"VpcPeeringConnections": []},
    "ec2 describe-transit-gateways": {"TransitGateways": []},
    "ec2 describe-transit-gateway-attachments": {"TransitGatewayAttachments": []},
    "ec2 describe-transit-gateway-vpc-attachments": {"TransitGatewayVpcAttachments": []},
    "ec2 describe-transit-gateway-route-tables": {"TransitGatewayRouteTables": []},
    "ec2 describe-managed-prefix-lists": {"PrefixLists": [{
        "PrefixListId": "pl-63a5400a", "AddressFamily": "IPv4", "State": "create-complete", "Tags": [],
        "PrefixListArn": "arn:aws:ec2:us-east-1:aws:prefix-list/pl-63a5400a",
        "PrefixListName": "com.amazonaws.us-east-1.s3", "OwnerId": "AWS"}]},
    "ec2 describe-vpc-endpoints": {"VpcEndpoints": []},
    "ec2 describe-vpn-connections": {"VpnConnections": []},
    "ec2 describe-vpn-gateways": {"VpnGateways": []},
    "ec2 describe-customer-gateways": {"CustomerGateways": []},
    "ec2 describe-addresses": {"Addresses": []},
    "rds describe-db-instances": {"DBInstances": [{
        "DBInstanceIdentifier": "orders", "DbiResourceId": DB, "DBInstanceArn": f"arn:aws:rds:us-east-1:{OWNER}:db:orders",
        "DBInstanceClass": "db.t3.micro", "Engine": "postgres", "DBInstanceStatus": "available",
        "Endpoint": {"Address": "orders.c0a1b2c3d4e5.us-east-1.rds.amazonaws.com", "Port": 5432,
                     "HostedZoneId": "Z2R2ITUGPM61AM"},
        "PubliclyAccessible": False, "VpcSecurityGroups": [{"VpcSecurityGroupId": SG_DB, "Status": "active"}],
        "DBSubnetGroup": {"DBSubnetGroupName": "private", "DBSubnetGroupDescription": "private", "VpcId": VPC,
                          "SubnetGroupStatus": "Complete",
                          "Subnets": [{"SubnetIdentifier": PRIVATE, "SubnetAvailabilityZone": {"Name": "us-east-1b"},
                                       "SubnetStatus": "Active"}]},
        "TagList": []}]},
    "elbv2 describe-load-balancers": {"LoadBalancers": [{
        "LoadBalancerArn": ALB, "DNSName": "shop-web-1234567890.us-east-1.elb.amazonaws.com",
        "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K", "CreatedTime": "2024-05-01T10:00:00.000Z",
        "LoadBalancerName": "shop-web", "Scheme": "internet-facing", "VpcId": VPC, "State": {"Code": "active"},
        "Type": "application", "SecurityGroups": [SG_LB], "IpAddressType": "ipv4",
        "AvailabilityZones": [{"ZoneName": "us-east-1a", "SubnetId": PUBLIC, "LoadBalancerAddresses": []}]}]},
    "elbv2 describe-target-groups": {"TargetGroups": [{
        "TargetGroupArn": TG, "TargetGroupName": "shop-web", "Protocol": "HTTP", "Port": 8443, "VpcId": VPC,
        "HealthCheckProtocol": "HTTP", "HealthCheckPort": "traffic-port", "HealthCheckEnabled": True,
        "HealthCheckPath": "/", "TargetType": "instance", "LoadBalancerArns": [ALB], "IpAddressType": "ipv4"}]},
    f"elbv2 describe-listeners {ALB}": {"Listeners": [{
        "ListenerArn": f"arn:aws:elasticloadbalancing:us-east-1:{OWNER}:listener/app/shop-web/0123456789abcdef/0a1b2c3d4e5f6071",
        "LoadBalancerArn": ALB, "Port": 443, "Protocol": "HTTPS", "SslPolicy": "ELBSecurityPolicy-2016-08",
        "Certificates": [{"CertificateArn": f"arn:aws:acm:us-east-1:{OWNER}:certificate/0a1b2c3d"}],
        "DefaultActions": [{"Type": "forward", "TargetGroupArn": TG,
                            "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": TG, "Weight": 1}]}}]}]},
    f"elbv2 describe-target-health {TG}": {"TargetHealthDescriptions": [{
        "Target": {"Id": APP, "Port": 8443}, "HealthCheckPort": "8443", "TargetHealth": {"State": "healthy"}}]},
}

FAKE_AWS = '''#!{python}
"""Stand-in for the AWS CLI: the canned response of each call, with --query and --output as the CLI does."""
import json, os, sys
import jmespath

args = sys.argv[1:]
service, operation, options = args[0], args[1], {{}}
for flag, value in zip(args[2::2], args[3::2]):
    options[flag] = value
key = " ".join([service, operation] + [options[k] for k in ("--load-balancer-arn", "--target-group-arn") if k in options])
with open(os.environ["FAKE_AWS_LOG"], "a") as log:
    log.write(json.dumps([key, options.get("--region")]) + "\\n")
responses = json.load(open(os.environ["FAKE_AWS_RESPONSES"]))
if key not in responses:
    sys.exit(f"aws: unexpected call {{key}}")
data = responses[key]
if options.get("--region") != "us-east-1":
    data = {{k: ([] if isinstance(v, list) else v) for k, v in data.items()}}
if "--query" in options:
    data = jmespath.search(options["--query"], data)
if options.get("--output") == "text":
    print("\\t".join(data) if isinstance(data, list) else data)
else:
    print(json.dumps(data, indent=4))
'''


def readme_commands() -> str:
    text = README.read_text(encoding="utf-8")
    assert SECTION in text, "README.md has no section on auditing without credentials"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block, "the section has no sh code block"
    return block.group(1)


def test_the_readme_gives_exactly_three_commands_covering_every_family():
    commands = [c for c in readme_commands().split("\n\n") if c.strip()]
    assert len(commands) == 3
    first, second, third = commands
    assert first.startswith("for R in ") and "aws ec2 describe-" in first and "mkdir -p dump/$R" in first
    pairs = re.findall(r"([a-z-]+):([A-Za-z]+)", first)
    assert [name for _, name in pairs] == EC2_FAMILIES
    for call, name in pairs:
        response_key = next(iter(RESPONSES[f"ec2 describe-{call}"]))
        assert response_key.lower() in BY_KEY, f"describe-{call} answers {response_key}, which zonecheck ignores"
    for call in ("aws rds describe-db-instances", "aws elbv2 describe-load-balancers",
                 "aws elbv2 describe-target-groups", "aws elbv2 describe-listeners"):
        assert call in second
    assert third.strip() == "tar czf dump.tgz dump"
    assert "zonecheck check --policy zones.yaml --aws-dump dump" in README.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def dump(tmp_path_factory):
    """Run the README's commands against the stand-in CLI, pack, and unpack as the auditor does."""
    pytest.importorskip("jmespath")
    if shutil.which("bash") is None or shutil.which("tar") is None:
        pytest.skip("bash and tar are needed to run the README's commands")
    client = tmp_path_factory.mktemp("client")
    bin_dir = client / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "aws"
    fake.write_text(FAKE_AWS.format(python=sys.executable))
    fake.chmod(0o755)
    (client / "responses.json").write_text(json.dumps(RESPONSES))
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
               FAKE_AWS_RESPONSES=str(client / "responses.json"), FAKE_AWS_LOG=str(client / "calls.log"))
    script = readme_commands().replace("us-east-1 eu-west-1", " ".join(REGIONS))
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=client, env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    auditor = tmp_path_factory.mktemp("auditor")
    with tarfile.open(client / "dump.tgz") as archive:
        archive.extractall(auditor, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    calls = [tuple(json.loads(line)) for line in (client / "calls.log").read_text().splitlines()]
    return auditor / "dump", calls


def test_the_commands_write_one_folder_per_region_with_the_expected_files(dump):
    root, calls = dump
    expected = {f"{name}.json" for name in EC2_FAMILIES} | {"DBInstances.json", "LoadBalancers.json",
                                                            "TargetGroups.json"}
    assert sorted(p.name for p in root.iterdir()) == sorted(REGIONS)
    assert {p.name for p in (root / "eu-west-1").iterdir()} == expected
    assert {p.name for p in (root / "us-east-1").iterdir()} == expected | {"Listeners-0123456789abcdef.json",
                                                                           "TargetHealth-fedcba9876543210.json"}
    assert {region for _, region in calls} == set(REGIONS)
    assert {key for key, _ in calls} == set(RESPONSES)
    health = json.loads((root / "us-east-1" / "TargetHealth-fedcba9876543210.json").read_text())
    assert health["TargetGroupArn"] == TG and health["TargetHealthDescriptions"][0]["Target"]["Id"] == APP


def test_load_aws_dump_reads_every_file_of_the_dump(dump):
    root, _ = dump
    snapshot = load_aws_dump(root)
    assert not [n for n in snapshot.notes if "ignored" in n], snapshot.notes
    assert snapshot.incomplete == ()
    assert {(v.id, v.account, v.region) for v in snapshot.vpcs} == {(VPC, OWNER, "us-east-1")}
    [balancer] = snapshot.load_balancers
    assert (balancer.id, balancer.scheme) == (ALB, "internet-facing")
    assert [(listener.protocol, listener.port, listener.target_group_ids) for listener in balancer.listeners] == [
        ("HTTPS", 443, (TG,))]
    [group] = snapshot.target_groups
    assert group.targets_known and [(t.target_id, t.port) for t in group.targets] == [(APP, 8443)]
    assert [r.id for r in snapshot.rds_instances] == [DB]


def test_the_dump_answers_the_auditors_questions(dump, tmp_path):
    """The ALB (HTTPS 443, group open to the world, public 54.0.0.10) forwards to the instance on 8443, which
    admits 8443 from the ALB's group only; the database admits 5432 from the instance's group only and sits
    in a subnet without internet route."""
    root, _ = dump
    policy = f"""
version: 1
zones:
  web: {{match: [{{id: {APP}}}]}}
  db: {{match: [{{id: {DB}}}]}}
assertions:
  - {{name: internet-to-web, from: internet, to: web, expect: no-access}}
  - {{name: internet-to-web-only, from: internet, to: web, expect: {{only: [tcp/8443]}}}}
  - {{name: internet-to-db, from: internet, to: db, expect: no-access}}
  - {{name: web-to-db, from: web, to: db, expect: {{access: [tcp/5432]}}}}
"""
    results = {a.name: a for a in run_check(parse_policy_text(policy, "zones.yaml"), load_aws_dump(root),
                                            "zones.yaml").assertions}
    leak = results["internet-to-web"]
    assert leak.result == "fail"
    assert {(w.target.id, w.protocol, w.port_range) for w in leak.witnesses} == {(APP_ENI, "tcp", (8443, 8443))}
    assert all(any(h.step == "load-balancer" and h.at == ALB for h in w.path) for w in leak.witnesses)
    assert results["internet-to-web-only"].result == "pass"
    assert results["internet-to-db"].result == "pass"
    assert results["web-to-db"].result == "pass"

    # And the auditor's command line, as the README gives it, after `tar xzf dump.tgz`.
    (tmp_path / "zones.yaml").write_text(policy)
    shutil.copytree(root, tmp_path / "dump")
    cli = subprocess.run([sys.executable, "-m", "zonecheck.cli.main", "check", "--policy", "zones.yaml",
                          "--aws-dump", "dump"], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                         check=False)
    assert cli.returncode == 1, cli.stderr
    assert "internet-to-web" in cli.stdout and "Traceback" not in cli.stderr
