"""Load: run every transform over the describe-* items of each account/region and assemble one Snapshot.

Shared by the dump reader and the live collector: both hand over `ScopeData` — per account and region, the
items of each response family (a family absent from `items` is one the source does not have).  Whatever
crosses families or accounts is settled here, once everything is known: interfaces and their owners,
Elastic IPs, transit gateway route tables (a peering attachment is associated on both sides), prefix lists
that rules only name, and every reference to something the source does not hold (→ `Incomplete`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional, Sequence, TypeVar

from zonecheck.collect.aws.families import API_OF, INCOMPLETE_OF, missing_reason
from zonecheck.collect.aws.transform import (
    Findings, instance_interfaces, nat_gateway_endpoints, referenced_prefix_lists, resolve_load_balancer_owners,
    static_vpn_ids, to_classic_load_balancers, to_customer_gateways, to_direct_connect_gateways,
    to_egress_only_internet_gateways, to_instances, to_internet_gateways, to_listeners, to_load_balancers,
    to_nat_gateways, to_network_acls, to_network_interfaces, to_prefix_list_entries, to_prefix_lists,
    to_rds_endpoints, to_rds_instances, to_route_propagations, to_route_tables, to_security_group_rules,
    to_security_groups, to_subnets, to_target_groups, to_target_health, to_transit_gateway_attachments,
    to_transit_gateway_route_tables, to_transit_gateways, to_vpc_endpoints, to_vpc_peerings, to_vpcs,
    to_vpn_connections, to_vpn_gateways, unsupported_client_vpn_endpoints, unsupported_lambda_functions,
    unsupported_network_firewalls, vpc_endpoint_endpoints, with_elastic_ips, with_owner_tags,
)
from zonecheck.collect.aws.transform._raw import Item, dicts, get, text
from zonecheck.model import (
    Endpoint, LoadBalancer, Record, RouteTable, SecurityGroup, Snapshot, SourceInfo, TransitGatewayAttachment,
    TransitGatewayRouteTable,
)

R = TypeVar("R", bound=Record)

_NETWORK_FAMILIES = ("vpcs", "subnets", "route_tables", "network_acls", "security_groups", "security_group_rules",
                     "network_interfaces", "reservations")
_ROUTE_TARGET_FAMILIES = {
    "internet-gateway": "internet_gateways", "egress-only-internet-gateway": "egress_only_internet_gateways",
    "nat-gateway": "nat_gateways", "vpc-peering": "vpc_peerings", "transit-gateway": "transit_gateways",
    "vpn-gateway": "vpn_gateways", "vpc-endpoint": "vpc_endpoints",
}
_UNMODELLED_TARGETS = {"local-gateway": "Outposts local gateways", "carrier-gateway": "Wavelength carrier gateways",
                       "core-network": "Cloud WAN core networks"}


@dataclass
class ScopeData:
    """One account and region of the source: the items of each response family it holds."""

    label: str
    """How findings name the scope: `<account>/<region>`, `*` for an unknown part."""
    account: Optional[str] = None
    region: Optional[str] = None
    items: dict[str, list[Item]] = field(default_factory=dict)
    truncated: set[str] = field(default_factory=set)
    """Families whose last page is missing (every page in the source says there is a next one)."""
    denied: dict[str, str] = field(default_factory=dict)
    """Families the source could not read, with why (the live collector: access denied on a call).  Each is
    incomplete for the scope, with that reason, instead of the dump's "no … file in the dump"."""

    def get(self, family: str) -> list[Item]:
        return self.items.get(family, [])

    def has(self, family: str) -> bool:
        return family in self.items


