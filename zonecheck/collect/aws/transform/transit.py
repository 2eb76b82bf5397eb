"""Transit gateways: DescribeTransitGateways, DescribeTransitGatewayAttachments (+ the VPC and peering
attachment calls), DescribeTransitGatewayRouteTables, and per route table the results of
GetTransitGatewayRouteTablePropagations and SearchTransitGatewayRoutes.

The two per-table calls do not name their table in the response; a dump (and the live collector) wraps
each result with its table id, as the Batfish dumps do:

    {"TransitGatewayPropagations": [{"TransitGatewayRouteTableId": "tgw-rtb-…",
                                     "TransitGatewayRouteTablePropagations": [...]}]}
    {"TransitGatewayStaticRoutes": [{"TransitGatewayRouteTableId": "tgw-rtb-…", "Routes": [...],
                                     "AdditionalRoutesAvailable": false}]}

A table whose wrapper is absent has unknown propagations or routes: `routes_complete=False`.  So has a
table into which a BGP-speaking attachment (VPN with dynamic routing, Direct Connect gateway, Connect)
propagates while the listed routes hold none of its routes.
"""

from __future__ import annotations

from typing import Collection, Iterable, Optional

from zonecheck.collect.aws.transform._raw import (
    Item, account_of_arn, dicts, flag, get, is_state, make, network, region_of_arn, tags, text, texts,
)
from zonecheck.collect.aws.transform.findings import Findings, ensure
from zonecheck.model import (
    AttachmentKind, TransitGateway, TransitGatewayAttachment, TransitGatewayRoute, TransitGatewayRouteTable,
)

_KINDS: dict[str, AttachmentKind] = {
    "vpc": "vpc", "vpn": "vpn", "direct-connect-gateway": "direct-connect-gateway", "connect": "connect",
    "peering": "peering", "tgw-peering": "peering", "network-function": "network-function",
}
_GONE = ("deleted", "failed", "rejected", "failing")
_BGP_KINDS = ("direct-connect-gateway", "connect")


def to_transit_gateways(raw: Iterable[Item], account: Optional[str] = None, region: Optional[str] = None,
                        findings: Optional[Findings] = None) -> list[TransitGateway]:
    findings = ensure(findings)
    out = []
    for item in raw:
        tgw_id = text(item, "TransitGatewayId")
        if tgw_id is None:
            findings.note("a transit gateway without TransitGatewayId was skipped")
            continue
        if is_state(text(item, "State"), "deleted"):
            findings.note(f"{tgw_id} is deleted: left out")
            continue
        arn = text(item, "TransitGatewayArn")
        options = get(item, "Options") or {}
        out.append(make(
            TransitGateway, item, id=tgw_id, account=text(item, "OwnerId") or account_of_arn(arn) or account,
            region=region_of_arn(arn) or region,
            default_route_table_association=flag(item, options, "DefaultRouteTableAssociation", True),
            default_route_table_propagation=flag(item, options, "DefaultRouteTablePropagation", True),
            association_default_route_table_id=text(options, "AssociationDefaultRouteTableId"),
            propagation_default_route_table_id=text(options, "PropagationDefaultRouteTableId"),
            state=(text(item, "State") or "available").lower(), tags=tags(item),
        ))
    return out


