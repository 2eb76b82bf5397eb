"""Internet, egress-only and NAT gateways, and VPC peerings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from zonecheck.collect.terraform.attrs import Attrs
from zonecheck.collect.terraform.findings import ByType, Catalog, Findings, of_types
from zonecheck.collect.terraform.reader import TfResource
from zonecheck.collect.terraform.vpc import VpcFamily
from zonecheck.model import EgressOnlyInternetGateway, Endpoint, InternetGateway, NatGateway, VpcPeering


@dataclass
class Gateways:
    internet_gateways: dict[str, InternetGateway] = field(default_factory=dict)
    egress_only: dict[str, EgressOnlyInternetGateway] = field(default_factory=dict)
    nat_gateways: dict[str, NatGateway] = field(default_factory=dict)
    nat_endpoints: dict[str, Endpoint] = field(default_factory=dict)
    peerings: dict[str, VpcPeering] = field(default_factory=dict)
    findings: Findings = field(default_factory=Findings)


def to_gateways(resources: ByType, net: VpcFamily) -> Gateways:
    result = Gateways()
    result.internet_gateways = _internet_gateways(resources, result.findings)
    result.egress_only = _egress_only_gateways(resources, result.findings)
    nats: Catalog[tuple[NatGateway, Endpoint]] = Catalog()
    for res in of_types(resources, "aws_nat_gateway"):
        parsed = to_nat_gateway(res, result.findings)
        if parsed is not None:
            nats.add(parsed[0].id, parsed, res)
    result.nat_gateways = {nat.id: nat for nat, _ in nats.records()}
    result.nat_endpoints = {endpoint.id: endpoint for _, endpoint in nats.records()}
    result.peerings = _peerings(resources, net, result.findings)
    return result


# -- internet gateways ---------------------------------------------------------------------------------------


def _internet_gateways(resources: ByType, findings: Findings) -> dict[str, InternetGateway]:
    catalog: Catalog[InternetGateway] = Catalog()
    for res in of_types(resources, "aws_internet_gateway"):
        a = Attrs(res)
        igw_id, vpc_id = a.text("id"), a.text("vpc_id")
        if igw_id is None:
            findings.unknown(res, "id", "not in the source; the internet gateway is skipped")
            continue
        catalog.add(igw_id, a.make(InternetGateway, id=igw_id, vpc_ids=(vpc_id,) if vpc_id else (), tags=a.tags()), res)
    gateways = dict(catalog.items())
    # A gateway attached with aws_internet_gateway_attachment has an empty vpc_id of its own.
    for res in of_types(resources, "aws_internet_gateway_attachment"):
        a = Attrs(res)
        igw_id, vpc_id = a.text("internet_gateway_id"), a.text("vpc_id")
        if igw_id is None or vpc_id is None:
            findings.unknown(res, "internet_gateway_id" if igw_id is None else "vpc_id")
            findings.missing("internet-gateway", igw_id or "*", f"{res.address}: an attachment not in the source")
            continue
        igw = gateways.get(igw_id) or InternetGateway(id=igw_id)
        if vpc_id not in igw.vpc_ids:
            igw = igw.model_copy(update={"vpc_ids": tuple(sorted((*igw.vpc_ids, vpc_id)))})
        gateways[igw_id] = igw
    return gateways


def _egress_only_gateways(resources: ByType, findings: Findings) -> dict[str, EgressOnlyInternetGateway]:
    catalog: Catalog[EgressOnlyInternetGateway] = Catalog()
    for res in of_types(resources, "aws_egress_only_internet_gateway"):
        a = Attrs(res)
        eigw_id, vpc_id = a.text("id"), a.text("vpc_id")
        if eigw_id is None or vpc_id is None:
            findings.unknown(res, "id" if eigw_id is None else "vpc_id", "not in the source; the gateway is skipped")
            continue
        catalog.add(eigw_id, a.make(EgressOnlyInternetGateway, id=eigw_id, vpc_id=vpc_id, tags=a.tags()), res)
    return dict(catalog.items())


# -- NAT gateways --------------------------------------------------------------------------------------------


def to_nat_gateway(res: TfResource, findings: Findings) -> Optional[tuple[NatGateway, Endpoint]]:
    """The gateway and its ENI: the engine sees NAT traffic leave from that interface's subnet."""
    a = Attrs(res)
    nat_id, subnet_id = a.text("id"), a.text("subnet_id")
    if nat_id is None:
        findings.unknown(res, "id", "not in the source; the NAT gateway is skipped")
        return None
    if subnet_id is None:
        findings.unknown(res, "subnet_id")
        findings.missing("nat-gateway", nat_id, f"{res.address}: the NAT gateway's subnet is not in the source ({res.file})")
        return None
    connectivity = a.text("connectivity_type") or "public"
    if connectivity not in ("public", "private"):
        a.fail("connectivity_type", f"must be \"public\" or \"private\", found {connectivity!r}")
    private_ip, public_ip = a.ipv4("private_ip"), a.ipv4("public_ip")
    nat = a.make(NatGateway, id=nat_id, subnet_id=subnet_id, connectivity=connectivity, private_ip=private_ip,
                 public_ip=public_ip, tags=a.tags())
    private_ips = tuple(dict.fromkeys(ip for ip in (private_ip, *a.ipv4s("secondary_private_ip_addresses")) if ip))
    endpoint = a.make(
        Endpoint, id=a.text("network_interface_id") or f"{nat_id}@{subnet_id}", kind="nat-gateway", owner_id=nat_id,
        subnet_id=subnet_id, private_ips=private_ips, public_ips=(public_ip,) if public_ip else (),
        address_unknown=not private_ips and a.unknown("private_ip"),
        public_address_unknown=public_ip is None and a.unknown("public_ip") and connectivity == "public",
        owner_tags=a.tags(),
    )
    return nat, endpoint