def build_snapshot(scopes: Sequence[ScopeData], source: SourceInfo, findings: Optional[Findings] = None) -> Snapshot:
    """Transform and assemble; `findings` may already hold what the reader learnt (ignored files…).
    Raises `InvalidItem` for an item that makes no sense (the caller names its file or API call)."""
    f = findings if findings is not None else Findings()
    scopes = sorted(scopes, key=lambda s: s.label)
    kept = _Kept(f)

    def everywhere(family: str) -> list[Item]:
        return [item for s in scopes for item in s.get(family)]

    def anywhere(family: str) -> bool:
        return any(s.has(family) for s in scopes)

    for scope in scopes:
        for family in sorted(scope.truncated):
            f.missing(INCOMPLETE_OF[family], scope.label,
                      f"{API_OF[family]} is paginated and its last page is not in the source")
        for family, reason in sorted(scope.denied.items()):
            f.missing(INCOMPLETE_OF[family], scope.label, reason)

    # -- records that need their account and region, or nothing else --------------------------------------
    instances = kept.merge("instance", [(i, s.label) for s in scopes for i in to_instances(s.get("reservations"), f)])
    by_instance = {i.id: i for i in instances}
    per_scope: list[tuple[str, dict[str, list[Any]]]] = []
    for s in scopes:
        rules = to_security_group_rules(s.get("security_group_rules"), f)
        listeners = to_listeners(s.get("listeners"))
        target_health = to_target_health(s.get("target_health")) if s.has("target_health") else None
        classic, classic_groups = to_classic_load_balancers(s.get("classic_load_balancers"))
        parts: dict[str, list[Any]] = {
            "vpcs": to_vpcs(s.get("vpcs"), s.account, s.region, f),
            "subnets": to_subnets(s.get("subnets"), f),
            "route_tables": to_route_tables(s.get("route_tables"), f),
            "internet_gateways": to_internet_gateways(s.get("internet_gateways"), f),
            "egress_only_internet_gateways": to_egress_only_internet_gateways(s.get("egress_only_internet_gateways"), f),
            "nat_gateways": to_nat_gateways(s.get("nat_gateways"), f),
            "vpc_peerings": to_vpc_peerings(s.get("vpc_peerings"), f),
            "security_groups": to_security_groups(s.get("security_groups"), rules, f),
            "network_acls": to_network_acls(s.get("network_acls"), f),
            "endpoints": to_network_interfaces(s.get("network_interfaces"), by_instance, f),
            "rds_instances": to_rds_instances(s.get("db_instances"), f),
            "transit_gateways": to_transit_gateways(s.get("transit_gateways"), s.account, s.region, f),
            "transit_gateway_attachments": to_transit_gateway_attachments(
                s.get("tgw_attachments"), s.get("tgw_vpc_attachments"), s.get("tgw_peering_attachments"), f),
            "vpn_gateways": to_vpn_gateways(s.get("vpn_gateways"), f),
            "customer_gateways": to_customer_gateways(s.get("customer_gateways"), f),
            "vpn_connections": to_vpn_connections(s.get("vpn_connections"), f),
            "direct_connect_gateways": to_direct_connect_gateways(s.get("dx_gateways"), s.get("dx_associations"), f),
            "vpc_endpoints": to_vpc_endpoints(s.get("vpc_endpoints"), f),
            "load_balancers": to_load_balancers(s.get("load_balancers"), listeners, f) + classic,
            "target_groups": to_target_groups(s.get("target_groups"), target_health) + classic_groups,
        }
        if not s.has("security_groups") and rules:
            parts["security_groups"] = _groups_from_rules(rules, s, f)
        parts["rule_groups"] = sorted(rules)
        per_scope.append((s.label, parts))

    def merged(name: str) -> list[Any]:
        return kept.merge(name.rstrip("s").replace("_", " "), [(r, label) for label, parts in per_scope for r in parts[name]])

    vpcs, subnets, route_tables = merged("vpcs"), merged("subnets"), merged("route_tables")
    igws, eigws = merged("internet_gateways"), merged("egress_only_internet_gateways")
    nats, peerings, groups, acls = merged("nat_gateways"), merged("vpc_peerings"), merged("security_groups"), merged("network_acls")
    described = {g.id for g in groups}
    for group_id in sorted({g for _, parts in per_scope for g in parts["rule_groups"]} - described):
        f.missing("security-group", group_id, f"rules of {group_id} are described, but not the group itself")
    rds_instances, tgws = merged("rds_instances"), merged("transit_gateways")
    attachments = _with_peer_regions(merged("transit_gateway_attachments"), tgws)
    vgws, cgws, vpns = merged("vpn_gateways"), merged("customer_gateways"), merged("vpn_connections")
    dx_gateways, vpc_endpoints = merged("direct_connect_gateways"), merged("vpc_endpoints")
    target_groups = merged("target_groups")
    balancers = _with_attached_groups(merged("load_balancers"), everywhere("target_groups"), f)

    # -- transit gateway route tables: associations come from every account's view of the attachments ------
    tgw_tables = kept.merge("transit gateway route table", [(t, "*") for t in to_transit_gateway_route_tables(
        everywhere("tgw_route_tables"), everywhere("tgw_propagations") if anywhere("tgw_propagations") else None,
        everywhere("tgw_routes") if anywhere("tgw_routes") else None, everywhere("tgw_attachments"),
        static_vpn_ids(everywhere("vpn_connections")), f)])

    # -- endpoints: interfaces, then what only other responses describe -------------------------------------
    endpoints: list[Endpoint] = merged("endpoints")
    known = {e.id for e in endpoints}
    for s, (_, parts) in zip(scopes, per_scope, strict=True):
        extra = instance_interfaces(s.get("reservations"), known, f)
        nat_owners = {k.owner_id for k in endpoints if k.kind == "nat-gateway"}
        extra += [e for e in nat_gateway_endpoints(s.get("nat_gateways")) if e.id not in known and e.owner_id not in nat_owners]
        extra += vpc_endpoint_endpoints(parts["vpc_endpoints"], known)
        extra += to_rds_endpoints(s.get("db_instances"))
        endpoints += extra
        known |= {e.id for e in extra}
    endpoints = kept.merge("endpoint", [(e, "*") for e in endpoints])
    endpoints = with_elastic_ips(endpoints, everywhere("addresses"), f)
    endpoints = resolve_load_balancer_owners(endpoints, balancers)
    endpoints = with_owner_tags(endpoints, {owner.id: owner.tags for owner in (*nats, *balancers, *vpc_endpoints)})
    for instance in instances:
        if instance.state != "running":
            f.note(f"{instance.id} is {instance.state}: kept, but its interfaces carry no traffic")

    # -- prefix lists: those described, and stand-ins for those only referenced ---------------------------
    prefix_lists = to_prefix_lists(everywhere("prefix_lists"), to_prefix_list_entries(everywhere("prefix_list_entries")))
    referenced = [r.prefix_list_id for g in groups for r in (*g.ingress, *g.egress) if r.prefix_list_id]
    referenced += [r.destination_prefix_list_id for t in route_tables for r in t.routes if r.destination_prefix_list_id]
    referenced += [r.destination_prefix_list_id for t in tgw_tables for r in t.routes if r.destination_prefix_list_id]
    prefix_lists += referenced_prefix_lists([p.id for p in prefix_lists], referenced)  # type: ignore[arg-type]
    list_of_service = {p.name: p.id for p in prefix_lists if p.name}
    vpc_endpoints = [v.model_copy(update={"prefix_list_id": list_of_service.get(v.service_name or "")})
                     if v.kind == "gateway" and v.prefix_list_id is None and v.service_name in list_of_service else v
                     for v in vpc_endpoints]

    # -- unsupported constructs and gaps ---------------------------------------------------------------------
    f.unsupported += unsupported_lambda_functions(everywhere("lambda_functions"), anywhere("network_interfaces"))
    f.unsupported += unsupported_network_firewalls(everywhere("network_firewalls"))
    f.unsupported += unsupported_client_vpn_endpoints(everywhere("client_vpn_endpoints"))
    table_scope = {t.id: label for label, parts in per_scope for t in parts["route_tables"]}
    ids = {
        "internet_gateways": {g.id for g in igws}, "egress_only_internet_gateways": {g.id for g in eigws},
        "nat_gateways": {n.id for n in nats}, "vpc_peerings": {p.id for p in peerings},
        "transit_gateways": {t.id for t in tgws}, "vpn_gateways": {g.id for g in vgws},
        "vpc_endpoints": {v.id for v in vpc_endpoints},
    }
    by_label = {s.label: s for s in scopes}
    _missing_families(scopes, endpoints, f)
    _route_targets(route_tables, table_scope, by_label, ids, {v.id: v for v in vpc_endpoints}, f)
    _transit(tgws, attachments, tgw_tables, route_tables, scopes, vpns, f)
    _placement(vpcs, subnets, route_tables, acls, scopes, f)
    vpc_ids = {v.id for v in vpcs}
    for peering in peerings:
        for vpc_id, account, region in ((peering.requester_vpc_id, peering.requester_account, peering.requester_region),
                                        (peering.accepter_vpc_id, peering.accepter_account, peering.accepter_region)):
            if vpc_id not in vpc_ids:
                where = ", ".join(x for x in (account, region) if x)
                f.note(f"{peering.id} peers with {vpc_id}{f' ({where})' if where else ''}, which is not in the source")
    _references(subnets, vpcs, endpoints, groups, rds_instances, balancers, vpc_endpoints, f)
    _load_balancing(balancers, target_groups, endpoints, scopes, f)
    if any(s.has(n) for s in scopes for n in _NETWORK_FAMILIES) and not anywhere("db_instances"):
        f.note(f"{_absent(scopes, 'db_instances')}: RDS instances are known only through their network interfaces")

    return Snapshot(
        source=source, vpcs=tuple(vpcs), subnets=tuple(subnets), route_tables=tuple(route_tables),
        internet_gateways=tuple(igws), egress_only_internet_gateways=tuple(eigws), nat_gateways=tuple(nats),
        vpc_peerings=tuple(peerings), security_groups=tuple(groups), prefix_lists=tuple(prefix_lists),
        network_acls=tuple(acls), endpoints=tuple(endpoints), instances=tuple(instances),
        rds_instances=tuple(rds_instances), transit_gateways=tuple(tgws),
        transit_gateway_attachments=tuple(attachments), transit_gateway_route_tables=tuple(tgw_tables),
        vpn_gateways=tuple(vgws), customer_gateways=tuple(cgws), vpn_connections=tuple(vpns),
        direct_connect_gateways=tuple(dx_gateways),
        route_propagations=tuple(p for s in scopes for p in to_route_propagations(s.get("route_tables"))),
        load_balancers=tuple(balancers), target_groups=tuple(target_groups), vpc_endpoints=tuple(vpc_endpoints),
        incomplete=tuple(f.incomplete), unsupported=tuple(f.unsupported), assumptions=tuple(f.assumptions),
        notes=tuple(f.notes),
    )


