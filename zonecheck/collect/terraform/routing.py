"""Route tables: inline and standalone routes, subnet associations and which table is main.

`local` routes are never emitted: the engine adds one for every VPC CIDR (SPEC §6.2), and a state only
lists them for some tables and provider versions.  VPN gateways that propagate routes into a table
(`propagating_vgws`, `aws_vpn_gateway_route_propagation`) become `RoutePropagation`s: the engine derives
the routes from the VPN connections.

In a plan, a route whose destination or target is known only after apply names its table in an
`UnknownValue`: the destination is dropped (the table is then uncertain), an unknown target is kept as an
`unknown` target (over-approximated by the engine as "may deliver anywhere").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from zonecheck.collect.terraform.attrs import Attrs
from zonecheck.collect.terraform.findings import ByType, Catalog, Findings, of_types
from zonecheck.collect.terraform.vpc import VpcFamily
from ipaddress import IPv4Network, IPv6Network

from zonecheck.model import Route, RoutePropagation, RouteTable, RouteTarget, route_target_from

# Target attributes in the order they are tried.  An instance route reports both the instance and its ENI:
# the ENI comes first because it is the precise hop.
_TARGET_ATTRIBUTES: tuple[tuple[str, Optional[RouteTarget]], ...] = (
    ("gateway_id", None),  # igw-, vgw-, vpce-, "local", even nat- (see the provider docs): the kind follows from the id
    ("nat_gateway_id", "nat-gateway"),
    ("egress_only_gateway_id", "egress-only-internet-gateway"),
    ("vpc_peering_connection_id", "vpc-peering"),
    ("transit_gateway_id", "transit-gateway"),
    ("network_interface_id", "network-interface"),
    ("instance_id", "instance"),
    ("vpc_endpoint_id", "vpc-endpoint"),
    ("carrier_gateway_id", "carrier-gateway"),
    ("local_gateway_id", "local-gateway"),
    ("core_network_arn", "core-network"),
)

_DESTINATIONS = ("cidr_block", "destination_cidr_block", "ipv6_cidr_block", "destination_ipv6_cidr_block",
                 "destination_prefix_list_id")


@dataclass
class Routing:
    route_tables: dict[str, RouteTable] = field(default_factory=dict)
    propagations: list[RoutePropagation] = field(default_factory=list)
    findings: Findings = field(default_factory=Findings)


def to_routing(resources: ByType, net: VpcFamily) -> Routing:
    result = Routing()
    tables, default_tables = _base_tables(resources, result.findings)
    result.propagations = _propagations(resources, result.findings)
    routes = {table_id: {_route_key(r): r for r in table.routes} for table_id, table in tables.items()}
    _add_standalone_routes(resources, routes, result.findings)
    associations = _subnet_associations(resources, tables, result.findings)
    choices = _main_choices(resources, net, default_tables, result.findings)
    main_tables, assumed = _resolve_main_tables(choices, tables, result.findings)
    for table_id, table in tables.items():
        result.route_tables[table_id] = table.model_copy(update={
            "routes": tuple(sorted(routes[table_id].values(), key=lambda r: r.label())),
            "subnet_ids": tuple(sorted(s for s, t in associations.items() if t == table_id)),
            "is_main": table.is_main or table_id in main_tables,
        })
    for table in assumed:
        result.route_tables[table.id] = table
    return result


# -- tables and routes ---------------------------------------------------------------------------------------


def _base_tables(resources: ByType, findings: Findings) -> tuple[dict[str, RouteTable], dict[str, str]]:
    """Tables with their inline routes; also vpc id → its `aws_default_route_table`."""
    tables: Catalog[RouteTable] = Catalog()
    default_tables: dict[str, str] = {}
    for res in of_types(resources, "aws_route_table", "aws_default_route_table"):
        a = Attrs(res)
        table_id, vpc_id = a.text("id"), a.text("vpc_id")
        if table_id is None:
            findings.unknown(res, "id", "not in the source; the route table is skipped")
            continue
        if vpc_id is None:
            findings.unknown(res, "vpc_id")
            findings.missing("route-table", table_id, f"{res.address}: the table's VPC is not in the source ({res.file})")
            continue
        inline = [route for block in a.blocks("route") if (route := to_route(block, findings, table_id)) is not None]
        if a.unknown("route") and not a.blocks("route") and not a.computed_default("route"):
            # Its routes are known only after apply: it may send anything anywhere.
            findings.unknown(res, "route", resource=table_id)
            inline += [Route(destination=net, target="unknown") for net in (IPv4Network("0.0.0.0/0"), IPv6Network("::/0"))]
        table = a.make(RouteTable, id=table_id, vpc_id=vpc_id, tags=a.tags(),
                       routes=tuple(sorted(set(inline), key=lambda r: r.label())))
        tables.add(table_id, table, res)
        if res.type == "aws_default_route_table":
            default_tables[vpc_id] = table_id
    return dict(tables.items()), default_tables


def _propagations(resources: ByType, findings: Findings) -> list[RoutePropagation]:
    """VPN gateways propagating their routes into tables: `propagating_vgws` and
    `aws_vpn_gateway_route_propagation` (the same AWS fact, read from either side)."""
    found: set[RoutePropagation] = set()
    for res in of_types(resources, "aws_route_table", "aws_default_route_table"):
        a = Attrs(res)
        table_id = a.text("id")
        if table_id is None:
            continue
        found |= {RoutePropagation(route_table_id=table_id, gateway_id=vgw) for vgw in a.texts("propagating_vgws")}
        if a.unknown("propagating_vgws") and not a.computed_default("propagating_vgws"):
            findings.unknown(res, "propagating_vgws", resource=table_id)
            findings.missing("route-table", table_id, f"{res.address}: the VPN gateways propagating into {table_id} "
                                                      "are known only after apply")
    for res in of_types(resources, "aws_vpn_gateway_route_propagation"):
        a = Attrs(res)
        table_id, vgw_id = a.text("route_table_id"), a.text("vpn_gateway_id")
        if table_id is None or vgw_id is None:
            findings.unknown(res, "route_table_id" if table_id is None else "vpn_gateway_id")
            findings.missing("route-table", table_id or "*",
                             f"{res.address}: a VPN route propagation not in the source ({res.file})")
            continue
        found.add(RoutePropagation(route_table_id=table_id, gateway_id=vgw_id))
    return sorted(found, key=lambda p: (p.route_table_id, p.gateway_id))


def _add_standalone_routes(resources: ByType, routes: dict[str, dict[str, Route]], findings: Findings) -> None:
    seen: Catalog[tuple[str, Route]] = Catalog("route ")
    for res in of_types(resources, "aws_route"):
        a = Attrs(res)
        table_id = a.text("route_table_id")
        route = to_route(a, findings, table_id or "*")
        if route is None:
            continue
        if table_id is None:
            findings.unknown(res, "route_table_id")
            findings.missing("route-table", "*", f"{res.address}: a route of an unknown table ({res.file})")
            continue
        seen.add(a.text("id") or f"{res.file}:{res.address}", (table_id, route), res)
        table_routes = routes.get(table_id)
        if table_routes is None:
            findings.missing("route-table", table_id,
                             f"{res.address} adds a route to {table_id}, which is not in the source ({res.file})")
            continue
        key = _route_key(route)
        inline = table_routes.get(key)
        # An inline route has no state of its own: only the aws_route knows it is a blackhole.
        if inline is not None and inline.model_copy(update={"state": route.state}) != route:
            # The table's inline copy and the aws_route disagree: the state was not refreshed as a whole.
            findings.missing("route-table", table_id, f"{table_id}: conflicting routes for {key} in the source "
                             f"(inline: {table_routes[key].label()}; {res.address}: {route.label()}); refresh the state")
        table_routes[key] = route


def to_route(a: Attrs, findings: Findings, table_id: str) -> Optional[Route]:
    """One route (an inline `route` block or an `aws_route`), or None for `local` and unreadable routes."""
    destination = a.network("cidr_block") or a.network("destination_cidr_block") \
        or a.network("ipv6_cidr_block") or a.network("destination_ipv6_cidr_block")
    prefix_list = None if destination is not None else a.text("destination_prefix_list_id")
    in_plan = table_id if table_id != "*" else None
    if destination is None and prefix_list is None:
        unknown = next((k for k in _DESTINATIONS if a.unknown(k)), None)
        findings.unknown(a.resource, a.where(unknown or "destination_cidr_block"), resource=in_plan if unknown else None)
        findings.missing("route-table", table_id, f"{a.resource.address}: a route without a destination ({a.resource.file})")
        return None
    target, target_id = _target_of(a)
    if target == "local":
        return None
    blackhole = a.text("state") == "blackhole"
    if target == "unknown" and target_id is None:
        if not blackhole:
            unknown = next((k for k, _ in _TARGET_ATTRIBUTES if a.unknown(k)), None)
            findings.unknown(a.resource, a.where(unknown or "gateway_id"),
                             "route target not in the source" if unknown is None else "not in the source",
                             resource=in_plan if unknown else None)
        target = "blackhole" if blackhole else "unknown"
    return a.make(Route, destination=destination, destination_prefix_list_id=prefix_list,
                  target=target, target_id=target_id, state="blackhole" if blackhole else "active")


def _target_of(a: Attrs) -> tuple[RouteTarget, Optional[str]]:
    return route_target_from((a.text(attribute), kind) for attribute, kind in _TARGET_ATTRIBUTES)


def _route_key(route: Route) -> str:
    return str(route.destination) if route.destination is not None else str(route.destination_prefix_list_id)


# -- associations and the main table -------------------------------------------------------------------------


def _subnet_associations(resources: ByType, tables: dict[str, RouteTable], findings: Findings) -> dict[str, str]:
    """subnet id → its explicitly associated table (subnets without one use their VPC's main table)."""
    associations: Catalog[str] = Catalog("the route table association of ")
    for res in of_types(resources, "aws_route_table_association"):
        a = Attrs(res)
        table_id, subnet_id, gateway_id = a.text("route_table_id"), a.text("subnet_id"), a.text("gateway_id")
        if gateway_id is not None:
            findings.unsupported_resource(
                res, f"edge association of {table_id} with {gateway_id}: ingress routing is not modelled yet")
            continue
        if table_id is None or subnet_id is None:
            findings.unknown(res, "route_table_id" if table_id is None else "subnet_id")
            findings.missing("route-table", subnet_id or "*",
                             f"{res.address}: a route table association not in the source ({res.file})")
            continue
        associations.add(subnet_id, table_id, res)
        if table_id not in tables:
            findings.missing("route-table", subnet_id,
                             f"{subnet_id} is associated with {table_id}, which is not in the source ({res.file})")
    return dict(associations.items())


def _main_choices(resources: ByType, net: VpcFamily, default_tables: dict[str, str],
                  findings: Findings) -> dict[str, tuple[str, str]]:
    """vpc id → (main table id, how we know it).

    aws_main_route_table_association wins, else the VPC's aws_default_route_table, else the VPC's
    `main_route_table_id` (the table AWS created with it).
    """
    choices = {vpc_id: (d.main_route_table_id, "vpc") for vpc_id, d in net.defaults.items() if d.main_route_table_id}
    choices.update((vpc_id, (table_id, "default-table")) for vpc_id, table_id in default_tables.items())
    explicit: Catalog[str] = Catalog("the main route table of ")
    for res in of_types(resources, "aws_main_route_table_association"):
        a = Attrs(res)
        vpc_id, table_id = a.text("vpc_id"), a.text("route_table_id")
        if vpc_id is None or table_id is None:
            findings.unknown(res, "vpc_id" if vpc_id is None else "route_table_id")
            findings.missing("route-table", vpc_id or "*", f"{res.address}: a main route table association not in the source")
            continue
        explicit.add(vpc_id, table_id, res)
        choices[vpc_id] = (table_id, "association")
    for vpc_id in net.defaults:
        if vpc_id not in choices:
            findings.missing("route-table", vpc_id, f"the main route table of {vpc_id} is not in the source")
    return choices


def _resolve_main_tables(choices: dict[str, tuple[str, str]], tables: dict[str, RouteTable],
                         findings: Findings) -> tuple[set[str], list[RouteTable]]:
    """The main tables present in the source, and stand-ins for those Terraform does not manage."""
    present: set[str] = set()
    assumed: list[RouteTable] = []
    for vpc_id, (table_id, how) in sorted(choices.items()):
        if table_id in tables and tables[table_id].vpc_id != vpc_id:
            # An association naming a table of another VPC cannot make it that VPC's main table; the table
            # stays what its own VPC says, and this VPC's main table is not known.
            findings.missing("route-table", vpc_id, f"the main route table association of {vpc_id} names "
                             f"{table_id}, a table of {tables[table_id].vpc_id}")
        elif table_id in tables:
            present.add(table_id)
        elif how == "association":
            # Someone chose this table on purpose: its routes are unknown, not AWS's default.
            findings.missing("route-table", vpc_id, f"{table_id}, main route table of {vpc_id}, is not in the source")
        else:
            assumed.append(RouteTable(id=table_id, vpc_id=vpc_id, is_main=True, assumed=True))
            findings.assumptions.append(f"{table_id}: main route table of {vpc_id} is not in the source; "
                                        "assumed to hold only the local route (AWS default)")
    return present, assumed


__all__ = ["Routing", "to_route", "to_routing"]
