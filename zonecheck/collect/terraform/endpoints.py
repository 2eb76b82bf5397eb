"""Instances, network interfaces and the public addresses that Elastic IPs put on them.

An instance's primary interface and an `aws_network_interface` of the same id are one endpoint: the
interface gives its subnet, groups and addresses, the instance its owner, tags and state.

In a plan, a new instance's private address is known only after apply: like an RDS instance's, it is any
address of its subnet (`address_unknown`, SPEC §6.6).  Its public address exists when the configuration
asks for one or, left unset, when its subnet maps public IPs on launch; its groups, left unset, are its
VPC's default group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address
from typing import Optional

from zonecheck.collect.terraform.attrs import Attrs
from zonecheck.collect.terraform.findings import ByType, Catalog, Findings, of_types
from zonecheck.collect.terraform.reader import TfResource
from zonecheck.collect.terraform.vpc import VpcFamily
from zonecheck.model import Endpoint, EndpointKind, Instance


@dataclass
class _Draft:
    """An endpoint being assembled from several resources."""

    id: str
    subnet_id: str
    kind: EndpointKind = "network-interface"
    owner_id: Optional[str] = None
    security_group_ids: list[str] = field(default_factory=list)
    private_ips: list[IPv4Address] = field(default_factory=list)
    public_ips: list[IPv4Address] = field(default_factory=list)
    ipv6_addresses: list[IPv6Address] = field(default_factory=list)
    address_unknown: bool = False
    public_address_unknown: bool = False
    source_dest_check: bool = True
    state: str = "in-use"
    tags: dict[str, str] = field(default_factory=dict)
    owner_tags: dict[str, str] = field(default_factory=dict)

    def freeze(self) -> Endpoint:
        return Endpoint(
            id=self.id, kind=self.kind, owner_id=self.owner_id, subnet_id=self.subnet_id,
            security_group_ids=_unique(self.security_group_ids), private_ips=_unique(self.private_ips),
            public_ips=_unique(self.public_ips), ipv6_addresses=_unique(self.ipv6_addresses),
            address_unknown=self.address_unknown and not self.private_ips,
            public_address_unknown=self.public_address_unknown and not self.public_ips,
            source_dest_check=self.source_dest_check, state=self.state, tags=self.tags, owner_tags=self.owner_tags,
        )


@dataclass
class Endpoints:
    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    instances: dict[str, Instance] = field(default_factory=dict)
    findings: Findings = field(default_factory=Findings)


def to_endpoints(resources: ByType, nat_endpoints: dict[str, Endpoint], net: Optional[VpcFamily] = None) -> Endpoints:
    result = Endpoints()
    net = net or VpcFamily()
    drafts = _interfaces(resources, net, result.findings)
    instances, primary_of = _instances(resources, drafts, net, result.findings)
    _attach_interfaces(resources, drafts, instances, result.findings)
    _attach_groups(resources, drafts, result.findings)
    _add_elastic_ips(resources, drafts, primary_of, set(nat_endpoints), result.findings)
    result.instances = instances
    _groups_not_given(drafts, result.findings)
    result.endpoints = {draft.id: draft.freeze() for draft in drafts.values()}
    result.endpoints.update(nat_endpoints)
    return result


# -- network interfaces --------------------------------------------------------------------------------------


def _interfaces(resources: ByType, net: VpcFamily, findings: Findings) -> dict[str, _Draft]:
    catalog: Catalog[Endpoint] = Catalog()
    drafts: dict[str, _Draft] = {}
    for res in of_types(resources, "aws_network_interface"):
        draft = to_interface(res, findings, net)
        if draft is not None:
            catalog.add(draft.id, draft.freeze(), res)  # compared frozen: same ENI in two stacks must agree
            drafts[draft.id] = draft
    return drafts


def to_interface(res: TfResource, findings: Findings, net: Optional[VpcFamily] = None) -> Optional[_Draft]:
    a = Attrs(res)
    eni_id, subnet_id = a.text("id"), a.text("subnet_id")
    if eni_id is None:
        findings.unknown(res, "id", "not in the source; the network interface is skipped")
        return None
    if subnet_id is None:
        findings.unknown(res, "subnet_id")
        findings.missing("subnet", eni_id, f"{res.address}: the interface's subnet is not in the source ({res.file})")
        return None
    draft = _Draft(
        id=eni_id, subnet_id=subnet_id, security_group_ids=list(a.texts("security_groups")),
        # private_ip is the primary; private_ip_list keeps AWS's order; private_ips is an unordered set.
        private_ips=[*filter(None, [a.ipv4("private_ip")]), *a.ipv4s("private_ip_list"), *a.ipv4s("private_ips")],
        ipv6_addresses=[*a.ipv6s("ipv6_address_list"), *a.ipv6s("ipv6_addresses")],
        source_dest_check=a.flag("source_dest_check", True), tags=a.tags(),
    )
    draft.address_unknown = a.unknown("private_ip") or a.unknown("private_ips") or a.unknown("private_ip_list")
    if not draft.security_group_ids and a.computed_default("security_groups"):
        draft.security_group_ids = list(_vpc_default_group(net, subnet_id))
    for attachment in a.blocks("attachment"):
        instance_id = attachment.text("instance")
        if instance_id:
            draft.kind, draft.owner_id = "instance", instance_id
    return draft


# -- instances -----------------------------------------------------------------------------------------------


def _instances(resources: ByType, drafts: dict[str, _Draft], net: VpcFamily,
               findings: Findings) -> tuple[dict[str, Instance], dict[str, str]]:
    """Instance records, plus instance id → id of its primary endpoint (added to `drafts`)."""
    catalog: Catalog[Instance] = Catalog()
    primary_of: dict[str, str] = {}
    for res in of_types(resources, "aws_instance"):
        a = Attrs(res)
        instance_id, subnet_id = a.text("id"), a.text("subnet_id")
        if instance_id is None:
            findings.unknown(res, "id", "not in the source; the instance is skipped")
            continue
        state, tags = a.text("instance_state"), a.tags()
        catalog.add(instance_id, a.make(Instance, id=instance_id, state=state or "running", subnet_id=subnet_id, tags=tags), res)
        for block in a.blocks("network_interface"):  # interfaces attached at launch
            attached = drafts.get(block.text("network_interface_id") or "")
            if attached is not None:
                attached.kind, attached.owner_id = "instance", instance_id
        if subnet_id is None:
            findings.unknown(res, "subnet_id")
            findings.missing("subnet", instance_id, f"{res.address}: the instance's subnet is not in the source ({res.file})")
            continue
        draft = _primary_draft(a, instance_id, subnet_id, drafts, net)
        draft.kind, draft.owner_id, draft.owner_tags = "instance", instance_id, tags
        draft.state = state or draft.state
        primary_of[instance_id] = draft.id
    instances = dict(catalog.items())
    for draft in drafts.values():
        if draft.owner_id in instances:
            draft.owner_tags = instances[draft.owner_id].tags
    return instances, primary_of


def _primary_draft(a: Attrs, instance_id: str, subnet_id: str, drafts: dict[str, _Draft], net: VpcFamily) -> _Draft:
    """The instance's primary interface, merged with its aws_network_interface when the state has one."""
    eni_id = a.text("primary_network_interface_id") or f"{instance_id}@{subnet_id}"
    draft = drafts.setdefault(eni_id, _Draft(id=eni_id, subnet_id=subnet_id))
    draft.security_group_ids += a.texts("vpc_security_group_ids")
    if not a.texts("vpc_security_group_ids") and a.computed_default("vpc_security_group_ids") \
            and not a.texts("security_groups") and not a.set_by_configuration("security_groups"):
        draft.security_group_ids += _vpc_default_group(net, subnet_id)  # AWS puts it in its VPC's default group
    draft.private_ips += [*filter(None, [a.ipv4("private_ip")]), *a.ipv4s("secondary_private_ips")]
    draft.public_ips += filter(None, [a.ipv4("public_ip")])
    draft.ipv6_addresses += a.ipv6s("ipv6_addresses")
    # A plan: addresses known only after apply.  Any address of the subnet (like an RDS instance's).
    draft.address_unknown = draft.address_unknown or a.unknown("private_ip")
    if a.unknown("public_ip") and _gets_public_ip(a, net, subnet_id):
        draft.public_address_unknown = True
    # One false is enough: an interface that forwards must be treated as able to forward (SPEC §6.2).
    draft.source_dest_check = draft.source_dest_check and a.flag("source_dest_check", True)
    return draft


