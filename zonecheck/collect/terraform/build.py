"""Load: run every family transform over the resource stream and assemble one Snapshot.

The families are independent except through the VPC family (which defaults AWS created); whatever
crosses families — a group or subnet that is referenced but absent, a prefix list only named by a
rule — is settled here, once everything is known.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Iterable, Sequence

from pydantic import ValidationError

from zonecheck.collect.errors import CollectError
from zonecheck.collect.terraform.endpoints import to_endpoints
from zonecheck.collect.terraform.findings import ByType, Findings
from zonecheck.collect.terraform.gateways import Gateways, to_gateways
from zonecheck.collect.terraform.hybrid import to_hybrid
from zonecheck.collect.terraform.nacls import to_network_acls
from zonecheck.collect.terraform.prefix_lists import referenced_prefix_lists, to_prefix_lists
from zonecheck.collect.terraform.rds import to_rds
from zonecheck.collect.terraform.reader import StateFile, TfResource
from zonecheck.collect.terraform.routing import to_routing
from zonecheck.collect.terraform.security_groups import to_security_groups
from zonecheck.collect.terraform.services import to_services
from zonecheck.collect.terraform.transit import to_transit
from zonecheck.collect.terraform.unsupported import to_unsupported
from zonecheck.collect.terraform.vpc import VpcFamily, to_vpc_family
from zonecheck.model import (
    EgressOnlyInternetGateway,
    Endpoint,
    InternetGateway,
    RdsInstance,
    Route,
    RouteTable,
    SecurityGroup,
    Snapshot,
    SourceInfo,
)


def source_info(files: Sequence[StateFile]) -> SourceInfo:
    """One file: the sha256 of its bytes.  Several: the sha256 of their hex digests, concatenated in order."""
    if len(files) == 1:
        digest = files[0].sha256
    else:
        digest = hashlib.sha256("".join(f.sha256 for f in files).encode("ascii")).hexdigest()
    return SourceInfo(kind="terraform", sha256=digest, files=tuple(f.name for f in files))


def by_type(resources: Iterable[TfResource]) -> ByType:
    grouped: dict[str, list[TfResource]] = defaultdict(list)
    for res in resources:
        grouped[res.type].append(res)
    return dict(grouped)


def build_snapshot(resources: Sequence[TfResource], source: SourceInfo, extra: Findings | None = None) -> Snapshot:
    grouped = by_type(resources)
    net = to_vpc_family(grouped)
    routing = to_routing(grouped, net)
    groups = to_security_groups(grouped, net)
    acls = to_network_acls(grouped, net)
    gateways = to_gateways(grouped, net)
    endpoints = to_endpoints(grouped, gateways.nat_endpoints, net)
    rds = to_rds(grouped, net)
    lists = to_prefix_lists(grouped)
    transit = to_transit(grouped)
    hybrid = to_hybrid(grouped, transit)
    services = to_services(grouped, net)

    findings = Findings()
    for part in (net.findings, routing.findings, groups.findings, acls.findings, gateways.findings,
                 endpoints.findings, rds.findings, lists.findings, transit.findings, hybrid.findings,
                 services.findings, to_unsupported(grouped), extra or Findings()):
        findings.extend(part)
    all_endpoints = {**endpoints.endpoints, **rds.endpoints, **services.endpoints}
    _add_service_routes(routing.route_tables, services.routes, findings)
    tables = list(routing.route_tables.values())
    _missing_vpcs(net, findings)
    _missing_subnets(all_endpoints.values(), net, findings)
    _missing_groups(groups.groups, all_endpoints.values(), rds.instances.values(), findings)
    _missing_route_targets(tables, gateways, findings, {
        "transit-gateway": set(transit.gateways), "vpn-gateway": set(hybrid.vpn_gateways),
        "vpc-endpoint": set(services.vpc_endpoints)})
    known_lists = {**services.prefix_lists, **lists.prefix_lists}
    referenced = [r.prefix_list_id for g in groups.groups.values() for r in (*g.ingress, *g.egress) if r.prefix_list_id]
    referenced += [r.destination_prefix_list_id for t in tables for r in t.routes if r.destination_prefix_list_id]
    referenced += [r.destination_prefix_list_id for t in transit.tables.values() for r in t.routes
                   if r.destination_prefix_list_id]
    prefix_lists = {**known_lists, **{p.id: p for p in referenced_prefix_lists(known_lists, referenced)}}
    try:
        return Snapshot(
            source=source,
            vpcs=tuple(net.vpcs.values()),
            subnets=tuple(net.subnets.values()),
            route_tables=tuple(tables),
            internet_gateways=tuple(gateways.internet_gateways.values()),
            egress_only_internet_gateways=tuple(gateways.egress_only.values()),
            nat_gateways=tuple(gateways.nat_gateways.values()),
            vpc_peerings=tuple(gateways.peerings.values()),
            security_groups=tuple(groups.groups.values()),
            prefix_lists=tuple(prefix_lists.values()),
            network_acls=tuple(acls.acls.values()),
            endpoints=tuple(all_endpoints.values()),
            instances=tuple(endpoints.instances.values()),
            rds_instances=tuple(rds.instances.values()),
            transit_gateways=tuple(transit.gateways.values()),
            transit_gateway_attachments=tuple(transit.attachments.values()),
            transit_gateway_route_tables=tuple(transit.tables.values()),
            vpn_gateways=tuple(hybrid.vpn_gateways.values()),
            customer_gateways=tuple(hybrid.customer_gateways.values()),
            vpn_connections=tuple(hybrid.vpn_connections.values()),
            direct_connect_gateways=tuple(hybrid.direct_connect_gateways.values()),
            route_propagations=tuple(routing.propagations),
            load_balancers=tuple(services.load_balancers.values()),
            target_groups=tuple(services.target_groups.values()),
            vpc_endpoints=tuple(services.vpc_endpoints.values()),
            incomplete=tuple(findings.incomplete),
            unknowns=tuple(findings.unknowns),
            unsupported=tuple(findings.unsupported),
            assumptions=tuple(findings.assumptions),
            notes=tuple(findings.notes),
        )
    except ValidationError as err:  # a bug, not a user error: still one line, never a traceback
        raise CollectError(f"{', '.join(source.files)}: cannot assemble the snapshot ({err.errors()[0]['msg']}); "
                           "please report this with the file") from None


# -- what is referenced but absent ---------------------------------------------------------------------------


def _missing_vpcs(net: VpcFamily, findings: Findings) -> None:
    """A subnet's VPC gives its CIDRs (the `local` route), main route table and default ACL."""
    for subnet in net.subnets.values():
        if subnet.vpc_id not in net.vpcs:
            findings.missing("vpc", subnet.vpc_id, f"{subnet.id} is in {subnet.vpc_id}, which is not in the source")


