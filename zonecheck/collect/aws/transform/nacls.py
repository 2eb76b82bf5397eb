"""Network ACLs (DescribeNetworkAcls `NetworkAcls`).

Entries are kept as AWS lists them, the default deny (`*`, rule 32767) included: it is a real entry and
a witness may cite it.  An ACL of a VPC with IPv6 also lists a default deny for `::/0`, numbered 32768,
beyond the model's (and the API's) range; it is left out: it denies exactly what the implicit deny that
ends every ACL denies, and keeping it as a second rule 32767 would give the ACL two entries of one number.
"""

from __future__ import annotations

from ipaddress import IPv4Network
from typing import Iterable, Optional

from zonecheck.collect.aws.transform._raw import (
    InvalidItem, Item, dicts, flag, get, ident, integer, make, network, tags, text,
)
from zonecheck.collect.aws.transform.findings import Findings, ensure
from zonecheck.model import ALL_PROTOCOLS, ICMPV6, NetworkAcl, NetworkAclEntry, protocol_number
from zonecheck.model.security import PORTED_PROTOCOLS, TYPED_PROTOCOLS

DEFAULT_RULE = 32767


def to_network_acls(raw: Iterable[Item], findings: Optional[Findings] = None) -> list[NetworkAcl]:
    findings = ensure(findings)
    out = []
    for item in raw:
        acl_id, vpc_id = text(item, "NetworkAclId"), text(item, "VpcId")
        if acl_id is None or vpc_id is None:
            findings.note(f"network ACL {acl_id or '(no NetworkAclId)'} without VpcId was skipped")
            continue
        entries = [to_network_acl_entry(item, e) for e in dicts(item, item, "Entries")
                   if (integer(item, e, "RuleNumber") or 0) <= DEFAULT_RULE]
        subnets = sorted({text(a, "SubnetId") for a in dicts(item, item, "Associations") if text(a, "SubnetId")})  # type: ignore[type-var]
        out.append(make(
            NetworkAcl, item, id=acl_id, vpc_id=vpc_id,
            entries=tuple(sorted(entries, key=lambda e: (e.egress, e.rule_number, e.cidr.version))),
            subnet_ids=tuple(subnets), is_default=flag(item, item, "IsDefault", False), tags=tags(item),
        ))
    return out


def to_network_acl_entry(acl: Item, item: Item) -> NetworkAclEntry:
    number = integer(acl, item, "RuleNumber")
    if number is None:
        raise InvalidItem(acl, f"{ident(acl)}: an entry has no RuleNumber")
    raw_protocol = get(item, "Protocol")
    try:
        protocol = protocol_number(raw_protocol if isinstance(raw_protocol, (str, int)) and not isinstance(raw_protocol, bool)
                                   else "")
    except ValueError:
        raise InvalidItem(acl, f"{ident(acl)}: entry #{number} Protocol must be a protocol name or number, "
                               f"found {raw_protocol!r}") from None
    v4, v6 = text(item, "CidrBlock"), text(item, "Ipv6CidrBlock")
    if v4 is None and v6 is None:
        raise InvalidItem(acl, f"{ident(acl)}: entry #{number} has neither CidrBlock nor Ipv6CidrBlock")
    cidr = network(acl, v4, "Entries[].CidrBlock") if v4 is not None else network(acl, v6, "Entries[].Ipv6CidrBlock")
    action = (text(item, "RuleAction") or "").lower()
    if action not in ("allow", "deny"):
        raise InvalidItem(acl, f"{ident(acl)}: entry #{number} RuleAction must be allow or deny, found {get(item, 'RuleAction')!r}")
    low: Optional[int] = None
    high: Optional[int] = None
    if protocol in PORTED_PROTOCOLS:
        low, high = integer(acl, item, "PortRange", "From"), integer(acl, item, "PortRange", "To")
        low, high = (0 if low is None else low), (65535 if high is None else high)
    elif protocol in TYPED_PROTOCOLS and not (protocol == ICMPV6 and isinstance(cidr, IPv4Network)):
        low, high = integer(acl, item, "IcmpTypeCode", "Type"), integer(acl, item, "IcmpTypeCode", "Code")
        low, high = (-1 if low is None else low), (-1 if high is None else high)
    elif protocol != ALL_PROTOCOLS:
        low = high = None  # AWS: any other protocol matches on all ports
    return make(NetworkAclEntry, acl, rule_number=number, egress=flag(acl, item, "Egress", False), action=action,
                protocol=protocol, from_port=low, to_port=high, cidr=cidr)


__all__ = ["DEFAULT_RULE", "to_network_acl_entry", "to_network_acls"]