# -- peerings ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PeeringSide:
    """What one resource says about a peering: from the requester's side or from the accepter's."""

    local_vpc: Optional[str]
    peer_vpc: Optional[str]
    peer_account: Optional[str]
    peer_region: Optional[str]
    status: Optional[str]
    tags: dict[str, str] = field(default_factory=dict)


def _peerings(resources: ByType, net: VpcFamily, findings: Findings) -> dict[str, VpcPeering]:
    requesters: Catalog[_PeeringSide] = Catalog()
    accepters: Catalog[_PeeringSide] = Catalog()
    for res in of_types(resources, "aws_vpc_peering_connection", "aws_vpc_peering_connection_accepter"):
        a = Attrs(res)
        is_accepter = res.type == "aws_vpc_peering_connection_accepter"
        pcx_id = a.text("vpc_peering_connection_id") if is_accepter else None
        pcx_id = pcx_id or a.text("id")
        if pcx_id is None:
            findings.unknown(res, "id", "not in the source; the peering is skipped")
            continue
        side = _PeeringSide(a.text("vpc_id"), a.text("peer_vpc_id"), a.text("peer_owner_id"), a.text("peer_region"),
                            a.text("accept_status"), a.tags())
        (accepters if is_accepter else requesters).add(pcx_id, side, res)
    peerings = {}
    for pcx_id in sorted({*requesters, *accepters}):
        origin = requesters.origin(pcx_id) or accepters.origin(pcx_id)
        assert origin is not None
        peering = _peering(pcx_id, requesters.get(pcx_id), accepters.get(pcx_id), net, origin, findings)
        if peering is not None:
            peerings[pcx_id] = peering
    return peerings


def _peering(pcx_id: str, requester: Optional[_PeeringSide], accepter: Optional[_PeeringSide], net: VpcFamily,
             origin: TfResource, findings: Findings) -> Optional[VpcPeering]:
    requester_vpc = (requester and requester.local_vpc) or (accepter and accepter.peer_vpc)
    accepter_vpc = (requester and requester.peer_vpc) or (accepter and accepter.local_vpc)
    if not requester_vpc or not accepter_vpc:
        findings.unknown(origin, "vpc_id" if not requester_vpc else "peer_vpc_id")
        findings.missing("vpc-peering", pcx_id, f"{origin.address}: a side of the peering is not in the source")
        return None
    requester_account = (accepter and accepter.peer_account) or _vpc_field(net, requester_vpc, "account")
    accepter_account = (requester and requester.peer_account) or _vpc_field(net, accepter_vpc, "account")
    requester_region = (accepter and accepter.peer_region) or _vpc_field(net, requester_vpc, "region")
    accepter_region = (requester and requester.peer_region) or _vpc_field(net, accepter_vpc, "region")
    if requester is not None and not requester.peer_region:
        accepter_region = accepter_region or requester_region  # no peer_region: a same-region peering
    statuses = [s.status for s in (requester, accepter) if s is not None and s.status]
    if "active" in statuses:
        status = "active"
    elif statuses:
        status = statuses[0]
    else:
        # Unknown status: assume it carries traffic (over-approximate) and say so, so no verdict rests on it.
        status = "active"
        findings.unknown(origin, "accept_status", resource=pcx_id)
    return VpcPeering(id=pcx_id, requester_vpc_id=requester_vpc, accepter_vpc_id=accepter_vpc,
                      requester_account=requester_account, accepter_account=accepter_account,
                      requester_region=requester_region, accepter_region=accepter_region, status=status,
                      tags=(requester or accepter or _PeeringSide(None, None, None, None, None)).tags)


def _vpc_field(net: VpcFamily, vpc_id: str, name: str) -> Optional[str]:
    vpc = net.vpcs.get(vpc_id)
    return getattr(vpc, name) if vpc is not None else None


__all__ = ["Gateways", "to_gateways", "to_nat_gateway"]
