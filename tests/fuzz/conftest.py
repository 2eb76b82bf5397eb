"""Shared pieces of the hostile-input suite (issue 7): the corpus of real files, the two ways of running the
command line (in-process for the hypothesis loops, as a subprocess for the fixed hostile files), and the one
contract every run must meet (SPEC §2):

* exit 2, nothing on stdout, and exactly one non-empty stderr line starting with `zonecheck: error:` that names
  one of the input files; or
* exit 0/1/3 with a complete report (and a snapshot that says what the input says: see the oracles);
* never a traceback, never an "internal error", never a hang.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "npm2015"
TF_DATA = REPO / "tests" / "data" / "terraform"
POLICY = EXAMPLES / "zones.yaml"
TOPOLOGY_POLICY = REPO / "topology" / "npm2015_zones.yaml"
SNAPSHOTS = sorted(EXAMPLES.glob("*.snapshot.json"))
TF_STATES = sorted(TF_DATA.glob("*.tfstate")) + [TF_DATA / "network.show.json"]
POLICIES = [POLICY, TOPOLOGY_POLICY]

SUBPROCESS_TIMEOUT = float(os.environ.get("ZONECHECK_FUZZ_TIMEOUT", "60"))
"""Seconds a single `zonecheck` run may take on a hostile input before it counts as a hang."""

def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: minutes-long hostile-input runs; only with ZONECHECK_SLOW=1")


EXAMPLES_DEFAULT = int(os.environ.get("ZONECHECK_FUZZ_EXAMPLES", "0")) or None


def fuzz_settings(default: int) -> settings:
    """Hypothesis settings for one fuzz test: `default` examples unless ZONECHECK_FUZZ_EXAMPLES says more.

    Derandomised so that CI runs are reproducible; raise the count (and drop the derandomisation with
    ZONECHECK_FUZZ_RANDOM=1) to explore further.
    """
    return settings(
        max_examples=EXAMPLES_DEFAULT or default,
        deadline=None,
        derandomize=not os.environ.get("ZONECHECK_FUZZ_RANDOM"),
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example,
                               HealthCheck.function_scoped_fixture],
        print_blob=True,
    )


TERRAFORM_POLICY_TEXT = """\
version: 1
zones:
  app:  {allow_empty: true, match: [{tags: {Zone: app}}]}
  data: {allow_empty: true, match: [{tags: {Zone: data}}, {tags: {Tier: data}}]}
  dmz:  {allow_empty: true, match: [{tags: {Zone: dmz}}]}
  private-net: {allow_empty: true, match: [{cidr: 10.0.0.0/8}]}
assertions:
  - {name: dmz-cannot-reach-data, from: dmz, to: data, expect: no-access}
  - {name: internet-reaches-app-on-https-only, from: internet, to: app, expect: {only: [tcp/443]}}
  - {name: app-reaches-data, from: app, to: data, expect: {access: [tcp/5432]}}
  - {name: data-has-no-internet-egress, from: data, to: internet, expect: no-access}
  - {name: private-net-is-closed-to-the-internet, from: internet, to: private-net, expect: no-access}
