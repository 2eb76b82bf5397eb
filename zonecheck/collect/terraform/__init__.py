"""The Terraform collector: state and plan files → one Snapshot.

    from zonecheck.collect.terraform import load_terraform, load_terraform_plan_before
    snapshot = load_terraform(["network.tfstate", "app.tfstate"])
    planned = load_terraform(["network.tfstate", "app.plan.json"])      # what the estate will be after apply
    before = load_terraform_plan_before("app.plan.json")                 # what it is now (the plan's prior state)

get (`reader`: files → `TfResource` stream) → transform (one pure module per resource family) →
load (`build`: one canonical `Snapshot`).  Every problem with the input is a `CollectError` whose message
is one line naming the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from pydantic import ValidationError

from zonecheck.collect.errors import CollectError
from zonecheck.collect.terraform.build import build_snapshot, source_info
from zonecheck.collect.terraform.findings import Findings
from zonecheck.collect.terraform.plan import PLACEHOLDER
from zonecheck.collect.terraform.reader import Side, StateFile, TfResource, read_state_file
from zonecheck.model import Snapshot, canonical


def load_terraform(paths: Sequence[str | Path], *, side: Side = "after") -> Snapshot:
    """Read Terraform states (raw v4 or `terraform show -json`) and plans (`terraform show -json PLANFILE`),
    in any mix, and merge them into one estate.

    A plan gives the estate as it will be after apply; with `side="before"`, as its `prior_state` holds it
    (a state is the same on both sides), so that `diff` can compare both sides of one plan.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]  # a single path is an easy mistake to make; accept it
    if not paths:
        raise CollectError("no Terraform state given; pass --terraform FILE")
    return _build([read_state_file(path, side) for path in paths])


def load_terraform_plan_before(path: str | Path) -> Snapshot:
    """The estate a plan starts from (its `prior_state`): the "before" of `zonecheck diff` for one plan file."""
    plan = read_state_file(path, "before")
    if plan.kind != "plan":
        raise CollectError(f"{path}: not a Terraform plan (no planned_values or resource_changes); "
                           "pass the output of `terraform show -json PLANFILE`")
    return _build([plan])


def _build(files: list[StateFile]) -> Snapshot:
    extra = Findings()
    for f in files:
        extra.notes += f.notes
        extra.assumptions += f.assumptions
        for gap in f.gaps:
            extra.missing("terraform-plan", "*", gap)
    try:
        snapshot = build_snapshot([res for f in files for res in f.resources], source_info(files), extra)
    except CollectError:
        raise
    except (ValidationError, KeyError, TypeError, ValueError, AttributeError) as err:
        # A shape no test foresaw: still one line naming the files (SPEC §2), never a traceback.
        names = ", ".join(f.name for f in files)
        raise CollectError(f"{names}: unexpected content ({type(err).__name__}: {_first_line(err)}); "
                           "please report this with the file") from None
    return canonical(snapshot)


def _first_line(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else ""


__all__ = ["PLACEHOLDER", "CollectError", "TfResource", "load_terraform", "load_terraform_plan_before"]
