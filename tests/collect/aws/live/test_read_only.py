"""The collector cannot change anything: a client hook refuses every operation that is not
Describe/List/Get/Search (sts:AssumeRole aside) before it is sent, whatever else is registered."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests.collect.aws.live.estate import REGION
from zonecheck import __version__
from zonecheck.collect.aws.live.clients import Clients, ReadOnlyGuard, ReadOnlyViolation, client_config, iam_action


def test_a_mutating_call_is_refused_before_it_is_sent(moto: boto3.Session) -> None:
    ec2 = Clients(ReadOnlyGuard()).get(moto, "123456789012", REGION, "ec2")
    before = len(moto.client("ec2", region_name=REGION).describe_vpcs()["Vpcs"])
    with pytest.raises(ReadOnlyViolation, match="refused to call ec2:CreateVpc"):
        ec2.create_vpc(CidrBlock="10.99.0.0/16")
    assert len(moto.client("ec2", region_name=REGION).describe_vpcs()["Vpcs"]) == before


def test_the_guard_runs_before_any_handler_that_could_answer_the_call(moto: boto3.Session) -> None:
    answered: list[str] = []

    def stub(model: Any = None, **_: Any) -> Any:
        answered.append(model.name)
        return None

    session = boto3.Session(region_name=REGION)
    session.events.register_first("before-call.ec2.DeleteVpc", stub)
    session.events.register_first("before-call.*.*", stub)
    ec2 = Clients(ReadOnlyGuard()).get(session, "123456789012", REGION, "ec2")
    with pytest.raises(ReadOnlyViolation):
        ec2.delete_vpc(VpcId="vpc-0123456789abcdef0")
    assert answered == []


def test_reads_are_counted_per_iam_action(moto: boto3.Session) -> None:
    guard = ReadOnlyGuard()
    clients = Clients(guard)
    for _ in range(2):
        clients.get(moto, "123456789012", REGION, "ec2").describe_vpcs()
    clients.get(moto, "123456789012", REGION, "elbv2").describe_load_balancers()
    assert guard.calls == {"ec2:DescribeVpcs": 2, "elasticloadbalancing:DescribeLoadBalancers": 1}


def test_one_client_per_account_region_and_service_is_reused(moto: boto3.Session) -> None:
    clients = Clients(ReadOnlyGuard())
    assert clients.get(moto, "1", REGION, "ec2") is clients.get(moto, "1", REGION, "ec2")
    assert clients.get(moto, "1", REGION, "ec2") is not clients.get(moto, "2", REGION, "ec2")
    assert clients.get(moto, "1", REGION, "ec2") is not clients.get(moto, "1", "eu-west-1", "ec2")


def test_clients_retry_throttling_and_say_who_they_are() -> None:
    config = client_config()
    assert config.retries == {"mode": "adaptive", "max_attempts": 10}
    assert config.user_agent_extra == f"zonecheck/{__version__}"


@pytest.mark.parametrize("service, operation, action", [
    ("ec2", "DescribeVpcs", "ec2:DescribeVpcs"),
    ("elbv2", "DescribeListeners", "elasticloadbalancing:DescribeListeners"),
    ("elb", "DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancers"),
    ("directconnect", "DescribeDirectConnectGateways", "directconnect:DescribeDirectConnectGateways"),
])
def test_operations_are_named_by_their_iam_action(service: str, operation: str, action: str) -> None:
    assert iam_action(service, operation) == action
