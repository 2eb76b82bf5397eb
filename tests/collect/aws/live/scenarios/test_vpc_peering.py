"""VPC peering, built with boto3 in moto and collected live: routes carry only the peer's CIDRs, peering is
not transitive, a group reference is valid across a same-region peering, and a peer VPC of another
account that the collection does not read leaves the far side unknown, never `pass`.

    a 10.40/16 ── pcx-ab ── b 10.41/16 ── pcx-bc ── c 10.42/16
      a routes 10.0.0.0/8 over pcx-ab; b's db admits tcp 5432 from a's "app" group; c admits everything
    mine 10.43/16 ── pcx-mine (accepted by account 222222222222) ── theirs 10.50/16, ssh from 10.43/16

Moto models the other account as moto does everywhere: its calls are made with credentials from
`sts:AssumeRole` into that account (as `test_accounts.py` does), and it accepts the peering from there.

Found here, fixed in the engine: collected without the partner's account, "mine cannot reach the partner's
10.50.0.0/16" was `pass` (a `cidr` zone with no interface in the snapshot had no destination to walk to);
packets entering a VPC the source does not describe, towards addresses a zone names, are now a possible
delivery, so the verdict is `unknown`.
"""

from __future__ import annotations

import boto3
import pytest

from tests.collect.aws.live.scenarios.builder import Builder, allow, collect_regions, decide, hops
from zonecheck.engine.results import AssertionResult
from zonecheck.model import Snapshot

REGION = "us-east-1"
PARTNER = "222222222222"
ROLE = f"arn:aws:iam::{PARTNER}:role/zonecheck-readonly"

POLICY = """\
version: 1
zones:
  app: {match: [{tags: {Zone: peer-app}}]}
  other: {match: [{tags: {Zone: peer-other}}]}
  db: {match: [{tags: {Zone: peer-db}}]}
  far: {match: [{tags: {Zone: peer-far}}]}
  mine: {match: [{tags: {Zone: peer-mine}}]}
  partner-network: {match: [{cidr: 10.50.0.0/16}], allow_empty: true}
assertions:
  - {name: app-cannot-reach-db, from: app, to: db, expect: no-access}
  - {name: other-cannot-reach-db, from: other, to: db, expect: no-access}
  - {name: app-cannot-reach-far, from: app, to: far, expect: no-access}
  - {name: mine-cannot-reach-partner, from: mine, to: partner-network, expect: no-access}
"""


