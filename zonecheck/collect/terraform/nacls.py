"""Network ACLs: inline and standalone entries, and which subnet each ACL guards.

Every subnet of the source ends up in exactly one ACL's `subnet_ids`: its explicit association, else its
VPC's default ACL (the one in the source, or AWS's allow-all default assumed when Terraform does not
manage it).  The implicit final deny (`*`, rule 32767) is never emitted: the engine applies it.

In a plan, an entry whose CIDR, ports or protocol are known only after apply is over-approximated towards
more traffic: an allow entry allows any address (all ports), a deny entry is dropped (denies nothing), an
unknown action is taken as allow; the ACL is named in an `UnknownValue`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Network, IPv6Network
from typing import Optional

from zonecheck.collect.terraform.attrs import Attrs
from zonecheck.collect.terraform.findings import ByType, Catalog, Findings, of_types
from zonecheck.collect.terraform.reader import TfResource
from zonecheck.collect.terraform.vpc import VpcFamily
from zonecheck.model import ALL_PROTOCOLS, NetworkAcl, NetworkAclEntry
from zonecheck.model.security import PORTED_PROTOCOLS, TYPED_PROTOCOLS

ACL_TYPES = ("aws_network_acl", "aws_default_network_acl")
IMPLICIT_DENY_RULE = 32767
EntryKey = tuple[bool, int]
"""(egress, rule number): what identifies an entry within one ACL."""


@dataclass
class NetworkAcls:
    acls: dict[str, NetworkAcl] = field(default_factory=dict)
    findings: Findings = field(default_factory=Findings)


def to_network_acls(resources: ByType, net: VpcFamily) -> NetworkAcls:
    result = NetworkAcls()
    acls = _declared_acls(resources, result.findings)
    entries = {acl_id: {(e.egress, e.rule_number): e for e in acl.entries} for acl_id, acl in acls.items()}
    _add_standalone_entries(resources, entries, result.findings)
    for acl in _assumed_default_acls(net, acls, result.findings):
        acls[acl.id] = acl
        entries[acl.id] = {(e.egress, e.rule_number): e for e in acl.entries}
    placement = _subnet_placement(resources, net, acls, result.findings)
    for acl_id, acl in acls.items():
        result.acls[acl_id] = acl.model_copy(update={
            "entries": tuple(sorted(entries[acl_id].values(), key=lambda e: (e.egress, e.rule_number))),
            "subnet_ids": tuple(sorted(s for s, a in placement.items() if a == acl_id)),
        })
    return result


# -- ACLs and entries ----------------------------------------------------------------------------------------


def _declared_acls(resources: ByType, findings: Findings) -> dict[str, NetworkAcl]:
    catalog: Catalog[NetworkAcl] = Catalog()
    for res in of_types(resources, *ACL_TYPES):
        acl = to_network_acl(res, findings)
        if acl is not None:
            catalog.add(acl.id, acl, res)
    return dict(catalog.items())


def to_network_acl(res: TfResource, findings: Findings) -> Optional[NetworkAcl]:
    """The ACL with its inline entries; its subnets are placed later, together with the associations."""
    a = Attrs(res)
    acl_id, vpc_id = a.text("id"), a.text("vpc_id")
    if acl_id is None:
        findings.unknown(res, "id", "not in the source; the network ACL is skipped")
        return None
    if vpc_id is None:
        findings.unknown(res, "vpc_id")
        findings.missing("network-acl", acl_id, f"{res.address}: the ACL's VPC is not in the source ({res.file})")
        return None
    entries: dict[EntryKey, NetworkAclEntry] = {}
    for egress, direction in ((False, "ingress"), (True, "egress")):
        if a.unknown(direction) and not a.blocks(direction):
            if not a.computed_default(direction):
                # Entries unknown: the ACL may allow anything (one allow-all first entry over-approximates).
                findings.unknown(res, direction, resource=acl_id)
                for number, cidr in ((1, IPv4Network("0.0.0.0/0")), (2, IPv6Network("::/0"))):
                    entries[(egress, number)] = NetworkAclEntry(rule_number=number, egress=egress, action="allow",
                                                                protocol=ALL_PROTOCOLS, cidr=cidr)
            continue
        for block in a.blocks(direction):
            entry = to_entry(block, egress, acl_id, findings, number_key="rule_no", action_key="action")
            if entry is not None:
                entries[(entry.egress, entry.rule_number)] = entry
    return a.make(NetworkAcl, id=acl_id, vpc_id=vpc_id, tags=a.tags(), is_default=res.type == "aws_default_network_acl",
                  entries=tuple(sorted(entries.values(), key=lambda e: (e.egress, e.rule_number))))


def _add_standalone_entries(resources: ByType, entries: dict[str, dict[EntryKey, NetworkAclEntry]],
                            findings: Findings) -> None:
    for res in of_types(resources, "aws_network_acl_rule"):
        a = Attrs(res)
        acl_id = a.text("network_acl_id")
        if acl_id is None:
            findings.unknown(res, "network_acl_id")
            findings.missing("network-acl", "*", f"{res.address}: an entry of an unknown network ACL ({res.file})")
            continue
        entry = to_entry(a, a.flag("egress", False), acl_id, findings, number_key="rule_number", action_key="rule_action")
        if entry is None:
            continue
        acl_entries = entries.get(acl_id)
        if acl_entries is None:
            findings.missing("network-acl", acl_id, f"{res.address} adds an entry to {acl_id}, which is not in the source")
            continue
        key = (entry.egress, entry.rule_number)
        if key in acl_entries and acl_entries[key] != entry:
            findings.missing("network-acl", acl_id, f"{acl_id}: conflicting entries #{entry.rule_number} in the source "
                             f"({acl_entries[key].label()} / {res.address}: {entry.label()}); refresh the state")
        acl_entries[key] = entry


def to_entry(a: Attrs, egress: bool, acl_id: str, findings: Findings, *, number_key: str,
             action_key: str) -> Optional[NetworkAclEntry]:
    """One entry (inline block or aws_network_acl_rule); None for the implicit deny and unreadable entries."""
    number, action, protocol = a.integer(number_key), a.text(action_key), a.protocol("protocol")
    cidr = a.ipv4_network("cidr_block") or a.ipv6_network("ipv6_cidr_block")
    if number == IMPLICIT_DENY_RULE:
        return None
    if action is not None and action.lower() not in ("allow", "deny"):
        a.fail(action_key, f"must be \"allow\" or \"deny\", found {action!r}")
    if number is not None and any(a.unknown(k) and not a.computed_default(k) for k in _ENTRY_KEYS + (action_key,)):
        return _unknown_entry(a, number, egress, action, protocol, cidr, acl_id, findings, action_key)
    ports = _entry_ports(a, protocol) if protocol is not None else None
    if number is None or action is None or cidr is None or ports is None:
        missing = next(k for k, v in ((number_key, number), (action_key, action), ("cidr_block", cidr),
                                      ("protocol/from_port/to_port", ports)) if v is None)
        findings.unknown(a.resource, a.where(missing))
        findings.missing("network-acl", acl_id, f"{a.resource.address}: an entry of {acl_id} is not fully in the source")
        return None
    return a.make(NetworkAclEntry, rule_number=number, egress=egress, action=action.lower(),
                  protocol=ports[0], from_port=ports[1], to_port=ports[2], cidr=cidr)


_ENTRY_KEYS = ("cidr_block", "ipv6_cidr_block", "protocol", "from_port", "to_port", "icmp_type", "icmp_code")


def _unknown_entry(a: Attrs, number: int, egress: bool, action: Optional[str], protocol: Optional[int],
                   cidr: Optional[IPv4Network | IPv6Network], acl_id: str, findings: Findings,
                   action_key: str) -> Optional[NetworkAclEntry]:
    """An entry with values known only after apply, over-approximated towards more traffic."""
    for key in _ENTRY_KEYS + (action_key,):
        if a.unknown(key) and not a.computed_default(key):
            findings.unknown(a.resource, a.where(key), resource=acl_id)
    def hidden(key: str) -> bool:
        return a.unknown(key) and not a.computed_default(key)

    if action is not None and action.lower() == "deny":
        return None  # may deny less than it seems: dropping it denies nothing
    if hidden("cidr_block") or hidden("ipv6_cidr_block") or cidr is None:
        cidr = IPv6Network("::/0") if hidden("ipv6_cidr_block") and not hidden("cidr_block") \
            else IPv4Network("0.0.0.0/0")
    ports: Optional[tuple[int, Optional[int], Optional[int]]] = None
    if protocol is not None and not hidden("protocol"):
        ports = _entry_ports(a, protocol)
        if ports is None or any(hidden(k) for k in ("from_port", "to_port", "icmp_type", "icmp_code")):
            ports = (protocol, 0, 65535) if protocol in PORTED_PROTOCOLS else (protocol, -1, -1) \
                if protocol in TYPED_PROTOCOLS else (protocol, None, None)
    return a.make(NetworkAclEntry, rule_number=number, egress=egress, action="allow",
                  protocol=ports[0] if ports else ALL_PROTOCOLS, from_port=ports[1] if ports else None,
                  to_port=ports[2] if ports else None, cidr=cidr)


def _entry_ports(a: Attrs, protocol: int) -> Optional[tuple[int, Optional[int], Optional[int]]]:
    """tcp/udp: the port range; icmp/icmpv6: from_port = ICMP type, to_port = code (-1 = all)."""
    if protocol in PORTED_PROTOCOLS:
        low, high = a.integer("from_port"), a.integer("to_port")
        return None if low is None or high is None else (protocol, low, high)
    if protocol in TYPED_PROTOCOLS:
        icmp_type, icmp_code = a.integer("icmp_type"), a.integer("icmp_code")
        return protocol, -1 if icmp_type is None else icmp_type, -1 if icmp_code is None else icmp_code
    return protocol, None, None


def _assumed_default_acls(net: VpcFamily, acls: dict[str, NetworkAcl], findings: Findings) -> list[NetworkAcl]:
    """A VPC's default ACL that Terraform does not manage still exists; AWS creates it allowing everything."""
    assumed = []
    for vpc_id, defaults in sorted(net.defaults.items()):
        acl_id = defaults.default_network_acl_id
        if acl_id is None or acl_id in acls or _default_acl_of(acls, vpc_id) is not None:
            continue
        peers: list[tuple[int, IPv4Network | IPv6Network]] = [(100, IPv4Network("0.0.0.0/0"))]
        if net.vpcs[vpc_id].ipv6_cidrs:
            peers.append((101, IPv6Network("::/0")))
        entries = tuple(NetworkAclEntry(rule_number=number, egress=egress, action="allow", protocol=ALL_PROTOCOLS, cidr=cidr)
                        for egress in (False, True) for number, cidr in peers)
        assumed.append(NetworkAcl(id=acl_id, vpc_id=vpc_id, entries=entries, is_default=True, assumed=True))
        findings.assumptions.append(f"{acl_id}: default network ACL of {vpc_id} is not in the source; "
                                    "assumed to allow all traffic (AWS default)")
    return assumed


