"""Transit gateways: gateways, attachments, route tables, associations, propagations and static routes.

Attachments come from `aws_ec2_transit_gateway_vpc_attachment` (+ `_accepter`), `_peering_attachment`
(+ `_accepter`), `_connect`, the TGW side of `aws_vpn_connection` (its `transit_gateway_attachment_id`) and of
`aws_dx_gateway_association`.

Which table an attachment is associated with and propagates into: the explicit
`aws_ec2_transit_gateway_route_table_association` / `_propagation` resources, else the gateway's default
association / propagation table when the gateway has them enabled and the attachment takes them (a VPC
attachment's `transit_gateway_default_route_table_association/propagation` flags; VPN, Direct Connect and
Connect attachments follow the gateway; peering attachments take the default association, over-approximating,
and never propagate).  AWS creates the default table itself, so Terraform rarely manages it: it is added,
holding the static routes Terraform gives it, and listed as an assumption.

A table into which a BGP-speaking attachment (dynamic VPN, Direct Connect, Connect) propagates has routes
the source cannot give: `routes_complete=False`.  An attachment to a gateway that is not in the source is
left out (the engine then over-approximates the gateway) and recorded as incomplete.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from zonecheck.collect.terraform.attrs import Attrs
from zonecheck.collect.terraform.findings import ByType, Catalog, Findings, of_types
from zonecheck.collect.terraform.reader import TfResource
from zonecheck.collect.terraform.vpc import arn_account_region
from zonecheck.model import (
    TransitGateway,
    TransitGatewayAttachment,
    TransitGatewayRoute,
    TransitGatewayRouteTable,
)

_BGP_KINDS = ("direct-connect-gateway", "connect")


@dataclass
class Transit:
    gateways: dict[str, TransitGateway] = field(default_factory=dict)
    attachments: dict[str, TransitGatewayAttachment] = field(default_factory=dict)
    tables: dict[str, TransitGatewayRouteTable] = field(default_factory=dict)
    vpn_routes: dict[str, list[TransitGatewayRoute]] = field(default_factory=dict)
    """VPN connection id → static TGW routes to its attachment (the on-premises prefixes of a static VPN)."""
    findings: Findings = field(default_factory=Findings)


@dataclass(frozen=True)
class _Uses:
    """Whether an attachment takes its gateway's default association and propagation tables."""

    association: bool
    propagation: bool


def to_transit(resources: ByType) -> Transit:
    result = Transit()
    findings = result.findings
    result.gateways = _gateways(resources, findings)
    attachments, uses = _attachments(resources, result.gateways, findings)
    static_vpns = _static_vpns(resources)
    tables, synthesized = _tables(resources, result.gateways, findings)
    associations = _explicit(resources, "aws_ec2_transit_gateway_route_table_association", tables, findings)
    propagations = _explicit(resources, "aws_ec2_transit_gateway_route_table_propagation", tables, findings)
    assoc_of: dict[str, set[str]] = {t: set() for t in tables}
    prop_of: dict[str, set[str]] = {t: set() for t in tables}
    for attachment in attachments.values():
        for tgw_id in _sides(attachment):
            gateway = result.gateways.get(tgw_id)
            explicit = [t for (a, t) in associations if a == attachment.id and _table_tgw(tables, t) == tgw_id]
            if explicit:
                assoc_of[explicit[0]].add(attachment.id)
            elif gateway is not None and uses[attachment.id].association and gateway.default_route_table_association \
                    and gateway.association_default_route_table_id in tables:
                assoc_of[gateway.association_default_route_table_id].add(attachment.id)
            if gateway is not None and uses[attachment.id].propagation and gateway.default_route_table_propagation \
                    and gateway.propagation_default_route_table_id in tables and attachment.kind != "peering":
                prop_of[gateway.propagation_default_route_table_id].add(attachment.id)
    for attachment_id, table_id in associations:
        if table_id in tables and attachment_id not in attachments:
            assoc_of[table_id].add(attachment_id)  # the engine reports the unknown attachment on the path
    for attachment_id, table_id in propagations:
        if table_id in tables:
            prop_of[table_id].add(attachment_id)
    routes = _routes(resources, tables, findings)
    for table_id, table in tables.items():
        dynamic = [a for a in prop_of[table_id] if a in attachments and (
            attachments[a].kind in _BGP_KINDS or (attachments[a].kind == "vpn" and attachments[a].resource_id not in static_vpns))]
        result.tables[table_id] = table.model_copy(update={
            "routes": tuple(sorted(set(routes.get(table_id, [])), key=lambda r: r.label())),
            "associations": tuple(sorted(assoc_of[table_id])),
            "propagations": tuple(sorted(prop_of[table_id])),
            "routes_complete": not dynamic,
        })
    for table_id in synthesized:
        table = result.tables[table_id]
        findings.assumptions.append(
            f"{table_id}: default route table of {table.transit_gateway_id} is not in the source; assumed to hold only "
            "the static routes Terraform gives it and the routes its attachments propagate")
    result.attachments = attachments
    vpn_of = {a.id: a.resource_id for a in attachments.values() if a.kind == "vpn" and a.resource_id}
    for table in result.tables.values():
        for route in table.routes:
            for attachment_id in route.attachment_ids:
                if attachment_id in vpn_of:
                    result.vpn_routes.setdefault(vpn_of[attachment_id] or "", []).append(route)
    return result


