"""VPC endpoints and load balancers: managed services that carry traffic for others.

VPC endpoints (`aws_vpc_endpoint`, with its route table, subnet and security group associations):

* Gateway (S3, DynamoDB): a route to the service's AWS-managed prefix list in each of its route tables (AWS
  adds them; the provider does not show them in the tables).  The endpoint's `cidr_blocks` are the list's
  entries.
* Interface: one `Endpoint(kind="vpc-endpoint")` per subnet, with the endpoint's groups (its VPC's default
  group when it has none); the address is any of the subnet's unless `subnet_configuration` gives it.
* Gateway Load Balancer: as an interface endpoint without security groups, plus `Unsupported` (traffic goes
  through appliances).

Load balancers (`aws_lb`/`aws_alb`, listeners, listener rules, target groups and their attachments; classic
`aws_elb`): a `LoadBalancer` with its listeners and the target groups they forward to, and one
`Endpoint(kind="load-balancer")` per subnet — Terraform knows neither the interfaces nor their addresses, so
each has any address of its subnet and, when internet-facing, a public address of unknown value.  A classic
load balancer's instances become one target group per instance port, named `<name>/instances:<port>` (as
the AWS collector does).  Targets registered outside Terraform's view — by an auto scaling group, an ECS
service, or anything when a group has no attachment at all — make `targets_known=False`.  Gateway Load
Balancers are `Unsupported`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Address
from typing import Optional

from zonecheck.collect.terraform.attrs import Attrs
from zonecheck.collect.terraform.findings import ByType, Catalog, Findings, of_types
from zonecheck.collect.terraform.reader import TfResource
from zonecheck.collect.terraform.vpc import VpcFamily
from zonecheck.model import (
    Endpoint,
    IPNetwork,
    LoadBalancer,
    LoadBalancerListener,
    PrefixList,
    Route,
    TargetGroup,
    TargetGroupTarget,
    VpcEndpoint,
)

_ENDPOINT_KINDS = {"gateway": "gateway", "interface": "interface", "gatewayloadbalancer": "gateway-load-balancer"}
_GONE = ("deleted", "deleting", "rejected", "failed", "expired")
LB_TYPES = ("aws_lb", "aws_alb")
LISTENER_TYPES = ("aws_lb_listener", "aws_alb_listener")
RULE_TYPES = ("aws_lb_listener_rule", "aws_alb_listener_rule")
TARGET_GROUP_TYPES = ("aws_lb_target_group", "aws_alb_target_group")
ATTACHMENT_TYPES = ("aws_lb_target_group_attachment", "aws_alb_target_group_attachment")
_TARGET_TYPES = ("instance", "ip", "lambda", "alb")


@dataclass
class Services:
    vpc_endpoints: dict[str, VpcEndpoint] = field(default_factory=dict)
    load_balancers: dict[str, LoadBalancer] = field(default_factory=dict)
    target_groups: dict[str, TargetGroup] = field(default_factory=dict)
    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    routes: dict[str, list[Route]] = field(default_factory=dict)
    """Route table id → the routes AWS adds for gateway endpoints."""
    prefix_lists: dict[str, PrefixList] = field(default_factory=dict)
    findings: Findings = field(default_factory=Findings)


def to_services(resources: ByType, net: VpcFamily) -> Services:
    result = Services()
    _vpc_endpoints(resources, net, result)
    _load_balancers(resources, net, result)
    _classic_load_balancers(resources, net, result)
    return result


# -- VPC endpoints -------------------------------------------------------------------------------------------


def _vpc_endpoints(resources: ByType, net: VpcFamily, result: Services) -> None:
    findings = result.findings
    extra = {key: _associations(resources, rtype, key, findings) for rtype, key in (
        ("aws_vpc_endpoint_route_table_association", "route_table_id"),
        ("aws_vpc_endpoint_subnet_association", "subnet_id"),
        ("aws_vpc_endpoint_security_group_association", "security_group_id"))}
    catalog: Catalog[VpcEndpoint] = Catalog()
    for res in of_types(resources, "aws_vpc_endpoint"):
        a = Attrs(res)
        vpce_id, vpc_id = a.text("id"), a.text("vpc_id")
        if vpce_id is None or vpc_id is None:
            findings.unknown(res, "id" if vpce_id is None else "vpc_id", "not in the source; the VPC endpoint is skipped")
            findings.missing("vpc-endpoint", vpce_id or "*", f"{res.address}: a VPC endpoint not in the source ({res.file})")
            continue
        raw_kind = a.text("vpc_endpoint_type") or "Gateway"
        kind = _ENDPOINT_KINDS.get(raw_kind.lower())
        state = (a.text("state") or "available").lower()
        if state in _GONE:
            findings.notes.append(f"{res.address}: {vpce_id} is {state}: left out")
            continue
        if kind is None:
            findings.unsupported_resource(res, f"{vpce_id}: VPC endpoints of type {raw_kind} are not modelled yet")
            continue
        if kind == "gateway-load-balancer":
            findings.unsupported_resource(res, f"{vpce_id}: traffic routed to a Gateway Load Balancer endpoint goes "
                                               "through appliances (firewalls, inspection) that are not modelled yet")
        groups = list(dict.fromkeys((*a.texts("security_group_ids"), *extra["security_group_id"].get(vpce_id, ()))))
        subnets = sorted({*a.texts("subnet_ids"), *extra["subnet_id"].get(vpce_id, ())})
        tables = sorted({*a.texts("route_table_ids"), *extra["route_table_id"].get(vpce_id, ())})
        if kind == "interface" and not groups and not (a.unknown("security_group_ids") and
                                                     not a.computed_default("security_group_ids")):
            groups = list(_default_group_of_vpc(net, vpc_id))  # AWS gives it the VPC's default group
        for key in ("route_table_ids", "subnet_ids", "security_group_ids"):
            if a.unknown(key) and not a.computed_default(key):
                findings.unknown(res, key, resource=vpce_id)
                findings.missing("vpc-endpoint", vpce_id, f"{res.address}: its {key} are known only after apply")
        vpce = a.make(VpcEndpoint, id=vpce_id, vpc_id=vpc_id, kind=kind, service_name=a.text("service_name"),
                      route_table_ids=tuple(tables), subnet_ids=tuple(subnets), security_group_ids=tuple(groups),
                      network_interface_ids=tuple(sorted(set(a.texts("network_interface_ids")))),
                      prefix_list_id=a.text("prefix_list_id"), private_dns_enabled=a.flag("private_dns_enabled", False),
                      state=state, tags=a.tags())
        catalog.add(vpce_id, vpce, res)
        if kind == "gateway":
            _gateway_routes(a, vpce, result)
            continue
        addresses = {block.text("subnet_id"): block.ipv4("ipv4") for block in a.blocks("subnet_configuration")
                     if block.text("subnet_id")}
        for subnet_id in subnets:
            address = addresses.get(subnet_id)
            endpoint = Endpoint(id=f"{vpce_id}@{subnet_id}", kind="vpc-endpoint", owner_id=vpce_id, subnet_id=subnet_id,
                                security_group_ids=tuple(groups), private_ips=(address,) if address else (),
                                address_unknown=address is None, owner_tags=vpce.tags)
            result.endpoints[endpoint.id] = endpoint
    result.vpc_endpoints = dict(catalog.items())


def _gateway_routes(a: Attrs, vpce: VpcEndpoint, result: Services) -> None:
    if vpce.prefix_list_id is None:
        if vpce.route_table_ids:
            result.findings.unknown(a.resource, "prefix_list_id", resource=vpce.route_table_ids[0])
        return
    for table_id in vpce.route_table_ids:
        result.routes.setdefault(table_id, []).append(
            Route(destination_prefix_list_id=vpce.prefix_list_id, target="vpc-endpoint", target_id=vpce.id))
    entries: list[IPNetwork] = list(a.networks("cidr_blocks"))
    if entries:
        result.prefix_lists[vpce.prefix_list_id] = PrefixList(
            id=vpce.prefix_list_id, name=vpce.service_name, aws_managed=True,
            entries=tuple(sorted(set(entries), key=lambda n: (n.version, n))))  # type: ignore[arg-type]


def _associations(resources: ByType, rtype: str, key: str, findings: Findings) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for res in of_types(resources, rtype):
        a = Attrs(res)
        vpce_id, value = a.text("vpc_endpoint_id"), a.text(key)
        if vpce_id is None or value is None:
            findings.unknown(res, "vpc_endpoint_id" if vpce_id is None else key)
            findings.missing("vpc-endpoint", vpce_id or "*", f"{res.address}: an endpoint association not in the source")
            continue
        out.setdefault(vpce_id, set()).add(value)
    return out


def _default_group_of_vpc(net: VpcFamily, vpc_id: Optional[str]) -> tuple[str, ...]:
    defaults = net.defaults.get(vpc_id or "")
    return (defaults.default_security_group_id,) if defaults and defaults.default_security_group_id else ()


# -- application and network load balancers ------------------------------------------------------------------


@dataclass
class _Balancer:
    balancer: LoadBalancer
    addresses: dict[str, tuple[Optional[IPv4Address], Optional[str]]]
    """subnet id → (private IPv4, Elastic IP allocation) from `subnet_mapping`."""


def _load_balancers(resources: ByType, net: VpcFamily, result: Services) -> None:
    findings = result.findings
    balancers: Catalog[LoadBalancer] = Catalog()
    mappings: dict[str, dict[str, tuple[Optional[IPv4Address], Optional[str]]]] = {}
    for res in of_types(resources, *LB_TYPES):
        parsed = _load_balancer(res, net, findings)
        if parsed is not None:
            balancers.add(parsed.balancer.id, parsed.balancer, res)
            mappings[parsed.balancer.id] = parsed.addresses
    listeners = _listeners(resources, {b.id: b for b in balancers.records()}, findings)
    groups = _target_groups(resources, findings)
    elastic = _elastic_ips(resources)
    for lb_id, balancer in balancers.items():
        balancer = balancer.model_copy(update={"listeners": tuple(sorted(listeners.get(lb_id, ()), key=lambda x: x.id))})
        result.load_balancers[lb_id] = balancer
        for subnet_id in balancer.subnet_ids:
            private, allocation = mappings[lb_id].get(subnet_id, (None, None))
            public = elastic.get(allocation or "")
            endpoint = Endpoint(
                id=f"{lb_id}@{subnet_id}", kind="load-balancer", owner_id=lb_id, subnet_id=subnet_id,
                security_group_ids=balancer.security_group_ids, private_ips=(private,) if private else (),
                public_ips=(public,) if public else (), address_unknown=private is None,
                public_address_unknown=balancer.scheme == "internet-facing" and public is None, owner_tags=balancer.tags)
            result.endpoints[endpoint.id] = endpoint
    result.target_groups.update(groups)


def _load_balancer(res: TfResource, net: VpcFamily, findings: Findings) -> Optional[_Balancer]:
    a = Attrs(res)
    lb_id = a.text("arn") or a.text("id")
    if lb_id is None:
        findings.unknown(res, "arn", "not in the source; the load balancer is skipped")
        return None
    kind = (a.text("load_balancer_type") or "application").lower()
    if kind == "gateway":
        findings.unsupported_resource(res, f"{lb_id}: Gateway Load Balancers forward to appliances that are not "
                                           "modelled yet")
        return None
    if kind not in ("application", "network"):
        findings.unsupported_resource(res, f"{lb_id}: load balancers of type {kind} are not modelled yet")
        return None
    addresses: dict[str, tuple[Optional[IPv4Address], Optional[str]]] = {}
    for block in a.blocks("subnet_mapping"):
        subnet_id = block.text("subnet_id")
        if subnet_id:
            addresses[subnet_id] = (block.ipv4("private_ipv4_address"), block.text("allocation_id"))
    subnets = sorted({*a.texts("subnets"), *addresses})
    if a.unknown("subnets") and a.unknown("subnet_mapping") and not subnets:
        findings.unknown(res, "subnets", resource=lb_id)
        findings.missing("load-balancer", lb_id, f"{res.address}: the subnets of {lb_id} are known only after apply")
    vpc_id = a.text("vpc_id") or next((net.subnets[s].vpc_id for s in subnets if s in net.subnets), None)
    groups = list(a.texts("security_groups"))
    if not groups and kind == "application" and (not a.unknown("security_groups") or a.computed_default("security_groups")):
        groups = list(_default_group_of_vpc(net, vpc_id))  # an ALB without groups gets its VPC's default group
    if a.unknown("security_groups") and not a.computed_default("security_groups") and not groups:
        findings.unknown(res, "security_groups", resource=lb_id)
        findings.missing("security-group", lb_id, f"{res.address}: the groups of {lb_id} are known only after apply")
    internal = a.flag("internal", False)
    balancer = a.make(LoadBalancer, id=lb_id, name=a.text("name"), kind=kind,
                      scheme="internal" if internal else "internet-facing", vpc_id=vpc_id, subnet_ids=tuple(subnets),
                      security_group_ids=tuple(groups), tags=a.tags())
    return _Balancer(balancer, addresses)


def _listeners(resources: ByType, balancers: dict[str, LoadBalancer],
               findings: Findings) -> dict[str, list[LoadBalancerListener]]:
    by_listener: dict[str, tuple[str, LoadBalancerListener]] = {}
    for res in of_types(resources, *LISTENER_TYPES):
        a = Attrs(res)
        listener_id, lb_id = a.text("arn") or a.text("id"), a.text("load_balancer_arn")
        if listener_id is None or lb_id is None:
            findings.unknown(res, "arn" if listener_id is None else "load_balancer_arn")
            findings.missing("load-balancer", lb_id or "*", f"{res.address}: a listener not in the source ({res.file})")
            continue
        balancer = balancers.get(lb_id)
        default = "TCP" if balancer is not None and balancer.kind == "network" else "HTTP"
        protocol = a.text("protocol") or default
        port = a.integer("port")
        if port is None and a.unknown("port"):
            findings.unknown(res, "port", resource=lb_id)
        groups = _forwards(a, "default_action", lb_id, findings)
        by_listener[listener_id] = (lb_id, a.make(LoadBalancerListener, id=listener_id, protocol=protocol.upper(),
                                                  port=port, target_group_ids=tuple(groups)))
    for res in of_types(resources, *RULE_TYPES):
        a = Attrs(res)
        listener_id = a.text("listener_arn")
        found = by_listener.get(listener_id or "")
        if found is None:
            findings.missing("load-balancer", listener_id or "*",
                             f"{res.address}: a rule of listener {listener_id}, which is not in the source ({res.file})")
            continue
        lb_id, listener = found
        # Conditions are ignored: the rule may match any request (over-approximation).
        groups = _forwards(a, "action", lb_id, findings)
        merged = tuple(sorted({*listener.target_group_ids, *groups}))
        by_listener[listener_id or ""] = (lb_id, listener.model_copy(update={"target_group_ids": merged}))
    out: dict[str, list[LoadBalancerListener]] = {}
    for lb_id, listener in by_listener.values():
        if lb_id not in balancers:
            findings.notes.append(f"{listener.id}: a listener of {lb_id}, which is not in the source")
        out.setdefault(lb_id, []).append(listener)
    return out


def _forwards(a: Attrs, key: str, lb_id: str, findings: Findings) -> list[str]:
    """Target groups that `forward` actions send to: `target_group_arn`, or `forward { target_group { arn } }`."""
    groups: list[str] = []
    for action in a.blocks(key):
        kind = (action.text("type") or "forward").lower()
        if kind != "forward":
            continue
        groups += [g for g in (action.text("target_group_arn"),) if g]
        for forward in action.blocks("forward"):
            groups += [g for block in forward.blocks("target_group") if (g := block.text("arn"))]
        if not groups and (action.unknown("target_group_arn") or action.unknown("forward")):
            findings.unknown(a.resource, action.where("target_group_arn"), resource=lb_id)
            findings.missing("load-balancer", lb_id, f"{a.resource.address}: where it forwards is known only after apply")
    if a.unknown(key) and not a.blocks(key):
        findings.unknown(a.resource, key, resource=lb_id)
        findings.missing("load-balancer", lb_id, f"{a.resource.address}: its actions are known only after apply")
    return sorted(set(groups))


def _target_groups(resources: ByType, findings: Findings) -> dict[str, TargetGroup]:
    catalog: Catalog[TargetGroup] = Catalog()
    for res in of_types(resources, *TARGET_GROUP_TYPES):
        a = Attrs(res)
        group_id = a.text("arn") or a.text("id")
        if group_id is None:
            findings.unknown(res, "arn", "not in the source; the target group is skipped")
            continue
        target_type = (a.text("target_type") or "instance").lower()
        catalog.add(group_id, a.make(TargetGroup, id=group_id, name=a.text("name"), protocol=a.text("protocol"),
                                     port=a.integer("port"),
                                     target_type=target_type if target_type in _TARGET_TYPES else "instance",
                                     vpc_id=a.text("vpc_id"), tags=a.tags()), res)
    groups = dict(catalog.items())
    targets: dict[str, list[TargetGroupTarget]] = {}
    for res in of_types(resources, *ATTACHMENT_TYPES):
        a = Attrs(res)
        group_id, target_id = a.text("target_group_arn"), a.text("target_id")
        if group_id is None or target_id is None:
            findings.unknown(res, "target_group_arn" if group_id is None else "target_id")
            findings.missing("load-balancer", group_id or "*", f"{res.address}: a registered target not in the source")
            if group_id:
                targets.setdefault(group_id, [])
            continue
        target = a.make(TargetGroupTarget, target_id=target_id, port=a.integer("port"),
                        availability_zone=a.text("availability_zone"))
        found = targets.setdefault(group_id, [])
        if target not in found:
            found.append(target)
    elsewhere = _registered_elsewhere(resources)
    for group_id, group in groups.items():
        registered = targets.get(group_id, [])
        known = group_id not in elsewhere and (bool(registered) or group.target_type == "lambda")
        if group_id in elsewhere:
            findings.notes.append(f"{group_id}: targets are registered by {elsewhere[group_id]}; any instance or address "
                                  "of its VPC may be one")
        elif not known:
            findings.notes.append(f"{group_id}: no target is registered in the source; any instance or address of its "
                                  "VPC may be one")
        groups[group_id] = group.model_copy(update={
            "targets": tuple(sorted(registered, key=lambda t: (t.target_id, t.port or 0))), "targets_known": known})
    return groups


def _registered_elsewhere(resources: ByType) -> dict[str, str]:
    """Target groups (ARNs) or classic load balancers (names) whose targets something else registers."""
    out: dict[str, str] = {}
    for res in of_types(resources, "aws_autoscaling_group"):
        a = Attrs(res)
        for group in (*a.texts("target_group_arns"), *a.texts("load_balancers")):
            out.setdefault(group, res.address)
        for block in a.blocks("traffic_source"):
            if block.text("identifier"):
                out.setdefault(block.text("identifier") or "", res.address)
    for res in of_types(resources, "aws_autoscaling_attachment"):
        a = Attrs(res)
        for key in ("lb_target_group_arn", "alb_target_group_arn", "elb"):
            if a.text(key):
                out.setdefault(a.text(key) or "", res.address)
    for res in of_types(resources, "aws_autoscaling_traffic_source_attachment"):
        for block in Attrs(res).blocks("traffic_source"):
            if block.text("identifier"):
                out.setdefault(block.text("identifier") or "", res.address)
    for res in of_types(resources, "aws_ecs_service"):
        for block in Attrs(res).blocks("load_balancer"):
            for key in ("target_group_arn", "elb_name"):
                if block.text(key):
                    out.setdefault(block.text(key) or "", res.address)
    return out


def _elastic_ips(resources: ByType) -> dict[str, IPv4Address]:
    out: dict[str, IPv4Address] = {}
    for res in of_types(resources, "aws_eip"):
        a = Attrs(res)
        address = a.ipv4("public_ip")
        if address is None:
            continue
        for key in (a.text("id"), a.text("allocation_id")):
            if key:
                out[key] = address
    return out


# -- classic load balancers ----------------------------------------------------------------------------------


def _classic_load_balancers(resources: ByType, net: VpcFamily, result: Services) -> None:
    findings = result.findings
    attached: dict[str, set[str]] = {}
    for res in of_types(resources, "aws_elb_attachment"):
        a = Attrs(res)
        if a.text("elb") and a.text("instance"):
            attached.setdefault(a.text("elb") or "", set()).add(a.text("instance") or "")
    elsewhere = _registered_elsewhere(resources)
    catalog: Catalog[LoadBalancer] = Catalog()
    for res in of_types(resources, "aws_elb"):
        a = Attrs(res)
        name = a.text("name") or a.text("id")
        if name is None:
            findings.unknown(res, "name", "not in the source; the load balancer is skipped")
            continue
        subnets = sorted(set(a.texts("subnets")))
        if not subnets:
            findings.unsupported_resource(res, f"{name}: a classic load balancer without subnets (EC2-Classic, or "
                                               "placed by Availability Zone) is not modelled")
            continue
        instances = sorted({*a.texts("instances"), *attached.get(name, ())})
        known = name not in elsewhere
        listeners, groups = [], {}
        for block in a.blocks("listener"):
            port, instance_port = block.integer("lb_port"), block.integer("instance_port")
            protocol = (block.text("lb_protocol") or "TCP").upper()
            group_id = f"{name}/instances:{instance_port}"
            groups[group_id] = a.make(TargetGroup, id=group_id, name=name, protocol=block.text("instance_protocol"),
                                      port=instance_port, target_type="instance", targets_known=known,
                                      targets=tuple(TargetGroupTarget(target_id=i, port=instance_port) for i in instances))
            listeners.append(LoadBalancerListener(id=f"{name}/{protocol}:{port}", protocol=protocol, port=port,
                                                  target_group_ids=(group_id,)))
        vpc_id = next((net.subnets[s].vpc_id for s in subnets if s in net.subnets), None)
        groups_of_lb = list(a.texts("security_groups")) or list(_default_group_of_vpc(net, vpc_id))
        balancer = a.make(LoadBalancer, id=name, name=name, kind="classic",
                          scheme="internal" if a.flag("internal", False) else "internet-facing", vpc_id=vpc_id,
                          subnet_ids=tuple(subnets), security_group_ids=tuple(groups_of_lb),
                          listeners=tuple(sorted(listeners, key=lambda x: x.id)), tags=a.tags())
        catalog.add(name, balancer, res)
        result.target_groups.update(groups)
        for subnet_id in subnets:
            endpoint = Endpoint(id=f"{name}@{subnet_id}", kind="load-balancer", owner_id=name, subnet_id=subnet_id,
                                security_group_ids=balancer.security_group_ids, address_unknown=True,
                                public_address_unknown=balancer.scheme == "internet-facing", owner_tags=balancer.tags)
            result.endpoints[endpoint.id] = endpoint
    result.load_balancers.update(catalog.items())


__all__ = ["Services", "to_services"]
