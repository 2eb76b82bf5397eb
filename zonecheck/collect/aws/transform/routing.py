"""Route tables (DescribeRouteTables `RouteTables`): routes, associations, VGW route propagation.

Routes are kept as AWS lists them, `local` included (the engine adds `local` only for VPC CIDRs a table
does not list).  A route whose target is gone is `blackhole`, as AWS says.  Gateway (edge) associations
route traffic *entering* the VPC through a table: not modelled yet, so they are reported as unsupported.
"""

from __future__ import annotations

from typing import Iterable, Optional

from zonecheck.collect.aws.transform._raw import Item, dicts, get, is_state, make, network, tags, text
from zonecheck.collect.aws.transform.findings import Findings, ensure
from zonecheck.model import Route, RoutePropagation, RouteTable, RouteTarget, route_target_from

# Target keys of a route, in the order tried.  An instance route names both the instance and its ENI:
# the ENI first, because it is the precise hop.
_TARGET_KEYS: tuple[tuple[str, Optional[RouteTarget]], ...] = (
    ("GatewayId", None),  # "local", igw-, vgw-, vpce-…: classified by prefix
    ("NatGatewayId", "nat-gateway"),
    ("TransitGatewayId", "transit-gateway"),
    ("VpcPeeringConnectionId", "vpc-peering"),
    ("EgressOnlyInternetGatewayId", "egress-only-internet-gateway"),
    ("NetworkInterfaceId", "network-interface"),
    ("InstanceId", "instance"),
    ("LocalGatewayId", "local-gateway"),
    ("CarrierGatewayId", "carrier-gateway"),
    ("CoreNetworkArn", "core-network"),
)


def to_route_tables(raw: Iterable[Item], findings: Optional[Findings] = None) -> list[RouteTable]:
    findings = ensure(findings)
    out = []
    for item in raw:
        table_id, vpc_id = text(item, "RouteTableId"), text(item, "VpcId")
        if table_id is None or vpc_id is None:
            findings.note(f"route table {table_id or '(no RouteTableId)'} without VpcId was skipped")
            continue
        routes: dict[tuple[object, ...], Route] = {}
        for raw_route in dicts(item, item, "Routes"):
            route = to_route(item, raw_route, findings)
            if route is not None:
                routes.setdefault((route.destination, route.destination_prefix_list_id, route.target,
                                   route.target_id, route.state), route)
        is_main, subnet_ids = False, []
        for assoc in dicts(item, item, "Associations"):
            state = text(assoc, "AssociationState", "State")
            if state is not None and state.lower() not in ("associated", "associating"):
                continue
            if get(assoc, "Main") is True:
                is_main = True
            if text(assoc, "SubnetId"):
                subnet_ids.append(text(assoc, "SubnetId"))
            elif text(assoc, "GatewayId") and get(assoc, "Main") is not True:
                findings.unsupported_construct(
                    table_id, "gateway-route-table",
                    f"{table_id} is associated with {text(assoc, 'GatewayId')}: traffic entering {vpc_id} through "
                    "that gateway is routed by this table (ingress routing), which is not modelled yet")
        out.append(make(
            RouteTable, item, id=table_id, vpc_id=vpc_id, routes=tuple(sorted(routes.values(), key=lambda r: r.label())),
            subnet_ids=tuple(sorted(set(subnet_ids))), is_main=is_main, tags=tags(item),
        ))
    return out


def to_route(table: Item, item: Item, findings: Optional[Findings] = None) -> Optional[Route]:
    """One entry of `Routes`; None (with a note) for a route with no destination."""
    findings = ensure(findings)
    table_id = text(table, "RouteTableId") or "?"
    v4, v6, pl_id = text(item, "DestinationCidrBlock"), text(item, "DestinationIpv6CidrBlock"), text(item, "DestinationPrefixListId")
    destination = None
    if v4 is not None:
        destination = network(table, v4, "Routes[].DestinationCidrBlock")
    elif v6 is not None:
        destination = network(table, v6, "Routes[].DestinationIpv6CidrBlock")
    if destination is None and pl_id is None:
        findings.note(f"{table_id}: a route without a destination was skipped")
        return None
    target, target_id = route_target(item)
    state = "blackhole" if is_state(text(item, "State"), "blackhole") else "active"
    if target == "unknown":
        findings.note(f"{table_id}: route to {v4 or v6 or pl_id} has no target zonecheck knows; kept as unknown")
    return make(Route, table, destination=destination, destination_prefix_list_id=None if destination else pl_id,
                target=target, target_id=target_id, state=state)


def route_target(item: Item) -> tuple[RouteTarget, Optional[str]]:
    return route_target_from((text(item, key), kind) for key, kind in _TARGET_KEYS)


def to_route_propagations(raw: Iterable[Item]) -> list[RoutePropagation]:
    """`PropagatingVgws`: VPN gateways whose (on-premises) routes appear in the table."""
    out = []
    for item in raw:
        table_id = text(item, "RouteTableId")
        if table_id is None:
            continue
        for vgw in dicts(item, item, "PropagatingVgws"):
            gateway_id = text(vgw, "GatewayId")
            if gateway_id:
                out.append(RoutePropagation(route_table_id=table_id, gateway_id=gateway_id))
    return out


__all__ = ["route_target", "to_route", "to_route_propagations", "to_route_tables"]
