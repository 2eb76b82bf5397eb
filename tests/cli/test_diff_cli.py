"""`zonecheck diff` on the command line (SPEC §2): its synopsis, and usage mistakes as one-line exit-2 errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from zonecheck.cli.main import cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "npm2015"
POLICY = str(EXAMPLES / "zones.yaml")
BEFORE = str(EXAMPLES / "before.snapshot.json")
AFTER = str(EXAMPLES / "after.snapshot.json")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_diff_is_a_command_next_to_the_others():
    listed = run("--help").output
    for command in ("check", "collect", "explain", "demo", "diff"):
        assert f"  {command} " in listed


def test_diff_help_shows_the_synopsis_options():
    text = run("diff", "--help").output
    for option in ("--policy", "--before", "--after", "--plan", "--format", "[text|json|markdown]", "-o, --output", "--strict"):
        assert option in text


def test_diff_exit_codes_on_the_reference_estate():
    assert run("diff", "--policy", POLICY, "--before", BEFORE, "--after", AFTER).exit_code == 0  # the fix
    assert run("diff", "--policy", POLICY, "--before", AFTER, "--after", BEFORE).exit_code == 1  # its undoing
    assert run("diff", "--policy", POLICY, "--before", AFTER, "--after", AFTER).exit_code == 0   # no change


@pytest.mark.parametrize("missing", ["--before", "--after"])
def test_a_missing_side_is_one_line_exit_2(missing):
    args = ["diff", "--policy", POLICY, "--before", BEFORE, "--after", AFTER]
    i = args.index(missing)
    del args[i:i + 2]
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"zonecheck: error: {missing} is required"


def test_an_unknown_prefix_is_read_as_a_path():
    result = run("diff", "--policy", POLICY, "--before", "tfstate:x.json", "--after", AFTER)
    assert result.exit_code == 2
    assert result.stderr.strip() == "zonecheck: error: --before: tfstate:x.json: no such file or directory"


def test_an_empty_prefix_is_one_line_exit_2():
    result = run("diff", "--policy", POLICY, "--before", "snapshot:", "--after", AFTER)
    assert result.exit_code == 2
    assert "snapshot:PATH" in result.stderr and len(result.stderr.strip().splitlines()) == 1
