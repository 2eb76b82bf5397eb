"""The two sides of `zonecheck diff`: SOURCE arguments, what they name, and the check run on each.

A SOURCE is one path, recognised by its content, or forced by a prefix:

    snapshot:FILE    a snapshot JSON written by `zonecheck collect` (it has "schema_version")
    terraform:FILE   a Terraform raw state v4, or `terraform show -json` of a state or a plan
    aws-dump:DIR     a directory of AWS describe-* JSON

`--before` / `--after` may repeat to merge several Terraform stacks into one side.  `--plan PLAN.json` is both
sides at once: the plan's prior state before, its planned estate after.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from zonecheck.cli.sources import UsageProblem
from zonecheck.engine.results import CheckResult
from zonecheck.model import Snapshot

KINDS = ("snapshot", "terraform", "aws-dump")
_TERRAFORM_HEAD = re.compile(rb'^\s*\{\s*"(?:version|format_version|terraform_version)"\s*:')
_TERRAFORM_KEYS = ("version", "format_version", "terraform_version", "planned_values", "resource_changes",
                   "prior_state", "values", "lineage")


@dataclass(frozen=True)
class Source:
    kind: str
    """snapshot | terraform | aws-dump"""
    path: Path


def parse_source(text: str) -> Source:
    """`kind:PATH` when kind is one of KINDS, else a path whose kind is read from its content."""
    kind, sep, rest = text.partition(":")
    if sep and kind in KINDS:
        if not rest:
            raise UsageProblem(f"{text}: nothing after '{kind}:'; give {kind}:PATH")
        return Source(kind, Path(rest))
    path = Path(text)
    return Source(detect_kind(path), path)


def detect_kind(path: Path) -> str:
    name = str(path)
    if path.is_dir():
        return "aws-dump"
    try:
        with path.open("rb") as f:
            head = f.read(4096)
    except FileNotFoundError:
        raise UsageProblem(f"{name}: no such file or directory") from None
    except OSError as err:
        raise UsageProblem(f"{name}: cannot read ({err.strerror or err})") from None
    if not head.strip():
        raise UsageProblem(f"{name}: file is empty; expected a snapshot JSON or a Terraform state or plan")
    if _TERRAFORM_HEAD.match(head):
        return "terraform"  # Terraform writes "version" / "format_version" first: no need to parse it twice
    try:
        data = json.loads(path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        where = f" ({err.msg} at line {err.lineno} column {err.colno})" if isinstance(err, json.JSONDecodeError) else ""
        raise UsageProblem(f"{name}: not valid JSON{where}; expected a snapshot JSON or a Terraform state or plan") from None
    if not isinstance(data, dict):
        raise UsageProblem(f"{name}: expected a snapshot or a Terraform state or plan (a JSON object), "
                           f"found a JSON {type(data).__name__}")
    if "schema_version" in data:
        return "snapshot"
    if any(key in data for key in _TERRAFORM_KEYS):
        return "terraform"
    raise UsageProblem(f"{name}: neither a zonecheck snapshot (no \"schema_version\") nor a Terraform state or plan "
                       "(no \"version\" or \"format_version\"); prefix it with snapshot: or terraform: to say which")


def read_aws_dump(path: Path) -> Snapshot:
    """The AWS collector's dump reader, when this zonecheck has one."""
    try:
        module = importlib.import_module("zonecheck.collect.aws")
    except ModuleNotFoundError as err:
        if not (err.name or "").startswith("zonecheck.collect"):
            raise
        module = None
    loader = getattr(module, "load_aws_dump", None)
    if loader is None:
        raise UsageProblem(f"{path}: reading a directory of AWS describe-* JSON is not supported yet by this "
                           "zonecheck; write a snapshot with `zonecheck collect` and pass that")
    return loader(path)


def load_side(option: str, texts: Sequence[str]) -> Snapshot:
    """Every SOURCE of one side (`--before` or `--after`) as one snapshot; several only if all are Terraform."""
    from zonecheck.model import load as load_snapshot

    if not texts:
        raise UsageProblem(f"{option} is required")
    sources = [parse_source(t) for t in texts]
    kinds = {s.kind for s in sources}
    if len(sources) > 1 and kinds != {"terraform"}:
        given = ", ".join(f"{s.kind}:{s.path}" for s in sources)
        raise UsageProblem(f"{option}: only Terraform files merge into one side; got {given}")
    kind = sources[0].kind
    if kind == "terraform":
        from zonecheck.collect.terraform import load_terraform

        return load_terraform([s.path for s in sources])
    if kind == "snapshot":
        snapshot = load_snapshot(sources[0].path)
        if snapshot.source.sha256 is None:
            # Estates built as code have no source digest: name the file that was compared instead.
            digest = hashlib.sha256(sources[0].path.read_bytes()).hexdigest()
            snapshot = snapshot.model_copy(update={"source": snapshot.source.model_copy(update={"sha256": digest})})
        return snapshot
    return read_aws_dump(sources[0].path)


def load_plan_sides(plans: Sequence[str]) -> tuple[Snapshot, Snapshot]:
    """`--plan`: before = the plans' prior state, after = their planned estate.

    One file must be a plan.  Several merge as stacks, and a state among them is the same on both sides.
    """
    from zonecheck.collect.terraform import load_terraform, load_terraform_plan_before

    paths = [Path(p) for p in plans]
    before = load_terraform_plan_before(paths[0]) if len(paths) == 1 else load_terraform(paths, side="before")
    return before, load_terraform(paths)


def check_side(policy, snapshot: Snapshot, policy_origin: str, *, strict: bool,  # type: ignore[no-untyped-def]
               baseline: bool) -> tuple[CheckResult, tuple[str, ...]]:
    """Run the check on one side; returns the result and notes for the diff.

    On the baseline (before) side, a zone that matches nothing is read as empty instead of an error: a pull
    request often brings a zone's first resources (or the very first apply, against an empty state).  The
    after side keeps the rule of `zonecheck check` (SPEC §3).
    """
    from zonecheck.cli.run import run_check
    from zonecheck.policy import PolicyError, resolve_zones

    try:
        return run_check(policy, snapshot, policy_origin, strict=strict), ()
    except PolicyError:
        if not baseline:
            raise
        relaxed = policy.model_copy(update={"zones": {
            name: zone.model_copy(update={"allow_empty": True}) for name, zone in policy.zones.items()}})
        zones = resolve_zones(relaxed, snapshot, policy_origin)
        empty = [name for name, zone in policy.zones.items() if not zone.allow_empty and not zones[name].members]
        if not empty:
            raise
        notes = tuple(f"before: zone '{name}' matches nothing there; read as an empty zone" for name in empty)
        return run_check(relaxed, snapshot, policy_origin, strict=strict), notes


__all__ = ["KINDS", "Source", "check_side", "detect_kind", "read_aws_dump", "load_plan_sides", "load_side", "parse_source"]
