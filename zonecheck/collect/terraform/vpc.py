"""VPCs (with secondary CIDRs and the ids of their AWS-created defaults) and subnets."""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Network, IPv6Network
from typing import Optional

from zonecheck.collect.terraform.attrs import Attrs
from zonecheck.collect.terraform.findings import ByType, Catalog, Findings, of_types
from zonecheck.collect.terraform.reader import TfResource
from zonecheck.model import Subnet, Vpc

VPC_TYPES = ("aws_vpc", "aws_default_vpc")
SUBNET_TYPES = ("aws_subnet", "aws_default_subnet")


@dataclass(frozen=True)
class VpcDefaults:
    """What AWS created with the VPC; Terraform may or may not manage them."""

    main_route_table_id: Optional[str]
    default_security_group_id: Optional[str]
    default_network_acl_id: Optional[str]


@dataclass
class VpcFamily:
    vpcs: dict[str, Vpc] = field(default_factory=dict)
    defaults: dict[str, VpcDefaults] = field(default_factory=dict)
    subnets: dict[str, Subnet] = field(default_factory=dict)
    findings: Findings = field(default_factory=Findings)


def to_vpc_family(resources: ByType) -> VpcFamily:
    family = VpcFamily()
    vpcs: Catalog[Vpc] = Catalog()
    defaults: Catalog[VpcDefaults] = Catalog()
    for res in of_types(resources, *VPC_TYPES):
        parsed = to_vpc(res, family.findings)
        if parsed is not None:
            vpcs.add(parsed[0].id, parsed[0], res)
            defaults.add(parsed[0].id, parsed[1], res)
    family.vpcs = dict(vpcs.items())
    family.defaults = dict(defaults.items())
    _add_secondary_cidrs(family, resources)
    subnets: Catalog[Subnet] = Catalog()
    for res in of_types(resources, *SUBNET_TYPES):
        subnet = to_subnet(res, family.findings)
        if subnet is not None:
            subnets.add(subnet.id, subnet, res)
    family.subnets = dict(subnets.items())
    return family


def to_vpc(res: TfResource, findings: Findings) -> Optional[tuple[Vpc, VpcDefaults]]:
    a = Attrs(res)
    vpc_id = a.text("id")
    if vpc_id is None:
        findings.unknown(res, "id", "not in the source; the VPC is skipped")
        return None
    account, region = arn_account_region(a.text("arn"))
    cidr = a.ipv4_network("cidr_block")
    if cidr is None:
        findings.unknown(res, "cidr_block")
        findings.missing("vpc", vpc_id, f"{res.address}: the VPC's CIDR block is not in the source ({res.file})")
    ipv6 = a.ipv6_network("ipv6_cidr_block")
    vpc = a.make(Vpc, id=vpc_id, account=account or a.text("owner_id"), region=region or a.text("region"),
                 cidrs=(cidr,) if cidr else (), ipv6_cidrs=(ipv6,) if ipv6 else (), tags=a.tags())
    defaults = VpcDefaults(
        main_route_table_id=a.text("main_route_table_id") or a.text("default_route_table_id"),
        default_security_group_id=a.text("default_security_group_id"),
        default_network_acl_id=a.text("default_network_acl_id"),
    )
    return vpc, defaults


def _add_secondary_cidrs(family: VpcFamily, resources: ByType) -> None:
    """aws_vpc_ipv4/ipv6_cidr_block_association: the `local` route covers these too (SPEC §6.2)."""
    for res in of_types(resources, "aws_vpc_ipv4_cidr_block_association", "aws_vpc_ipv6_cidr_block_association"):
        a = Attrs(res)
        vpc_id = a.text("vpc_id")
        is_ipv4 = res.type == "aws_vpc_ipv4_cidr_block_association"
        net = a.ipv4_network("cidr_block") if is_ipv4 else a.ipv6_network("ipv6_cidr_block")
        if vpc_id is None or net is None:
            family.findings.unknown(res, "vpc_id" if vpc_id is None else "cidr_block")
            family.findings.missing("vpc", vpc_id or "*",
                                    f"{res.address}: a secondary CIDR block is not in the source ({res.file})")
            continue
        vpc = family.vpcs.get(vpc_id)
        if vpc is None:
            family.findings.notes.append(f"{res.address}: secondary CIDR {net} of {vpc_id}, which is not in the source")
            continue
        family.vpcs[vpc_id] = _with_cidr(vpc, net)


def _with_cidr(vpc: Vpc, net: IPv4Network | IPv6Network) -> Vpc:
    if isinstance(net, IPv4Network):
        cidrs = vpc.cidrs if net in vpc.cidrs else vpc.cidrs + (net,)
        return vpc.model_copy(update={"cidrs": cidrs})
    ipv6 = vpc.ipv6_cidrs if net in vpc.ipv6_cidrs else vpc.ipv6_cidrs + (net,)
    return vpc.model_copy(update={"ipv6_cidrs": ipv6})


def to_subnet(res: TfResource, findings: Findings) -> Optional[Subnet]:
    a = Attrs(res)
    subnet_id, vpc_id = a.text("id"), a.text("vpc_id")
    if subnet_id is None:
        findings.unknown(res, "id", "not in the source; the subnet is skipped")
        return None
    if vpc_id is None:
        findings.unknown(res, "vpc_id")
        findings.missing("subnet", subnet_id, f"{res.address}: the subnet's VPC is not in the source ({res.file})")
        return None
    cidr = a.ipv4_network("cidr_block")
    if cidr is None and not a.flag("ipv6_native", False):
        findings.unknown(res, "cidr_block")
    return a.make(
        Subnet, id=subnet_id, vpc_id=vpc_id, cidr=cidr, ipv6_cidr=a.ipv6_network("ipv6_cidr_block"),
        availability_zone=a.text("availability_zone"),
        map_public_ip_on_launch=a.flag("map_public_ip_on_launch", False), tags=a.tags(),
    )


def arn_account_region(arn: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    """`arn:aws:ec2:us-east-1:123456789012:vpc/vpc-…` → ("123456789012", "us-east-1")."""
    parts = (arn or "").split(":")
    if len(parts) < 6 or parts[0] != "arn":
        return None, None
    return parts[4] or None, parts[3] or None


__all__ = ["VpcDefaults", "VpcFamily", "arn_account_region", "to_subnet", "to_vpc", "to_vpc_family"]
