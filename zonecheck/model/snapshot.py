"""The snapshot: one estate, from any source, in one canonical shape."""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path
from typing import Any, Callable, Literal, Optional

import orjson
from pydantic import Field, StrictInt, ValidationError

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
from zonecheck.runtime import cyclic_gc_paused

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
    with cyclic_gc_paused():
        return _dumps(canonical(snapshot).model_dump(mode="json")) + "\n"


def _dumps(data: dict[str, Any]) -> str:
    """`json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False)`, byte for byte, at orjson's speed.

    orjson indents by two spaces, and a newline in its output only ever ends a line (one in a string is
    written `\\n`). Its compact output has two spaces in a row only inside a string: when it has none, halving
    every run of spaces of the indented output re-indents it; otherwise each line's indentation is halved
    (`_halve_indentation`). What orjson refuses (integers beyond 64 bits, lone surrogates) the standard
    library writes, as before.
    """
    try:
        compact = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
        indented = orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)
    except orjson.JSONEncodeError:
        return json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False)
    if b"  " in compact:
        return _halve_indentation(indented).decode("utf-8")
    return indented.replace(b"  ", b" ").decode("utf-8")


def _halve_indentation(text: bytes) -> bytes:
    """Each line's 2k leading spaces made k, deepest lines first; NUL (escaped in any JSON string) marks the
    lines already done, so a shallower pass does not halve them again."""
    depth = 0
    while b"\n" + b"  " * (depth + 1) in text:
        depth += 1
    for level in range(depth, 0, -1):
        text = text.replace(b"\n" + b"  " * level, b"\n" + b"\0" * level)
    return text.replace(b"\0", b" ")


class _SnapshotFile(Snapshot):
    """A snapshot as a file must spell it: `schema_version` present, and an integer (not `true`, not `1.0`,
    which `Literal[1]` takes)."""

    schema_version: StrictInt  # type: ignore[assignment]


def from_json_text(text: str | bytes, origin: str = "<snapshot>") -> Snapshot:
    """Parse a snapshot file's content; any problem is a one-line SnapshotError that starts with `origin`.

    Besides the schema, a snapshot must not contradict itself (`_check_consistency`): the engine indexes
    records by id, so two records with one id, or a subnet in two route tables, would silently lose one.
    """
    with cyclic_gc_paused():
        snapshot = _parse(text, origin)
        problem = _check_consistency(snapshot)
    if problem:
        raise SnapshotError(f"{origin}: {problem}")
    return snapshot


def _parse(text: str | bytes, origin: str) -> Snapshot:
    """One pass of pydantic over the text when it is a valid snapshot; `_parse_slowly` otherwise.

    pydantic's JSON parser accepts no text that the decoding and `json.loads` refuse (it refuses malformed UTF-8
    and unpaired surrogates, which `json.loads` reads), and on an object with a repeated key both keep the last
    value; so when `_SnapshotFile` reads the text and `schema_version` is 1, every check of `_parse_slowly` would
    pass and give this snapshot. Anything else goes through those checks, in their order, for the same message.
    """
    body = text
    if isinstance(text, (bytes, bytearray)) and text.startswith(codecs.BOM_UTF8):
        body = text[len(codecs.BOM_UTF8):]
    try:
        read = _SnapshotFile.model_validate_json(body, strict=True)
    except (ValidationError, RecursionError):
        read = None
    del body
    if read is None or read.schema_version != SCHEMA_VERSION:
        return _parse_slowly(text, origin)
    return Snapshot.model_construct(read.model_fields_set, **dict(read))


def _parse_slowly(text: str | bytes, origin: str) -> Snapshot:
    try:
        if isinstance(text, (bytes, bytearray)):
            text = bytes(text).decode("utf-8-sig")
        data = json.loads(text)
    except UnicodeDecodeError as err:
        raise SnapshotError(f"{origin}: not UTF-8 text (byte {err.start})") from None
    except json.JSONDecodeError as err:
        raise SnapshotError(f"{origin}: not valid JSON ({err.msg} at line {err.lineno} column {err.colno})") from None
    except RecursionError:
        raise SnapshotError(f"{origin}: JSON nested too deeply to be a snapshot") from None
    except ValueError as err:  # e.g. an integer of more digits than Python converts (4,300)
        raise SnapshotError(f"{origin}: not valid JSON ({err})") from None
    if _may_hold_surrogate(text) and _has_lone_surrogate(data):
        raise SnapshotError(f"{origin}: a string holds an unpaired UTF-16 surrogate escape (\\uD800-\\uDFFF)")
    if not isinstance(data, dict):
        raise SnapshotError(f"{origin}: a snapshot is a JSON object, found {type(data).__name__}")
    version = data.get("schema_version")
    if type(version) is not int or version != SCHEMA_VERSION:
        raise SnapshotError(
            f"{origin}: unsupported snapshot schema_version {_short(version)} (this zonecheck reads {SCHEMA_VERSION})")
    del data
    try:
        # Strict: a snapshot is written by `collect`, so a CIDR is a string and a port a number. Lax validation
        # would read `true` or 167772160 as a network (0.0.0.1/32, 10.0.0.0/32) and "443" as a port.
        snapshot = Snapshot.model_validate_json(text, strict=True)
    except ValidationError as err:
        first = err.errors()[0]
        where = _short(".".join(str(p) for p in first["loc"]), quote=False, limit=160)
        at = f" at {where}" if where else ""
        raise SnapshotError(
            f"{origin}: invalid snapshot{at}: {_short(first['msg'], quote=False, limit=300)}") from None
    except RecursionError:
        raise SnapshotError(f"{origin}: JSON nested too deeply to be a snapshot") from None
    return snapshot


