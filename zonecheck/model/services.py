"""Managed services that move traffic on behalf of others: load balancers and VPC endpoints."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from zonecheck.model.base import IPAddress, Record, ResourceId, Tags


class LoadBalancerListener(Record):
    id: ResourceId
    protocol: str
    """HTTP, HTTPS, TCP, UDP, TLS, TCP_UDP, GENEVE."""
    port: Optional[int] = None
    target_group_ids: tuple[str, ...] = ()
    """Target groups the default action (and rules) forward to."""


class LoadBalancer(Record):
    """An ALB/NLB/GWLB/classic ELB. Its network interfaces are Endpoints of kind `load-balancer`."""

    id: ResourceId
    """ARN or name as the source gives it."""
    name: Optional[str] = None
    kind: Literal["application", "network", "gateway", "classic"] = "application"
    scheme: Literal["internet-facing", "internal"] = "internal"
    vpc_id: Optional[str] = None
    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    listeners: tuple[LoadBalancerListener, ...] = ()
    tags: Tags = Field(default_factory=dict)


class TargetGroupTarget(Record):
    target_id: ResourceId
    """An instance id, an IP address, or a Lambda ARN, per the group's target type."""
    port: Optional[int] = None
    availability_zone: Optional[str] = None


class TargetGroup(Record):
    id: ResourceId
    name: Optional[str] = None
    protocol: Optional[str] = None
    port: Optional[int] = None
    target_type: Literal["instance", "ip", "lambda", "alb"] = "instance"
    vpc_id: Optional[str] = None
    targets: tuple[TargetGroupTarget, ...] = ()
    targets_known: bool = True
    """False when the source does not give the registered targets (e.g. an autoscaling group registers them)."""
    tags: Tags = Field(default_factory=dict)


class VpcEndpoint(Record):
    id: ResourceId
    vpc_id: ResourceId
    kind: Literal["gateway", "interface", "gateway-load-balancer"]
    service_name: Optional[str] = None
    route_table_ids: tuple[str, ...] = ()
    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    network_interface_ids: tuple[str, ...] = ()
    prefix_list_id: Optional[str] = None
    """Gateway endpoints: the AWS-managed prefix list routes use."""
    private_dns_enabled: bool = False
    state: str = "available"
    tags: Tags = Field(default_factory=dict)


__all__ = ["IPAddress", "LoadBalancer", "LoadBalancerListener", "TargetGroup", "TargetGroupTarget", "VpcEndpoint"]