# -- one record per id ---------------------------------------------------------------------------------------


class _Kept:
    """Records seen in several files or accounts (a peering from both sides, a shared transit gateway)
    become one: the first (in scope order) wins, tags are merged, and a real difference is noted."""

    def __init__(self, findings: Findings) -> None:
        self.findings = findings

    def merge(self, what: str, records: Iterable[tuple[R, str]]) -> list[R]:
        out: dict[str, tuple[R, str]] = {}
        for record, label in records:
            seen = out.get(record.id)  # type: ignore[attr-defined]
            if seen is None:
                out[record.id] = (record, label)  # type: ignore[attr-defined]
                continue
            first, first_label = seen
            if first == record:
                continue
            first_tags, tags = getattr(first, "tags", None), getattr(record, "tags", None)
            if first_tags is not None and tags is not None and first_tags != tags:
                first = first.model_copy(update={"tags": {**tags, **first_tags}})
                out[record.id] = (first, first_label)  # type: ignore[attr-defined]
            if _without_tags(first) != _without_tags(record):
                where = f"{first_label} and {label}" if first_label != label else first_label
                self.findings.note(f"{what} {record.id} is described differently in {where}; "  # type: ignore[attr-defined]
                                   f"kept {first_label}'s description")
        return [record for record, _ in out.values()]


