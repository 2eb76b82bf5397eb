"""Partial access is never a silent pass: a call AWS refuses makes its family incomplete for that account and
region, names the permission to grant, and turns every verdict that depends on it into `unknown` (exit 3).
Any other error is one line on stderr and exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest
from botocore.exceptions import ClientError
from click.testing import CliRunner

from tests.collect.aws.live.conftest import collect
from tests.collect.aws.live.estate import REGION, Estate, build
from zonecheck.cli.main import cli
from zonecheck.collect.errors import CollectError
from zonecheck.model import Incomplete

ACCOUNT = "123456789012"
SCOPE = f"{ACCOUNT}/{REGION}"
GRANT = "grant it (see examples/iam/zonecheck-readonly.json)"
OPS_POLICY = """\
version: 1
zones:
  app: {match: [{tags: {Zone: app}}]}
  ops: {match: [{tags: {Zone: ops}}]}
assertions:
  - {name: app-cannot-ssh-to-ops, from: app, to: ops, expect: no-access}
"""


def refusing(errors: dict[str, str]) -> boto3.Session:
    """A session whose clients fail the named operations with the given error codes, as AWS would."""
    def refuse(model: Any = None, **_: Any) -> None:
        if model is not None and model.name in errors:
            code = errors[model.name]
            raise ClientError({"Error": {"Code": code, "Message": f"You are not authorized to perform: {model.name}"},
                               "ResponseMetadata": {"HTTPStatusCode": 403}}, model.name)

    session = boto3.Session(region_name=REGION)
    session.events.register("before-call.*.*", refuse)
    return session


@pytest.fixture(scope="module")
def estate(moto: boto3.Session) -> Estate:
    return build(moto)


@pytest.fixture
def cli_session(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """What the CLI's own session should refuse (the CLI builds its session with `base_session`)."""
    errors: dict[str, str] = {}
    monkeypatch.setattr("zonecheck.collect.aws.live.collector.base_session", lambda profile: refusing(errors))
    yield errors


def test_a_denied_call_makes_its_family_incomplete_and_names_the_permission(estate: Estate) -> None:
    result = collect(session=refusing({"DescribeNetworkAcls": "UnauthorizedOperation"}))
    assert result.snapshot.incomplete == (Incomplete(
        family="network-acl", scope=SCOPE, reason=f"UnauthorizedOperation on ec2:DescribeNetworkAcls — {GRANT}"),)
    assert result.snapshot.network_acls == ()
    (scope,) = result.scopes
    assert "network_acls" not in scope.items and "vpcs" in scope.items


def test_a_denied_parent_skips_what_depends_on_it(estate: Estate) -> None:
    result = collect(session=refusing({"DescribeTransitGatewayRouteTables": "UnauthorizedOperation",
                                       "DescribeLoadBalancers": "AccessDenied"}))
    assert "ec2:SearchTransitGatewayRoutes" not in result.calls
    assert "elasticloadbalancing:DescribeListeners" not in result.calls
    found = {(i.family, i.scope, i.reason) for i in result.snapshot.incomplete}
    assert (("transit-gateway-route-table", SCOPE, f"UnauthorizedOperation on ec2:DescribeTransitGatewayRouteTables — {GRANT}")
            in found)
    assert ("load-balancer", SCOPE, f"AccessDenied on elasticloadbalancing:DescribeLoadBalancers — {GRANT}") in found
    # the transit gateway itself is known, its routing is not
    assert any(i.family == "transit-gateway-route-table" and i.scope == estate["tgw"] for i in result.snapshot.incomplete)


def test_check_says_unknown_with_exit_3_and_names_the_missing_permission(estate: Estate, cli_session: dict[str, str],
                                                                         tmp_path: Path) -> None:
    # With every permission this assertion passes: the network ACL of the ops subnet denies ssh (test_end_to_end).
    policy = tmp_path / "zones.yaml"
    policy.write_text(OPS_POLICY)
    cli_session["DescribeNetworkAcls"] = "UnauthorizedOperation"
    denied = CliRunner().invoke(cli, ["check", "--policy", str(policy), "--aws", "--region", REGION, "--format", "json"])
    assert denied.exit_code == 3, denied.output
    report = json.loads(denied.stdout)
    [ssh] = report["assertions"]
    assert ssh["result"] == "unknown"
    assert {hop["rule"] for w in ssh["witnesses"] for hop in w["path"] if hop["step"] == "nacl-in"} == {"network ACL unknown"}
    named = f"UnauthorizedOperation on ec2:DescribeNetworkAcls — {GRANT}"
    assert report["notes"] == [f"{SCOPE}: {named}; every verdict that depends on network-acl records there is unknown"]
    assert denied.stderr == f"zonecheck: warning: {SCOPE}: {named}\n"


def test_any_other_error_is_one_line_and_exit_2(estate: Estate, cli_session: dict[str, str], tmp_path: Path) -> None:
    policy = tmp_path / "zones.yaml"
    policy.write_text(OPS_POLICY)
    cli_session["DescribeSubnets"] = "InternalError"
    result = CliRunner().invoke(cli, ["check", "--policy", str(policy), "--aws", "--region", REGION])
    assert result.exit_code == 2
    assert result.stderr == (f"zonecheck: error: {SCOPE}: ec2:DescribeSubnets failed: InternalError: "
                             "You are not authorized to perform: DescribeSubnets\n")


def test_throttling_that_outlasts_the_retries_is_an_error(estate: Estate) -> None:
    with pytest.raises(CollectError, match=r"ec2:DescribeVpcs was still throttled after 10 attempts \(RequestLimitExceeded\)"):
        collect(session=refusing({"DescribeVpcs": "RequestLimitExceeded"}))


def test_a_denied_family_is_reported_once_with_its_reason_not_as_a_missing_dump_file() -> None:
    from zonecheck.collect.aws.build import ScopeData, build_snapshot
    from zonecheck.model import SourceInfo

    reason = f"AccessDenied on ec2:DescribeNatGateways — {GRANT}"
    scope = ScopeData(label=SCOPE, account=ACCOUNT, region=REGION, denied={"nat_gateways": reason}, items={
        "vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}],
        "subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-1a"}],
        "route_tables": [{"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Associations": [{"Main": True}], "Routes": [
            {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1", "State": "active"}]}],
        "network_acls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "IsDefault": True, "Entries": []}],
        "security_groups": [], "network_interfaces": [], "reservations": []})
    snapshot = build_snapshot([scope], SourceInfo(kind="aws"))
    assert [(i.family, i.scope, i.reason) for i in snapshot.incomplete] == [("nat-gateway", SCOPE, reason)]


def test_an_answer_that_makes_no_sense_names_the_scope_and_the_call(estate: Estate) -> None:
    from botocore.awsrequest import AWSResponse

    def nonsense(model: Any = None, **_: Any) -> Any:
        if model is not None and model.name == "DescribeVpcs":
            return AWSResponse("https://ec2", 200, {}, None), {"Vpcs": [{"VpcId": "vpc-bad", "CidrBlock": "10.0.0.0/33"}]}
        return None

    session = boto3.Session(region_name=REGION)
    session.events.register("before-call.*.*", nonsense)
    with pytest.raises(CollectError) as raised:
        collect(session=session)
    assert str(raised.value) == f"{SCOPE} ec2:DescribeVpcs: vpc-bad: CidrBlock must be a CIDR block, found '10.0.0.0/33'"
