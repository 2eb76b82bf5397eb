"""VPC endpoints, load balancers, listeners and target groups: describe-* items → model records."""

from __future__ import annotations

from zonecheck.collect.aws.transform import (
    Findings, resolve_load_balancer_owners, to_classic_load_balancers, to_listeners, to_load_balancers,
    to_target_groups, to_target_health, to_vpc_endpoints, vpc_endpoint_endpoints,
)
from zonecheck.model import Endpoint, TargetGroupTarget

from . import responses as r


def test_vpc_endpoint_kinds_and_their_placement() -> None:
    found = {v.id: v for v in to_vpc_endpoints(r.DESCRIBE_VPC_ENDPOINTS)}
    assert (found["vpce-s3"].kind, found["vpce-s3"].route_table_ids) == ("gateway", ("rtb-public",))
    ssm = found["vpce-0ssm"]
    assert (ssm.kind, ssm.subnet_ids, ssm.security_group_ids, ssm.network_interface_ids, ssm.private_dns_enabled) == \
        ("interface", ("subnet-0a2",), ("sg-web",), ("eni-vpce",), True)
    assert found["vpce-gwlb"].kind == "gateway-load-balancer"


def test_gateway_load_balancer_endpoints_are_unsupported() -> None:
    findings = Findings()
    to_vpc_endpoints(r.DESCRIBE_VPC_ENDPOINTS, findings)
    assert [(u.resource, u.kind) for u in findings.unsupported] == [("vpce-gwlb", "gateway-load-balancer-endpoint")]


def test_interface_endpoints_without_described_interfaces_get_address_unknown_stand_ins() -> None:
    endpoints = to_vpc_endpoints(r.DESCRIBE_VPC_ENDPOINTS)
    stand_ins = {e.id: e for e in vpc_endpoint_endpoints(endpoints, known_eni_ids={"eni-vpce"})}
    assert set(stand_ins) == {"vpce-gwlb@subnet-0a1"}
    assert stand_ins["vpce-gwlb@subnet-0a1"].address_unknown and stand_ins["vpce-gwlb@subnet-0a1"].kind == "vpc-endpoint"


def test_load_balancer_with_subnets_groups_and_listeners() -> None:
    (alb,) = to_load_balancers(r.DESCRIBE_LOAD_BALANCERS, to_listeners(r.DESCRIBE_LISTENERS))
    assert (alb.id, alb.name, alb.kind, alb.scheme) == (r.ALB_ARN, "web-alb", "application", "internet-facing")
    assert alb.subnet_ids == ("subnet-0a1", "subnet-0a2") and alb.security_group_ids == ("sg-web",)
    by_port = {listener.port: listener for listener in alb.listeners}
    assert by_port[443].target_group_ids == tuple(sorted((r.TG_BLUE, r.TG_WEB)))  # forward config: both groups
    assert by_port[80].target_group_ids == ()  # a redirect forwards nowhere


def test_listeners_wrapped_per_load_balancer_as_in_dumps() -> None:
    wrapped = [{"LoadBalancerArn": r.ALB_ARN, "Listeners": r.DESCRIBE_LISTENERS}]
    assert to_listeners(wrapped) == to_listeners(r.DESCRIBE_LISTENERS)


def test_target_groups_know_their_targets_only_from_target_health() -> None:
    groups = {g.id: g for g in to_target_groups(r.DESCRIBE_TARGET_GROUPS, to_target_health(r.TARGET_HEALTH))}
    assert groups[r.TG_WEB].targets == (TargetGroupTarget(target_id="i-web", port=8080),)
    assert groups[r.TG_API].target_type == "ip"
    assert groups[r.TG_API].targets[0].availability_zone == "us-east-1b"
    assert not groups[r.TG_BLUE].targets_known and groups[r.TG_WEB].targets_known
    assert all(not g.targets_known for g in to_target_groups(r.DESCRIBE_TARGET_GROUPS))


def test_classic_load_balancer_gets_a_synthetic_target_group_per_instance_port() -> None:
    (legacy,), (group,) = to_classic_load_balancers(r.DESCRIBE_CLASSIC_LOAD_BALANCERS)
    assert (legacy.id, legacy.kind, legacy.scheme, legacy.subnet_ids) == ("legacy", "classic", "internet-facing", ("subnet-0a1",))
    assert legacy.listeners[0].port == 80 and legacy.listeners[0].target_group_ids == ("legacy/instances:8080",)
    assert (group.id, group.port, group.targets) == ("legacy/instances:8080", 8080,
                                                     (TargetGroupTarget(target_id="i-web", port=8080),))


def test_load_balancer_interfaces_are_owned_by_the_load_balancer_arn() -> None:
    eni = Endpoint(id="eni-alb", kind="load-balancer", owner_id="app/web-alb/50dc6c495c0c9188", subnet_id="subnet-0a1")
    (resolved,) = resolve_load_balancer_owners([eni], to_load_balancers(r.DESCRIBE_LOAD_BALANCERS))
    assert resolved.owner_id == r.ALB_ARN
