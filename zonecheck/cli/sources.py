"""SOURCE options shared by every command, and loading the snapshot they name (SPEC §2).

SOURCE := --terraform FILE (repeatable) | --snapshot FILE | --aws-dump DIR
        | --aws [--profile P] [--region R ... | --region all] [--assume-role ARN ... [--assume-role-only]]
                [--external-id X] [--log-file PATH] [-v]
"""

from __future__ import annotations

import functools
import gc
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

import click

from zonecheck.runtime import cyclic_gc_paused

if TYPE_CHECKING:
    from zonecheck.model import Snapshot


class UsageProblem(Exception):
    """Arguments that do not make sense together; exit 2 with the message."""


@dataclass(frozen=True)
class SourceArgs:
    terraform_files: tuple[Path, ...] = ()
    snapshot_file: Optional[Path] = None
    aws_dump_dir: Optional[Path] = None
    aws: bool = False
    aws_profile: Optional[str] = None
    aws_regions: tuple[str, ...] = ()
    aws_assume_roles: tuple[str, ...] = ()
    aws_external_id: Optional[str] = None
    aws_assume_role_only: bool = False
    aws_log_file: Optional[Path] = None
    verbosity: int = 0
    aws_raw_dir: Optional[Path] = None
    """`collect --raw-dir` only."""

    def given(self) -> list[str]:
        pairs = (("--terraform", self.terraform_files), ("--snapshot", self.snapshot_file),
                 ("--aws-dump", self.aws_dump_dir), ("--aws", self.aws))
        return [name for name, value in pairs if value]

    def aws_only_options(self) -> list[str]:
        pairs = (("--profile", self.aws_profile), ("--region", self.aws_regions),
                 ("--assume-role", self.aws_assume_roles), ("--external-id", self.aws_external_id),
                 ("--assume-role-only", self.aws_assume_role_only), ("--log-file", self.aws_log_file),
                 ("--raw-dir", self.aws_raw_dir))
        return [name for name, value in pairs if value]


_SOURCE_PARAMS = ("terraform_files", "snapshot_file", "aws_dump_dir", "aws", "aws_profile", "aws_regions",
                  "aws_assume_roles", "aws_external_id", "aws_assume_role_only", "aws_log_file", "verbosity")


def source_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add the SOURCE options; the command receives them as one `source: SourceArgs` argument."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in _SOURCE_PARAMS}
        return func(*args, source=SourceArgs(**values), **kwargs)

    wrapper = click.option("-v", "--verbose", "verbosity", count=True,
                           help="With --aws: say on stderr what is called (operation, account, region, "
                                "request id).")(wrapper)
    wrapper = click.option("--log-file", "aws_log_file", type=click.Path(dir_okay=False, path_type=Path),
                           help="With --aws: append one JSON line per AWS call (time, operation, region, account, "
                                "request id, duration, items); never credentials.")(wrapper)
    wrapper = click.option("--assume-role-only", "aws_assume_role_only", is_flag=True,
                           help="With --assume-role: read only the roles' accounts, not the caller's own.")(wrapper)
    wrapper = click.option("--external-id", "aws_external_id", metavar="X",
                           help="External id the roles of --assume-role require.")(wrapper)
    wrapper = click.option("--assume-role", "aws_assume_roles", multiple=True, metavar="ARN",
                           help="With --aws: also read the account of this IAM role (STS AssumeRole); repeatable, "
                                "one snapshot for all accounts.")(wrapper)
    wrapper = click.option("--region", "aws_regions", multiple=True, metavar="REGION",
                           help="With --aws: region to read (repeatable, or comma-separated); `all` for every region "
                                "enabled in the account. Default: the profile's region.")(wrapper)
    wrapper = click.option("--profile", "aws_profile", metavar="P",
                           help="With --aws: AWS profile (default: the standard credential chain).")(wrapper)
    wrapper = click.option("--aws", "aws", is_flag=True,
                           help="Read the estate from the AWS APIs (read-only; policy in examples/iam/).")(wrapper)
    wrapper = click.option("--aws-dump", "aws_dump_dir", type=click.Path(file_okay=False, path_type=Path),
                           help="A directory of AWS describe-* JSON responses (aws ec2 describe-vpcs > vpcs.json …).")(wrapper)
    # Input paths are not checked by click: the loaders say "is a directory" in one `zonecheck: error:` line.
    wrapper = click.option("--snapshot", "snapshot_file", type=click.Path(path_type=Path),
                           help="A snapshot JSON written by `zonecheck collect`.")(wrapper)
    wrapper = click.option("--terraform", "terraform_files", multiple=True,
                           type=click.Path(path_type=Path),
                           help="Terraform state or plan (raw v4 or `terraform show -json`); repeat to merge stacks.")(wrapper)
    return wrapper


