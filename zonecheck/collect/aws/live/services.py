"""get: RDS instances, load balancers (elbv2 and classic), listeners, target groups and their targets."""

from __future__ import annotations

from typing import Any, Iterable, Optional

from zonecheck.collect.aws.live.pages import Item, all_items, per_parent


def get_db_instances(rds: Any, page_size: Optional[int] = None) -> list[Item]:
    """Every DB instance, Aurora cluster members included (each carries its subnet group and groups)."""
    return all_items(rds, "describe_db_instances", "DBInstances", page_size)


def get_load_balancers(elbv2: Any, page_size: Optional[int] = None) -> list[Item]:
    return all_items(elbv2, "describe_load_balancers", "LoadBalancers", page_size)


def get_listeners(elbv2: Any, load_balancer_arns: Iterable[str], page_size: Optional[int] = None) -> list[Item]:
    """Flat `Listeners` items; each names its `LoadBalancerArn`."""
    found = per_parent(load_balancer_arns, lambda arn: all_items(elbv2, "describe_listeners", "Listeners", page_size,
                                                                 LoadBalancerArn=arn))
    return [listener for listeners in found for listener in listeners]


def get_target_groups(elbv2: Any, page_size: Optional[int] = None) -> list[Item]:
    return all_items(elbv2, "describe_target_groups", "TargetGroups", page_size)


def get_target_health(elbv2: Any, target_group_arns: Iterable[str]) -> list[Item]:
    """One `{TargetGroupArn, TargetHealthDescriptions}` per target group (the call has no pages)."""
    return per_parent(target_group_arns, lambda arn: {
        "TargetGroupArn": arn,
        "TargetHealthDescriptions": all_items(elbv2, "describe_target_health", "TargetHealthDescriptions",
                                              TargetGroupArn=arn)})


def get_classic_load_balancers(elb: Any, page_size: Optional[int] = None) -> list[Item]:
    return all_items(elb, "describe_load_balancers", "LoadBalancerDescriptions", page_size)


__all__ = ["get_classic_load_balancers", "get_db_instances", "get_listeners", "get_load_balancers", "get_target_groups",
           "get_target_health"]
