"""The command line contract (SPEC §2): commands, formats and exit codes 0/1/2/3."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from topology import npm2015
from topology.builder import EstateBuilder
from zonecheck.cli.main import cli
from zonecheck.model import Incomplete, to_json

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "npm2015"
POLICY = str(EXAMPLES / "zones.yaml")
BEFORE = str(EXAMPLES / "before.snapshot.json")
AFTER = str(EXAMPLES / "after.snapshot.json")


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_check_exits_1_on_failure_and_names_the_failing_assertion():
    result = run("check", "--policy", POLICY, "--snapshot", BEFORE)
    assert result.exit_code == 1
    assert "FAIL     replica-cannot-reach-private-db" in result.output
    assert "Result: FAIL" in result.output


def test_check_exits_0_when_everything_passes():
    result = run("check", "--policy", POLICY, "--snapshot", AFTER)
    assert result.exit_code == 0, result.output
    assert "Result: PASS" in result.output


def test_check_exits_3_when_nothing_fails_but_something_is_unknown(tmp_path):
    snapshot = npm2015.after().model_copy(update={"incomplete": (Incomplete(family="network-acl", scope="us-east-1", reason="AccessDenied"),)})
    path = tmp_path / "snap.json"
    path.write_text(to_json(snapshot))
    result = run("check", "--policy", POLICY, "--snapshot", str(path))
    assert result.exit_code == 3
    assert "UNKNOWN" in result.output and "AccessDenied" in result.output


def test_json_report_has_the_documented_shape(tmp_path):
    out = tmp_path / "report.json"
    result = run("check", "--policy", POLICY, "--snapshot", BEFORE, "--format", "json", "-o", str(out))
    assert result.exit_code == 1
    report = json.loads(out.read_text())
    assert report["result"] == "fail"
    assert report["source"]["kind"] == "topology"
    leak = next(a for a in report["assertions"] if a["name"] == "replica-cannot-reach-private-db")
    assert leak["from"] == "public-replica" and leak["to"] == "private-db" and leak["expect"] == "no-access"
    assert leak["controls"] == ["PCI-DSS-1.3.1", "NIST-SC-7"]
    witness = next(w for w in leak["witnesses"] if w["to"]["id"] == "eni-i-0couch" and w["port_range"] == [5984, 5984])
    assert witness["from"] == {"id": "eni-i-0replica", "address": "10.0.1.50"}
    assert witness["protocol"] == "tcp"
    assert [h["step"] for h in witness["path"]] == ["sg-egress", "route", "nacl-out", "nacl-in", "sg-ingress"]
    assert witness["path"][-1] == {"at": "sg-0privatedb", "step": "sg-ingress", "rule": "ingress tcp 5984 from 10.0.0.0/16"}


def test_json_report_is_deterministic():
    first = run("check", "--policy", POLICY, "--snapshot", BEFORE, "--format", "json").output
    second = run("check", "--policy", POLICY, "--snapshot", BEFORE, "--format", "json").output
    assert first == second


def test_explain_shows_every_path_even_when_the_assertion_passes():
    result = run("explain", "--policy", POLICY, "--snapshot", AFTER, "--assertion", "follower-feeds-replica")
    assert result.exit_code == 0
    assert "pcx-0feed" in result.output and "tcp/5984" in result.output


def test_explain_unknown_assertion_is_bad_input():
    result = run("explain", "--policy", POLICY, "--snapshot", AFTER, "--assertion", "nope")
    assert result.exit_code == 2
    assert "no assertion named 'nope'" in result.output


def test_collect_then_check_gives_the_same_result(tmp_path):
    out = tmp_path / "again.json"
    assert run("collect", "--snapshot", BEFORE, "-o", str(out)).exit_code == 0
    assert out.read_text() == Path(BEFORE).read_text()


def test_demo_shows_fail_before_and_pass_after():
    result = run("demo")
    assert result.exit_code == 0
    assert "Before: FAIL   After: PASS" in result.output


def test_strict_makes_verdicts_resting_on_assumed_defaults_unknown(tmp_path):
    b = EstateBuilder()
    b.vpc("vpc-1", "10.0.0.0/16")
    b.subnet("subnet-a", "vpc-1", "10.0.1.0/24")
    b.subnet("subnet-b", "vpc-1", "10.0.2.0/24")
    b.security_group("sg-b", "vpc-1", ingress=[("tcp", 22, 22, "10.0.0.0/8")])
    b.instance("i-a", "subnet-a", "10.0.1.10", groups=["sg-b"], tags={"Zone": "a"})
    b.instance("i-b", "subnet-b", "10.0.2.10", groups=["sg-b"], tags={"Zone": "b"})
    snap = b.build()
    acl = next(a for a in snap.network_acls if a.is_default)
    snap = snap.model_copy(update={
        "network_acls": tuple(a.model_copy(update={"assumed": True}) if a is acl else a for a in snap.network_acls),
        "assumptions": (f"{acl.id}: default network ACL not in the source; assumed to allow all",)})
    path = tmp_path / "snap.json"
    path.write_text(to_json(snap))
    policy = tmp_path / "p.yaml"
    policy.write_text("version: 1\nzones:\n  a: {match: [{tags: {Zone: a}}]}\n  b: {match: [{tags: {Zone: b}}]}\n"
                      "assertions:\n  - {name: x, from: a, to: b, expect: no-access}\n")
    plain = run("check", "--policy", str(policy), "--snapshot", str(path))
    assert plain.exit_code == 1
    assert "assumed to allow all" in plain.output
    strict = run("check", "--policy", str(policy), "--snapshot", str(path), "--strict")
    assert strict.exit_code == 3


# -- bad input: exit 2, one line on stderr naming the file, never a traceback --------------------------

def bad(*args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "zonecheck.cli.main", *args], capture_output=True, text=True)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert proc.stdout == ""
    return lines[0]


def test_truncated_snapshot_json_is_one_line_naming_the_file(tmp_path):
    path = tmp_path / "snap.json"
    path.write_text(Path(BEFORE).read_text()[:500])
    assert str(path) in bad("check", "--policy", POLICY, "--snapshot", str(path))


def test_snapshot_with_an_invalid_cidr_is_rejected(tmp_path):
    data = json.loads(Path(BEFORE).read_text())
    data["vpcs"][0]["cidrs"] = ["10.0.0.0/33"]
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(data))
    line = bad("check", "--policy", POLICY, "--snapshot", str(path))
    assert str(path) in line and "vpcs" in line


def test_policy_typo_is_one_line_naming_the_policy(tmp_path):
    policy = tmp_path / "zones.yaml"
    policy.write_text(Path(POLICY).read_text().replace("expect: no-access", "expct: no-access", 1))
    line = bad("check", "--policy", str(policy), "--snapshot", BEFORE)
    assert str(policy) in line and "expct" in line


def test_missing_source_is_a_usage_error():
    assert "no source" in bad("check", "--policy", POLICY)


def test_missing_file_is_named():
    assert "nope.json" in bad("check", "--policy", POLICY, "--snapshot", "nope.json")


def test_unknown_format_is_a_usage_error():
    proc = subprocess.run([sys.executable, "-m", "zonecheck.cli.main", "check", "--policy", POLICY, "--snapshot",
                           BEFORE, "--format", "pdf"], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


@pytest.mark.parametrize("args", [["check"], ["collect"], ["nonsense"]])
def test_usage_errors_exit_2(args):
    proc = subprocess.run([sys.executable, "-m", "zonecheck.cli.main", *args], capture_output=True, text=True)
    assert proc.returncode == 2