def _gets_public_ip(a: Attrs, net: VpcFamily, subnet_id: str) -> bool:
    """Whether a new instance gets a public IPv4: as configured, else as its subnet maps them on launch."""
    if not a.unknown("associate_public_ip_address") and a.has("associate_public_ip_address"):
        return a.flag("associate_public_ip_address", False)
    subnet = net.subnets.get(subnet_id)
    return subnet.map_public_ip_on_launch if subnet is not None else True


def _vpc_default_group(net: Optional[VpcFamily], subnet_id: str) -> tuple[str, ...]:
    subnet = net.subnets.get(subnet_id) if net else None
    defaults = net.defaults.get(subnet.vpc_id) if net and subnet else None
    return (defaults.default_security_group_id,) if defaults and defaults.default_security_group_id else ()


def _attach_interfaces(resources: ByType, drafts: dict[str, _Draft], instances: dict[str, Instance],
                       findings: Findings) -> None:
    for res in of_types(resources, "aws_network_interface_attachment"):
        a = Attrs(res)
        eni_id, instance_id = a.text("network_interface_id"), a.text("instance_id")
        draft = drafts.get(eni_id or "")
        if draft is None or instance_id is None:
            findings.notes.append(f"{res.address}: attaches {eni_id} to {instance_id}; the interface is not in the source")
            continue
        draft.kind, draft.owner_id = "instance", instance_id
        if instance_id in instances:
            draft.owner_tags = instances[instance_id].tags


