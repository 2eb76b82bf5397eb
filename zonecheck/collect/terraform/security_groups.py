"""Security groups and their rules, in all three Terraform styles.

* inline `ingress`/`egress` blocks of `aws_security_group` / `aws_default_security_group`;
* `aws_security_group_rule`;
* `aws_vpc_security_group_ingress_rule` / `aws_vpc_security_group_egress_rule`.

Every rule is split into one `SecurityGroupRule` per peer, with a content-derived id, so the same rule
written in two styles (or read back by both the group and the rule resource) collapses into one.

In a plan, a peer known only after apply (a CIDR computed from an instance's address, a group reference
that cannot be resolved) is over-approximated as 0.0.0.0/0 and ::/0, unknown ports as all ports, and the
group is named in an `UnknownValue`: every path through it is then possible, not certain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Network, IPv6Network
from typing import Any, Iterable, Optional

from pydantic import ValidationError

from zonecheck.collect.terraform.attrs import Attrs
from zonecheck.collect.terraform.findings import ByType, Catalog, Findings, of_types
from zonecheck.collect.terraform.reader import TfResource
from zonecheck.collect.terraform.vpc import VpcFamily
from zonecheck.model import ALL_PROTOCOLS, IPNetwork, SecurityGroup, SecurityGroupRule, rule_id
from zonecheck.model.security import PORTED_PROTOCOLS, TYPED_PROTOCOLS

GROUP_TYPES = ("aws_security_group", "aws_default_security_group")
VPC_RULE_TYPES = {"aws_vpc_security_group_ingress_rule": "ingress", "aws_vpc_security_group_egress_rule": "egress"}

Peer = tuple[str, object]
"""("cidr", IPv4Network | IPv6Network) | ("prefix_list", "pl-…") | ("group", "sg-…")."""
Ports = tuple[int, Optional[int], Optional[int]]
"""(protocol, from_port, to_port) as the model stores them."""


@dataclass
class SecurityGroups:
    groups: dict[str, SecurityGroup] = field(default_factory=dict)
    findings: Findings = field(default_factory=Findings)


def to_security_groups(resources: ByType, net: VpcFamily) -> SecurityGroups:
    result = SecurityGroups()
    groups = _declared_groups(resources, result.findings)
    for group in _assumed_default_groups(net, groups, result.findings):
        groups[group.id] = group
    for group_id, rules in _standalone_rules(resources, result.findings).items():
        target = groups.get(group_id)
        if target is None:
            result.findings.missing("security-group", group_id,
                                    f"rules are declared for {group_id}, which is not in the source")
            continue
        groups[group_id] = _with_rules(target, rules)
    result.groups = groups
    return result


# -- groups --------------------------------------------------------------------------------------------------


def _declared_groups(resources: ByType, findings: Findings) -> dict[str, SecurityGroup]:
    catalog: Catalog[SecurityGroup] = Catalog()
    for res in of_types(resources, *GROUP_TYPES):
        group = to_security_group(res, findings)
        if group is not None:
            catalog.add(group.id, group, res)
    return dict(catalog.items())


def to_security_group(res: TfResource, findings: Findings) -> Optional[SecurityGroup]:
    a = Attrs(res)
    group_id, vpc_id = a.text("id"), a.text("vpc_id")
    if group_id is None:
        findings.unknown(res, "id", "not in the source; the security group is skipped")
        return None
    if vpc_id is None:
        # Without its VPC the engine cannot tell where the group's references are valid (SPEC §6.4).
        findings.unknown(res, "vpc_id")
        findings.missing("security-group", group_id, f"{res.address}: the group's VPC is not in the source ({res.file})")
        return None
    rules: list[SecurityGroupRule] = []
    for direction in ("ingress", "egress"):
        if a.unknown(direction) and not a.blocks(direction):
            if not a.computed_default(direction):  # unset: Terraform removes AWS's default rules
                findings.unknown(res, direction, resource=group_id)
                rules += _split(group_id, direction, (ALL_PROTOCOLS, None, None), list(ANYWHERE), None)
            continue
        for block in a.blocks(direction):
            rules += _inline_rules(block, group_id, direction, findings)
    return _with_rules(
        a.make(SecurityGroup, id=group_id, vpc_id=vpc_id, name=a.text("name"), tags=a.tags(),
               is_default=res.type == "aws_default_security_group"),
        rules,
    )


def _assumed_default_groups(net: VpcFamily, groups: dict[str, SecurityGroup], findings: Findings) -> list[SecurityGroup]:
    """A VPC's default group that Terraform does not manage still exists, with AWS's default rules."""
    assumed = []
    managed_defaults = {g.vpc_id for g in groups.values() if g.is_default}
    for vpc_id, defaults in sorted(net.defaults.items()):
        group_id = defaults.default_security_group_id
        if group_id is None or group_id in groups or vpc_id in managed_defaults:
            continue
        egress_to: list[IPNetwork] = [IPv4Network("0.0.0.0/0")]
        if net.vpcs[vpc_id].ipv6_cidrs:
            egress_to.append(IPv6Network("::/0"))
        rules = _split(group_id, "ingress", (ALL_PROTOCOLS, None, None), [("group", group_id)], None) + _split(
            group_id, "egress", (ALL_PROTOCOLS, None, None), [("cidr", n) for n in egress_to], None)
        assumed.append(_with_rules(SecurityGroup(id=group_id, vpc_id=vpc_id, name="default", is_default=True, assumed=True),
                                   rules))
        findings.assumptions.append(
            f"{group_id}: default security group of {vpc_id} is not in the source; assumed to hold AWS's default rules "
            "(members reach each other, all egress allowed)")
    return assumed


def _with_rules(group: SecurityGroup, rules: Iterable[SecurityGroupRule]) -> SecurityGroup:
    merged = merge_rules([*group.ingress, *group.egress, *rules])
    return group.model_copy(update={
        "ingress": tuple(r for r in merged if r.direction == "ingress"),
        "egress": tuple(r for r in merged if r.direction == "egress"),
    })


def merge_rules(rules: Iterable[SecurityGroupRule]) -> list[SecurityGroupRule]:
    """One rule per id, sorted; of duplicates the one with a description wins (deterministically)."""
    by_id: dict[str, SecurityGroupRule] = {}
    for rule in rules:
        kept = by_id.get(rule.id)
        if kept is None or _description_rank(rule) < _description_rank(kept):
            by_id[rule.id] = rule
    return [by_id[key] for key in sorted(by_id)]


def _description_rank(rule: SecurityGroupRule) -> tuple[bool, str]:
    return rule.description is None, rule.description or ""


# -- the three rule styles -----------------------------------------------------------------------------------


def _inline_rules(block: Attrs, group_id: str, direction: str, findings: Findings) -> list[SecurityGroupRule]:
    ports = rule_ports(block, "protocol") or _unknown_ports(block, "protocol", group_id, findings)
    if ports is None:
        _unknown_rule(block, group_id, "protocol/from_port/to_port", findings)
        return []
    peers = _cidr_peers(block, "cidr_blocks", "ipv6_cidr_blocks") + _list_peers(block, "prefix_list_ids", "prefix_list")
    peers += [("group", group_ref(g)) for g in block.texts("security_groups")]
    if block.flag("self", False) or (block.unknown("self") and not block.computed_default("self")):
        peers.append(("group", group_id))
    peers += _unknown_peers(block, ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "security_groups", "self"),
                            group_id, findings)
    return _make_rules(block, group_id, direction, ports, peers)


def _standalone_rules(resources: ByType, findings: Findings) -> dict[str, list[SecurityGroupRule]]:
    """group id → rules from aws_security_group_rule and aws_vpc_security_group_*_rule."""
    by_group: dict[str, list[SecurityGroupRule]] = {}
    for res in of_types(resources, "aws_security_group_rule", *VPC_RULE_TYPES):
        a = Attrs(res)
        group_id = a.text("security_group_id")
        if group_id is None:
            findings.unknown(res, "security_group_id")
            findings.missing("security-group", "*", f"{res.address}: a rule of an unknown security group ({res.file})")
            continue
        rules = _sg_rule_resource(a, group_id, findings) if res.type == "aws_security_group_rule" \
            else _vpc_rule_resource(a, group_id, VPC_RULE_TYPES[res.type], findings)
        by_group.setdefault(group_id, []).extend(rules)
    return by_group


def _sg_rule_resource(a: Attrs, group_id: str, findings: Findings) -> list[SecurityGroupRule]:
    direction = a.text("type")
    if direction not in ("ingress", "egress"):
        if direction is not None:
            a.fail("type", f"must be \"ingress\" or \"egress\", found {direction!r}")
        _unknown_rule(a, group_id, "type", findings)
        return []
    ports = rule_ports(a, "protocol") or _unknown_ports(a, "protocol", group_id, findings)
    if ports is None:
        _unknown_rule(a, group_id, "protocol/from_port/to_port", findings)
        return []
    peers = _cidr_peers(a, "cidr_blocks", "ipv6_cidr_blocks") + _list_peers(a, "prefix_list_ids", "prefix_list")
    if a.flag("self", False) or (a.unknown("self") and not a.computed_default("self")):
        peers.append(("group", group_id))
    elif a.text("source_security_group_id"):
        peers.append(("group", group_ref(a.text("source_security_group_id") or "")))
    peers += _unknown_peers(a, ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "source_security_group_id", "self"),
                            group_id, findings)
    if not peers:
        _unknown_rule(a, group_id, "cidr_blocks/source_security_group_id", findings)
    return _make_rules(a, group_id, direction, ports, peers)


def _vpc_rule_resource(a: Attrs, group_id: str, direction: str, findings: Findings) -> list[SecurityGroupRule]:
    ports = rule_ports(a, "ip_protocol") or _unknown_ports(a, "ip_protocol", group_id, findings)
    if ports is None:
        _unknown_rule(a, group_id, "ip_protocol/from_port/to_port", findings)
        return []
    peers = _cidr_peers(a, "cidr_ipv4", "cidr_ipv6") + _list_peers(a, "prefix_list_id", "prefix_list")
    peers += [("group", group_ref(g)) for g in a.texts("referenced_security_group_id")]
    peers += _unknown_peers(a, ("cidr_ipv4", "cidr_ipv6", "prefix_list_id", "referenced_security_group_id"),
                            group_id, findings)
    if not peers:
        _unknown_rule(a, group_id, "cidr_ipv4/referenced_security_group_id", findings)
    return _make_rules(a, group_id, direction, ports, peers)


def _unknown_rule(a: Attrs, group_id: str, attribute: str, findings: Findings) -> None:
    """A rule whose content the source does not give: the group may allow more than we can see."""
    findings.unknown(a.resource, a.where(attribute))
    findings.missing("security-group", group_id,
                     f"{a.resource.address}: a rule of {group_id} is not fully in the source ({a.resource.file})")


# -- values known only after apply ---------------------------------------------------------------------------

ANYWHERE: tuple[Peer, ...] = (("cidr", IPv4Network("0.0.0.0/0")), ("cidr", IPv6Network("::/0")))


def _unknown_peers(a: Attrs, keys: Iterable[str], group_id: str, findings: Findings) -> list[Peer]:
    """A peer the plan does not give could be any address: 0.0.0.0/0 and ::/0, and the group is named."""
    hidden = [key for key in keys if a.unknown(key) and not a.computed_default(key)]  # unset: no such peer
    for key in hidden:
        findings.unknown(a.resource, a.where(key), resource=group_id)
    return list(ANYWHERE) if hidden else []


def _unknown_ports(a: Attrs, protocol_key: str, group_id: str, findings: Findings) -> Optional[Ports]:
    """Protocol or ports the plan does not give: all protocols, or all ports of the known protocol."""
    hidden = [key for key in (protocol_key, "from_port", "to_port") if a.unknown(key) and not a.computed_default(key)]
    if not hidden:
        return None
    for key in hidden:
        findings.unknown(a.resource, a.where(key), resource=group_id)
    protocol = None if a.unknown(protocol_key) else a.protocol(protocol_key)
    if protocol in PORTED_PROTOCOLS:
        return protocol, 0, 65535
    if protocol in TYPED_PROTOCOLS:
        return protocol, -1, -1
    return ALL_PROTOCOLS, None, None


# -- shared pieces -------------------------------------------------------------------------------------------


def rule_ports(a: Attrs, protocol_key: str) -> Optional[Ports]:
    """Normalise protocol and ports so that equal rules compare equal, whatever the style.

    All protocols: no ports.  tcp/udp: the port range.  icmp/icmpv6: type and code, -1 meaning all
    (the new-style resources leave them null for "all").  Other protocols: no ports.  None when the
    source does not give what is needed.
    """
    protocol = a.protocol(protocol_key)
    if protocol is None:
        return None
    low, high = a.integer("from_port"), a.integer("to_port")
    if protocol in PORTED_PROTOCOLS:
        return None if low is None or high is None else (protocol, low, high)
    if protocol in TYPED_PROTOCOLS:
        return protocol, -1 if low is None else low, -1 if high is None else high
    return protocol, None, None


def group_ref(reference: str) -> str:
    """`123456789012/sg-…` (a group of another account, as the API spells it) → `sg-…`."""
    return reference.rsplit("/", 1)[-1]


def _cidr_peers(a: Attrs, v4_key: str, v6_key: str) -> list[Peer]:
    return [("cidr", net) for net in (*a.networks(v4_key), *a.networks(v6_key))]


def _list_peers(a: Attrs, key: str, kind: str) -> list[Peer]:
    return [(kind, value) for value in a.texts(key)]


def _make_rules(a: Attrs, group_id: str, direction: str, ports: Ports, peers: list[Peer]) -> list[SecurityGroupRule]:
    try:
        return _split(group_id, direction, ports, peers, a.text("description"))
    except ValidationError as err:  # only the ports can be wrong here: peers are parsed already
        a.fail("from_port/to_port", f"is invalid: {str(err.errors()[0]['msg']).removeprefix('Value error, ')}")


def _split(group_id: str, direction: str, ports: Ports, peers: list[Peer], description: Optional[str]) -> list[SecurityGroupRule]:
    protocol, low, high = ports
    rules = []
    for kind, value in peers:
        peer: dict[str, Any] = {_PEER_FIELD[kind]: value}
        rules.append(SecurityGroupRule(
            id=rule_id(group_id, direction, protocol, low, high, str(value)), direction=direction,  # type: ignore[arg-type]
            protocol=protocol, from_port=low, to_port=high, description=description, **peer,
        ))
    return rules


_PEER_FIELD = {"cidr": "cidr", "prefix_list": "prefix_list_id", "group": "security_group_id"}


__all__ = ["ANYWHERE", "SecurityGroups", "group_ref", "merge_rules", "rule_ports", "to_security_group", "to_security_groups"]
