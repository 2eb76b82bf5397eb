"""`zonecheck` entry point.

Exit codes (SPEC §2): 0 all pass, 1 a failure, 2 bad input or usage (one line on stderr, no traceback),
3 nothing failed but something is unknown.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

import click

from zonecheck import __version__
from zonecheck.cli.sources import SourceArgs, UsageProblem, load_source, source_options
from zonecheck.runtime import import_for_good

if TYPE_CHECKING:
    from zonecheck.engine.results import CheckResult

EXIT_CODES = {"pass": 0, "fail": 1, "unknown": 3}
EXIT_BAD_INPUT = 2
REPORT_FORMATS = ["text", "json", "sarif", "junit", "markdown", "html"]


def _input_errors() -> tuple[type[BaseException], ...]:
    from zonecheck.collect.errors import CollectError
    from zonecheck.model import SnapshotError
    from zonecheck.policy import PolicyError

    return (CollectError, SnapshotError, PolicyError, UsageProblem)


def _fail_input(message: str) -> None:
    click.echo(f"zonecheck: error: {_one_line(message)}", err=True)
    sys.exit(EXIT_BAD_INPUT)


_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _one_line(message: str) -> str:
    """One printable line, whatever the input put in the message (line breaks, terminal escapes, surrogates)."""
    folded = " ".join(message.replace("\t", " ").split())
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], folded)


_INPUT_ARGUMENTS = ("policy_file", "terraform_files", "snapshot_file", "aws_dump_dir", "before", "after", "plans")


def _inputs_named(kwargs: dict[str, Any]) -> str:
    """The input files of a command, for the errors no loader could attribute to one of them."""
    names: list[str] = []
    expanded = dict(kwargs)
    source = kwargs.get("source")
    if isinstance(source, SourceArgs):
        expanded.update(terraform_files=source.terraform_files, snapshot_file=source.snapshot_file,
                        aws_dump_dir=source.aws_dump_dir)
    for key in _INPUT_ARGUMENTS:
        value = expanded.get(key)
        for item in value if isinstance(value, (tuple, list)) else (value,):
            if item is not None and str(item) not in names:
                names.append(str(item))
    return ", ".join(names) + ": " if names else ""


def guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every input problem into one line and exit 2; never show a traceback to a user."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except _input_errors() as err:
            _fail_input(str(err) if str(err).strip() else type(err).__name__)
        except (KeyboardInterrupt, SystemExit, click.exceptions.Exit, click.ClickException):
            raise
        except RecursionError:
            _fail_input(f"{_inputs_named(kwargs)}input is nested too deeply to analyse")
        except MemoryError:
            _fail_input(f"{_inputs_named(kwargs)}input is too large to analyse in the available memory")
        except Exception as err:  # noqa: BLE001 - the last line of defence for SPEC §2
            if os.environ.get("ZONECHECK_DEBUG"):
                raise
            _fail_input(f"{_inputs_named(kwargs)}internal error ({type(err).__name__}: {str(err)[:300]}); "
                        "set ZONECHECK_DEBUG=1 for details, and please report it")

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


def _style_for(stream_is_tty: bool) -> Callable[[str, str], str]:
    colours = {"pass": "green", "fail": "red", "unknown": "yellow"}
    if not stream_is_tty or os.environ.get("NO_COLOR"):
        return lambda text, _v: text
    return lambda text, verdict: click.style(text, fg=colours.get(verdict), bold=True)


def _emit(text: str, output: Optional[Path]) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as err:
        raise UsageProblem(f"{output}: cannot write ({err.strerror or err})") from None


def _render(result: CheckResult, fmt: str, output: Optional[Path]) -> str:
    from zonecheck import report  # imports the renderer of `fmt` only (jinja2 for markdown and html)

    if fmt == "text":
        return report.render_text(result, _style_for(output is None and sys.stdout.isatty()))
    return getattr(report, f"render_{fmt}")(result)


def _check_modules() -> None:
    """What `check` and `explain` import: the engine, the policy and the model, and networkx (every check builds
    the estate graph, `Estate.reach`)."""
    import zonecheck.cli.run  # noqa: F401
    import zonecheck.engine.graph  # noqa: F401


def _load_policy(path: Path):  # type: ignore[no-untyped-def]
    from zonecheck.policy import load_policy

    return load_policy(path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="zonecheck")
def cli() -> None:
    """Prove network zone isolation on AWS from Terraform state or a snapshot."""


@cli.command()
@click.option("--policy", "policy_file", required=True, type=click.Path(path_type=Path),
              help="Zone policy (YAML).")
@source_options
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here.")
@click.option("--strict", is_flag=True, help="A verdict resting on assumed AWS defaults is `unknown`.")
@guarded
def check(policy_file: Path, source: SourceArgs, fmt: str,
          output: Optional[Path], strict: bool) -> None:
    """Decide every assertion of the policy; exit 0 pass, 1 fail, 3 unknown, 2 bad input."""
    import_for_good(_check_modules)
    from zonecheck.cli.run import run_check

    policy = _load_policy(policy_file)
    snapshot = load_source(source)
    result = run_check(policy, snapshot, str(policy_file), strict=strict)
    _emit(_render(result, fmt, output), output)
    sys.exit(EXIT_CODES[result.result])


@cli.command()
@click.option("--policy", "policy_file", required=True, type=click.Path(path_type=Path))
@source_options
@click.option("--assertion", "assertion_name", required=True, help="Name of the assertion to explain.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@guarded
def explain(policy_file: Path, source: SourceArgs,
            assertion_name: str, fmt: str, output: Optional[Path]) -> None:
    """Show every path between the assertion's zones, hop by hop, with the rule that admitted it."""
    import_for_good(_check_modules)
    from zonecheck.cli.run import run_check

    policy = _load_policy(policy_file)
    names = [a.name for a in policy.assertions]
    if assertion_name not in names:
        raise UsageProblem(f"{policy_file}: no assertion named '{assertion_name}' (assertions: {', '.join(names)})")
    snapshot = load_source(source)
    verdict = run_check(policy, snapshot, str(policy_file), only_assertion=assertion_name).result
    paths = run_check(policy, snapshot, str(policy_file), only_assertion=assertion_name, explain=True)
    _emit(_render(paths, fmt, output), output)
    sys.exit(EXIT_CODES[verdict])


