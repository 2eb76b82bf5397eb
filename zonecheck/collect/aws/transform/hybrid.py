"""VPN gateways, customer gateways, VPN connections and Direct Connect gateways: the way to `on-premises`.

`CustomerGatewayConfiguration` of a VPN connection holds the tunnels' pre-shared keys: it is never read.
"""

from __future__ import annotations

from typing import Iterable, Optional

from zonecheck.collect.aws.transform._raw import Item, dicts, flag, integer, is_state, make, network, tags, text
from zonecheck.collect.aws.transform.findings import Findings, ensure
from zonecheck.model import CustomerGateway, DirectConnectGateway, IPNetwork, VpnConnection, VpnGateway

_GONE = ("deleted",)


def to_vpn_gateways(raw: Iterable[Item], findings: Optional[Findings] = None) -> list[VpnGateway]:
    findings = ensure(findings)
    out = []
    for item in raw:
        vgw_id, state = text(item, "VpnGatewayId"), (text(item, "State") or "available").lower()
        if vgw_id is None:
            continue
        if state in _GONE:
            findings.note(f"{vgw_id} is {state}: left out")
            continue
        vpcs = sorted({text(a, "VpcId") for a in dicts(item, item, "VpcAttachments")  # type: ignore[type-var]
                       if text(a, "VpcId") and is_state(text(a, "State") or "attached", "attached", "attaching")})
        out.append(make(VpnGateway, item, id=vgw_id, vpc_ids=tuple(vpcs), state=state,
                        amazon_side_asn=integer(item, item, "AmazonSideAsn"), tags=tags(item)))
    return out


def to_customer_gateways(raw: Iterable[Item], findings: Optional[Findings] = None) -> list[CustomerGateway]:
    findings = ensure(findings)
    out = []
    for item in raw:
        cgw_id, state = text(item, "CustomerGatewayId"), (text(item, "State") or "available").lower()
        if cgw_id is None:
            continue
        if state in _GONE:
            findings.note(f"{cgw_id} is {state}: left out")
            continue
        out.append(make(CustomerGateway, item, id=cgw_id, ip_address=text(item, "IpAddress"),
                        bgp_asn=integer(item, item, "BgpAsn"), state=state, tags=tags(item)))
    return out


def to_vpn_connections(raw: Iterable[Item], findings: Optional[Findings] = None) -> list[VpnConnection]:
    """Static routes in state `available` are the on-premises prefixes of a static VPN."""
    findings = ensure(findings)
    out = []
    for item in raw:
        vpn_id, state = text(item, "VpnConnectionId"), (text(item, "State") or "available").lower()
        if vpn_id is None:
            continue
        if state in _GONE:
            findings.note(f"{vpn_id} is {state}: left out")
            continue
        routes: list[IPNetwork] = [network(item, text(r, "DestinationCidrBlock"), "Routes[].DestinationCidrBlock")
                                   for r in dicts(item, item, "Routes")
                                   if text(r, "DestinationCidrBlock") and is_state(text(r, "State") or "available", "available", "pending")]
        out.append(make(
            VpnConnection, item, id=vpn_id, customer_gateway_id=text(item, "CustomerGatewayId"),
            vpn_gateway_id=text(item, "VpnGatewayId"), transit_gateway_id=text(item, "TransitGatewayId"),
            static_routes=tuple(sorted(set(routes), key=lambda n: (n.version, n))),  # type: ignore[operator]
            static_routes_only=flag(item, item.get("Options") or {}, "StaticRoutesOnly", False), state=state, tags=tags(item),
        ))
    return out


def static_vpn_ids(raw: Iterable[Item]) -> set[str]:
    """VPN connections that use static routes only (their on-premises prefixes are known)."""
    return {text(item, "VpnConnectionId") for item in raw  # type: ignore[misc]
            if text(item, "VpnConnectionId") and flag(item, item.get("Options") or {}, "StaticRoutesOnly", False)}


def to_direct_connect_gateways(raw: Iterable[Item], associations: Iterable[Item] = (),
                               findings: Optional[Findings] = None) -> list[DirectConnectGateway]:
    """DescribeDirectConnectGateways (`directConnectGateways`, camelCase) with the associations of
    DescribeDirectConnectGatewayAssociations (`directConnectGatewayAssociations`)."""
    findings = ensure(findings)
    vgws: dict[str, set[str]] = {}
    tgws: dict[str, set[str]] = {}
    prefixes: dict[str, set[IPNetwork]] = {}
    for assoc in associations:
        dx_id = text(assoc, "directConnectGatewayId")
        if dx_id is None or is_state(text(assoc, "associationState"), "disassociated", "disassociating"):
            continue
        gateway_id = text(assoc, "associatedGateway", "id") or text(assoc, "virtualGatewayId")
        gateway_type = (text(assoc, "associatedGateway", "type") or "").lower()
        if gateway_id:
            target = tgws if gateway_type == "transitgateway" or gateway_id.startswith("tgw-") else vgws
            target.setdefault(dx_id, set()).add(gateway_id)
        for prefix in dicts(assoc, assoc, "allowedPrefixesToDirectConnectGateway"):
            if text(prefix, "cidr"):
                prefixes.setdefault(dx_id, set()).add(network(assoc, text(prefix, "cidr"), "allowedPrefixesToDirectConnectGateway[].cidr"))
    out = []
    for item in raw:
        dx_id, state = text(item, "directConnectGatewayId"), (text(item, "directConnectGatewayState") or "available").lower()
        if dx_id is None:
            continue
        if state in ("deleted", "deleting"):
            findings.note(f"Direct Connect gateway {dx_id} is {state}: left out")
            continue
        out.append(make(
            DirectConnectGateway, item, id=dx_id, name=text(item, "directConnectGatewayName"),
            vpn_gateway_ids=tuple(sorted(vgws.get(dx_id, ()))), transit_gateway_ids=tuple(sorted(tgws.get(dx_id, ()))),
            allowed_prefixes=tuple(sorted(prefixes.get(dx_id, ()), key=lambda n: (n.version, n))),  # type: ignore[operator]
            tags=tags(item),
        ))
    return out


__all__ = ["static_vpn_ids", "to_customer_gateways", "to_direct_connect_gateways", "to_vpn_connections", "to_vpn_gateways"]
