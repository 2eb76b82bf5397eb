"""VPCs (DescribeVpcs `Vpcs`) and subnets (DescribeSubnets `Subnets`)."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network
from typing import Any, Iterable, Mapping, Optional

from zonecheck.collect.aws.transform._raw import (
    Item, dicts, flag, get, make, network, region_of_arn, region_of_zone, tags, text,
)
from zonecheck.collect.aws.transform.findings import Findings, ensure
from zonecheck.model import Subnet, Vpc


def to_vpcs(raw: Iterable[Item], account: Optional[str] = None, region: Optional[str] = None,
            findings: Optional[Findings] = None) -> list[Vpc]:
    """Only CIDR blocks whose association is `associated` count: a disassociated block is not routed."""
    findings = ensure(findings)
    out = []
    for item in raw:
        vpc_id = text(item, "VpcId")
        if vpc_id is None:
            findings.note("a VPC without VpcId was skipped")
            continue
        cidrs = _associated(item, "CidrBlockAssociationSet", "CidrBlock", "CidrBlockState")
        if cidrs is None:  # no association set (older shapes, moto): the primary block
            cidrs = [network(item, text(item, "CidrBlock"), "CidrBlock")] if text(item, "CidrBlock") else []
        ipv6 = _associated(item, "Ipv6CidrBlockAssociationSet", "Ipv6CidrBlock", "Ipv6CidrBlockState") or []
        out.append(make(
            Vpc, item, id=vpc_id, account=text(item, "OwnerId") or account, region=region,
            cidrs=tuple(n for n in cidrs if isinstance(n, IPv4Network)),
            ipv6_cidrs=tuple(n for n in ipv6 if isinstance(n, IPv6Network)), tags=tags(item),
        ))
    return out


def to_subnets(raw: Iterable[Item], findings: Optional[Findings] = None) -> list[Subnet]:
    findings = ensure(findings)
    out = []
    for item in raw:
        subnet_id, vpc_id = text(item, "SubnetId"), text(item, "VpcId")
        if subnet_id is None or vpc_id is None:
            findings.note(f"subnet {subnet_id or '(no SubnetId)'} without VpcId was skipped")
            continue
        cidr = text(item, "CidrBlock")
        ipv6 = _associated(item, "Ipv6CidrBlockAssociationSet", "Ipv6CidrBlock", "Ipv6CidrBlockState") or []
        out.append(make(
            Subnet, item, id=subnet_id, vpc_id=vpc_id, cidr=network(item, cidr, "CidrBlock") if cidr else None,
            ipv6_cidr=ipv6[0] if ipv6 else None, availability_zone=text(item, "AvailabilityZone"),
            map_public_ip_on_launch=flag(item, item, "MapPublicIpOnLaunch", False), tags=tags(item),
        ))
    return out


def subnet_region(item: Mapping[str, Any]) -> Optional[str]:
    """Which region a subnet item is in, from its ARN or Availability Zone."""
    return region_of_arn(text(item, "SubnetArn")) or region_of_zone(text(item, "AvailabilityZone"))


def _associated(item: Item, set_key: str, cidr_key: str, state_key: str) -> Optional[list[IPv4Network | IPv6Network]]:
    """Blocks of an association set in state `associated` (no state given: assumed associated).
    None when the item has no such set at all."""
    if get(item, set_key) is None:
        return None
    out = []
    for assoc in dicts(item, item, set_key):
        state = text(assoc, state_key, "State")
        cidr = text(assoc, cidr_key)
        if cidr is None or (state is not None and state.lower() != "associated"):
            continue
        out.append(network(item, cidr, f"{set_key}.{cidr_key}"))
    return out


__all__ = ["subnet_region", "to_subnets", "to_vpcs"]