def _without_tags(record: Record) -> Record:
    return record.model_copy(update={"tags": {}}) if hasattr(record, "tags") else record


def _groups_from_rules(rules: dict[str, list[Any]], scope: ScopeData, findings: Findings) -> list[SecurityGroup]:
    """Only DescribeSecurityGroupRules: a group's VPC comes from an interface that uses it."""
    vpc_of: dict[str, str] = {}
    for eni in scope.get("network_interfaces"):
        for group in dicts(eni, eni, "Groups"):
            if text(group, "GroupId") and text(eni, "VpcId"):
                vpc_of.setdefault(text(group, "GroupId") or "", text(eni, "VpcId") or "")
    out = []
    for group_id, group_rules in sorted(rules.items()):
        if group_id not in vpc_of:
            findings.missing("security-group", group_id, f"{group_id} has rules but neither it nor an interface using "
                                                         f"it is described ({missing_reason('security_groups')})")
            continue
        out.append(SecurityGroup(id=group_id, vpc_id=vpc_of[group_id],
                                 ingress=tuple(sorted((r for r in group_rules if r.direction == "ingress"), key=lambda r: r.id)),
                                 egress=tuple(sorted((r for r in group_rules if r.direction == "egress"), key=lambda r: r.id))))
    return out


def _with_peer_regions(attachments: list[TransitGatewayAttachment], tgws: list[Any]) -> list[TransitGatewayAttachment]:
    region_of = {t.id: t.region for t in tgws}
    return [a.model_copy(update={"peer_region": region_of.get(a.resource_id or "")})
            if a.kind == "peering" and a.peer_region is None and region_of.get(a.resource_id or "") else a
            for a in attachments]


