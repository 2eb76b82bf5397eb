"""SOURCE options shared by every command, and loading the snapshot they name (SPEC §2).

SOURCE := --terraform FILE (repeatable) | --snapshot FILE | --aws-dump DIR
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import click

from zonecheck.model import Snapshot, load as load_snapshot


class UsageProblem(Exception):
    """Arguments that do not make sense together; exit 2 with the message."""


@dataclass(frozen=True)
class SourceArgs:
    terraform_files: tuple[Path, ...] = ()
    snapshot_file: Optional[Path] = None
    aws_dump_dir: Optional[Path] = None

    def given(self) -> list[str]:
        pairs = (("--terraform", self.terraform_files), ("--snapshot", self.snapshot_file),
                 ("--aws-dump", self.aws_dump_dir))
        return [name for name, value in pairs if value]


_SOURCE_PARAMS = ("terraform_files", "snapshot_file", "aws_dump_dir")


def source_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add the SOURCE options; the command receives them as one `source: SourceArgs` argument."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in _SOURCE_PARAMS}
        return func(*args, source=SourceArgs(**values), **kwargs)

    wrapper = click.option("--aws-dump", "aws_dump_dir", type=click.Path(file_okay=False, path_type=Path),
                           help="A directory of AWS describe-* JSON responses (aws ec2 describe-vpcs > vpcs.json …).")(wrapper)
    wrapper = click.option("--snapshot", "snapshot_file", type=click.Path(dir_okay=False, path_type=Path),
                           help="A snapshot JSON written by `zonecheck collect`.")(wrapper)
    wrapper = click.option("--terraform", "terraform_files", multiple=True,
                           type=click.Path(dir_okay=False, path_type=Path),
                           help="Terraform state or plan (raw v4 or `terraform show -json`); repeat to merge stacks.")(wrapper)
    return wrapper


def load_source(source: SourceArgs) -> Snapshot:
    given = source.given()
    if not given:
        raise UsageProblem("no source given: use --terraform FILE, --snapshot FILE or --aws-dump DIR")
    if len(given) > 1:
        raise UsageProblem(f"give one kind of source, not {' and '.join(given)}")
    if source.snapshot_file is not None:
        return load_snapshot(source.snapshot_file)
    if source.aws_dump_dir is not None:
        from zonecheck.collect.aws import load_aws_dump

        return load_aws_dump(source.aws_dump_dir)
    from zonecheck.collect.terraform import load_terraform

    return load_terraform(list(source.terraform_files))