def _missing_subnets(endpoints: Iterable[Endpoint], net: VpcFamily, findings: Findings) -> None:
    users: dict[str, list[str]] = defaultdict(list)
    for endpoint in endpoints:
        if endpoint.subnet_id not in net.subnets:
            users[endpoint.subnet_id].append(endpoint.owner_id or endpoint.id)
    for subnet_id, names in sorted(users.items()):
        findings.missing("subnet", subnet_id, f"{subnet_id} is not in the source; it holds {_some(names)}")


def _some(names: list[str], shown: int = 3) -> str:
    names = sorted(set(names))
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _missing_groups(groups: dict[str, SecurityGroup], endpoints: Iterable[Endpoint], rds: Iterable[RdsInstance],
                    findings: Findings) -> None:
    """Groups that endpoints use or rules reference: their rules or members are unknown."""
    users: dict[str, str] = {}
    for group in groups.values():
        for rule in (*group.ingress, *group.egress):
            if rule.security_group_id:
                users.setdefault(rule.security_group_id, f"a rule of {group.id}")
    for endpoint in endpoints:
        for group_id in endpoint.security_group_ids:
            users.setdefault(group_id, endpoint.owner_id or endpoint.id)
    for instance in rds:
        for group_id in instance.security_group_ids:
            users.setdefault(group_id, instance.id)
    for group_id, user in sorted(users.items()):
        if group_id not in groups:
            findings.missing("security-group", group_id, f"{group_id} is used by {user} but is not in the source")


def _add_service_routes(tables: dict[str, RouteTable], routes: dict[str, list[Route]], findings: Findings) -> None:
    """Routes AWS adds for gateway endpoints (the provider leaves them out of the tables)."""
    for table_id, added in sorted(routes.items()):
        table = tables.get(table_id)
        if table is None:
            findings.notes.append(f"{table_id}: gateway endpoint routes ({', '.join(sorted({r.target_id or '' for r in added}))}) "
                                  "go into this route table, which is not in the source")
            continue
        keys = {(r.destination, r.destination_prefix_list_id) for r in table.routes}
        fresh = [r for r in added if (r.destination, r.destination_prefix_list_id) not in keys]
        tables[table_id] = table.model_copy(update={"routes": tuple(sorted({*table.routes, *fresh}, key=lambda r: r.label()))})


def _missing_route_targets(tables: list[RouteTable], gateways: Gateways, findings: Findings,
                           known: dict[str, set[str]] | None = None) -> None:
    """Gateways that routes name but the source does not define.

    An internet or egress-only gateway named by a route is attached to the table's VPC (AWS refuses the
    route otherwise), so it is added, as an assumption.  A NAT gateway, peering, transit or VPN gateway or
    VPC endpoint is not guessable.
    """
    known = known or {}
    for table in tables:
        for route in table.routes:
            target = route.target_id
            if target is None or route.state == "blackhole":
                continue  # a blackhole drops the packet whatever the target was
            if route.target == "internet-gateway" and target not in gateways.internet_gateways:
                gateways.internet_gateways[target] = InternetGateway(id=target, vpc_ids=(table.vpc_id,))
                findings.assumptions.append(f"{target}: internet gateway is not in the source; assumed attached to "
                                            f"{table.vpc_id}, as the route in {table.id} implies")
            elif route.target == "egress-only-internet-gateway" and target not in gateways.egress_only:
                gateways.egress_only[target] = EgressOnlyInternetGateway(id=target, vpc_id=table.vpc_id)
                findings.assumptions.append(f"{target}: egress-only internet gateway is not in the source; assumed "
                                            f"attached to {table.vpc_id}, as the route in {table.id} implies")
            elif route.target == "nat-gateway" and target not in gateways.nat_gateways:
                findings.missing("nat-gateway", target, f"{table.id} routes {route.label()}, a NAT gateway not in the source")
            elif route.target == "vpc-peering" and target not in gateways.peerings:
                findings.missing("vpc-peering", target, f"{table.id} routes {route.label()}, a peering not in the source")
            elif route.target in known and target not in known[route.target]:
                findings.missing(route.target, target, f"{table.id} routes {route.label()}, a {route.target.replace('-', ' ')} "
                                                       "not in the source")


__all__ = ["build_snapshot", "by_type", "source_info"]