"""
"""A policy for the Terraform fixtures whose zones may all end up empty (mutations remove resources)."""


# -- the real files from public repositories, read in place ----------------------------------------------------


def shared_real_data() -> Optional[Path]:
    root = Path(os.environ.get("ZONECHECK_SHARED", REPO.parent / "shared"))
    folder = root / "real-data" / "terraform"
    return folder if (folder / "MANIFEST.tsv").is_file() else None


def real_terraform_files(*kinds: str) -> list[Path]:
    """Files listed in MANIFEST.tsv (all kinds when none is given)."""
    folder = shared_real_data()
    if folder is None:
        return []
    with open(folder / "MANIFEST.tsv", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [folder / row["local_file"] for row in rows if not kinds or row["kind"] in kinds]


# -- running the command line -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    args: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str
    seconds: float
    exception: Optional[BaseException] = None

    def describe(self) -> str:
        return (f"zonecheck {' '.join(self.args)}\nexit {self.exit_code} after {self.seconds:.1f}s\n"
                f"--- stderr ---\n{self.stderr[-3000:]}\n--- stdout ---\n{self.stdout[:1500]}")


def run_in_process(*args: str | Path) -> Run:
    """The real click entry (argument parsing, `guarded`, exit codes) without a new interpreter."""
    from zonecheck.cli.main import cli

    argv = tuple(str(a) for a in args)
    started = time.monotonic()
    result = CliRunner().invoke(cli, list(argv), catch_exceptions=True, env={"ZONECHECK_DEBUG": None,
                                                                             "NO_COLOR": "1"})
    exception = result.exception if not isinstance(result.exception, SystemExit) else None
    return Run(argv, result.exit_code, result.stdout, result.stderr, time.monotonic() - started, exception)


def run_subprocess(*args: str | Path, timeout: float = SUBPROCESS_TIMEOUT, cwd: Optional[Path] = None) -> Run:
    """`python -m zonecheck.cli.main …` in a fresh interpreter, killed after `timeout` seconds (a hang)."""
    argv = tuple(str(a) for a in args)
    env = {k: v for k, v in os.environ.items() if k != "ZONECHECK_DEBUG"}
    env["NO_COLOR"] = "1"
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-m", "zonecheck.cli.main", *argv], capture_output=True,
                              timeout=timeout, env=env, cwd=cwd)
    except subprocess.TimeoutExpired as hung:
        pytest.fail(f"zonecheck {' '.join(argv)} did not finish within {timeout:.0f}s (a hang on hostile input); "
                    f"stderr so far: {(hung.stderr or b'')[-500:]!r}")
    return Run(argv, done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"),
               time.monotonic() - started)


def error_line(run: Run) -> str:
    lines = [line for line in run.stderr.split("\n") if line.strip()]
    assert len(lines) == 1, f"expected exactly one stderr line, got {len(lines)}:\n{run.describe()}"
    return lines[0]


def assert_contract(run: Run, inputs: Iterable[str | Path], *, report: Optional[str] = None) -> Optional[Any]:
    """Check SPEC §2 on one run; return the parsed JSON report (or collected snapshot) when it succeeded.

    `report` says what a success must leave behind: "json" (stdout is a JSON report), a path (a file that must
    hold a complete JSON document), or None (anything on stdout).
    """
    names = [str(p) for p in inputs]
    assert run.exception is None, f"uncaught {type(run.exception).__name__}: {run.exception!r}\n{run.describe()}"
    assert "Traceback" not in run.stderr and "Traceback" not in run.stdout, run.describe()
    assert run.exit_code in (0, 1, 2, 3), run.describe()
    if run.exit_code == 2:
        line = error_line(run)
        assert line.startswith("zonecheck: error: "), run.describe()
        assert "internal error" not in line, f"an input reached a bug (internal error):\n{run.describe()}"
        assert any(name in line for name in names), f"the error line names none of {names}:\n{run.describe()}"
        assert not run.stdout.strip(), f"exit 2 but something was printed on stdout:\n{run.describe()}"
        return None
    assert "zonecheck: error" not in run.stderr and "internal error" not in run.stderr, run.describe()
    if report == "json":
        document = json.loads(run.stdout)
        verdict = {"pass": 0, "fail": 1, "unknown": 3}[document["result"]]
        assert verdict == run.exit_code, run.describe()
        assert document["assertions"], "a report without assertions is not complete"
        return document
    if report is not None:
        return json.loads(Path(report).read_text(encoding="utf-8"))
    return None


def inputs_of(args: Sequence[str | Path]) -> list[str]:
    """The file arguments of a command line (what an error line may name)."""
    flags = {"--policy", "--snapshot", "--terraform", "--before", "--after", "--aws-dump", "--plan"}
    return [str(args[i + 1]) for i, a in enumerate(args[:-1]) if a in flags]
