"""VPN gateways, customer gateways, VPN connections and Direct Connect: the way to `on-premises`.

* `aws_vpn_gateway` (its `vpc_id`) and `aws_vpn_gateway_attachment`: the VPCs a VPN gateway is attached to;
* `aws_vpn_connection`: static routes (`aws_vpn_connection_route`, and the connection's own `routes`), or BGP;
  a connection to a transit gateway with static routes reaches the prefixes of the gateway's static routes
  to its attachment.  The tunnels' pre-shared keys and `customer_gateway_configuration` are never read;
* `aws_dx_gateway` with `aws_dx_gateway_association` (a VPN or transit gateway), and private virtual
  interfaces attached straight to a VPN gateway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from zonecheck.collect.terraform.attrs import Attrs
from zonecheck.collect.terraform.findings import ByType, Catalog, Findings, of_types
from zonecheck.collect.terraform.transit import Transit
from zonecheck.model import CustomerGateway, DirectConnectGateway, IPNetwork, VpnConnection, VpnGateway

_GONE = ("deleted", "deleting")


@dataclass
class Hybrid:
    vpn_gateways: dict[str, VpnGateway] = field(default_factory=dict)
    customer_gateways: dict[str, CustomerGateway] = field(default_factory=dict)
    vpn_connections: dict[str, VpnConnection] = field(default_factory=dict)
    direct_connect_gateways: dict[str, DirectConnectGateway] = field(default_factory=dict)
    findings: Findings = field(default_factory=Findings)


def to_hybrid(resources: ByType, transit: Optional[Transit] = None) -> Hybrid:
    result = Hybrid()
    result.vpn_gateways = _vpn_gateways(resources, result.findings)
    result.customer_gateways = _customer_gateways(resources, result.findings)
    result.vpn_connections = _vpn_connections(resources, transit or Transit(), result.findings)
    result.direct_connect_gateways = _direct_connect(resources, result.findings)
    return result


def _vpn_gateways(resources: ByType, findings: Findings) -> dict[str, VpnGateway]:
    catalog: Catalog[VpnGateway] = Catalog()
    for res in of_types(resources, "aws_vpn_gateway"):
        a = Attrs(res)
        vgw_id = a.text("id")
        if vgw_id is None:
            findings.unknown(res, "id", "not in the source; the VPN gateway is skipped")
            continue
        vpc_id = a.text("vpc_id")
        catalog.add(vgw_id, a.make(VpnGateway, id=vgw_id, vpc_ids=(vpc_id,) if vpc_id else (),
                                   amazon_side_asn=_asn(a, "amazon_side_asn"), tags=a.tags()), res)
    gateways = dict(catalog.items())
    for res in of_types(resources, "aws_vpn_gateway_attachment"):
        a = Attrs(res)
        vgw_id, vpc_id = a.text("vpn_gateway_id"), a.text("vpc_id")
        if vgw_id is None or vpc_id is None:
            findings.unknown(res, "vpn_gateway_id" if vgw_id is None else "vpc_id")
            findings.missing("vpn-gateway", vgw_id or "*", f"{res.address}: a VPN gateway attachment not in the source")
            continue
        gateway = gateways.get(vgw_id)
        if gateway is None:
            findings.missing("vpn-gateway", vgw_id, f"{res.address} attaches {vgw_id}, which is not in the source, "
                                                    f"to {vpc_id} ({res.file})")
            continue
        if vpc_id not in gateway.vpc_ids:
            gateways[vgw_id] = gateway.model_copy(update={"vpc_ids": tuple(sorted((*gateway.vpc_ids, vpc_id)))})
    return gateways


def _customer_gateways(resources: ByType, findings: Findings) -> dict[str, CustomerGateway]:
    catalog: Catalog[CustomerGateway] = Catalog()
    for res in of_types(resources, "aws_customer_gateway"):
        a = Attrs(res)
        cgw_id = a.text("id")
        if cgw_id is None:
            findings.unknown(res, "id", "not in the source; the customer gateway is skipped")
            continue
        catalog.add(cgw_id, a.make(CustomerGateway, id=cgw_id, ip_address=a.text("ip_address"),
                                   bgp_asn=_asn(a, "bgp_asn") or _asn(a, "bgp_asn_extended_value"), tags=a.tags()), res)
    return dict(catalog.items())


def _vpn_connections(resources: ByType, transit: Transit, findings: Findings) -> dict[str, VpnConnection]:
    static: dict[str, set[IPNetwork]] = {}
    for res in of_types(resources, "aws_vpn_connection_route"):
        a = Attrs(res)
        vpn_id, cidr = a.text("vpn_connection_id"), a.network("destination_cidr_block")
        if vpn_id is None or cidr is None:
            findings.unknown(res, "vpn_connection_id" if vpn_id is None else "destination_cidr_block")
            findings.missing("vpn-connection", vpn_id or "*", f"{res.address}: a static VPN route not in the source")
            continue
        static.setdefault(vpn_id, set()).add(cidr)
    catalog: Catalog[VpnConnection] = Catalog()
    for res in of_types(resources, "aws_vpn_connection"):
        a = Attrs(res)
        vpn_id = a.text("id")
        if vpn_id is None:
            findings.unknown(res, "id", "not in the source; the VPN connection is skipped")
            continue
        static_only = a.flag("static_routes_only", False)
        routes = set(static.pop(vpn_id, set()))
        for block in a.blocks("routes"):  # what AWS reports: the static routes, once applied
            cidr = block.network("destination_cidr_block")
            if cidr is not None and (block.text("state") or "available").lower() not in _GONE:
                routes.add(cidr)
        if a.text("transit_gateway_id") and static_only:
            routes |= {r.destination for r in transit.vpn_routes.get(vpn_id, []) if r.destination is not None}
        if static_only and not routes:
            findings.notes.append(f"{res.address}: {vpn_id} uses static routes but the source gives none ({res.file})")
        catalog.add(vpn_id, a.make(
            VpnConnection, id=vpn_id, customer_gateway_id=a.text("customer_gateway_id"),
            vpn_gateway_id=a.text("vpn_gateway_id"), transit_gateway_id=a.text("transit_gateway_id"),
            static_routes=tuple(sorted(routes, key=lambda n: (n.version, n))),  # type: ignore[arg-type]
            static_routes_only=static_only, tags=a.tags()), res)
    for vpn_id in sorted(static):
        findings.missing("vpn-connection", vpn_id, f"static routes are declared for {vpn_id}, which is not in the source")
    return dict(catalog.items())


def _direct_connect(resources: ByType, findings: Findings) -> dict[str, DirectConnectGateway]:
    names: dict[str, Optional[str]] = {}
    for res in of_types(resources, "aws_dx_gateway"):
        a = Attrs(res)
        dx_id = a.text("id")
        if dx_id is None:
            findings.unknown(res, "id", "not in the source; the Direct Connect gateway is skipped")
            continue
        names[dx_id] = a.text("name")
    vgws: dict[str, set[str]] = {dx: set() for dx in names}
    tgws: dict[str, set[str]] = {dx: set() for dx in names}
    prefixes: dict[str, set[IPNetwork]] = {dx: set() for dx in names}
    for res in of_types(resources, "aws_dx_gateway_association"):
        a = Attrs(res)
        dx_id = a.text("dx_gateway_id")
        gateway_id = a.text("associated_gateway_id") or a.text("vpn_gateway_id")
        if dx_id is None or gateway_id is None:
            findings.unknown(res, "dx_gateway_id" if dx_id is None else "associated_gateway_id")
            findings.missing("direct-connect-gateway", dx_id or "*", f"{res.address}: an association not in the source")
            continue
        kind = (a.text("associated_gateway_type") or "").lower()
        is_tgw = kind == "transitgateway" or gateway_id.startswith("tgw-")
        (tgws if is_tgw else vgws).setdefault(dx_id, set()).add(gateway_id)
        prefixes.setdefault(dx_id, set()).update(a.networks("allowed_prefixes"))
        names.setdefault(dx_id, None)  # the gateway itself may live in another account's stack
    for res in of_types(resources, "aws_dx_private_virtual_interface", "aws_dx_hosted_private_virtual_interface_accepter"):
        a = Attrs(res)
        vif_id, vgw_id = a.text("id") or a.text("virtual_interface_id"), a.text("vpn_gateway_id")
        if vif_id and vgw_id:  # a virtual interface straight on a VPN gateway: on-premises enters there too
            names.setdefault(vif_id, a.text("name"))
            vgws.setdefault(vif_id, set()).add(vgw_id)
    out = {}
    for dx_id, name in sorted(names.items()):
        out[dx_id] = DirectConnectGateway(
            id=dx_id, name=name, vpn_gateway_ids=tuple(sorted(vgws.get(dx_id, ()))),
            transit_gateway_ids=tuple(sorted(tgws.get(dx_id, ()))),
            allowed_prefixes=tuple(sorted(prefixes.get(dx_id, ()), key=lambda n: (n.version, n))))  # type: ignore[arg-type]
    return out


def _asn(a: Attrs, key: str) -> Optional[int]:
    """ASNs are strings in provider 5.x ("64512"); None when absent or unreadable (informational only)."""
    value = a.data.get(key)
    try:
        return int(str(value).strip()) if value not in (None, "") and not isinstance(value, bool) else None
    except ValueError:
        return None


__all__ = ["Hybrid", "to_hybrid"]