# -- gateways ------------------------------------------------------------------------------------------------


def _gateways(resources: ByType, findings: Findings) -> dict[str, TransitGateway]:
    catalog: Catalog[TransitGateway] = Catalog()
    for res in of_types(resources, "aws_ec2_transit_gateway"):
        gateway = to_transit_gateway(res, findings)
        if gateway is not None:
            catalog.add(gateway.id, gateway, res)
    gateways = dict(catalog.items())
    # Provider 5.x: a chosen table replaces the default association / propagation table.
    for rtype, field_name in (("aws_ec2_transit_gateway_default_route_table_association", "association_default_route_table_id"),
                              ("aws_ec2_transit_gateway_default_route_table_propagation", "propagation_default_route_table_id")):
        for res in of_types(resources, rtype):
            a = Attrs(res)
            tgw_id, table_id = a.text("transit_gateway_id"), a.text("transit_gateway_route_table_id")
            if tgw_id is None or table_id is None:
                findings.unknown(res, "transit_gateway_id" if tgw_id is None else "transit_gateway_route_table_id")
                findings.missing("transit-gateway", tgw_id or "*", f"{res.address}: a default route table not in the source")
                continue
            if tgw_id in gateways:
                gateways[tgw_id] = gateways[tgw_id].model_copy(update={field_name: table_id})
    return gateways


def to_transit_gateway(res: TfResource, findings: Findings) -> Optional[TransitGateway]:
    a = Attrs(res)
    tgw_id = a.text("id")
    if tgw_id is None:
        findings.unknown(res, "id", "not in the source; the transit gateway is skipped")
        return None
    account, region = arn_account_region(a.text("arn"))
    return a.make(
        TransitGateway, id=tgw_id, account=account or a.text("owner_id"), region=region,
        default_route_table_association=_enabled(a, "default_route_table_association"),
        default_route_table_propagation=_enabled(a, "default_route_table_propagation"),
        association_default_route_table_id=a.text("association_default_route_table_id"),
        propagation_default_route_table_id=a.text("propagation_default_route_table_id"), tags=a.tags(),
    )


def _enabled(a: Attrs, key: str, default: bool = True) -> bool:
    """"enable"/"disable" (the provider's spelling), or a boolean; unknown: enabled (over-approximates)."""
    value = a.data.get(key)
    if isinstance(value, str) and value.lower() in ("enable", "disable"):
        return value.lower() == "enable"
    return a.flag(key, default)


# -- attachments ---------------------------------------------------------------------------------------------