def _with_attached_groups(balancers: list[LoadBalancer], raw_groups: list[Item], findings: Findings) -> list[LoadBalancer]:
    """Listener rules (DescribeRules) are not in a dump: an application load balancer's listeners are taken
    to forward to every target group attached to it (over-approximation)."""
    attached: dict[str, set[str]] = defaultdict(set)
    for group in raw_groups:
        for lb_arn in get(group, "LoadBalancerArns") or ():
            if isinstance(lb_arn, str) and text(group, "TargetGroupArn"):
                attached[lb_arn].add(text(group, "TargetGroupArn") or "")
    out = []
    for lb in balancers:
        extra = attached.get(lb.id, set())
        if lb.kind == "application" and any(extra - set(lsn.target_group_ids) for lsn in lb.listeners):
            findings.note(f"{lb.id}: listener rules are not in the source; each listener is taken to forward to "
                          "every target group attached to the load balancer")
            lb = lb.model_copy(update={"listeners": tuple(
                lsn.model_copy(update={"target_group_ids": tuple(sorted(set(lsn.target_group_ids) | extra))})
                for lsn in lb.listeners)})
        out.append(lb)
    return out


# -- what the source does not hold ---------------------------------------------------------------------------


def _missing_families(scopes: Sequence[ScopeData], endpoints: list[Endpoint], f: Findings) -> None:
    """A scope that describes any of its network must describe all of what every verdict depends on."""
    for s in scopes:
        if not any(s.has(name) for name in _NETWORK_FAMILIES):
            continue
        for name in ("vpcs", "subnets", "route_tables", "network_acls", "network_interfaces"):
            if not s.has(name) and name not in s.denied:
                f.missing(INCOMPLETE_OF[name], s.label, missing_reason(name))
        if not s.has("security_groups") and not s.has("security_group_rules") and "security_groups" not in s.denied:
            f.missing("security-group", s.label, missing_reason("security_groups"))
        if not s.has("reservations") and "reservations" not in s.denied and any(
                text(eni, "Attachment", "InstanceId") for eni in s.get("network_interfaces")):
            f.missing("instance", s.label, f"{missing_reason('reservations')}: instance tags and states are unknown")


def _route_targets(tables: list[RouteTable], table_scope: dict[str, str], scopes: dict[str, ScopeData],
                   ids: dict[str, set[str]], vpc_endpoints: dict[str, Any], f: Findings) -> None:
    for table in tables:
        scope = scopes.get(table_scope.get(table.id, ""))
        for route in table.routes:
            if route.state != "active":
                continue
            if route.target in _UNMODELLED_TARGETS:
                f.unsupported_construct(table.id, f"{route.target}-route",
                                        f"{table.id}: {route.label()}: {_UNMODELLED_TARGETS[route.target]} are not modelled yet")
                continue
            family = _ROUTE_TARGET_FAMILIES.get(route.target)
            if family is None or route.target_id is None:
                continue
            if route.target_id in ids[family]:
                vpce = vpc_endpoints.get(route.target_id)
                if vpce is not None and vpce.kind == "gateway-load-balancer":
                    f.unsupported_construct(table.id, "route-to-gateway-load-balancer-endpoint",
                                            f"{table.id}: {route.label()}: traffic goes through appliances behind a "
                                            "Gateway Load Balancer, which are not modelled yet")
                continue
            if family == "vpc_endpoints" and route.destination is not None and scope is not None and scope.has(family):
                f.unsupported_construct(table.id, "route-to-appliance-endpoint",
                                        f"{table.id}: {route.label()}: {route.target_id} is not a VPC endpoint of this "
                                        "dump (an AWS Network Firewall or Gateway Load Balancer endpoint?); not modelled yet")
            elif scope is not None and not scope.has(family):
                if family not in scope.denied:  # a denied family is already incomplete for the scope
                    f.missing(INCOMPLETE_OF[family], scope.label, missing_reason(family))
            else:
                f.missing(INCOMPLETE_OF[family], route.target_id,
                          f"{table.id} routes {route.label()}, to a {route.target} that is not in the source")