@cli.command()
@click.option("--policy", "policy_file", required=True, type=click.Path(path_type=Path),
              help="Zone policy (YAML).")
@click.option("--before", "before", multiple=True, metavar="SOURCE",
              help="The estate as it is: a snapshot JSON, a Terraform state, or a directory of describe-* JSON "
                   "(force with snapshot:, terraform:, aws-dump:); repeat to merge Terraform stacks.")
@click.option("--after", "after", multiple=True, metavar="SOURCE",
              help="The estate as it will be (e.g. `terraform show -json` of a plan); same forms as --before.")
@click.option("--plan", "plans", multiple=True, metavar="PLAN.json",
              help="`terraform show -json` of a saved plan: before = its prior state, after = the planned estate "
                   "(instead of --before/--after); repeat for several stacks.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here.")
@click.option("--strict", is_flag=True, help="A verdict resting on assumed AWS defaults is `unknown`.")
@guarded
def diff(policy_file: Path, before: tuple[str, ...], after: tuple[str, ...], plans: tuple[str, ...], fmt: str,
         output: Optional[Path], strict: bool) -> None:
    """Flows that appear / disappear between two estates; exit 1 newly fails, 3 new unknown, 0 else, 2 bad input."""
    from zonecheck import diff as zdiff
    from zonecheck.cli.sides import check_side, load_plan_sides, load_side

    def side_error(option: str, err: BaseException) -> UsageProblem:
        message = str(err).strip() or type(err).__name__
        return UsageProblem(message if message.startswith(option) else f"{option}: {message}")

    if plans and (before or after):
        raise UsageProblem("--plan gives both sides; use it instead of --before/--after, not with them")
    policy = _load_policy(policy_file)
    snapshots = {}
    if plans:
        try:
            snapshots["--before"], snapshots["--after"] = load_plan_sides(plans)
        except _input_errors() as err:
            raise side_error("--plan", err) from None
        labels = ("prior state of " + " ".join(plans), " ".join(plans))
    else:
        labels = (" ".join(before), " ".join(after))
    results, notes = [], []
    for option, texts in (("--before", before), ("--after", after)):
        try:
            snapshot = snapshots[option] if plans else load_side(option, texts)
            result, side_notes = check_side(policy, snapshot, str(policy_file), strict=strict,
                                            baseline=option == "--before")
        except _input_errors() as err:
            raise side_error(option, err) from None
        results.append(result)
        notes.extend(side_notes)
    report = zdiff.compare(results[0], results[1], notes, labels=labels)
    style = _style_for(output is None and sys.stdout.isatty()) if fmt == "text" else None
    _emit(zdiff.render_diff(report, fmt, style), output)
    sys.exit(zdiff.EXIT_CODES[report.result])


@cli.command()
@source_options
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the snapshot JSON.")
@click.option("--raw-dir", type=click.Path(file_okay=False, path_type=Path),
              help="With --aws: also keep every AWS response in DIR/<account>/<region>/, readable with --aws-dump.")
@guarded
def collect(source: SourceArgs, output: Path, raw_dir: Optional[Path]) -> None:
    """Read a source and write its canonical snapshot JSON."""
    from dataclasses import replace

    from zonecheck.model import to_json

    snapshot = load_source(replace(source, aws_raw_dir=raw_dir))
    _emit(to_json(snapshot), output)
    click.echo(f"zonecheck: wrote {output}: {len(snapshot.vpcs)} VPCs, {len(snapshot.subnets)} subnets, "
               f"{len(snapshot.security_groups)} security groups, {len(snapshot.endpoints)} endpoints", err=True)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@guarded
def demo(fmt: str) -> None:
    """Check the bundled npm-2015 reference estate, before and after the fix."""
    from zonecheck.cli.demo import run_demo

    sys.exit(run_demo(fmt, _style_for(sys.stdout.isatty())))


def main() -> None:
    """The `zonecheck` command (console script and `python -m zonecheck.cli.main`)."""
    cli(prog_name="zonecheck")


if __name__ == "__main__":
    main()
