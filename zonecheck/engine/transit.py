"""Transit gateway lookups: which table routes an attachment's traffic, and that table's routes.

A table's routes are its static routes, the propagated routes the source lists, and the routes the
propagations imply (a VPC attachment propagates its VPC's CIDRs).  Longest prefix wins; on a tie a static
route beats a propagated one, as in AWS.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import ip_network
from typing import Iterator, Optional

from zonecheck.engine import addresses as addr
from zonecheck.engine.intervals import IntervalSet
from zonecheck.engine.routing import longest_prefix_split
from zonecheck.model import (
    Snapshot,
    TransitGateway,
    TransitGatewayAttachment,
    TransitGatewayRoute,
    TransitGatewayRouteTable,
)


@dataclass(frozen=True, slots=True)
class TgwRouteEntry:
    destinations: IntervalSet
    prefix_len: int
    route: TransitGatewayRoute
    doubt: Optional[str] = None


class TransitIndex:
    def __init__(self, snapshot: Snapshot) -> None:
        self.gateways: dict[str, TransitGateway] = {t.id: t for t in snapshot.transit_gateways}
        self.attachments: dict[str, TransitGatewayAttachment] = {a.id: a for a in snapshot.transit_gateway_attachments}
        self.tables: dict[str, TransitGatewayRouteTable] = {t.id: t for t in snapshot.transit_gateway_route_tables}
        self._vpcs = {v.id: v for v in snapshot.vpcs}
        self._prefix_lists = {p.id: p for p in snapshot.prefix_lists}
        self._routes: dict[str, list[TgwRouteEntry]] = {}
        self._lpm_cache: dict[tuple, list] = {}
        self._vpc_attachments: Optional[dict[tuple[str, str], TransitGatewayAttachment]] = None
        self._table_of: dict[tuple[str, str], Optional[TransitGatewayRouteTable]] = {}
        self.vpc_space = addr.of_networks([n for v in snapshot.vpcs for n in (*v.cidrs, *v.ipv6_cidrs)])

    def vpc_attachment(self, tgw_id: str, vpc_id: str) -> Optional[TransitGatewayAttachment]:
        if self._vpc_attachments is None:
            # The first usable attachment of each (gateway, VPC), as a scan in the source's order would find.
            found: dict[tuple[str, str], TransitGatewayAttachment] = {}
            for att in self.attachments.values():
                if att.kind == "vpc" and att.resource_id and att.state in ("available", "modifying"):
                    found.setdefault((att.transit_gateway_id, att.resource_id), att)
            self._vpc_attachments = found
        return self._vpc_attachments.get((tgw_id, vpc_id))

    def attachments_of_vpc(self, vpc_id: str) -> list[TransitGatewayAttachment]:
        return [a for a in self.attachments.values() if a.kind == "vpc" and a.resource_id == vpc_id]

    def table_for(self, attachment: TransitGatewayAttachment, tgw_id: Optional[str] = None) -> Optional[TransitGatewayRouteTable]:
        """The route table associated with the attachment on `tgw_id` (peering attachments live on two TGWs)."""
        tgw_id = tgw_id or attachment.transit_gateway_id
        key = (attachment.id, tgw_id)
        if key not in self._table_of:
            self._table_of[key] = self._table_for(attachment, tgw_id)
        return self._table_of[key]

    def _table_for(self, attachment: TransitGatewayAttachment, tgw_id: str) -> Optional[TransitGatewayRouteTable]:
        for table in self.tables.values():
            if table.transit_gateway_id == tgw_id and attachment.id in table.associations:
                return table
        gateway = self.gateways.get(tgw_id)
        if gateway is not None and gateway.default_route_table_association and gateway.association_default_route_table_id \
                and attachment.transit_gateway_id == tgw_id:
            # Attachments get the default association table when the gateway has it enabled and the source
            # names no other association (an attachment is associated with at most one table).
            return self.tables.get(gateway.association_default_route_table_id)
        return None

    def propagating_tables(self, attachment: TransitGatewayAttachment) -> list[TransitGatewayRouteTable]:
        return [t for t in self.tables.values() if attachment.id in t.propagations]

    def routes(self, table: TransitGatewayRouteTable) -> list[TgwRouteEntry]:
        cached = self._routes.get(table.id)
        if cached is not None:
            return cached
        entries: list[TgwRouteEntry] = []
        explicit: set[tuple[str, str]] = set()
        for route in table.routes:
            if route.destination is not None:
                explicit.add((str(route.destination), route.kind))
                entries.append(TgwRouteEntry(addr.of_network(route.destination), route.destination.prefixlen, route))
            else:
                pl = self._prefix_lists.get(route.destination_prefix_list_id or "")
                if pl is None or pl.entries is None:
                    entries.append(TgwRouteEntry(addr.ALL_ADDRESSES, -1, route,
                                                 doubt=f"{table.id}: entries of prefix list {route.destination_prefix_list_id} are unknown"))
                else:
                    for net in pl.entries:
                        entries.append(TgwRouteEntry(addr.of_network(net), net.prefixlen, route))
        listed = {a for r in table.routes if r.kind == "propagated" for a in r.attachment_ids}
        for att_id in table.propagations:
            att = self.attachments.get(att_id)
            if att is not None and att.kind in ("vpn", "direct-connect-gateway", "connect") and att_id not in listed:
                # Routes learned over BGP are not in the source.  Under the on-premises assumption they cover
                # no address of the estate's VPCs: anything else might be routed to this attachment.
                entries.append(TgwRouteEntry(addr.ALL_ADDRESSES - self.vpc_space, -1, TransitGatewayRoute(
                    destination=ip_network("0.0.0.0/0"), attachment_ids=(att_id,), kind="propagated"),
                    doubt=f"{table.id}: routes learned over BGP from {att_id} ({att.kind}) are not in the source"))
                continue
            if att is None or att.kind != "vpc":
                continue  # peering routes are static; anything else is not propagated
            vpc = self._vpcs.get(att.resource_id or "")
            if vpc is None:
                continue
            for net in (*vpc.cidrs, *vpc.ipv6_cidrs):
                if (str(net), "propagated") in explicit or (str(net), "static") in explicit:
                    continue
                entries.append(TgwRouteEntry(addr.of_network(net), net.prefixlen, TransitGatewayRoute(
                    destination=net, attachment_ids=(att.id,), kind="propagated")))
        # Longest prefix first; static before propagated on equal prefixes.
        entries.sort(key=lambda e: (-e.prefix_len, e.route.kind != "static", e.route.label()))
        self._routes[table.id] = entries
        return entries

    def lpm(self, table: TransitGatewayRouteTable, addresses: IntervalSet
            ) -> Iterator[tuple[IntervalSet, Optional[TgwRouteEntry], Optional[str]]]:
        """LPM over a transit gateway route table, cached: every source's walk meets it with the same
        destinations."""
        key = (table.id, addresses)
        cached = self._lpm_cache.get(key)
        if cached is None:
            cached = self._lpm_cache[key] = list(self._lpm(table, addresses))
        return iter(cached)

    def _lpm(self, table: TransitGatewayRouteTable, addresses: IntervalSet
             ) -> Iterator[tuple[IntervalSet, Optional[TgwRouteEntry], Optional[str]]]:
        entries = self.routes(table)
        if table.routes_complete or any(e.doubt for e in entries):
            return longest_prefix_split(entries, addresses)
        # Incomplete for a reason not pinned to an attachment: only addresses outside the VPCs are in doubt
        # (on-premises assumption), and those get the doubt on whatever they match.
        incomplete = f"{table.id}: some propagated routes are not in the source"
        inside = addresses & self.vpc_space
        outside = addresses - self.vpc_space
        return _chain(longest_prefix_split(entries, inside) if inside else iter(()),
                      longest_prefix_split(entries, outside, incomplete) if outside else iter(()))


def _chain(*iterators: Iterator) -> Iterator:
    for it in iterators:
        yield from it
