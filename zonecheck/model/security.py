"""Security groups, their rules, managed prefix lists and network ACLs.

Protocols are stored as IANA numbers with -1 meaning "all protocols", exactly as the EC2 API does once
names are resolved; `protocol_number()` turns the spellings found in AWS and Terraform into that form.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field, model_validator

from zonecheck.model.base import IPNetwork, Record, ResourceId, Tags

ALL_PROTOCOLS = -1
TCP, UDP, ICMP, ICMPV6 = 6, 17, 1, 58
PROTOCOL_NAMES = {"tcp": TCP, "udp": UDP, "icmp": ICMP, "icmpv6": ICMPV6, "all": ALL_PROTOCOLS, "-1": ALL_PROTOCOLS}
NAME_OF_PROTOCOL = {TCP: "tcp", UDP: "udp", ICMP: "icmp", ICMPV6: "icmpv6", ALL_PROTOCOLS: "all"}
PORTED_PROTOCOLS = frozenset({TCP, UDP})
"""Protocols whose rules carry a destination port range."""
TYPED_PROTOCOLS = frozenset({ICMP, ICMPV6})
"""Protocols whose rules carry an ICMP type (from_port) and code (to_port)."""


def protocol_number(value: str | int) -> int:
    """Canonical protocol number for an AWS/Terraform spelling ("tcp", "6", "-1", "all", 6)."""
    if isinstance(value, int):
        number = value
    else:
        text = value.strip().lower()
        if text in PROTOCOL_NAMES:
            return PROTOCOL_NAMES[text]
        try:
            number = int(text)
        except ValueError:
            raise ValueError(f"unknown protocol {value!r}") from None
    if number == ALL_PROTOCOLS or 0 <= number <= 255:
        return number
    raise ValueError(f"protocol number {number} out of range")


def protocol_label(number: int) -> str:
    return NAME_OF_PROTOCOL.get(number, str(number))


class PortSpec(Record):
    """What a rule says about ports: meaning depends on the protocol.

    tcp/udp: `from_port`..`to_port` are destination ports.  icmp/icmpv6: `from_port` is the ICMP type
    and `to_port` the code, -1 meaning all.  Other protocols: ports are ignored.
    """

    protocol: int
    from_port: Optional[int] = None
    to_port: Optional[int] = None

    @model_validator(mode="after")
    def _valid_ports(self) -> "PortSpec":
        protocol_number(self.protocol)
        if self.protocol in PORTED_PROTOCOLS:
            lo, hi = self.from_port, self.to_port
            if lo is None or hi is None:
                raise ValueError("tcp/udp rules need from_port and to_port")
            if not (0 <= lo <= hi <= 65535):
                raise ValueError(f"invalid port range {lo}-{hi}")
        elif self.protocol in TYPED_PROTOCOLS:
            for value in (self.from_port, self.to_port):
                if value is not None and not (-1 <= value <= 255):
                    raise ValueError(f"invalid ICMP type/code {value}")
        return self

    def label(self) -> str:
        name = protocol_label(self.protocol)
        if self.protocol == ALL_PROTOCOLS:
            return "all"
        if self.protocol in PORTED_PROTOCOLS:
            if (self.from_port, self.to_port) == (0, 65535):
                return f"{name} all ports"
            if self.from_port == self.to_port:
                return f"{name} {self.from_port}"
            return f"{name} {self.from_port}-{self.to_port}"
        if self.protocol in TYPED_PROTOCOLS:
            if self.from_port in (None, -1):
                return f"{name} all types"
            code = "" if self.to_port in (None, -1) else f" code {self.to_port}"
            return f"{name} type {self.from_port}{code}"
        return name


class SecurityGroupRule(PortSpec):
    """One rule with exactly one peer (a CIDR, a prefix list or a security group).

    AWS and Terraform let one rule name several peers; collectors split them so that every rule the engine
    cites in a witness is one line a user can find.
    """

    id: ResourceId
    """Stable id, e.g. `sg-1/ingress/tcp:5432-5432/10.0.0.0/16`: witnesses, SARIF and diff name it."""
    direction: Literal["ingress", "egress"]
    cidr: Optional[IPNetwork] = None
    prefix_list_id: Optional[str] = None
    security_group_id: Optional[str] = None
    """Referenced group (for `self` rules, the rule's own group)."""
    description: Optional[str] = None

    @model_validator(mode="after")
    def _one_peer(self) -> "SecurityGroupRule":
        peers = [p for p in (self.cidr, self.prefix_list_id, self.security_group_id) if p is not None]
        if len(peers) != 1:
            raise ValueError(f"security group rule {self.id} needs exactly one peer, has {len(peers)}")
        return self

    def peer_label(self) -> str:
        return str(self.cidr or self.prefix_list_id or self.security_group_id)

    def label(self) -> str:
        word = "from" if self.direction == "ingress" else "to"
        return f"{self.direction} {PortSpec.label(self)} {word} {self.peer_label()}"


def rule_id(group_id: str, direction: str, protocol: int, from_port: int | None, to_port: int | None, peer: str) -> str:
    """Content-derived id: identical rules written in different Terraform styles get the same id."""
    ports = "" if from_port is None and to_port is None else f":{from_port}-{to_port}"
    return f"{group_id}/{direction}/{protocol_label(protocol)}{ports}/{peer}"


class SecurityGroup(Record):
    id: ResourceId
    vpc_id: ResourceId
    name: Optional[str] = None
    ingress: tuple[SecurityGroupRule, ...] = ()
    egress: tuple[SecurityGroupRule, ...] = ()
    is_default: bool = False
    assumed: bool = False
    """True when the group is not in the source and AWS's default rules were assumed."""
    tags: Tags = Field(default_factory=dict)


class PrefixList(Record):
    id: ResourceId
    name: Optional[str] = None
    entries: Optional[tuple[IPNetwork, ...]] = None
    """None when the entries are not known (e.g. an AWS-managed list absent from the source)."""
    aws_managed: bool = False


class NetworkAclEntry(PortSpec):
    rule_number: int = Field(ge=1, le=32767)
    egress: bool
    action: Literal["allow", "deny"]
    cidr: IPNetwork

    def label(self) -> str:
        return f"#{self.rule_number} {self.action} {PortSpec.label(self)} {'to' if self.egress else 'from'} {self.cidr}"


class NetworkAcl(Record):
    id: ResourceId
    vpc_id: ResourceId
    entries: tuple[NetworkAclEntry, ...] = ()
    subnet_ids: tuple[str, ...] = ()
    is_default: bool = False
    assumed: bool = False
    tags: Tags = Field(default_factory=dict)


__all__ = [
    "ALL_PROTOCOLS",
    "ICMP",
    "ICMPV6",
    "NetworkAcl",
    "NetworkAclEntry",
    "PortSpec",
    "PrefixList",
    "SecurityGroup",
    "SecurityGroupRule",
    "TCP",
    "UDP",
    "protocol_label",
    "protocol_number",
    "rule_id",
]