def _transit(tgws: list[Any], attachments: list[TransitGatewayAttachment], tables: list[TransitGatewayRouteTable],
             route_tables: list[RouteTable], scopes: Sequence[ScopeData], vpns: list[Any], f: Findings) -> None:
    known_tgws = {t.id: t for t in tgws}
    used = {r.target_id for t in route_tables for r in t.routes if r.target == "transit-gateway" and r.state == "active"}
    used |= {a.transit_gateway_id for a in attachments}

    def everywhere(family: str) -> bool:
        return any(s.has(family) for s in scopes)

    for tgw_id in sorted(t for t in used if t):
        if tgw_id not in known_tgws:
            if everywhere("transit_gateways"):
                f.missing("transit-gateway", tgw_id, f"{tgw_id} is used but not described in the source "
                                                     "(a transit gateway of an account that is not in the dump?)")
            # a route to it with no TransitGateways file at all is reported by _route_targets
            continue
        if not any(t.transit_gateway_id == tgw_id for t in tables):
            owner = known_tgws[tgw_id].account
            reason = _absent(scopes, "tgw_route_tables") if not everywhere("tgw_route_tables") else (
                f"no route table of {tgw_id} is in the source (only its owner account"
                f"{' ' + owner if owner else ''} can describe them)")
            f.missing("transit-gateway-route-table", tgw_id, reason)
        if not any(a.transit_gateway_id == tgw_id for a in attachments):
            f.missing("transit-gateway-attachment", tgw_id,
                      _absent(scopes, "tgw_attachments") if not everywhere("tgw_attachments")
                      else f"no attachment of {tgw_id} is in the source")
    if attachments and not everywhere("tgw_attachments"):
        f.missing("transit-gateway-attachment", "*",
                  f"{_absent(scopes, 'tgw_attachments')}: which route table each attachment is associated with is unknown")
    propagated = {text(w, "TransitGatewayRouteTableId") for s in scopes for w in s.get("tgw_propagations")}
    routed = {text(w, "TransitGatewayRouteTableId") for s in scopes for w in s.get("tgw_routes")}
    for table in tables:
        if table.id not in propagated:
            f.missing("transit-gateway-propagation", table.id,
                      f"no {API_OF['tgw_propagations']} result for {table.id} in the source")
        if table.id not in routed:
            f.missing("transit-gateway-route", table.id, f"no {API_OF['tgw_routes']} result for {table.id} in the source")
        elif any(get(w, "AdditionalRoutesAvailable") is True and text(w, "TransitGatewayRouteTableId") == table.id
                 for s in scopes for w in s.get("tgw_routes")):
            f.missing("transit-gateway-route", table.id, f"{API_OF['tgw_routes']} returned only part of the routes of {table.id}")
    for attachment in attachments:
        if attachment.kind == "peering" and attachment.resource_id and attachment.resource_id not in known_tgws \
                and attachment.state == "available":
            f.missing("transit-gateway", attachment.resource_id,
                      f"{attachment.id} peers {attachment.transit_gateway_id} with {attachment.resource_id}, which is not "
                      "in the source (an account or region missing from the dump?)")
    vpn_ids = {v.id for v in vpns}
    for attachment in attachments:
        if attachment.kind == "vpn" and attachment.resource_id and attachment.resource_id not in vpn_ids:
            f.missing("vpn-connection", attachment.resource_id,
                      f"{attachment.id} attaches {attachment.resource_id}, which is not in the source "
                      f"({_absent(scopes, 'vpn_connections')} or from another account)")