def _attach_groups(resources: ByType, drafts: dict[str, _Draft], findings: Findings) -> None:
    for res in of_types(resources, "aws_network_interface_sg_attachment"):
        a = Attrs(res)
        eni_id, group_id = a.text("network_interface_id"), a.text("security_group_id")
        draft = drafts.get(eni_id or "")
        if draft is None or group_id is None:
            findings.notes.append(f"{res.address}: attaches {group_id} to {eni_id}, which is not in the source")
            continue
        draft.security_group_ids.append(group_id)


def _groups_not_given(drafts: dict[str, _Draft], findings: Findings) -> None:
    """An interface always has at least one group: none in the source means unknown rules, not "deny all"."""
    for draft in drafts.values():
        if not draft.security_group_ids:
            findings.missing("security-group", draft.id,
                             f"the security groups of {draft.owner_id or draft.id} are not in the source")


# -- elastic IPs ---------------------------------------------------------------------------------------------


def _add_elastic_ips(resources: ByType, drafts: dict[str, _Draft], primary_of: dict[str, str], nat_enis: set[str],
                     findings: Findings) -> None:
    public_ip_of: dict[str, Optional[IPv4Address]] = {}
    for res in of_types(resources, "aws_eip"):
        a = Attrs(res)
        public_ip = a.ipv4("public_ip")
        for key in (a.text("id"), a.text("allocation_id")):
            if key:
                public_ip_of[key] = public_ip
        _place_public_ip(res, public_ip, a.text("instance"), a.text("network_interface"), drafts, primary_of, nat_enis,
                         findings)
    for res in of_types(resources, "aws_eip_association"):
        a = Attrs(res)
        allocation = a.text("allocation_id")
        public_ip = public_ip_of.get(allocation or "") or a.ipv4("public_ip")
        _place_public_ip(res, public_ip, a.text("instance_id"), a.text("network_interface_id"), drafts, primary_of,
                         nat_enis, findings)


def _place_public_ip(res: TfResource, public_ip: Optional[IPv4Address], instance_id: Optional[str], eni_id: Optional[str],
                     drafts: dict[str, _Draft], primary_of: dict[str, str], nat_enis: set[str], findings: Findings) -> None:
    if instance_id is None and eni_id is None:
        return  # allocated, not associated
    if eni_id in nat_enis:
        return  # the NAT gateway's own public_ip already says it
    target = drafts.get(eni_id or "") or drafts.get(primary_of.get(instance_id or "", ""))
    if target is None:
        findings.notes.append(f"{res.address}: Elastic IP {public_ip or '(unknown address)'} is associated with "
                              f"{eni_id or instance_id}, which is not in the source")
        return
    if public_ip is None:
        if res.source_kind == "plan":
            findings.notes.append(f"{res.address}: the Elastic IP's address is known only after apply ({res.file})")
        else:
            findings.unknown(res, "public_ip")
        target.public_address_unknown = True
    else:
        target.public_ips.append(public_ip)


def _unique(values: list) -> tuple:  # type: ignore[type-arg]
    return tuple(dict.fromkeys(values))


__all__ = ["Endpoints", "to_endpoints", "to_interface", "vpc_default_group"]

vpc_default_group = _vpc_default_group
