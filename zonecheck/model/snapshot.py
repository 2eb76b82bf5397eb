"""The snapshot: one estate, from any source, in one canonical shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import Field, ValidationError

from zonecheck.model.base import Record
from zonecheck.model.endpoints import Endpoint, Instance, RdsInstance
from zonecheck.model.network import (
    EgressOnlyInternetGateway,
    InternetGateway,
    NatGateway,
    RouteTable,
    Subnet,
    Vpc,
    VpcPeering,
)
from zonecheck.model.hybrid import CustomerGateway, DirectConnectGateway, RoutePropagation, VpnConnection, VpnGateway
from zonecheck.model.security import NetworkAcl, PrefixList, SecurityGroup
from zonecheck.model.services import LoadBalancer, TargetGroup, VpcEndpoint
from zonecheck.model.transit import TransitGateway, TransitGatewayAttachment, TransitGatewayRouteTable

SCHEMA_VERSION = 1


class SnapshotError(Exception):
    """A snapshot file cannot be read; the message names the file and the problem."""


class SourceInfo(Record):
    kind: Literal["terraform", "snapshot", "aws", "aws-dump", "topology", "merged"]
    sha256: Optional[str] = None
    files: tuple[str, ...] = ()


class Incomplete(Record):
    """A resource family the source could not give (access denied, missing dump file…).

    Any verdict that could depend on it is `unknown`.
    """

    family: str
    scope: str = "*"
    """Where it is missing: an account/region, a VPC id, or `*` for everywhere."""
    reason: str


class UnknownValue(Record):
    """An attribute whose value the source does not know (e.g. known only after `terraform apply`)."""

    resource: str
    attribute: str
    reason: str = "known only after apply"


class Unsupported(Record):
    """A construct the engine does not model; a path that meets it is `unknown`, never `pass`."""

    resource: str
    kind: str
    reason: str


class Snapshot(Record):
    schema_version: Literal[1] = SCHEMA_VERSION
    source: SourceInfo
    vpcs: tuple[Vpc, ...] = ()
    subnets: tuple[Subnet, ...] = ()
    route_tables: tuple[RouteTable, ...] = ()
    internet_gateways: tuple[InternetGateway, ...] = ()
    egress_only_internet_gateways: tuple[EgressOnlyInternetGateway, ...] = ()
    nat_gateways: tuple[NatGateway, ...] = ()
    vpc_peerings: tuple[VpcPeering, ...] = ()
    security_groups: tuple[SecurityGroup, ...] = ()
    prefix_lists: tuple[PrefixList, ...] = ()
    network_acls: tuple[NetworkAcl, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()
    instances: tuple[Instance, ...] = ()
    rds_instances: tuple[RdsInstance, ...] = ()
    transit_gateways: tuple[TransitGateway, ...] = ()
    transit_gateway_attachments: tuple[TransitGatewayAttachment, ...] = ()
    transit_gateway_route_tables: tuple[TransitGatewayRouteTable, ...] = ()
    vpn_gateways: tuple[VpnGateway, ...] = ()
    customer_gateways: tuple[CustomerGateway, ...] = ()
    vpn_connections: tuple[VpnConnection, ...] = ()
    direct_connect_gateways: tuple[DirectConnectGateway, ...] = ()
    route_propagations: tuple[RoutePropagation, ...] = ()
    load_balancers: tuple[LoadBalancer, ...] = ()
    target_groups: tuple[TargetGroup, ...] = ()
    vpc_endpoints: tuple[VpcEndpoint, ...] = ()
    incomplete: tuple[Incomplete, ...] = ()
    unknowns: tuple[UnknownValue, ...] = ()
    unsupported: tuple[Unsupported, ...] = ()
    assumptions: tuple[str, ...] = ()
    notes: tuple[str, ...] = Field(default=(), description="Informational remarks from the collector.")


_ID_SORTED = (
    "vpcs", "subnets", "route_tables", "internet_gateways", "egress_only_internet_gateways", "nat_gateways",
    "vpc_peerings", "security_groups", "prefix_lists", "network_acls", "endpoints", "instances", "rds_instances",
    "transit_gateways", "transit_gateway_attachments", "transit_gateway_route_tables", "vpn_gateways",
    "customer_gateways", "vpn_connections", "direct_connect_gateways", "load_balancers", "target_groups",
    "vpc_endpoints",
)


def canonical(snapshot: Snapshot) -> Snapshot:
    """The same snapshot with every collection in a deterministic order."""
    updates: dict[str, Any] = {name: tuple(sorted(getattr(snapshot, name), key=lambda r: r.id)) for name in _ID_SORTED}
    updates["security_groups"] = tuple(
        sg.model_copy(update={"ingress": tuple(sorted(sg.ingress, key=lambda r: r.id)),
                              "egress": tuple(sorted(sg.egress, key=lambda r: r.id))})
        for sg in updates["security_groups"]
    )
    updates["network_acls"] = tuple(
        acl.model_copy(update={"entries": tuple(sorted(acl.entries, key=lambda e: (e.egress, e.rule_number))),
                               "subnet_ids": tuple(sorted(acl.subnet_ids))})
        for acl in updates["network_acls"]
    )
    updates["route_tables"] = tuple(
        rt.model_copy(update={"routes": tuple(sorted(rt.routes, key=lambda r: r.label())),
                              "subnet_ids": tuple(sorted(rt.subnet_ids))})
        for rt in updates["route_tables"]
    )
    updates["transit_gateway_route_tables"] = tuple(
        t.model_copy(update={"routes": tuple(sorted(t.routes, key=lambda r: r.label())),
                             "associations": tuple(sorted(t.associations)),
                             "propagations": tuple(sorted(t.propagations))})
        for t in updates["transit_gateway_route_tables"]
    )
    updates["route_propagations"] = tuple(sorted(set(snapshot.route_propagations),
                                                 key=lambda p: (p.route_table_id, p.gateway_id)))
    updates["incomplete"] = tuple(sorted(set(snapshot.incomplete), key=lambda i: (i.family, i.scope, i.reason)))
    updates["unknowns"] = tuple(sorted(set(snapshot.unknowns), key=lambda u: (u.resource, u.attribute)))
    updates["unsupported"] = tuple(sorted(set(snapshot.unsupported), key=lambda u: (u.resource, u.kind)))
    updates["assumptions"] = tuple(sorted(set(snapshot.assumptions)))
    updates["notes"] = tuple(sorted(set(snapshot.notes)))
    return snapshot.model_copy(update=updates)


def to_json(snapshot: Snapshot) -> str:
    """Canonical JSON: sorted collections and keys, so equal estates give byte-identical files."""
    data = canonical(snapshot).model_dump(mode="json")
    return json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def from_json_text(text: str | bytes, origin: str = "<snapshot>") -> Snapshot:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise SnapshotError(f"{origin}: not valid JSON ({err})") from None
    if not isinstance(data, dict):
        raise SnapshotError(f"{origin}: a snapshot is a JSON object, found {type(data).__name__}")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise SnapshotError(f"{origin}: unsupported snapshot schema_version {version!r} (this zonecheck reads {SCHEMA_VERSION})")
    try:
        return Snapshot.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SnapshotError(f"{origin}: invalid snapshot at {where}: {first['msg']}") from None


def load(path: str | Path) -> Snapshot:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise SnapshotError(f"{path}: cannot read ({err.strerror or err})") from None
    return from_json_text(raw, str(path))