def _attachments(resources: ByType, gateways: dict[str, TransitGateway],
                 findings: Findings) -> tuple[dict[str, TransitGatewayAttachment], dict[str, _Uses]]:
    catalog: Catalog[TransitGatewayAttachment] = Catalog("transit gateway attachment ")
    uses: dict[str, _Uses] = {}
    vpc_sides: dict[str, list[tuple[TransitGatewayAttachment, _Uses, TfResource]]] = {}
    for res in of_types(resources, "aws_ec2_transit_gateway_vpc_attachment", "aws_ec2_transit_gateway_vpc_attachment_accepter"):
        parsed = _vpc_attachment(res, findings)
        if parsed is not None:
            vpc_sides.setdefault(parsed[0].id, []).append((*parsed, res))
    for attachment_id, sides in vpc_sides.items():
        # The requester (VPC owner) and the accepter (gateway owner) describe one attachment: the accepter's
        # default-table flags win (they are the gateway owner's), subnets are the requester's.
        sides.sort(key=lambda s: s[2].type.endswith("_accepter"))
        merged, flags = sides[0][0], sides[0][1]
        for attachment, side_flags, res in sides[1:]:
            merged = merged.model_copy(update={
                "subnet_ids": merged.subnet_ids or attachment.subnet_ids, "resource_id": merged.resource_id or attachment.resource_id,
                "appliance_mode": merged.appliance_mode or attachment.appliance_mode})
            flags = side_flags
        catalog.add(attachment_id, merged, sides[0][2])
        uses[attachment_id] = flags
    for attachment, res in _peering_attachments(resources, findings):
        catalog.add(attachment.id, attachment, res)
        uses[attachment.id] = _Uses(True, False)
    for res in of_types(resources, "aws_ec2_transit_gateway_connect"):
        a = Attrs(res)
        attachment_id, tgw_id = a.text("id"), a.text("transit_gateway_id")
        if attachment_id is None or tgw_id is None:
            findings.unknown(res, "id" if attachment_id is None else "transit_gateway_id")
            findings.missing("transit-gateway", tgw_id or "*", f"{res.address}: a Connect attachment not in the source")
            continue
        catalog.add(attachment_id, a.make(TransitGatewayAttachment, id=attachment_id, transit_gateway_id=tgw_id,
                                          kind="connect", resource_id=a.text("transport_attachment_id"), tags=a.tags()), res)
        uses[attachment_id] = _Uses(a.flag("transit_gateway_default_route_table_association", True),
                                    a.flag("transit_gateway_default_route_table_propagation", True))
    for res in of_types(resources, "aws_vpn_connection"):
        a = Attrs(res)
        tgw_id, vpn_id = a.text("transit_gateway_id"), a.text("id")
        if tgw_id is None or vpn_id is None:
            continue
        attachment_id = a.text("transit_gateway_attachment_id") or f"{vpn_id}@{tgw_id}"
        catalog.add(attachment_id, a.make(TransitGatewayAttachment, id=attachment_id, transit_gateway_id=tgw_id,
                                          kind="vpn", resource_id=vpn_id, tags=a.tags()), res)
        uses[attachment_id] = _Uses(True, True)
    for res in of_types(resources, "aws_dx_gateway_association"):
        a = Attrs(res)
        gateway_id, dx_id = a.text("associated_gateway_id") or a.text("vpn_gateway_id"), a.text("dx_gateway_id")
        kind = (a.text("associated_gateway_type") or "").lower()
        if gateway_id is None or dx_id is None or not (kind == "transitgateway" or gateway_id.startswith("tgw-")):
            continue
        attachment_id = a.text("transit_gateway_attachment_id") or f"{dx_id}@{gateway_id}"
        catalog.add(attachment_id, a.make(TransitGatewayAttachment, id=attachment_id, transit_gateway_id=gateway_id,
                                          kind="direct-connect-gateway", resource_id=dx_id), res)
        uses[attachment_id] = _Uses(True, True)
    kept: dict[str, TransitGatewayAttachment] = {}
    for attachment_id, attachment in catalog.items():
        if any(tgw in gateways for tgw in _sides(attachment)):
            kept[attachment_id] = attachment
            continue
        res = catalog.origin(attachment_id)
        findings.missing("transit-gateway", attachment.transit_gateway_id,
                         f"{attachment_id} ({attachment.kind} attachment of {attachment.resource_id or '?'}) is attached "
                         f"to {attachment.transit_gateway_id}, which is not in the source"
                         + (f" ({res.address}, {res.file})" if res else ""))
    return kept, uses