def to_transit_gateway_attachments(raw: Iterable[Item], vpc_attachments: Iterable[Item] = (),
                                   peering_attachments: Iterable[Item] = (),
                                   findings: Optional[Findings] = None) -> list[TransitGatewayAttachment]:
    """Attachments from DescribeTransitGatewayAttachments, completed with the subnets and appliance mode
    of DescribeTransitGatewayVpcAttachments and the peer of DescribeTransitGatewayPeeringAttachments.
    A VPC attachment only the VPC call lists is still an attachment."""
    findings = ensure(findings)
    vpc_info = {text(v, "TransitGatewayAttachmentId"): v for v in vpc_attachments if text(v, "TransitGatewayAttachmentId")}
    peer_info = {text(p, "TransitGatewayAttachmentId"): p for p in peering_attachments if text(p, "TransitGatewayAttachmentId")}
    out: dict[str, TransitGatewayAttachment] = {}
    for item in raw:
        attachment_id, tgw_id = text(item, "TransitGatewayAttachmentId"), text(item, "TransitGatewayId")
        if attachment_id is None or tgw_id is None:
            findings.note(f"transit gateway attachment {attachment_id or '(no id)'} without TransitGatewayId was skipped")
            continue
        state = (text(item, "State") or "available").lower()
        if state in _GONE:
            findings.note(f"{attachment_id} is {state}: left out")
            continue
        kind = _KINDS.get((text(item, "ResourceType") or "").lower(), "unknown")
        resource_id = text(item, "ResourceId")
        vpc = vpc_info.get(attachment_id) or {}
        peer_account = peer_region = None
        if kind == "peering":
            peer_account = text(item, "ResourceOwnerId")
            peer_region, peer_account = _peer_of(peer_info.get(attachment_id), tgw_id, peer_region, peer_account)
        out[attachment_id] = make(
            TransitGatewayAttachment, item, id=attachment_id, transit_gateway_id=tgw_id, kind=kind,
            resource_id=resource_id, subnet_ids=tuple(sorted(set(texts(item, vpc, "SubnetIds")))), state=state,
            appliance_mode=flag(item, get(vpc, "Options") or {}, "ApplianceModeSupport", False),
            peer_region=peer_region, peer_account=peer_account, tags=tags(item) or tags(vpc),
        )
    for attachment_id, vpc in vpc_info.items():
        if attachment_id in out or attachment_id is None:
            continue
        state = (text(vpc, "State") or "available").lower()
        if state in _GONE or text(vpc, "TransitGatewayId") is None:
            continue
        out[attachment_id] = make(
            TransitGatewayAttachment, vpc, id=attachment_id, transit_gateway_id=text(vpc, "TransitGatewayId"), kind="vpc",
            resource_id=text(vpc, "VpcId"), subnet_ids=tuple(sorted(set(texts(vpc, vpc, "SubnetIds")))), state=state,
            appliance_mode=flag(vpc, get(vpc, "Options") or {}, "ApplianceModeSupport", False), tags=tags(vpc),
        )
    return list(out.values())