def _placement(vpcs: list[Any], subnets: list[Any], tables: list[RouteTable], acls: list[Any],
               scopes: Sequence[ScopeData], f: Findings) -> None:
    """Every subnet needs a route table and a network ACL: explicit, or its VPC's main / default one."""
    if not any(s.has("route_tables") for s in scopes) and not any(s.has("network_acls") for s in scopes):
        return
    main = {t.vpc_id for t in tables if t.is_main}
    associated = {s for t in tables for s in t.subnet_ids}
    default_acl = {a.vpc_id for a in acls if a.is_default}
    acl_subnets = {s for a in acls for s in a.subnet_ids}
    has_tables = any(s.has("route_tables") for s in scopes)
    has_acls = any(s.has("network_acls") for s in scopes)
    for subnet in subnets:
        if has_tables and subnet.id not in associated and subnet.vpc_id not in main:
            f.missing("route-table", subnet.id, f"neither {subnet.id}'s route table nor the main route table of "
                                                f"{subnet.vpc_id} is in the source")
        if has_acls and subnet.id not in acl_subnets and subnet.vpc_id not in default_acl:
            f.missing("network-acl", subnet.id, f"neither {subnet.id}'s network ACL nor the default network ACL of "
                                                f"{subnet.vpc_id} is in the source")


def _references(subnets: list[Any], vpcs: list[Any], endpoints: list[Endpoint], groups: list[SecurityGroup],
                rds: list[Any], balancers: list[LoadBalancer], vpc_endpoints: list[Any], f: Findings) -> None:
    vpc_ids, subnet_ids, group_ids = {v.id for v in vpcs}, {s.id for s in subnets}, {g.id for g in groups}
    for subnet in subnets:
        if subnet.vpc_id not in vpc_ids:
            f.missing("vpc", subnet.vpc_id, f"{subnet.id} is in {subnet.vpc_id}, which is not in the source")
    holders: dict[str, set[str]] = defaultdict(set)
    for endpoint in endpoints:
        if endpoint.subnet_id not in subnet_ids:
            holders[endpoint.subnet_id].add(endpoint.owner_id or endpoint.id)
    for subnet_id, names in sorted(holders.items()):
        f.missing("subnet", subnet_id, f"{subnet_id} is not in the source; it holds {_some(names)}")
    users: dict[str, str] = {}
    for group in groups:
        for rule in (*group.ingress, *group.egress):
            if rule.security_group_id:
                users.setdefault(rule.security_group_id, f"a rule of {group.id}")
    for user, used in ([(e.owner_id or e.id, e.security_group_ids) for e in endpoints]
                       + [(r.id, r.security_group_ids) for r in rds] + [(b.id, b.security_group_ids) for b in balancers]
                       + [(v.id, v.security_group_ids) for v in vpc_endpoints]):
        for group_id in used:
            users.setdefault(group_id, user)
    for group_id, user in sorted(users.items()):
        if group_id not in group_ids:
            f.missing("security-group", group_id, f"{group_id} is used by {user} but is not in the source")


def _load_balancing(balancers: list[LoadBalancer], target_groups: list[Any], endpoints: list[Endpoint],
                    scopes: Sequence[ScopeData], f: Findings) -> None:
    def has(family: str) -> bool:
        return any(s.has(family) for s in scopes)

    if any(e.kind == "load-balancer" for e in endpoints) and not has("load_balancers") and not has("classic_load_balancers"):
        f.missing("load-balancer", "*", _absent(scopes, "load_balancers"))
    if any(b.kind != "classic" for b in balancers) and not has("listeners"):
        f.missing("load-balancer-listener", "*", _absent(scopes, "listeners"))
    group_ids = {g.id for g in target_groups}
    for lb in balancers:
        for listener in lb.listeners:
            for group_id in listener.target_group_ids:
                if group_id not in group_ids:
                    f.missing("target-group", group_id, f"{listener.id} forwards to {group_id}, which is not in the source")


def _absent(scopes: Sequence[ScopeData], name: str) -> str:
    """Why a family is not in the source: the first scope's reason for being denied it, else no dump file."""
    return next((s.denied[name] for s in scopes if name in s.denied), None) or missing_reason(name)


def _some(names: Iterable[str], shown: int = 3) -> str:
    ordered = sorted(set(names))
    more = f" and {len(ordered) - shown} more" if len(ordered) > shown else ""
    return ", ".join(ordered[:shown]) + more


__all__ = ["ScopeData", "build_snapshot"]
