"""Whose estate is read: the caller's account, other accounts through STS AssumeRole (one snapshot for
all), in the regions asked for or every enabled one."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.credentials import RefreshableCredentials

from tests.collect.aws.live.conftest import collect
from tests.collect.aws.live.estate import REGION
from zonecheck.collect.aws.live.accounts import Account, assumed_account, home_region, regions_of
from zonecheck.collect.aws.live.clients import Clients, ReadOnlyGuard
from zonecheck.collect.errors import CollectError

CALLER = "123456789012"  # moto's
OTHER = "222222222222"
ROLE = f"arn:aws:iam::{OTHER}:role/zonecheck-readonly"
OTHER_REGION = "eu-west-1"


@pytest.fixture(scope="module")
def vpcs(moto: boto3.Session) -> dict[str, str]:
    """A VPC in the caller's account and one in the other account (built through the role, as moto wants)."""
    mine = moto.client("ec2", region_name=REGION).create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    credentials = moto.client("sts").assume_role(RoleArn=ROLE, RoleSessionName="builder")["Credentials"]
    other = boto3.Session(aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
                          aws_session_token=credentials["SessionToken"])
    theirs = other.client("ec2", region_name=OTHER_REGION).create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    return {"mine": mine, "theirs": theirs}


def test_the_callers_account_and_an_assumed_role_make_one_snapshot(vpcs: dict[str, str]) -> None:
    result = collect(assume_roles=(ROLE,), regions=(REGION, OTHER_REGION), workers=4)  # regions in parallel
    snapshot = result.snapshot
    assert snapshot.source.files == (f"{CALLER}/{OTHER_REGION}", f"{CALLER}/{REGION}",
                                     f"{OTHER}/{OTHER_REGION}", f"{OTHER}/{REGION}")
    placed = {v.id: (v.account, v.region) for v in snapshot.vpcs}
    assert placed[vpcs["mine"]] == (CALLER, REGION)
    assert placed[vpcs["theirs"]] == (OTHER, OTHER_REGION)
    assert result.calls["sts:AssumeRole"] == 1 and result.calls["sts:GetCallerIdentity"] == 1
    # Direct Connect gateways are global: read once per account, not once per region
    assert result.calls["directconnect:DescribeDirectConnectGateways"] == 2
    assert result.calls["ec2:DescribeVpcs"] == 4


def test_an_error_in_one_region_stops_the_collection_and_names_that_region(moto: boto3.Session) -> None:
    from botocore.exceptions import ClientError

    def fail(model: Any = None, context: Any = None, **_: Any) -> None:
        if model is not None and model.name == "DescribeSubnets" and (context or {}).get("client_region") == OTHER_REGION:
            raise ClientError({"Error": {"Code": "InternalError", "Message": "try again"}}, model.name)

    session = boto3.Session(region_name=REGION)
    session.events.register("before-call.*.*", fail)
    with pytest.raises(CollectError) as raised:
        collect(session=session, regions=(REGION, OTHER_REGION), workers=2)
    assert str(raised.value) == f"{CALLER}/{OTHER_REGION}: ec2:DescribeSubnets failed: InternalError: try again"


def test_assume_role_only_reads_only_the_roles_accounts(vpcs: dict[str, str], moto: boto3.Session) -> None:
    asked: list[dict[str, Any]] = []
    session = boto3.Session(region_name=REGION)
    session.events.register("provide-client-params.sts.AssumeRole", lambda params, **_: asked.append(dict(params)))
    result = collect(session=session, assume_roles=(ROLE,), assume_role_only=True, external_id="ext-0123456789",
                     regions=(OTHER_REGION,))
    assert {v.account for v in result.snapshot.vpcs} == {OTHER}
    assert vpcs["theirs"] in {v.id for v in result.snapshot.vpcs}
    assert "sts:GetCallerIdentity" not in result.calls
    assert [(a["RoleArn"], a["ExternalId"], a["RoleSessionName"]) for a in asked] == [(ROLE, "ext-0123456789", "zonecheck")]


def test_assumed_credentials_refresh_themselves(moto: boto3.Session) -> None:
    account = assumed_account(moto, Clients(ReadOnlyGuard()), REGION, ROLE, None)
    credentials = account.session.get_credentials()
    assert isinstance(credentials, RefreshableCredentials) and credentials.method == "zonecheck-assume-role"
    assert account.session.client("sts", region_name=REGION).get_caller_identity()["Account"] == OTHER


@pytest.mark.parametrize("role, message", [
    ("zonecheck-readonly", "--assume-role: 'zonecheck-readonly' is not an IAM role ARN"),
    (f"arn:aws:iam::{OTHER}:user/someone", "is not an IAM role ARN"),
])
def test_a_role_that_is_not_a_role_arn_is_refused(moto: boto3.Session, role: str, message: str) -> None:
    with pytest.raises(CollectError, match=message):
        assumed_account(moto, Clients(ReadOnlyGuard()), REGION, role, None)


def test_two_roles_in_one_account_are_refused(moto: boto3.Session) -> None:
    with pytest.raises(CollectError, match=f"are both in account {OTHER}"):
        collect(assume_roles=(ROLE, f"arn:aws:iam::{OTHER}:role/another"))


def test_region_all_is_every_region_enabled_for_the_account(moto: boto3.Session) -> None:
    listed = moto.client("ec2", region_name=REGION).describe_regions(AllRegions=True)["Regions"]
    enabled = sorted(r["RegionName"] for r in listed if r["OptInStatus"] in ("opt-in-not-required", "opted-in"))
    assert len(enabled) < len(listed)  # moto, like AWS, has regions that are not opted in
    found = regions_of(Account(id=CALLER, session=moto), Clients(ReadOnlyGuard()), REGION, ("all",))
    assert found == enabled and REGION in found


def test_regions_default_to_the_sessions_and_are_required(monkeypatch: pytest.MonkeyPatch) -> None:
    assert home_region(boto3.Session(region_name="eu-west-3"), ()) == "eu-west-3"
    assert home_region(boto3.Session(region_name="eu-west-3"), ("ap-south-1", "eu-west-1")) == "ap-south-1"
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_REGION", raising=False)
    assert home_region(boto3.Session(), ("all",)) == "us-east-1"
    with pytest.raises(CollectError, match="no AWS region: give --region"):
        home_region(boto3.Session(), ())
