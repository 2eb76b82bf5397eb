"""get: transit gateways, their attachments, route tables, propagations and routes.

SearchTransitGatewayRoutes answers at most 1000 routes and says `AdditionalRoutesAvailable` when there are
more.  Recent API versions also give a `NextToken` (boto3's paginator follows it); older ones, and some
endpoints, do not.  When a search is cut short with no way to continue, the search is split — by route
type, then by destination (routes inside each half of the address space, plus the routes to exactly that
range, recursively) and by prefix list — until every part is complete.  Routes to a prefix list can only
be found by naming the list: the lists the account can see (DescribeManagedPrefixLists lists its own,
shared and AWS-managed ones, all a transit gateway route can use).  A part that still cannot be completed,
or a split search without that list of lists, leaves `AdditionalRoutesAvailable: true` in the result,
which makes the table incomplete.
"""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network
from typing import Any, Iterable, Optional

from zonecheck.collect.aws.live.pages import Item, all_items, pages, per_parent

ROUTE_TYPES = ("static", "propagated")
_FILTER_VALUES = 200  # EC2 takes at most 200 values in one filter


def get_transit_gateways(ec2: Any, page_size: Optional[int] = None) -> list[Item]:
    return all_items(ec2, "describe_transit_gateways", "TransitGateways", page_size)


def get_transit_gateway_attachments(ec2: Any, page_size: Optional[int] = None) -> list[Item]:
    return all_items(ec2, "describe_transit_gateway_attachments", "TransitGatewayAttachments", page_size)


def get_transit_gateway_vpc_attachments(ec2: Any, page_size: Optional[int] = None) -> list[Item]:
    return all_items(ec2, "describe_transit_gateway_vpc_attachments", "TransitGatewayVpcAttachments", page_size)


def get_transit_gateway_peering_attachments(ec2: Any, page_size: Optional[int] = None) -> list[Item]:
    return all_items(ec2, "describe_transit_gateway_peering_attachments", "TransitGatewayPeeringAttachments", page_size)


def get_transit_gateway_route_tables(ec2: Any, page_size: Optional[int] = None) -> list[Item]:
    return all_items(ec2, "describe_transit_gateway_route_tables", "TransitGatewayRouteTables", page_size)


def get_transit_gateway_route_table_propagations(ec2: Any, table_ids: Iterable[str],
                                                 page_size: Optional[int] = None) -> list[Item]:
    """One `{TransitGatewayRouteTableId, TransitGatewayRouteTablePropagations}` per table."""
    return per_parent(table_ids, lambda table_id: {
        "TransitGatewayRouteTableId": table_id,
        "TransitGatewayRouteTablePropagations": all_items(
            ec2, "get_transit_gateway_route_table_propagations", "TransitGatewayRouteTablePropagations", page_size,
            TransitGatewayRouteTableId=table_id)})


def get_transit_gateway_routes(ec2: Any, table_ids: Iterable[str],
                               prefix_list_ids: Optional[Iterable[str]] = None) -> list[Item]:
    """One `{TransitGatewayRouteTableId, Routes, AdditionalRoutesAvailable}` per table: its static and
    propagated routes.  `prefix_list_ids`: every list a route may point to (None: not known), searched for
    by name when the search has to be split."""
    lists = sorted(set(prefix_list_ids)) if prefix_list_ids is not None else None

    def search(table_id: str) -> Item:
        found = _RouteSearch(ec2, table_id)
        complete = found.everything(lists)
        return {"TransitGatewayRouteTableId": table_id, "Routes": found.routes(),
                "AdditionalRoutesAvailable": not complete}

    return per_parent(table_ids, search)


class _RouteSearch:
    def __init__(self, ec2: Any, table_id: str) -> None:
        self.ec2 = ec2
        self.table_id = table_id
        self._found: dict[tuple[Any, ...], Item] = {}

    def routes(self) -> list[Item]:
        return list(self._found.values())

    def everything(self, prefix_list_ids: Optional[list[str]]) -> bool:
        if self._search([_type(*ROUTE_TYPES)]):
            return True
        complete = prefix_list_ids is not None  # else routes to prefix lists may be missed
        prefix_list_ids = prefix_list_ids or []
        for route_type in ROUTE_TYPES:
            if self._search([_type(route_type)]):
                continue
            for space in (IPv4Network("0.0.0.0/0"), IPv6Network("::/0")):
                complete &= self._within(route_type, space)
            for start in range(0, len(prefix_list_ids), _FILTER_VALUES):
                chunk = prefix_list_ids[start:start + _FILTER_VALUES]
                complete &= self._search([_type(route_type), {"Name": "prefix-list-id", "Values": chunk}])
        return complete

    def _within(self, route_type: str, space: IPv4Network | IPv6Network) -> bool:
        """Every route of `route_type` to `space` or a part of it."""
        within = [_type(route_type), {"Name": "route-search.subnet-of-match", "Values": [str(space)]}]
        if self._search(within):
            return True
        if space.prefixlen == space.max_prefixlen:
            return False
        exact = self._search([_type(route_type), {"Name": "route-search.exact-match", "Values": [str(space)]}])
        halves = [self._within(route_type, half) for half in space.subnets(1)]
        return exact and all(halves)

    def _search(self, filters: list[dict[str, Any]]) -> bool:
        """Add what one search finds; True when it found everything it matches."""
        last: dict[str, Any] = {}
        for page in pages(self.ec2, "search_transit_gateway_routes", None,
                          TransitGatewayRouteTableId=self.table_id, Filters=filters):
            for route in page.get("Routes") or []:
                self._found.setdefault(_route_key(route), route)
            last = page
        return not (last.get("AdditionalRoutesAvailable") and not last.get("NextToken"))


def _type(*values: str) -> dict[str, Any]:
    return {"Name": "type", "Values": list(values)}


def _route_key(route: Item) -> tuple[Any, ...]:
    return (route.get("DestinationCidrBlock"), route.get("PrefixListId"), route.get("Type"))


__all__ = [
    "ROUTE_TYPES", "get_transit_gateway_attachments", "get_transit_gateway_peering_attachments",
    "get_transit_gateway_route_table_propagations", "get_transit_gateway_route_tables", "get_transit_gateway_routes",
    "get_transit_gateway_vpc_attachments", "get_transit_gateways",
]
