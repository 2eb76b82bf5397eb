"""`--aws-dump DIR`: a directory of describe-* responses (JSON, as boto3 returns them or the AWS CLI prints
them) → one Snapshot.

    from zonecheck.collect.aws import load_aws_dump
    snapshot = load_aws_dump("aws_configs/")

Layouts: `DIR/*.json`, `DIR/<region>/*.json`, `DIR/<account>/<region>/*.json` (also
`DIR/accounts/<account>/<region>/…`).  Each directory of JSON files is one account and region; account
and region come from the directory names, else from the content (owner ids, ARNs, Availability Zones).
A file is recognised by its top-level key, never its name; several files of one family (pages of a
paginated response, or a dump split by hand) are merged.  Files zonecheck does not read are noted in
`snapshot.notes`.  Bad input is a `CollectError` whose one-line message names the file.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from pydantic import ValidationError

from zonecheck.collect.aws.build import ScopeData, build_snapshot
from zonecheck.collect.aws.families import BY_KEY, PAGINATION_KEYS, Family
from zonecheck.collect.aws.transform import Findings, InvalidItem, subnet_region
from zonecheck.collect.aws.transform._raw import (
    ACCOUNT_RE, REGION_RE, account_of_arn, get, region_of_arn, region_of_zone, text,
)
from zonecheck.collect.errors import CollectError
from zonecheck.model import Snapshot, SourceInfo, canonical

_OWNED_FAMILIES = ("vpcs", "subnets", "security_groups", "network_acls", "route_tables", "network_interfaces",
                   "reservations", "internet_gateways")


def load_aws_dump(directory: str | Path) -> Snapshot:
    root = Path(directory)
    if not root.exists():
        raise CollectError(f"{root}: no such directory")
    if not root.is_dir():
        raise CollectError(f"{root}: not a directory; --aws-dump takes a directory of describe-* JSON files")
    reader = _Reader(root)
    for path in sorted(p for p in root.rglob("*.json") if p.is_file()):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        reader.read(path, rel)
    scopes = reader.scopes()
    if not any(s.items for s in scopes):
        raise CollectError(f"{root}: no describe-* response found; expected JSON files with a top-level key such as "
                           "Vpcs, Subnets, RouteTables, SecurityGroups or NetworkInterfaces")
    source = SourceInfo(kind="aws-dump", sha256=reader.digest(), files=tuple(rel for rel, _ in sorted(reader.digests)))
    try:
        snapshot = build_snapshot(scopes, source, reader.findings)
    except InvalidItem as err:
        raise CollectError(f"{reader.origin_of(err.item)}: {err}") from None
    except CollectError:
        raise
    except (ValidationError, KeyError, TypeError, ValueError, AttributeError) as err:
        # A shape no test foresaw: still one line naming the dump (SPEC §2), never a traceback.
        first = str(err).strip().splitlines()
        raise CollectError(f"{root}: unexpected content ({type(err).__name__}: {first[0] if first else ''}); "
                           "please report this with the dump") from None
    return canonical(snapshot)


@dataclass
class _Directory:
    """The files of one directory: one account and region."""

    path: str
    account: Optional[str]
    region: Optional[str]
    items: dict[str, list[Any]] = field(default_factory=dict)
    seen: dict[str, set[str]] = field(default_factory=dict)
    pages: dict[str, list[bool]] = field(default_factory=dict)
    region_hints: list[str] = field(default_factory=list)


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.findings = Findings()
        self.digests: list[tuple[str, str]] = []
        self.directories: dict[str, _Directory] = {}
        self._origin: dict[int, str] = {}

    # -- files -----------------------------------------------------------------------------------------------
    def read(self, path: Path, rel: Path) -> None:
        shown = str(path)
        try:
            raw = path.read_bytes()
        except OSError as err:
            raise CollectError(f"{shown}: cannot read ({err.strerror or err})") from None
        self.digests.append((rel.as_posix(), hashlib.sha256(raw).hexdigest()))
        try:
            data = json.loads(raw.decode("utf-8-sig"))  # PowerShell writes a byte order mark
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise CollectError(f"{shown}: not valid JSON ({err})") from None
        except RecursionError:
            raise CollectError(f"{shown}: JSON nested too deeply to be a describe-* response") from None
        if not isinstance(data, dict):
            raise CollectError(f"{shown}: a describe-* response is a JSON object such as {{\"Vpcs\": [...]}}, "
                               f"found {_kind(data)}")
        directory = self._directory(rel)
        has_next = any(k.lower() in ("nexttoken", "nextmarker", "marker") and v for k, v in data.items())
        recognised, consumed = [], set()
        for key, value in data.items():
            family = BY_KEY.get(key.lower())
            if family is None:
                continue
            items = self._items(shown, key, value, family, data, rel)
            if items is None:
                continue
            recognised.append(key)
            if family.wrap and family.wrap != key:
                consumed.add(family.wrap.lower())
            self._add(directory, family.name, items, shown, has_next)
        if "availabilityzones" in {k.lower() for k in data} and isinstance(data.get("AvailabilityZones"), list):
            directory.region_hints += [r for z in data["AvailabilityZones"] if (r := text(z, "RegionName"))]
        ignored = [k for k in data if BY_KEY.get(k.lower()) is None and k.lower() not in PAGINATION_KEYS
                   and k.lower() not in consumed]
        if not recognised:
            self.findings.note(f"{rel.as_posix()}: ignored, not a response zonecheck reads "
                               f"(top-level keys: {', '.join(sorted(data)) or 'none'})")
        elif ignored:
            self.findings.note(f"{rel.as_posix()}: ignored the keys {', '.join(sorted(ignored))}")

    def _items(self, shown: str, key: str, value: Any, family: Family, data: dict[str, Any], rel: Path) -> Optional[list[Any]]:
        if family.name == "network_firewalls" and isinstance(value, dict):
            value = [value]  # DescribeFirewall answers one firewall
        if not isinstance(value, list):
            raise CollectError(f"{shown}: {key} must be a list of objects, found {_kind(value)}")
        for index, element in enumerate(value):
            if not isinstance(element, dict):
                raise CollectError(f"{shown}: {key}[{index}] must be an object, found {_kind(element)}")
        if family.wrap == key:  # a flat list of what is normally wrapped (Instances outside Reservations)
            return [{key: value}]
        if family.wrap:
            parent = data.get(family.wrap)
            if not isinstance(parent, str) or not parent:
                self.findings.note(f"{rel.as_posix()}: ignored {key}: the file does not say which {family.wrap} "
                                   "they belong to")
                return None
            return [{family.wrap: parent, key: value}]
        return value

    def _add(self, directory: _Directory, family: str, items: list[Any], shown: str, has_next: bool) -> None:
        bucket = directory.items.setdefault(family, [])
        seen = directory.seen.setdefault(family, set())
        directory.pages.setdefault(family, []).append(has_next)
        for item in items:
            key = json.dumps(item, sort_keys=True, default=str)
            if key in seen:
                continue  # the same item in two files (overlapping pages, a re-run dump)
            seen.add(key)
            bucket.append(item)
            self._origin[id(item)] = shown
            for nested_key in ("Instances", "Entries", "TargetHealthDescriptions"):
                nested = item.get(nested_key)
                if isinstance(nested, list):
                    for element in nested:
                        self._origin[id(element)] = shown

    def _directory(self, rel: Path) -> _Directory:
        dirs = rel.parts[:-1]
        path = "/".join(dirs) or "."
        if path not in self.directories:
            region = next((d for d in reversed(dirs) if REGION_RE.fullmatch(d)), None)
            account = None
            for index, name in enumerate(dirs):
                if REGION_RE.fullmatch(name):
                    continue
                if ACCOUNT_RE.fullmatch(name) or (index > 0 and dirs[index - 1].lower() == "accounts"):
                    account = name
            self.directories[path] = _Directory(path, account, region)
        return self.directories[path]

    # -- results ---------------------------------------------------------------------------------------------
    def scopes(self) -> list[ScopeData]:
        by_label: dict[str, ScopeData] = {}
        for directory in sorted(self.directories.values(), key=lambda d: d.path):
            account = directory.account or _common(_owner_ids(directory))
            region = directory.region or _common(_regions(directory))
            label = f"{account or '*'}/{region or '*'}"
            scope = by_label.setdefault(label, ScopeData(label=label, account=account, region=region))
            for family, items in directory.items.items():
                scope.items.setdefault(family, []).extend(items)
            scope.truncated |= {family for family, pages in directory.pages.items() if pages and all(pages)}
        return list(by_label.values())

    def digest(self) -> str:
        lines = "".join(f"{rel}\t{digest}\n" for rel, digest in sorted(self.digests))
        return hashlib.sha256(lines.encode("utf-8")).hexdigest()

    def origin_of(self, item: Any) -> str:
        return self._origin.get(id(item), str(self.root))


def _owner_ids(directory: _Directory) -> list[str]:
    owners = [text(item, "OwnerId") for family in _OWNED_FAMILIES for item in directory.items.get(family, [])]
    owners += [account_of_arn(text(item, "SubnetArn")) for item in directory.items.get("subnets", [])]
    return [o for o in owners if o and ACCOUNT_RE.fullmatch(o)]


def _regions(directory: _Directory) -> list[str]:
    regions = [subnet_region(item) for item in directory.items.get("subnets", [])]
    regions += [region_of_zone(text(item, "AvailabilityZone")) for item in directory.items.get("network_interfaces", [])]
    regions += [region_of_zone(text(i, "Placement", "AvailabilityZone"))
                for r in directory.items.get("reservations", []) for i in (get(r, "Instances") or []) if isinstance(i, dict)]
    for family, key in (("transit_gateways", "TransitGatewayArn"), ("load_balancers", "LoadBalancerArn"),
                        ("target_groups", "TargetGroupArn"), ("db_instances", "DBInstanceArn")):
        regions += [region_of_arn(text(item, key)) for item in directory.items.get(family, [])]
    regions += directory.region_hints
    return [r for r in regions if r]


def _common(values: list[str]) -> Optional[str]:
    if not values:
        return None
    counts = Counter(values)
    return min(counts, key=lambda v: (-counts[v], v))


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if value is None:
        return "null"
    return f"a {type(value).__name__}"


__all__ = ["load_aws_dump"]
