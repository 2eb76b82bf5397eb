"""Network interfaces (DescribeNetworkInterfaces), instances (DescribeInstances `Reservations`) and the
public addresses Elastic IPs (DescribeAddresses) put on interfaces.

Every ENI is an endpoint; what owns it (instance, NAT gateway, load balancer, Lambda, VPC endpoint, TGW
attachment, RDS…) comes from its attachment, `InterfaceType`, `RequesterId` and `Description`.  An
interface of an instance that is not running carries no traffic: its `state` is the instance's state.
"""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv6Address
from typing import Iterable, Mapping, Optional

from zonecheck.collect.aws.transform._raw import (
    Item, dicts, flag, get, ipv4, ipv6, make, tags, text, unique,
)
from zonecheck.collect.aws.transform.findings import Findings, ensure
from zonecheck.model import Endpoint, EndpointKind, Instance

_LAMBDA_DESCRIPTION = re.compile(
    r"AWS Lambda VPC ENI-(?P<name>.+)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_PREFIXED_ID = re.compile(r"\b((?:nat|vpce|tgw-attach)-[0-9a-zA-Z]+)\b")

_INTERFACE_KINDS: dict[str, EndpointKind] = {
    "natgateway": "nat-gateway", "nat_gateway": "nat-gateway",
    "network_load_balancer": "load-balancer", "gateway_load_balancer": "load-balancer", "load_balancer": "load-balancer",
    "vpc_endpoint": "vpc-endpoint", "gateway_load_balancer_endpoint": "vpc-endpoint",
    "transit_gateway": "transit-gateway-attachment",
    "lambda": "lambda",
}


# -- instances -----------------------------------------------------------------------------------------------


def reservation_instances(raw: Iterable[Item]) -> list[Item]:
    """The instance items of `Reservations`."""
    return [instance for reservation in raw for instance in dicts(reservation, reservation, "Instances")]


def to_instances(raw: Iterable[Item], findings: Optional[Findings] = None) -> list[Instance]:
    """`Reservations` items → instances, whatever their state (a stopped instance is still there)."""
    findings = ensure(findings)
    out = []
    for item in reservation_instances(raw):
        instance_id = text(item, "InstanceId")
        if instance_id is None:
            findings.note("an instance without InstanceId was skipped")
            continue
        state = (text(item, "State", "Name") or "running").lower()
        out.append(make(Instance, item, id=instance_id, state=state, subnet_id=text(item, "SubnetId"), tags=tags(item)))
    return out


def instance_interfaces(raw: Iterable[Item], known_eni_ids: Iterable[str] = (),
                        findings: Optional[Findings] = None) -> list[Endpoint]:
    """Endpoints from the instances' own `NetworkInterfaces` (for dumps without DescribeNetworkInterfaces,
    or interfaces it misses).  An instance that lists no interface but has a subnet and an address gets
    one endpoint from its top-level fields."""
    findings = ensure(findings)
    known = set(known_eni_ids)
    out = []
    for item in reservation_instances(raw):
        instance_id = text(item, "InstanceId")
        if instance_id is None:
            continue
        instance = Instance(id=instance_id, state=(text(item, "State", "Name") or "running").lower(), tags=tags(item))
        interfaces = dicts(item, item, "NetworkInterfaces")
        for eni in interfaces:
            eni_id = text(eni, "NetworkInterfaceId")
            if eni_id is not None and eni_id in known:
                continue
            endpoint = interface_endpoint(item, eni, {instance_id: instance}, owner=instance_id, findings=findings)
            if endpoint is not None:
                out.append(endpoint)
        if not interfaces and text(item, "SubnetId") and instance.state not in ("terminated", "shutting-down"):
            private = ipv4(item, text(item, "PrivateIpAddress"), "PrivateIpAddress")
            public = ipv4(item, text(item, "PublicIpAddress"), "PublicIpAddress")
            out.append(make(
                Endpoint, item, id=f"{instance_id}@{text(item, 'SubnetId')}", kind="instance", owner_id=instance_id,
                subnet_id=text(item, "SubnetId"),
                security_group_ids=unique(text(g, "GroupId") for g in dicts(item, item, "SecurityGroups") if text(g, "GroupId")),
                private_ips=(private,) if private else (), public_ips=(public,) if public else (),
                address_unknown=private is None, source_dest_check=flag(item, item, "SourceDestCheck", True),
                state=_instance_state(instance) or "in-use", owner_tags=instance.tags,
            ))
    return out


# -- network interfaces --------------------------------------------------------------------------------------


def to_network_interfaces(raw: Iterable[Item], instances: Optional[Mapping[str, Instance]] = None,
                          findings: Optional[Findings] = None) -> list[Endpoint]:
    """`NetworkInterfaces` items → endpoints; `instances` (by id) gives owners' tags and states."""
    findings = ensure(findings)
    out = []
    for item in raw:
        endpoint = interface_endpoint(item, item, instances or {}, findings=findings)
        if endpoint is not None:
            out.append(endpoint)
    return out


def interface_endpoint(top: Item, eni: Item, instances: Mapping[str, Instance], owner: Optional[str] = None,
                       findings: Optional[Findings] = None) -> Optional[Endpoint]:
    """One ENI (a `NetworkInterfaces` item, or an entry of an instance's `NetworkInterfaces`)."""
    findings = ensure(findings)
    eni_id, subnet_id = text(eni, "NetworkInterfaceId"), text(eni, "SubnetId")
    if eni_id is None or subnet_id is None:
        findings.note(f"network interface {eni_id or '(no id)'} without SubnetId was skipped")
        return None
    kind, owner_id = interface_kind(eni)
    if owner is not None:
        kind, owner_id = "instance", owner
    private: list[IPv4Address] = []
    public: list[IPv4Address] = []
    primary = ipv4(top, text(eni, "PrivateIpAddress"), "PrivateIpAddress")
    if primary:
        private.append(primary)
    for address in dicts(top, eni, "PrivateIpAddresses"):
        ip = ipv4(top, text(address, "PrivateIpAddress"), "PrivateIpAddresses[].PrivateIpAddress")
        if ip:
            private.append(ip)
        public_ip = ipv4(top, text(address, "Association", "PublicIp"), "PrivateIpAddresses[].Association.PublicIp")
        if public_ip:
            public.append(public_ip)
    top_public = ipv4(top, text(eni, "Association", "PublicIp"), "Association.PublicIp")
    if top_public:
        public.append(top_public)
    v6: list[IPv6Address] = [v6_ip for a in dicts(top, eni, "Ipv6Addresses")
                             if (v6_ip := ipv6(top, text(a, "Ipv6Address"), "Ipv6Addresses[].Ipv6Address"))]
    if dicts(top, eni, "Ipv4Prefixes") or dicts(top, eni, "Ipv6Prefixes"):
        findings.unsupported_construct(eni_id, "ip-prefix-delegation",
                                       f"{eni_id} has delegated IP prefixes: addresses inside them are not modelled yet")
    instance = instances.get(owner_id or "") if kind == "instance" else None
    state = _instance_state(instance) or (text(eni, "Status") or "in-use").lower()
    return make(
        Endpoint, top, id=eni_id, kind=kind, owner_id=owner_id, subnet_id=subnet_id,
        security_group_ids=unique(text(g, "GroupId") for g in dicts(top, eni, "Groups") if text(g, "GroupId")),
        private_ips=unique(private), public_ips=unique(public), ipv6_addresses=unique(v6),
        source_dest_check=flag(top, eni, "SourceDestCheck", True), state=state, tags=tags(eni, "TagSet", "Tags"),
        owner_tags=instance.tags if instance is not None else {},
    )


def interface_kind(eni: Item) -> tuple[EndpointKind, Optional[str]]:
    """(kind, owner id) of an ENI.  Load balancer owners are the `app/name/id`, `net/…`, `gwy/…` path or the
    classic name from the description; `resolve_load_balancer_owners` turns them into ARNs."""
    interface_type = (text(eni, "InterfaceType") or "interface").lower()
    description = text(eni, "Description") or ""
    requester = (text(eni, "RequesterId") or "").lower()
    instance_id = text(eni, "Attachment", "InstanceId")
    ids = _PREFIXED_ID.findall(description)
    if instance_id and not (text(eni, "Attachment", "InstanceOwnerId") or "").startswith("amazon"):
        return "instance", instance_id
    kind = _INTERFACE_KINDS.get(interface_type)
    if kind is None:
        if description.startswith("Interface for NAT Gateway"):
            kind = "nat-gateway"
        elif description.startswith("ELB ") or requester == "amazon-elb":
            kind = "load-balancer"
        elif description.startswith("VPC Endpoint Interface"):
            kind = "vpc-endpoint"
        elif description.startswith("Network Interface for Transit Gateway Attachment"):
            kind = "transit-gateway-attachment"
        elif description.startswith("AWS Lambda VPC ENI") or requester.endswith(":lambda") or "lambda" in requester:
            kind = "lambda"
        elif description == "RDSNetworkInterface" or requester == "amazon-rds":
            kind = "rds"
        elif instance_id:
            return "instance", instance_id
        elif get(eni, "RequesterManaged") is True or requester:
            kind = "other"
        else:
            kind = "network-interface"
    owner: Optional[str] = None
    if kind == "load-balancer" and description.startswith("ELB "):
        owner = description[4:].strip() or None
    elif kind == "lambda":
        match = _LAMBDA_DESCRIPTION.fullmatch(description)
        owner = match.group("name") if match else None
    elif kind in ("nat-gateway", "vpc-endpoint", "transit-gateway-attachment") and ids:
        prefix = {"nat-gateway": "nat-", "vpc-endpoint": "vpce-", "transit-gateway-attachment": "tgw-attach-"}[kind]
        owner = next((i for i in ids if i.startswith(prefix)), None)
    return kind, owner


def _instance_state(instance: Optional[Instance]) -> Optional[str]:
    if instance is None or instance.state == "running":
        return None
    return instance.state


# -- owners' tags ----------------------------------------------------------------------------------------------

_TAGGED_OWNER_KINDS = frozenset({"vpc-endpoint", "load-balancer", "nat-gateway"})


def with_owner_tags(endpoints: Iterable[Endpoint], tags_by_owner: Mapping[str, Mapping[str, str]]) -> list[Endpoint]:
    """The interfaces of a VPC endpoint, load balancer or NAT gateway carry their owner's tags, as those of
    instances do: a zone's `tags` match the resource an interface belongs to (the Terraform collector, and
    the stand-ins made when an interface is not described, do the same)."""
    out = []
    for endpoint in endpoints:
        owner_tags = tags_by_owner.get(endpoint.owner_id or "")
        if owner_tags and endpoint.kind in _TAGGED_OWNER_KINDS and not endpoint.owner_tags:
            endpoint = endpoint.model_copy(update={"owner_tags": dict(owner_tags)})
        out.append(endpoint)
    return out


# -- elastic IPs ---------------------------------------------------------------------------------------------


def with_elastic_ips(endpoints: Iterable[Endpoint], addresses: Iterable[Item],
                     findings: Optional[Findings] = None) -> list[Endpoint]:
    """Add each associated Elastic IP (DescribeAddresses `Addresses`) to its interface."""
    findings = ensure(findings)
    by_id = {e.id: e for e in endpoints}
    added: dict[str, list[IPv4Address]] = {}
    for item in addresses:
        public_ip = ipv4(item, text(item, "PublicIp"), "PublicIp")
        eni_id, instance_id = text(item, "NetworkInterfaceId"), text(item, "InstanceId")
        if public_ip is None or (eni_id is None and instance_id is None):
            continue  # allocated, not associated
        target = by_id.get(eni_id or "")
        if target is None and instance_id:
            target = _instance_primary(by_id.values(), instance_id, ipv4(item, text(item, "PrivateIpAddress"), "PrivateIpAddress"))
        if target is None:
            findings.note(f"Elastic IP {public_ip} is associated with {eni_id or instance_id}, which is not in the source")
            continue
        added.setdefault(target.id, []).append(public_ip)
    return [e.model_copy(update={"public_ips": unique([*e.public_ips, *added[e.id]])}) if e.id in added else e
            for e in by_id.values()]


def _instance_primary(endpoints: Iterable[Endpoint], instance_id: str, private_ip: Optional[IPv4Address]) -> Optional[Endpoint]:
    candidates = sorted((e for e in endpoints if e.kind == "instance" and e.owner_id == instance_id), key=lambda e: e.id)
    for endpoint in candidates:
        if private_ip is not None and private_ip in endpoint.private_ips:
            return endpoint
    return candidates[0] if candidates else None


__all__ = ["instance_interfaces", "interface_endpoint", "interface_kind", "reservation_instances", "to_instances",
           "to_network_interfaces", "with_elastic_ips", "with_owner_tags"]
