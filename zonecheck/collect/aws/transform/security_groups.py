"""Security groups: DescribeSecurityGroups (`SecurityGroups`) and DescribeSecurityGroupRules
(`SecurityGroupRules`), split into one rule per peer with a content-derived id.

Ids follow `zonecheck.model.rule_id`, as the Terraform collector's do, so the same rule read from a state
and from the API has the same id (`zonecheck diff` relies on it).  A group referenced across accounts is
spelled `123456789012/sg-…` in some APIs: group ids are unique across accounts, so the plain `sg-…` is kept
and matched against the interfaces of every account in the dump.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Optional, Sequence

from zonecheck.collect.aws.transform._raw import (
    InvalidItem, Item, dicts, flag, get, ident, integer, make, network, tags, text,
)
from zonecheck.collect.aws.transform.findings import Findings, ensure
from zonecheck.model import ALL_PROTOCOLS, SecurityGroup, SecurityGroupRule, protocol_number, rule_id
from zonecheck.model.security import PORTED_PROTOCOLS, TYPED_PROTOCOLS

Ports = tuple[int, Optional[int], Optional[int]]


def to_security_groups(raw: Iterable[Item], extra_rules: Optional[Mapping[str, Sequence[SecurityGroupRule]]] = None,
                       findings: Optional[Findings] = None) -> list[SecurityGroup]:
    """`extra_rules`: rules by group id from `to_security_group_rules` (both responses may be given)."""
    findings = ensure(findings)
    out = []
    for item in raw:
        group_id, vpc_id = text(item, "GroupId"), text(item, "VpcId")
        if group_id is None or vpc_id is None:
            findings.note(f"security group {group_id or '(no GroupId)'} without VpcId (EC2-Classic) was skipped")
            continue
        rules: list[SecurityGroupRule] = []
        for key, direction in (("IpPermissions", "ingress"), ("IpPermissionsEgress", "egress")):
            for permission in dicts(item, item, key):
                rules += permission_rules(item, group_id, direction, permission, findings)
        rules += (extra_rules or {}).get(group_id, ())
        merged = merge_rules(rules)
        out.append(make(
            SecurityGroup, item, id=group_id, vpc_id=vpc_id, name=text(item, "GroupName"),
            ingress=tuple(r for r in merged if r.direction == "ingress"),
            egress=tuple(r for r in merged if r.direction == "egress"),
            is_default=text(item, "GroupName") == "default", tags=tags(item),
        ))
    return out


def permission_rules(top: Item, group_id: str, direction: str, permission: Item,
                     findings: Optional[Findings] = None) -> list[SecurityGroupRule]:
    """One IpPermission → one rule per IPv4 range, IPv6 range, prefix list and group pair."""
    findings = ensure(findings)
    ports = rule_ports(top, permission)
    peers: list[tuple[str, object, Optional[str]]] = []
    for entry in dicts(top, permission, "IpRanges"):
        peers.append(("cidr", network(top, text(entry, "CidrIp"), "IpRanges[].CidrIp"), text(entry, "Description")))
    for entry in dicts(top, permission, "Ipv6Ranges"):
        peers.append(("cidr", network(top, text(entry, "CidrIpv6"), "Ipv6Ranges[].CidrIpv6"), text(entry, "Description")))
    for entry in dicts(top, permission, "PrefixListIds"):
        if text(entry, "PrefixListId"):
            peers.append(("prefix_list", text(entry, "PrefixListId"), text(entry, "Description")))
    for entry in dicts(top, permission, "UserIdGroupPairs"):
        referenced = text(entry, "GroupId")
        if referenced is None:
            name = text(entry, "GroupName") or "(unnamed)"
            findings.missing("security-group", group_id,
                             f"{group_id}: a rule references group {name!r} by name only; its members are unknown")
            continue
        peers.append(("group", group_ref(referenced), text(entry, "Description")))
    return _split(top, group_id, direction, ports, peers)


def to_security_group_rules(raw: Iterable[Item], findings: Optional[Findings] = None) -> dict[str, list[SecurityGroupRule]]:
    """DescribeSecurityGroupRules items → rules by group id."""
    findings = ensure(findings)
    out: dict[str, list[SecurityGroupRule]] = {}
    for item in raw:
        group_id = text(item, "GroupId")
        if group_id is None:
            findings.note(f"security group rule {text(item, 'SecurityGroupRuleId') or '?'} without GroupId was skipped")
            continue
        direction = "egress" if flag(item, item, "IsEgress", False) else "ingress"
        ports = rule_ports(item, item)
        peers: list[tuple[str, object, Optional[str]]] = []
        description = text(item, "Description")
        if text(item, "CidrIpv4"):
            peers.append(("cidr", network(item, text(item, "CidrIpv4"), "CidrIpv4"), description))
        if text(item, "CidrIpv6"):
            peers.append(("cidr", network(item, text(item, "CidrIpv6"), "CidrIpv6"), description))
        if text(item, "PrefixListId"):
            peers.append(("prefix_list", text(item, "PrefixListId"), description))
        if text(item, "ReferencedGroupInfo", "GroupId"):
            peers.append(("group", group_ref(text(item, "ReferencedGroupInfo", "GroupId") or ""), description))
        if not peers:
            findings.missing("security-group", group_id,
                             f"{group_id}: rule {text(item, 'SecurityGroupRuleId') or '?'} has no peer zonecheck can read")
            continue
        out.setdefault(group_id, []).extend(_split(item, group_id, direction, ports, peers))
    return out


def rule_ports(top: Item, permission: Item) -> Ports:
    """Protocol and ports as the model stores them: all protocols and other protocols carry no ports,
    tcp/udp a port range, icmp/icmpv6 a type (FromPort) and code (ToPort), -1 meaning all."""
    raw_protocol = get(permission, "IpProtocol")
    try:
        protocol = protocol_number(raw_protocol if isinstance(raw_protocol, (str, int)) and not isinstance(raw_protocol, bool)
                                   else "")
    except ValueError:
        raise InvalidItem(top, f"{ident(top)}: IpProtocol must be a protocol name or number, found {raw_protocol!r}") from None
    low, high = integer(top, permission, "FromPort"), integer(top, permission, "ToPort")
    if protocol == ALL_PROTOCOLS:
        return protocol, None, None
    if protocol in PORTED_PROTOCOLS:
        if low in (None, -1) and high in (None, -1):
            return protocol, 0, 65535
        return protocol, low if low is not None else high, high if high is not None else low
    if protocol in TYPED_PROTOCOLS:
        return protocol, -1 if low is None else low, -1 if high is None else high
    return protocol, None, None


def group_ref(reference: str) -> str:
    """`123456789012/sg-…` (a group of another account) → `sg-…`."""
    return reference.rsplit("/", 1)[-1]


def merge_rules(rules: Iterable[SecurityGroupRule]) -> list[SecurityGroupRule]:
    """One rule per id, sorted; of duplicates the one with a description wins."""
    by_id: dict[str, SecurityGroupRule] = {}
    for rule in rules:
        kept = by_id.get(rule.id)
        if kept is None or (kept.description is None and rule.description is not None):
            by_id[rule.id] = rule
    return [by_id[key] for key in sorted(by_id)]


def _split(top: Item, group_id: str, direction: str, ports: Ports,
           peers: list[tuple[str, object, Optional[str]]]) -> list[SecurityGroupRule]:
    protocol, low, high = ports
    field_of = {"cidr": "cidr", "prefix_list": "prefix_list_id", "group": "security_group_id"}
    return [
        make(SecurityGroupRule, top, id=rule_id(group_id, direction, protocol, low, high, str(value)), direction=direction,
             protocol=protocol, from_port=low, to_port=high, description=description, **{field_of[kind]: value})
        for kind, value, description in peers
    ]


__all__ = ["group_ref", "merge_rules", "permission_rules", "rule_ports", "to_security_group_rules", "to_security_groups"]
