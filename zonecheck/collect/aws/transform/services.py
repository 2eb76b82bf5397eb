"""VPC endpoints and load balancers (elbv2 and classic), their listeners and target groups.

* `LoadBalancers` (elbv2 DescribeLoadBalancers), `LoadBalancerDescriptions` (classic ELB);
* listeners: elbv2 DescribeListeners, either flat (`Listeners`, each naming its load balancer) or wrapped
  per load balancer (`LoadBalancerListeners: [{LoadBalancerArn, Listeners}]`, as the Batfish dumps do);
* `TargetGroups`, and registered targets from DescribeTargetHealth wrapped per target group
  (`LoadBalancerTargetHealth: [{TargetGroupArn, TargetHealthDescriptions}]`).

A classic ELB has no target group: its instances become one synthetic group per instance port, named
`<load balancer>/instances:<port>`, so that both kinds look alike to the engine.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Optional, Sequence

from zonecheck.collect.aws.transform._raw import Item, dicts, flag, get, integer, make, tags, text, texts
from zonecheck.collect.aws.transform.findings import Findings, ensure
from zonecheck.model import (
    Endpoint, LoadBalancer, LoadBalancerListener, TargetGroup, TargetGroupTarget, VpcEndpoint,
)

_ENDPOINT_KINDS = {"gateway": "gateway", "interface": "interface", "gatewayloadbalancer": "gateway-load-balancer"}
_LB_KINDS = {"application": "application", "network": "network", "gateway": "gateway"}
_TARGET_TYPES = ("instance", "ip", "lambda", "alb")


# -- VPC endpoints -------------------------------------------------------------------------------------------


def to_vpc_endpoints(raw: Iterable[Item], findings: Optional[Findings] = None) -> list[VpcEndpoint]:
    """Gateway, interface and Gateway Load Balancer endpoints.  GWLB endpoints send traffic through
    appliances the engine does not model: unsupported.  Other, newer kinds are unsupported and left out."""
    findings = ensure(findings)
    out = []
    for item in raw:
        vpce_id, vpc_id = text(item, "VpcEndpointId"), text(item, "VpcId")
        if vpce_id is None or vpc_id is None:
            continue
        raw_kind = text(item, "VpcEndpointType") or "Gateway"
        kind = _ENDPOINT_KINDS.get(raw_kind.lower())
        state = (text(item, "State") or "available").lower()
        if state in ("deleted", "deleting", "failed", "rejected", "expired"):
            findings.note(f"{vpce_id} is {state}: left out")
            continue
        if kind is None:
            findings.unsupported_construct(vpce_id, "vpc-endpoint", f"{vpce_id}: VPC endpoints of type {raw_kind} are not modelled yet")
            continue
        if kind == "gateway-load-balancer":
            findings.unsupported_construct(
                vpce_id, "gateway-load-balancer-endpoint",
                f"{vpce_id}: traffic routed to a Gateway Load Balancer endpoint goes through appliances "
                "(firewalls, inspection) that are not modelled yet")
        out.append(make(
            VpcEndpoint, item, id=vpce_id, vpc_id=vpc_id, kind=kind, service_name=text(item, "ServiceName"),
            route_table_ids=tuple(sorted(set(texts(item, item, "RouteTableIds")))),
            subnet_ids=tuple(sorted(set(texts(item, item, "SubnetIds")))),
            security_group_ids=tuple(dict.fromkeys(text(g, "GroupId") for g in dicts(item, item, "Groups") if text(g, "GroupId"))),
            network_interface_ids=tuple(sorted(set(texts(item, item, "NetworkInterfaceIds")))),
            private_dns_enabled=flag(item, item, "PrivateDnsEnabled", False), state=state, tags=tags(item),
        ))
    return out


def vpc_endpoint_endpoints(endpoints: Iterable[VpcEndpoint], known_eni_ids: Iterable[str] = ()) -> list[Endpoint]:
    """Stand-ins for interface/GWLB endpoint ENIs the source does not describe: one per subnet, address unknown."""
    known = set(known_eni_ids)
    out = []
    for vpce in endpoints:
        if vpce.kind == "gateway" or (vpce.network_interface_ids and set(vpce.network_interface_ids) <= known):
            continue
        for subnet_id in vpce.subnet_ids:
            out.append(Endpoint(id=f"{vpce.id}@{subnet_id}", kind="vpc-endpoint", owner_id=vpce.id, subnet_id=subnet_id,
                                security_group_ids=vpce.security_group_ids, address_unknown=True, owner_tags=vpce.tags))
    return out


# -- load balancers ------------------------------------------------------------------------------------------


def to_load_balancers(raw: Iterable[Item], listeners: Optional[Mapping[str, Sequence[LoadBalancerListener]]] = None,
                      findings: Optional[Findings] = None) -> list[LoadBalancer]:
    """elbv2 load balancers; `listeners` by load balancer ARN (from `to_listeners`)."""
    findings = ensure(findings)
    out = []
    for item in raw:
        arn = text(item, "LoadBalancerArn")
        if arn is None:
            continue
        kind = _LB_KINDS.get((text(item, "Type") or "application").lower())
        if kind is None:
            findings.unsupported_construct(arn, "load-balancer", f"{arn}: load balancers of type {text(item, 'Type')} are not modelled yet")
            continue
        if kind == "gateway":
            findings.unsupported_construct(arn, "gateway-load-balancer",
                                           f"{arn}: Gateway Load Balancers forward to appliances that are not modelled yet")
        subnets = {text(z, "SubnetId") for z in dicts(item, item, "AvailabilityZones") if text(z, "SubnetId")}
        out.append(make(
            LoadBalancer, item, id=arn, name=text(item, "LoadBalancerName"), kind=kind,
            scheme="internet-facing" if (text(item, "Scheme") or "").lower() == "internet-facing" else "internal",
            vpc_id=text(item, "VpcId"), subnet_ids=tuple(sorted(subnets)),  # type: ignore[type-var]
            security_group_ids=tuple(dict.fromkeys(texts(item, item, "SecurityGroups"))),
            listeners=tuple(sorted((listeners or {}).get(arn, ()), key=lambda lsn: lsn.id)), tags=tags(item),
        ))
    return out


def to_listeners(raw: Iterable[Item]) -> dict[str, list[LoadBalancerListener]]:
    """Listeners by load balancer ARN, from flat DescribeListeners items or per-load-balancer wrappers."""
    out: dict[str, list[LoadBalancerListener]] = {}
    for item in raw:
        if get(item, "Listeners") is not None:  # a wrapper
            lb_arn = text(item, "LoadBalancerArn")
            for listener in dicts(item, item, "Listeners"):
                owner = text(listener, "LoadBalancerArn") or lb_arn
                if owner:
                    out.setdefault(owner, []).append(to_listener(item, listener, owner))
            if lb_arn:
                out.setdefault(lb_arn, [])
        elif text(item, "LoadBalancerArn"):
            owner = text(item, "LoadBalancerArn") or ""
            out.setdefault(owner, []).append(to_listener(item, item, owner))
    return out


def to_listener(top: Item, item: Item, lb_arn: str) -> LoadBalancerListener:
    protocol = text(item, "Protocol") or "?"
    port = integer(top, item, "Port")
    groups: list[str] = []
    for action in dicts(top, item, "DefaultActions"):
        if (text(action, "Type") or "forward").lower() != "forward":
            continue
        if text(action, "TargetGroupArn"):
            groups.append(text(action, "TargetGroupArn") or "")
        groups += [text(g, "TargetGroupArn") or "" for g in dicts(top, action, "ForwardConfig", "TargetGroups")
                   if text(g, "TargetGroupArn")]
    return make(LoadBalancerListener, top, id=text(item, "ListenerArn") or f"{lb_arn}/{protocol}:{port}", protocol=protocol,
                port=port, target_group_ids=tuple(sorted(set(groups))))


def to_target_groups(raw: Iterable[Item], targets: Optional[Mapping[str, Sequence[TargetGroupTarget]]] = None) -> list[TargetGroup]:
    """`targets` by target group ARN (from `to_target_health`); a group absent from it has unknown targets."""
    out = []
    for item in raw:
        arn = text(item, "TargetGroupArn")
        if arn is None:
            continue
        target_type = (text(item, "TargetType") or "instance").lower()
        known = targets is not None and arn in targets
        out.append(make(
            TargetGroup, item, id=arn, name=text(item, "TargetGroupName"), protocol=text(item, "Protocol"),
            port=integer(item, item, "Port"), target_type=target_type if target_type in _TARGET_TYPES else "instance",
            vpc_id=text(item, "VpcId"), targets=tuple((targets or {}).get(arn, ())) if known else (),
            targets_known=known, tags=tags(item),
        ))
    return out


def to_target_health(raw: Iterable[Item]) -> dict[str, list[TargetGroupTarget]]:
    """`[{TargetGroupArn, TargetHealthDescriptions}]` → registered targets by target group ARN."""
    out: dict[str, list[TargetGroupTarget]] = {}
    for item in raw:
        arn = text(item, "TargetGroupArn")
        if arn is None:
            continue
        found = out.setdefault(arn, [])
        for description in dicts(item, item, "TargetHealthDescriptions"):
            target_id = text(description, "Target", "Id")
            if target_id is None:
                continue
            target = make(TargetGroupTarget, item, target_id=target_id, port=integer(item, description, "Target", "Port"),
                          availability_zone=text(description, "Target", "AvailabilityZone"))
            if target not in found:
                found.append(target)
    return out


def to_classic_load_balancers(raw: Iterable[Item]) -> tuple[list[LoadBalancer], list[TargetGroup]]:
    """Classic ELBs (`LoadBalancerDescriptions`) and their registered instances as synthetic target groups."""
    balancers: list[LoadBalancer] = []
    groups: list[TargetGroup] = []
    for item in raw:
        name = text(item, "LoadBalancerName")
        if name is None:
            continue
        instances = [text(i, "InstanceId") for i in dicts(item, item, "Instances") if text(i, "InstanceId")]
        listeners: list[LoadBalancerListener] = []
        by_port: dict[str, TargetGroup] = {}
        for description in dicts(item, item, "ListenerDescriptions"):
            listener = get(description, "Listener") or {}
            port, instance_port = integer(item, listener, "LoadBalancerPort"), integer(item, listener, "InstancePort")
            group_id = f"{name}/instances:{instance_port}"
            by_port[group_id] = make(
                TargetGroup, item, id=group_id, name=name, protocol=text(listener, "InstanceProtocol"), port=instance_port,
                target_type="instance", vpc_id=text(item, "VPCId"),
                targets=tuple(TargetGroupTarget(target_id=i, port=instance_port) for i in instances),  # type: ignore[arg-type]
            )
            protocol = text(listener, "Protocol") or "?"
            listeners.append(make(LoadBalancerListener, item, id=f"{name}/{protocol}:{port}", protocol=protocol, port=port,
                                  target_group_ids=(group_id,)))
        groups += by_port.values()
        balancers.append(make(
            LoadBalancer, item, id=name, name=name, kind="classic",
            scheme="internet-facing" if (text(item, "Scheme") or "").lower() == "internet-facing" else "internal",
            vpc_id=text(item, "VPCId"), subnet_ids=tuple(sorted(set(texts(item, item, "Subnets")))),
            security_group_ids=tuple(dict.fromkeys(texts(item, item, "SecurityGroups"))),
            listeners=tuple(sorted(listeners, key=lambda lsn: lsn.id)),
        ))
    return balancers, groups


def resolve_load_balancer_owners(endpoints: Iterable[Endpoint], balancers: Iterable[LoadBalancer]) -> list[Endpoint]:
    """Load balancer ENIs name their owner `app/<name>/<id>` (elbv2) or `<name>` (classic): make it the id."""
    by_path = {}
    for lb in balancers:
        if lb.kind == "classic":
            by_path[lb.id] = lb.id
        elif "loadbalancer/" in lb.id:
            by_path[lb.id.split("loadbalancer/", 1)[1]] = lb.id
    return [e.model_copy(update={"owner_id": by_path[e.owner_id]})
            if e.kind == "load-balancer" and e.owner_id in by_path else e for e in endpoints]


__all__ = ["resolve_load_balancer_owners", "to_classic_load_balancers", "to_listener", "to_listeners",
           "to_load_balancers", "to_target_groups", "to_target_health", "to_vpc_endpoints", "vpc_endpoint_endpoints"]
