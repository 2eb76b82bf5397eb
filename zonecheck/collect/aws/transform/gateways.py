"""Internet, egress-only and NAT gateways, and VPC peering connections."""

from __future__ import annotations

from typing import Iterable, Optional

from zonecheck.collect.aws.transform._raw import Item, dicts, get, ipv4, is_state, make, tags, text, unique
from zonecheck.collect.aws.transform.findings import Findings, ensure
from zonecheck.model import EgressOnlyInternetGateway, Endpoint, InternetGateway, NatGateway, VpcPeering

_ATTACHED = ("available", "attached", "attaching")
_PEERING_GONE = ("deleted", "rejected", "failed", "expired")


def to_internet_gateways(raw: Iterable[Item], findings: Optional[Findings] = None) -> list[InternetGateway]:
    """Attachments in state `available` (what DescribeInternetGateways says of an attached gateway)."""
    findings = ensure(findings)
    out = []
    for item in raw:
        igw_id = text(item, "InternetGatewayId")
        if igw_id is None:
            findings.note("an internet gateway without InternetGatewayId was skipped")
            continue
        vpcs = [text(a, "VpcId") for a in dicts(item, item, "Attachments")
                if text(a, "VpcId") and (text(a, "State") is None or is_state(text(a, "State"), *_ATTACHED))]
        out.append(make(InternetGateway, item, id=igw_id, vpc_ids=tuple(sorted(set(vpcs))), tags=tags(item)))  # type: ignore[arg-type]
    return out


def to_egress_only_internet_gateways(raw: Iterable[Item], findings: Optional[Findings] = None) -> list[EgressOnlyInternetGateway]:
    findings = ensure(findings)
    out = []
    for item in raw:
        eigw_id = text(item, "EgressOnlyInternetGatewayId")
        vpcs = [text(a, "VpcId") for a in dicts(item, item, "Attachments")
                if text(a, "VpcId") and (text(a, "State") is None or is_state(text(a, "State"), *_ATTACHED))]
        if eigw_id is None or not vpcs:
            findings.note(f"egress-only internet gateway {eigw_id or '(no id)'} is attached to no VPC; skipped")
            continue
        out.append(make(EgressOnlyInternetGateway, item, id=eigw_id, vpc_id=vpcs[0], tags=tags(item)))
    return out


def to_nat_gateways(raw: Iterable[Item], findings: Optional[Findings] = None) -> list[NatGateway]:
    """Only gateways in state `available` move packets; others are noted and left out."""
    findings = ensure(findings)
    out = []
    for item in raw:
        nat_id, subnet_id, state = text(item, "NatGatewayId"), text(item, "SubnetId"), text(item, "State")
        if nat_id is None or subnet_id is None:
            findings.note(f"NAT gateway {nat_id or '(no id)'} without SubnetId was skipped")
            continue
        if state is not None and state.lower() != "available":
            findings.note(f"{nat_id} is {state}: left out (only available NAT gateways carry traffic)")
            continue
        primary = _primary_address(item)
        connectivity = (text(item, "ConnectivityType") or "public").lower()
        out.append(make(
            NatGateway, item, id=nat_id, subnet_id=subnet_id, connectivity=connectivity,
            private_ip=ipv4(item, get(primary, "PrivateIp"), "NatGatewayAddresses[].PrivateIp"),
            public_ip=ipv4(item, get(primary, "PublicIp"), "NatGatewayAddresses[].PublicIp"),
            state=state or "available", tags=tags(item),
        ))
    return out


def nat_gateway_endpoints(raw: Iterable[Item]) -> list[Endpoint]:
    """The NAT gateways' interfaces as NatGatewayAddresses gives them, for dumps without DescribeNetworkInterfaces."""
    out = []
    for item in raw:
        nat_id, subnet_id, state = text(item, "NatGatewayId"), text(item, "SubnetId"), text(item, "State")
        if nat_id is None or subnet_id is None or (state is not None and state.lower() != "available"):
            continue
        by_eni: dict[str, list[Item]] = {}
        for address in dicts(item, item, "NatGatewayAddresses"):
            by_eni.setdefault(text(address, "NetworkInterfaceId") or f"{nat_id}@{subnet_id}", []).append(address)
        if not by_eni:
            by_eni[f"{nat_id}@{subnet_id}"] = []
        for eni_id, addresses in by_eni.items():
            private = unique(ip for a in addresses if (ip := ipv4(item, get(a, "PrivateIp"), "PrivateIp")))
            public = unique(ip for a in addresses if (ip := ipv4(item, get(a, "PublicIp"), "PublicIp")))
            out.append(make(
                Endpoint, item, id=eni_id, kind="nat-gateway", owner_id=nat_id, subnet_id=subnet_id,
                private_ips=private, public_ips=public, address_unknown=not private, source_dest_check=False,
                owner_tags=tags(item),
            ))
    return out


def _primary_address(item: Item) -> Item:
    addresses = dicts(item, item, "NatGatewayAddresses")
    for address in addresses:
        if get(address, "IsPrimary") is True:
            return address
    return addresses[0] if addresses else {}


def to_vpc_peerings(raw: Iterable[Item], findings: Optional[Findings] = None) -> list[VpcPeering]:
    """Peerings that no longer exist (deleted, rejected, failed, expired) are noted and left out."""
    findings = ensure(findings)
    out = []
    for item in raw:
        pcx_id = text(item, "VpcPeeringConnectionId")
        requester, accepter = get(item, "RequesterVpcInfo") or {}, get(item, "AccepterVpcInfo") or {}
        status = text(item, "Status", "Code")
        if pcx_id is None or text(requester, "VpcId") is None or text(accepter, "VpcId") is None:
            findings.note(f"VPC peering {pcx_id or '(no id)'} without both VPC ids was skipped")
            continue
        if is_state(status, *_PEERING_GONE):
            findings.note(f"{pcx_id} is {status}: left out")
            continue
        out.append(make(
            VpcPeering, item, id=pcx_id, requester_vpc_id=text(requester, "VpcId"), accepter_vpc_id=text(accepter, "VpcId"),
            requester_account=text(requester, "OwnerId"), accepter_account=text(accepter, "OwnerId"),
            requester_region=text(requester, "Region"), accepter_region=text(accepter, "Region"),
            status=(status or "active").lower(), tags=tags(item),
        ))
    return out


__all__ = ["nat_gateway_endpoints", "to_egress_only_internet_gateways", "to_internet_gateways", "to_nat_gateways",
           "to_vpc_peerings"]
