"""`zonecheck check` imports what it needs and no more; the fast paths give the same bytes as the plain ones."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from topology import npm2015
from zonecheck.cli.run import run_check
from zonecheck.engine.results import EndpointRef
from zonecheck.policy import parse_policy_text
from zonecheck.report import render_json, render_sarif, result_to_dict, sarif

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "npm2015"
POLICY = str(EXAMPLES / "zones.yaml")
BEFORE = str(EXAMPLES / "before.snapshot.json")

# Runs the command as the console script does, then (from an exit handler, which must still run) lists the
# modules the process imported.
_LIST_MODULES = """
import atexit, json, sys
listing = sys.argv[1]
atexit.register(lambda: open(listing, "w").write(json.dumps(sorted(sys.modules))))
sys.argv = ["zonecheck", *sys.argv[2:]]
from zonecheck.cli.main import main
main()
"""

NOT_FOR_A_SNAPSHOT_CHECK = (
    "boto3", "botocore", "moto", "scapy", "hypothesis", "rich", "jinja2",
    "zonecheck.collect.aws", "zonecheck.collect.terraform", "zonecheck.probe", "zonecheck.diff",
    "zonecheck.report.documents", "zonecheck.report.sarif", "zonecheck.report.junit",
)
"""Optional or other-format modules: `check --snapshot F --format json` must not pay for them."""


def imported_by(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    listing = tmp_path / "modules.json"
    proc = subprocess.run([sys.executable, "-c", _LIST_MODULES, str(listing), *args], capture_output=True, text=True)
    assert listing.exists(), f"the exit handlers did not run: {proc.stderr}"
    return proc, set(json.loads(listing.read_text()))


def loaded(modules: set[str], package: str) -> bool:
    return any(name == package or name.startswith(package + ".") for name in modules)


def test_check_of_a_snapshot_in_json_imports_no_optional_or_other_format_module(tmp_path):
    proc, modules = imported_by(tmp_path, "check", "--policy", POLICY, "--snapshot", BEFORE, "--format", "json",
                                "-o", str(tmp_path / "report.json"))
    assert proc.returncode == 1, proc.stderr
    assert json.loads((tmp_path / "report.json").read_text())["result"] == "fail"
    assert "zonecheck.report.json_report" in modules
    assert [name for name in NOT_FOR_A_SNAPSHOT_CHECK if loaded(modules, name)] == []


def test_html_report_still_gets_its_template_engine(tmp_path):
    out = tmp_path / "report.html"
    proc, modules = imported_by(tmp_path, "check", "--policy", POLICY, "--snapshot", BEFORE, "--format", "html",
                                "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    assert "jinja2" in modules and out.read_text().startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("args", [["--version"], ["check", "--help"]])
def test_version_and_help_import_neither_the_model_nor_the_engine(tmp_path, args):
    proc, modules = imported_by(tmp_path, *args)
    assert proc.returncode == 0, proc.stderr
    assert not [name for name in ("pydantic", "networkx", "yaml", "zonecheck.model", "zonecheck.engine")
                if loaded(modules, name)]


def test_report_on_stdout_is_complete_when_the_command_ends():
    """main() ends the process without the interpreter's teardown: everything written must be flushed first."""
    proc = subprocess.run([sys.executable, "-m", "zonecheck.cli.main", "check", "--policy", POLICY, "--snapshot",
                           BEFORE, "--format", "json"], capture_output=True, text=True)
    assert proc.returncode == 1 and proc.stderr == ""
    assert json.loads(proc.stdout)["result"] == "fail"


def test_usage_error_still_exits_2_with_one_line():
    proc = subprocess.run([sys.executable, "-m", "zonecheck.cli.main", "check", "--policy", POLICY],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stdout == ""
    assert [line for line in proc.stderr.splitlines() if line.strip()] == [
        "zonecheck: error: no source given: use --terraform FILE, --snapshot FILE, --aws-dump DIR or --aws"]


# -- JSON and SARIF are written with orjson: byte for byte what json.dumps(indent=2, ensure_ascii=False) wrote --

@pytest.fixture(scope="module")
def before():
    return run_check(parse_policy_text(npm2015.policy_text(), "examples/npm2015/zones.yaml"), npm2015.before(),
                     "examples/npm2015/zones.yaml")


def with_hostile_text(result, text: str):
    """The result with input-derived text (an interface id, the policy path) replaced by `text`."""
    failing = next(a for a in result.assertions if a.witnesses)
    witness = failing.witnesses[0]
    witness = replace(witness, source=EndpointRef(id=text, address="10.0.0.1"))
    failing = replace(failing, witnesses=(witness, *failing.witnesses[1:]), description=text)
    return replace(result, policy=text,
                   assertions=tuple(failing if a.name == failing.name else a for a in result.assertions))


HOSTILE = ("".join(chr(i) for i in range(0x20)) + '"\\/\x7f\x80\x9f\u2028\u2029\ufeff é ∅ 😀 <script>&',
           "\ud800 lone surrogate", "")


@pytest.mark.parametrize("text", HOSTILE, ids=["control-and-unicode", "lone-surrogate", "empty"])
def test_json_report_is_what_the_standard_library_writes(before, text):
    result = with_hostile_text(before, text)
    assert render_json(result) == json.dumps(result_to_dict(result), indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("text", HOSTILE, ids=["control-and-unicode", "lone-surrogate", "empty"])
def test_sarif_report_is_what_the_standard_library_writes(before, text, monkeypatch):
    result = with_hostile_text(before, text)
    fast = render_sarif(result)
    monkeypatch.setattr(sarif, "dumps_indented", lambda doc: json.dumps(doc, indent=2, ensure_ascii=False))
    assert fast == render_sarif(result)