def _vpc_attachment(res: TfResource, findings: Findings) -> Optional[tuple[TransitGatewayAttachment, _Uses]]:
    a = Attrs(res)
    is_accepter = res.type.endswith("_accepter")
    attachment_id = (a.text("transit_gateway_attachment_id") if is_accepter else None) or a.text("id")
    tgw_id, vpc_id = a.text("transit_gateway_id"), a.text("vpc_id")
    if attachment_id is None or tgw_id is None:
        findings.unknown(res, "id" if attachment_id is None else "transit_gateway_id")
        findings.missing("transit-gateway", tgw_id or "*", f"{res.address}: a VPC attachment not in the source ({res.file})")
        return None
    if vpc_id is None:
        findings.unknown(res, "vpc_id")
    subnets = a.texts("subnet_ids")
    if not subnets and a.unknown("subnet_ids"):
        findings.unknown(res, "subnet_ids", resource=attachment_id)
    attachment = a.make(TransitGatewayAttachment, id=attachment_id, transit_gateway_id=tgw_id, kind="vpc",
                        resource_id=vpc_id, subnet_ids=tuple(sorted(set(subnets))),
                        appliance_mode=(a.text("appliance_mode_support") or "").lower() == "enable",
                        peer_account=a.text("vpc_owner_id"), tags=a.tags())
    return attachment, _Uses(a.flag("transit_gateway_default_route_table_association", True),
                             a.flag("transit_gateway_default_route_table_propagation", True))


def _peering_attachments(resources: ByType, findings: Findings) -> list[tuple[TransitGatewayAttachment, TfResource]]:
    """One record per peering, requester's gateway in `transit_gateway_id`, accepter's in `resource_id`."""
    sides: dict[str, dict[str, tuple[Attrs, TfResource]]] = {}
    for res in of_types(resources, "aws_ec2_transit_gateway_peering_attachment",
                        "aws_ec2_transit_gateway_peering_attachment_accepter"):
        a = Attrs(res)
        is_accepter = res.type.endswith("_accepter")
        attachment_id = (a.text("transit_gateway_attachment_id") if is_accepter else None) or a.text("id")
        if attachment_id is None:
            findings.unknown(res, "id", "not in the source; the peering attachment is skipped")
            continue
        sides.setdefault(attachment_id, {})["accepter" if is_accepter else "requester"] = (a, res)
    out = []
    for attachment_id, found in sorted(sides.items()):
        requester, accepter = found.get("requester"), found.get("accepter")
        if requester is not None:
            a, res = requester
            tgw_id, peer = a.text("transit_gateway_id"), a.text("peer_transit_gateway_id")
            account, region = a.text("peer_account_id"), a.text("peer_region")
        else:
            assert accepter is not None
            a, res = accepter
            tgw_id, peer = a.text("peer_transit_gateway_id"), a.text("transit_gateway_id")
            account, region = a.text("peer_account_id"), a.text("peer_region")
        if tgw_id is None:
            findings.unknown(res, "transit_gateway_id")
            findings.missing("transit-gateway", "*", f"{res.address}: a peering attachment not in the source ({res.file})")
            continue
        state = (a.text("state") or "available").lower()
        if accepter is None and requester is not None and a.text("state") is None:
            findings.assumptions.append(f"{attachment_id}: transit gateway peering attachment whose acceptance is not in "
                                        "the source; assumed accepted")
        out.append((a.make(TransitGatewayAttachment, id=attachment_id, transit_gateway_id=tgw_id, kind="peering",
                           resource_id=peer, state=state, peer_account=account, peer_region=region, tags=a.tags()), res))
    return out


def _sides(attachment: TransitGatewayAttachment) -> list[str]:
    """The gateways an attachment belongs to: a peering attachment belongs to both of its gateways."""
    if attachment.kind == "peering" and attachment.resource_id:
        return [attachment.transit_gateway_id, attachment.resource_id]
    return [attachment.transit_gateway_id]


def _static_vpns(resources: ByType) -> set[str]:
    return {Attrs(res).text("id") or "" for res in of_types(resources, "aws_vpn_connection")
            if Attrs(res).flag("static_routes_only", False)}


# -- route tables --------------------------------------------------------------------------------------------


