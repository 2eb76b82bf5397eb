"""SOURCE options shared by every command, and loading the snapshot they name."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Optional

import click

from zonecheck.model import Snapshot, load as load_snapshot


class UsageProblem(Exception):
    """Arguments that do not make sense together; exit 2 with the message."""


def source_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--terraform (repeatable) | --snapshot: exactly one kind of source."""
    func = click.option("--snapshot", "snapshot_file", type=click.Path(dir_okay=False, path_type=Path),
                        help="A snapshot JSON written by `zonecheck collect`.")(func)
    func = click.option("--terraform", "terraform_files", multiple=True,
                        type=click.Path(dir_okay=False, path_type=Path),
                        help="Terraform state (raw v4 or `terraform show -json`); repeat to merge stacks.")(func)
    return func


def load_source(terraform_files: tuple[Path, ...], snapshot_file: Optional[Path]) -> Snapshot:
    given = [name for name, value in (("--terraform", terraform_files), ("--snapshot", snapshot_file)) if value]
    if not given:
        raise UsageProblem("no source given: use --terraform FILE or --snapshot FILE")
    if len(given) > 1:
        raise UsageProblem(f"give one kind of source, not {' and '.join(given)}")
    if snapshot_file is not None:
        return load_snapshot(snapshot_file)
    from zonecheck.collect.terraform import load_terraform

    return load_terraform(list(terraform_files))
