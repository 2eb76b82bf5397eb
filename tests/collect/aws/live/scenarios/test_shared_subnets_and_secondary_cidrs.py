"""Secondary VPC CIDRs and subnets shared through RAM, built with boto3 in moto and collected live (the
owner's account and, through an assumed role, the participant's).

    grow 10.100.0.0/16 + 10.101.0.0/16 (AssociateVpcCidrBlock)      peer 10.102.0.0/16 ── pcx ── grow
      app 10.100.1/24          db 10.101.1/24 (tcp 5432 from 10.100/16 and 10.102/16)
      shared 10.100.9/24, shared with account 222222222222 through RAM

A secondary CIDR is `local` like the primary one, and a peering carries it.

What moto cannot do: its RAM records a share of a subnet (CreateResourceShare answers, GetResourceShares
lists it) but EC2 in the participant's account never sees the subnet (DescribeSubnets there does not list
it; RunInstances and CreateNetworkInterface with its id answer InvalidSubnetID.NotFound), so an instance of
another account in a shared subnet cannot be built; that case is an engine scenario
(tests/engine/test_ipv6_and_accounts.py).  Tested here is what moto gives: the share, and a collection of
both accounts in which the subnet is the owner's, once.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.collect.aws.live.scenarios.builder import Builder, allow, collect_regions, hops
from zonecheck.collect.aws.live import LiveCollection
from zonecheck.engine.results import AssertionResult

REGION = "us-east-1"
OWNER, PARTICIPANT = "123456789012", "222222222222"
ROLE = f"arn:aws:iam::{PARTICIPANT}:role/zonecheck-readonly"

POLICY = """\
version: 1
zones:
  app: {match: [{tags: {Zone: grow-app}}]}
  db: {match: [{tags: {Zone: grow-db}}]}
  peer: {match: [{tags: {Zone: grow-peer}}]}
assertions:
  - {name: app-cannot-reach-db, from: app, to: db, expect: no-access}
  - {name: peer-cannot-reach-db, from: peer, to: db, expect: no-access}
"""


def participant_session(moto: boto3.Session) -> boto3.Session:
    credentials = moto.client("sts").assume_role(RoleArn=ROLE, RoleSessionName="builder")["Credentials"]
    return boto3.Session(aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
                         aws_session_token=credentials["SessionToken"])


@pytest.fixture(scope="module")
def estate(moto: boto3.Session) -> Builder:
    b = Builder(moto, REGION)
    b.vpc("grow", "10.100.0.0/16")
    b.ec2.associate_vpc_cidr_block(VpcId=b["vpc-grow"], CidrBlock="10.101.0.0/16")
    b.vpc("peer", "10.102.0.0/16")
    b.subnet("app", "grow", "10.100.1.0/24")
    b.subnet("db", "grow", "10.101.1.0/24")
    b.subnet("shared", "grow", "10.100.9.0/24")
    b.subnet("peer", "peer", "10.102.1.0/24")
    b.peering("grow", "peer", "grow")
    b.route("main-peer", "10.101.0.0/16", VpcPeeringConnectionId=b["pcx-grow"])
    b.group("app", "grow")
    b.group("db", "grow", allow("tcp", 5432, cidr="10.100.0.0/16"), allow("tcp", 5432, cidr="10.102.0.0/16"))
    b.group("peer", "peer")
    b.instance("app", "app", "app", zone="grow-app")
    b.instance("db", "db", "db", zone="grow-db")
    b.instance("peer", "peer", "peer", zone="grow-peer")
    subnet_arn = f"arn:aws:ec2:{REGION}:{OWNER}:subnet/{b['subnet-shared']}"
    b.ids["share"] = moto.client("ram", region_name=REGION).create_resource_share(
        name="shared-subnet", resourceArns=[subnet_arn], principals=[PARTICIPANT])["resourceShare"]["resourceShareArn"]
    return b


@pytest.fixture(scope="module")
def collection(estate: Builder) -> LiveCollection:
    return collect_regions(REGION, assume_roles=(ROLE,))


def test_a_secondary_cidr_is_collected_with_the_vpc(collection: LiveCollection, estate: Builder) -> None:
    vpc = next(v for v in collection.snapshot.vpcs if v.id == estate["vpc-grow"])
    assert [str(c) for c in vpc.cidrs] == ["10.100.0.0/16", "10.101.0.0/16"]
    assert (collection.snapshot.incomplete, collection.snapshot.unsupported) == ((), ())


def test_a_subnet_of_the_secondary_cidr_is_reached_over_the_local_route(results: dict[str, AssertionResult],
                                                                        estate: Builder) -> None:
    local = results["app-cannot-reach-db"]
    assert local.result == "fail"
    (witness,) = local.witnesses
    assert (witness.protocol, witness.port_range, witness.target.id) == ("tcp", (5432, 5432), estate["eni-db"])
    path = hops(witness)
    assert path[1] == ("route", estate["rtb-main-grow"], "10.101.0.0/16 -> local")
    assert path[-1] == ("sg-ingress", estate["sg-db"], "ingress tcp 5432 from 10.100.0.0/16")


def test_a_peering_carries_the_peers_secondary_cidr(results: dict[str, AssertionResult], estate: Builder) -> None:
    peered = results["peer-cannot-reach-db"]
    assert peered.result == "fail"
    (witness,) = peered.witnesses
    path = hops(witness)
    assert path[1] == ("route", estate["rtb-main-peer"], f"10.101.0.0/16 -> {estate['pcx-grow']}")
    assert ("peering", estate["pcx-grow"], f"{estate['vpc-peer']} -> {estate['vpc-grow']}") in path
    assert path[-1] == ("sg-ingress", estate["sg-db"], "ingress tcp 5432 from 10.102.0.0/16")


def test_a_subnet_shared_through_ram_is_collected_once_as_the_owners(collection: LiveCollection, moto: boto3.Session,
                                                                      estate: Builder) -> None:
    shares = moto.client("ram", region_name=REGION).get_resource_shares(resourceOwner="SELF")["resourceShares"]
    assert [s["resourceShareArn"] for s in shares] == [estate["share"]]
    assert collection.snapshot.source.files == (f"{OWNER}/{REGION}", f"{PARTICIPANT}/{REGION}")
    (shared,) = [s for s in collection.snapshot.subnets if s.id == estate["subnet-shared"]]
    vpc = next(v for v in collection.snapshot.vpcs if v.id == shared.vpc_id)
    assert (vpc.id, vpc.account) == (estate["vpc-grow"], OWNER)


def test_an_instance_of_the_participant_in_the_shared_subnet(moto: boto3.Session, estate: Builder) -> None:
    participant = participant_session(moto).client("ec2", region_name=REGION)
    try:
        participant.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SubnetId=estate["subnet-shared"])
    except ClientError as err:
        if err.response["Error"]["Code"] == "InvalidSubnetID.NotFound":
            pytest.skip("moto: a subnet shared through RAM is not visible to EC2 in the participant's account "
                        "(RunInstances answers InvalidSubnetID.NotFound); see the module docstring")
        raise
    pytest.fail("moto now lets the participant launch into the shared subnet: replace this check with the scenario")