def load_source(source: SourceArgs) -> Snapshot:
    """The estate SOURCE names, kept out of the cyclic garbage collector's sight for the rest of the command.

    A large estate is ~10⁶ objects that live until the command ends and form no reference cycle; the collector
    would scan them once when reading ends (0.5 s of the 2.5 s that reading the synthetic estate L takes) and
    again at every later full collection. So: collect what is garbage now, read the files with the collector
    paused (the AWS APIs with it running), and `gc.freeze()` what was read.
    """
    gc.collect()
    with nullcontext() if source.aws else cyclic_gc_paused():
        snapshot = _read_source(source)
        gc.freeze()
    return snapshot


def _read_source(source: SourceArgs) -> Snapshot:
    given = source.given()
    if not given:
        raise UsageProblem("no source given: use --terraform FILE, --snapshot FILE, --aws-dump DIR or --aws")
    if len(given) > 1:
        raise UsageProblem(f"give one kind of source, not {' and '.join(given)}")
    if source.aws:
        return _load_aws(source)
    if source.aws_only_options():
        named = source.aws_only_options()
        raise UsageProblem(f"{', '.join(named)} {'goes' if len(named) == 1 else 'go'} with --aws only")
    if source.snapshot_file is not None:
        from zonecheck.model import load as load_snapshot

        return load_snapshot(source.snapshot_file)
    if source.aws_dump_dir is not None:
        from zonecheck.collect.aws import load_aws_dump

        return load_aws_dump(source.aws_dump_dir)
    from zonecheck.collect.terraform import load_terraform

    return load_terraform(list(source.terraform_files))


def aws_regions(values: tuple[str, ...]) -> tuple[str, ...]:
    """`--region a --region b,c` → (a, b, c); `all` alone or not at all."""
    from zonecheck.collect.aws.transform._raw import REGION_RE

    regions = tuple(dict.fromkeys(r.strip() for value in values for r in value.split(",") if r.strip()))
    if "all" in regions and len(regions) > 1:
        raise UsageProblem("--region all reads every enabled region; do not give other regions with it")
    for region in regions:
        if region != "all" and not REGION_RE.fullmatch(region):
            raise UsageProblem(f"--region: '{region}' is not a region name (such as eu-west-1) or `all`")
    return regions


def _load_aws(source: SourceArgs) -> Snapshot:
    if source.aws_external_id and not source.aws_assume_roles:
        raise UsageProblem("--external-id goes with --assume-role")
    if source.aws_assume_role_only and not source.aws_assume_roles:
        raise UsageProblem("--assume-role-only needs at least one --assume-role ARN")
    from zonecheck.collect.aws.live import AwsOptions, collect_aws

    collection = collect_aws(AwsOptions(
        profile=source.aws_profile, regions=aws_regions(source.aws_regions), assume_roles=source.aws_assume_roles,
        external_id=source.aws_external_id, assume_role_only=source.aws_assume_role_only, raw_dir=source.aws_raw_dir,
        log_file=source.aws_log_file, verbosity=source.verbosity))
    for scope in collection.scopes:  # whatever the report format, say what to grant
        for reason in sorted(scope.denied.values()):
            click.echo(f"zonecheck: warning: {scope.label}: {reason}", err=True)
    return collection.snapshot