@pytest.fixture(scope="module")
def estate(moto: boto3.Session) -> tuple[Builder, Builder]:
    b = Builder(moto, REGION)
    for name, octet in (("a", 40), ("b", 41), ("c", 42), ("mine", 43)):
        b.vpc(name, f"10.{octet}.0.0/16")
        b.subnet(name, name, f"10.{octet}.1.0/24")
        b.table(name, name, name)
    b.peering("ab", "a", "b")
    b.peering("bc", "b", "c")
    b.route("a", "10.0.0.0/8", VpcPeeringConnectionId=b["pcx-ab"])  # wider than b: carries only 10.41/16
    b.route("b", "10.40.0.0/16", VpcPeeringConnectionId=b["pcx-ab"])
    b.route("b", "10.42.0.0/16", VpcPeeringConnectionId=b["pcx-bc"])
    b.route("c", "10.41.0.0/16", VpcPeeringConnectionId=b["pcx-bc"])
    b.route("c", "10.40.0.0/16", VpcPeeringConnectionId=b["pcx-bc"])
    b.group("app", "a")
    b.group("other", "a")
    b.group("db", "b", allow("tcp", 5432, group=b["sg-app"]))
    b.group("far", "c", allow("-1", cidr="10.0.0.0/8"))
    b.instance("app", "a", "app", zone="peer-app")
    b.instance("other", "a", "other", zone="peer-other")
    b.instance("db", "b", "db", zone="peer-db")
    b.instance("far", "c", "far", zone="peer-far")
    b.group("mine", "mine")
    b.instance("mine", "mine", "mine", zone="peer-mine")

    # -- a peering with a VPC of another account ------------------------------------------------------------
    credentials = moto.client("sts").assume_role(RoleArn=ROLE, RoleSessionName="builder")["Credentials"]
    partner = Builder(boto3.Session(aws_access_key_id=credentials["AccessKeyId"],
                                    aws_secret_access_key=credentials["SecretAccessKey"],
                                    aws_session_token=credentials["SessionToken"]), REGION)
    partner.vpc("theirs", "10.50.0.0/16")
    partner.subnet("theirs", "theirs", "10.50.1.0/24")
    partner.group("ssh", "theirs", allow("tcp", 22, cidr="10.43.0.0/16"))
    partner.instance("theirs", "theirs", "ssh", zone="peer-partner")
    pcx = b.ec2.create_vpc_peering_connection(VpcId=b["vpc-mine"], PeerVpcId=partner["vpc-theirs"], PeerOwnerId=PARTNER)[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    partner.ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    b.ids["pcx-mine"] = partner.ids["pcx-mine"] = pcx
    b.route("mine", "10.50.0.0/16", VpcPeeringConnectionId=pcx)
    partner.route("main-theirs", "10.43.0.0/16", VpcPeeringConnectionId=pcx)
    return b, partner


@pytest.fixture(scope="module")
def mine_only(estate: tuple[Builder, Builder]) -> Snapshot:
    return collect_regions(REGION).snapshot


@pytest.fixture(scope="module")
def results(mine_only: Snapshot) -> dict[str, AssertionResult]:
    return decide(mine_only, POLICY)


def test_a_peering_route_wider_than_the_peer_delivers_to_the_peer(results: dict[str, AssertionResult],
                                                                  estate: tuple[Builder, Builder]) -> None:
    b, _ = estate
    reached = results["app-cannot-reach-db"]
    assert reached.result == "fail"
    (witness,) = reached.witnesses
    assert (witness.protocol, witness.port_range, witness.target.id) == ("tcp", (5432, 5432), b["eni-db"])
    path = hops(witness)
    assert path[0] == ("sg-egress", b["sg-app"], "egress all to 0.0.0.0/0")
    assert ("route", b["rtb-a"], f"10.0.0.0/8 -> {b['pcx-ab']}") in path
    assert ("peering", b["pcx-ab"], f"{b['vpc-a']} -> {b['vpc-b']}") in path


def test_a_group_reference_across_a_same_region_peering_admits_its_members(results: dict[str, AssertionResult],
                                                                           estate: tuple[Builder, Builder]) -> None:
    b, _ = estate
    (witness,) = results["app-cannot-reach-db"].witnesses
    assert hops(witness)[-1] == ("sg-ingress", b["sg-db"], f"ingress tcp 5432 from {b['sg-app']}")


def test_a_group_reference_admits_no_one_else_from_the_peer_vpc(results: dict[str, AssertionResult]) -> None:
    other = results["other-cannot-reach-db"]
    assert (other.result, other.witnesses) == ("pass", ())


def test_peering_carries_only_the_peers_cidrs_and_is_not_transitive(results: dict[str, AssertionResult]) -> None:
    far = results["app-cannot-reach-far"]  # 10.42/16 is inside a's 10/8 route, and b peers with c
    assert (far.result, far.witnesses) == ("pass", ())


def test_a_peer_vpc_of_an_account_not_collected_is_noted(mine_only: Snapshot, estate: tuple[Builder, Builder]) -> None:
    b, partner = estate
    peering = next(p for p in mine_only.vpc_peerings if p.id == b["pcx-mine"])
    assert (peering.accepter_vpc_id, peering.accepter_account) == (partner["vpc-theirs"], PARTNER)
    assert partner["vpc-theirs"] not in {v.id for v in mine_only.vpcs}
    assert f"{b['pcx-mine']} peers with {partner['vpc-theirs']} ({PARTNER}, {REGION}), which is not in the source" \
        in mine_only.notes


def test_the_far_side_of_a_peering_to_an_account_not_collected_is_unknown_not_pass(
        results: dict[str, AssertionResult]) -> None:
    result = results["mine-cannot-reach-partner"]
    assert result.result == "unknown"
    assert result.witnesses and all(
        any(step == "peering" and "(not in the source)" in rule for step, _, rule in hops(w)) for w in result.witnesses)


def test_with_the_partner_account_collected_the_same_path_is_a_certain_failure(
        estate: tuple[Builder, Builder]) -> None:
    b, partner = estate
    both = collect_regions(REGION, assume_roles=(ROLE,)).snapshot
    result = decide(both, POLICY.replace("{cidr: 10.50.0.0/16}", "{tags: {Zone: peer-partner}}"))["mine-cannot-reach-partner"]
    assert result.result == "fail"
    (witness,) = result.witnesses
    assert (witness.protocol, witness.port_range, witness.target.id) == ("tcp", (22, 22), partner["eni-theirs"])
    path = hops(witness)
    assert ("peering", b["pcx-mine"], f"{b['vpc-mine']} -> {partner['vpc-theirs']}") in path
    assert path[-1] == ("sg-ingress", partner["sg-ssh"], "ingress tcp 22 from 10.43.0.0/16")