def _default_acl_of(acls: dict[str, NetworkAcl], vpc_id: str) -> Optional[str]:
    return next((acl.id for acl in acls.values() if acl.is_default and acl.vpc_id == vpc_id), None)


# -- subnets -------------------------------------------------------------------------------------------------


def _subnet_placement(resources: ByType, net: VpcFamily, acls: dict[str, NetworkAcl], findings: Findings) -> dict[str, str]:
    """subnet id → the one ACL that guards it."""
    explicit: Catalog[str] = Catalog("the network ACL association of ")
    for res in of_types(resources, "aws_network_acl_association"):
        a = Attrs(res)
        acl_id, subnet_id = a.text("network_acl_id"), a.text("subnet_id")
        if acl_id is None or subnet_id is None:
            findings.unknown(res, "network_acl_id" if acl_id is None else "subnet_id")
            findings.missing("network-acl", subnet_id or "*", f"{res.address}: a network ACL association not in the source")
            continue
        explicit.add(subnet_id, acl_id, res)
    # Both the association resources and the ACLs' own `subnet_ids` describe the same AWS associations
    # (refreshed, they agree); the catalog turns a disagreement into an error that asks for a refresh.
    for res in of_types(resources, *ACL_TYPES):
        a = Attrs(res)
        acl_id = a.text("id")
        if acl_id:  # even an ACL we could not read claims its subnets: they must not fall to the default
            for subnet_id in (*a.texts("subnet_ids"), *a.texts("subnet_id")):
                explicit.add(subnet_id, acl_id, res)
            if a.unknown("subnet_ids") and not a.computed_default("subnet_ids"):
                # Which subnets it will guard is known only after apply: paths through it are not certain.
                findings.unknown(res, "subnet_ids", resource=acl_id)
                vpc_id = a.text("vpc_id")
                findings.missing("network-acl", vpc_id or acl_id,
                                 f"{res.address}: the subnets of {acl_id} are known only after apply")
    placement = dict(explicit.items())
    for subnet_id, acl_id in placement.items():
        if acl_id not in acls:
            findings.missing("network-acl", subnet_id, f"{subnet_id} is associated with {acl_id}, which is not in the source")
    for subnet in net.subnets.values():
        if subnet.id in placement:
            continue
        default = _default_acl_of(acls, subnet.vpc_id)
        if default is None and subnet.vpc_id in net.defaults:
            findings.missing("network-acl", subnet.id, f"the default network ACL of {subnet.vpc_id} is not known")
        elif default is not None:
            placement[subnet.id] = default
    return placement


__all__ = ["NetworkAcls", "to_entry", "to_network_acl", "to_network_acls"]