def _tables(resources: ByType, gateways: dict[str, TransitGateway],
            findings: Findings) -> tuple[dict[str, TransitGatewayRouteTable], list[str]]:
    catalog: Catalog[TransitGatewayRouteTable] = Catalog()
    for res in of_types(resources, "aws_ec2_transit_gateway_route_table"):
        a = Attrs(res)
        table_id, tgw_id = a.text("id"), a.text("transit_gateway_id")
        if table_id is None or tgw_id is None:
            findings.unknown(res, "id" if table_id is None else "transit_gateway_id")
            findings.missing("transit-gateway", tgw_id or "*", f"{res.address}: a route table not in the source ({res.file})")
            continue
        catalog.add(table_id, a.make(TransitGatewayRouteTable, id=table_id, transit_gateway_id=tgw_id,
                                     is_default_association=a.flag("default_association_route_table", False),
                                     is_default_propagation=a.flag("default_propagation_route_table", False),
                                     tags=a.tags()), res)
    tables = dict(catalog.items())
    synthesized = []
    for gateway in gateways.values():
        for table_id, enabled in ((gateway.association_default_route_table_id, gateway.default_route_table_association),
                                  (gateway.propagation_default_route_table_id, gateway.default_route_table_propagation)):
            if table_id and enabled and table_id not in tables:
                tables[table_id] = TransitGatewayRouteTable(id=table_id, transit_gateway_id=gateway.id)
                synthesized.append(table_id)
        for table_id, flag in ((gateway.association_default_route_table_id, "is_default_association"),
                               (gateway.propagation_default_route_table_id, "is_default_propagation")):
            if table_id in tables:
                tables[table_id] = tables[table_id].model_copy(update={flag: True})
    return tables, synthesized


def _table_tgw(tables: dict[str, TransitGatewayRouteTable], table_id: str) -> str:
    table = tables.get(table_id)
    return table.transit_gateway_id if table is not None else table_id


def _explicit(resources: ByType, rtype: str, tables: dict[str, TransitGatewayRouteTable],
              findings: Findings) -> list[tuple[str, str]]:
    """(attachment, table) pairs of association or propagation resources."""
    catalog: Catalog[str] = Catalog("the route table association of " if rtype.endswith("association") else "")
    pairs: set[tuple[str, str]] = set()
    for res in of_types(resources, rtype):
        a = Attrs(res)
        attachment_id, table_id = a.text("transit_gateway_attachment_id"), a.text("transit_gateway_route_table_id")
        if attachment_id is None or table_id is None:
            key = "transit_gateway_attachment_id" if attachment_id is None else "transit_gateway_route_table_id"
            findings.unknown(res, key, resource=table_id if table_id and attachment_id is None else None)
            findings.missing("transit-gateway", table_id or "*", f"{res.address}: an association or propagation "
                                                                 f"not in the source ({res.file})")
            continue
        if table_id not in tables:
            findings.missing("transit-gateway", table_id, f"{res.address} names {table_id}, a transit gateway route "
                                                          f"table not in the source ({res.file})")
            continue
        if rtype.endswith("association"):
            # An attachment has one association per gateway (a peering attachment has one on each side).
            catalog.add(f"{attachment_id} on {_table_tgw(tables, table_id)}", table_id, res)
        pairs.add((attachment_id, table_id))
    return sorted(pairs)


def _routes(resources: ByType, tables: dict[str, TransitGatewayRouteTable],
            findings: Findings) -> dict[str, list[TransitGatewayRoute]]:
    routes: dict[str, list[TransitGatewayRoute]] = {}
    for res in of_types(resources, "aws_ec2_transit_gateway_route", "aws_ec2_transit_gateway_prefix_list_reference"):
        a = Attrs(res)
        table_id = a.text("transit_gateway_route_table_id")
        is_reference = res.type.endswith("prefix_list_reference")
        destination_key = "prefix_list_id" if is_reference else "destination_cidr_block"
        if table_id is None:
            findings.unknown(res, "transit_gateway_route_table_id")
            findings.missing("transit-gateway", "*", f"{res.address}: a route of an unknown route table ({res.file})")
            continue
        if table_id not in tables:
            findings.missing("transit-gateway", table_id,
                             f"{res.address} adds a route to {table_id}, which is not in the source ({res.file})")
            continue
        blackhole = a.flag("blackhole", False)
        attachment_id = a.text("transit_gateway_attachment_id")
        destination = None if is_reference else a.network(destination_key)
        prefix_list = a.text(destination_key) if is_reference else None
        if destination is None and prefix_list is None:
            findings.unknown(res, destination_key, resource=table_id)
            continue
        if not blackhole and attachment_id is None:
            # Where it sends is known only after apply: the table is uncertain (and the route left out).
            findings.unknown(res, "transit_gateway_attachment_id", resource=table_id)
            continue
        routes.setdefault(table_id, []).append(a.make(
            TransitGatewayRoute, destination=destination, destination_prefix_list_id=prefix_list,
            attachment_ids=() if blackhole else (attachment_id,), kind="static",
            state="blackhole" if blackhole else "active"))
    return routes


__all__ = ["Transit", "to_transit", "to_transit_gateway"]