_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_RAW_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _may_hold_surrogate(text: str) -> bool:
    """A cheap pre-filter: only texts with a surrogate (escaped or not) need the exact check."""
    return bool(("\\u" in text and _ESCAPED_SURROGATE.search(text))
                or (not text.isascii() and _RAW_SURROGATE.search(text)))


def _has_lone_surrogate(data: Any) -> bool:
    """JSON lets `\\ud800` stand alone; no tool can write such a string back out as UTF-8."""
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    except RecursionError:  # the schema refuses such nesting anyway
        return False
    return False


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _short(value: Any, quote: bool = True, limit: int = 80) -> str:
    """A value from the file, made safe for a one-line message: printable, and not too long."""
    text = repr(value) if quote else str(value)
    text = _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_consistency(snapshot: Snapshot) -> Optional[str]:
    """What in a schema-valid snapshot the engine could only read by dropping part of it; None when nothing.

    * two records with one id in a collection (the engine keeps one of them);
    * a subnet explicitly associated with two route tables or two network ACLs, a VPC with two main route
      tables or two default network ACLs, a network ACL with two entries of one number in one direction
      (AWS allows none of these; the engine would pick one);
    * an endpoint in a subnet, or a subnet in a VPC, that the snapshot neither holds nor lists under
      `incomplete` (collectors record what they could not see there; verdicts then become `unknown`).
    """
    for name in _ID_SORTED:
        records = getattr(snapshot, name)
        if len({record.id for record in records}) == len(records):
            continue
        seen: set[str] = set()
        for record in records:
            if record.id in seen:
                return f"{name}: two records with id {_short(record.id)}; a snapshot holds each resource once"
            seen.add(record.id)
    owners: dict[tuple[str, str], str] = {}
    for kind, records in (("route table", snapshot.route_tables), ("network ACL", snapshot.network_acls)):
        for record in records:
            for subnet_id in record.subnet_ids:
                other = owners.setdefault((kind, subnet_id), record.id)
                if other != record.id:
                    return (f"subnet {_short(subnet_id)} is associated with two {kind}s, {_short(other)} and "
                            f"{_short(record.id)}; AWS associates a subnet with one")
    for kind, records, flag in (("main route table", snapshot.route_tables, "is_main"),
                                ("default network ACL", snapshot.network_acls, "is_default")):
        first_of: dict[str, str] = {}
        for record in records:
            if getattr(record, flag):
                other = first_of.setdefault(record.vpc_id, record.id)
                if other != record.id:
                    return f"VPC {_short(record.vpc_id)} has two {kind}s, {_short(other)} and {_short(record.id)}"
    for acl in snapshot.network_acls:
        numbers: set[tuple[bool, int]] = set()
        for entry in acl.entries:
            key = (entry.egress, entry.rule_number)
            if key in numbers:
                direction = "egress" if entry.egress else "ingress"
                return f"network ACL {_short(acl.id)} has two {direction} entries numbered {entry.rule_number}"
            numbers.add(key)
    vpc_ids = {v.id for v in snapshot.vpcs}
    subnet_ids = {s.id for s in snapshot.subnets}
    declared = _declared_incomplete(snapshot.incomplete)
    for subnet in snapshot.subnets:
        if subnet.vpc_id not in vpc_ids and not declared("vpc", subnet.vpc_id):
            return (f"subnet {_short(subnet.id)} is in VPC {_short(subnet.vpc_id)}, which is neither in the snapshot "
                    "nor listed under incomplete")
    for endpoint in snapshot.endpoints:
        if endpoint.subnet_id not in subnet_ids and not declared("subnet", endpoint.subnet_id):
            return (f"endpoint {_short(endpoint.id)} is in subnet {_short(endpoint.subnet_id)}, which is neither in "
                    "the snapshot nor listed under incomplete")
    return None


def _declared_incomplete(incomplete: tuple[Incomplete, ...]) -> Callable[[str, str], bool]:
    """`declared(family, resource_id)`: `incomplete` names this resource, or says the whole family is missing
    somewhere (scope `*`, a region…), i.e. some entry of the family has `scope == resource_id` or a scope that
    does not start with the id's kind (`subnet-`).

    Answered from an index, not by a scan of `incomplete` per resource (10⁵ endpoints × 10⁵ entries). A scope
    starts with `kind-` exactly when the text before its first `-` is `kind`: every scope of the family does
    so when the set of their kinds is `{kind-}`.
    """
    scopes: dict[str, set[str]] = {}
    for entry in incomplete:
        scopes.setdefault(entry.family, set()).add(entry.scope)
    kinds = {family: {_kind(scope) for scope in found} for family, found in scopes.items()}

    def declared(family: str, resource_id: str) -> bool:
        if family not in scopes:
            return False
        return resource_id in scopes[family] or kinds[family] != {resource_id.split("-", 1)[0] + "-"}

    return declared


def _kind(scope: str) -> Optional[str]:
    """`subnet-` for `subnet-0abc`; None for a scope without `-` (`*`, which no resource id's kind matches)."""
    head, dash, _ = scope.partition("-")
    return head + dash if dash else None


def load(path: str | Path) -> Snapshot:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise SnapshotError(f"{path}: cannot read ({err.strerror or err})") from None
    return from_json_text(raw, str(path))