def _peer_of(peering: Optional[Item], tgw_id: str, region: Optional[str],
             account: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    if not peering:
        return region, account
    for mine, theirs in (("RequesterTgwInfo", "AccepterTgwInfo"), ("AccepterTgwInfo", "RequesterTgwInfo")):
        if text(peering, mine, "TransitGatewayId") == tgw_id:
            return (text(peering, theirs, "Region") or region, text(peering, theirs, "OwnerId") or account)
    return region, account


def to_transit_gateway_route_tables(raw: Iterable[Item], propagations: Optional[Iterable[Item]] = None,
                                    routes: Optional[Iterable[Item]] = None, attachments: Iterable[Item] = (),
                                    static_vpn_ids: Collection[str] = (),
                                    findings: Optional[Findings] = None) -> list[TransitGatewayRouteTable]:
    """Route tables with their associations (from the attachments' `Association`), propagations and routes.

    `propagations` / `routes`: the wrapped per-table results (None: the source has none at all).
    `attachments`: DescribeTransitGatewayAttachments items, of every account (a peering attachment is
    associated on both sides).  `static_vpn_ids`: VPN connections that use static routes only, whose
    routes are known from DescribeVpnConnections."""
    findings = ensure(findings)
    associations: dict[str, set[str]] = {}
    for item in attachments:
        table_id, attachment_id = text(item, "Association", "TransitGatewayRouteTableId"), text(item, "TransitGatewayAttachmentId")
        state = text(item, "Association", "State")
        if table_id and attachment_id and (state is None or is_state(state, "associated", "associating")) \
                and not is_state(text(item, "State"), *_GONE):
            associations.setdefault(table_id, set()).add(attachment_id)
    propagated = _wrapped(propagations, "TransitGatewayRouteTablePropagations")
    routed = _wrapped(routes, "Routes")
    truncated = {text(w, "TransitGatewayRouteTableId") for w in routes or () if get(w, "AdditionalRoutesAvailable") is True}
    out = []
    for item in raw:
        table_id, tgw_id = text(item, "TransitGatewayRouteTableId"), text(item, "TransitGatewayId")
        if table_id is None or tgw_id is None:
            findings.note(f"transit gateway route table {table_id or '(no id)'} without TransitGatewayId was skipped")
            continue
        if is_state(text(item, "State"), "deleted", "deleting"):
            findings.note(f"{table_id} is {text(item, 'State')}: left out")
            continue
        table_propagations = propagated.get(table_id)
        table_routes = routed.get(table_id)
        enabled = [p for p in table_propagations or () if text(p, "TransitGatewayAttachmentId")
                   and (text(p, "State") is None or is_state(text(p, "State"), "enabled", "enabling"))]
        parsed = [r for r in (to_transit_gateway_route(item, raw_route) for raw_route in table_routes or ()) if r is not None]
        complete = table_propagations is not None and table_routes is not None and table_id not in truncated
        with_routes = {a for r in parsed if r.kind == "propagated" for a in r.attachment_ids}
        for propagation in enabled:
            attachment_id = text(propagation, "TransitGatewayAttachmentId")
            resource_type = (text(propagation, "ResourceType") or "").lower()
            dynamic = resource_type in _BGP_KINDS or (
                resource_type == "vpn" and text(propagation, "ResourceId") not in static_vpn_ids)
            if dynamic and attachment_id not in with_routes:
                complete = False
        out.append(make(
            TransitGatewayRouteTable, item, id=table_id, transit_gateway_id=tgw_id,
            routes=tuple(sorted(set(parsed), key=lambda r: r.label())),
            associations=tuple(sorted(associations.get(table_id, ()))),
            propagations=tuple(sorted({text(p, "TransitGatewayAttachmentId") for p in enabled})),  # type: ignore[type-var]
            is_default_association=flag(item, item, "DefaultAssociationRouteTable", False),
            is_default_propagation=flag(item, item, "DefaultPropagationRouteTable", False),
            routes_complete=complete, tags=tags(item),
        ))
    return out


def to_transit_gateway_route(table: Item, item: Item) -> Optional[TransitGatewayRoute]:
    """One SearchTransitGatewayRoutes route; routes being deleted or pending are left out."""
    state = (text(item, "State") or "active").lower()
    if state not in ("active", "blackhole"):
        return None
    cidr, pl_id = text(item, "DestinationCidrBlock"), text(item, "PrefixListId")
    if cidr is None and pl_id is None:
        return None
    attachment_ids = tuple(sorted({attachment_id for a in dicts(table, item, "TransitGatewayAttachments")
                                   if (attachment_id := text(a, "TransitGatewayAttachmentId"))}))
    kind = "propagated" if (text(item, "Type") or "").lower() == "propagated" else "static"
    return make(TransitGatewayRoute, table, destination=network(table, cidr, "Routes[].DestinationCidrBlock") if cidr else None,
                destination_prefix_list_id=None if cidr else pl_id, attachment_ids=attachment_ids, kind=kind,
                state="blackhole" if state == "blackhole" or not attachment_ids else "active")


def _wrapped(wrappers: Optional[Iterable[Item]], key: str) -> dict[str, list[Item]]:
    out: dict[str, list[Item]] = {}
    for wrapper in wrappers or ():
        table_id = text(wrapper, "TransitGatewayRouteTableId")
        if table_id is not None:
            out.setdefault(table_id, []).extend(dicts(wrapper, wrapper, key))
    return out


__all__ = ["to_transit_gateway_attachments", "to_transit_gateway_route", "to_transit_gateway_route_tables",
           "to_transit_gateways"]
