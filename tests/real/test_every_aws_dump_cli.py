"""Every real AWS dump in shared/real-data/aws, through the real command line (SPEC §2).

`zonecheck collect --aws-dump DIR -o snap.json` must succeed, and `zonecheck check` with a trivial policy
(internet -> each VPC, `no-access`) must end with 0, 1 or 3 and a complete JSON report: never 2 (these are
real describe-* responses, not bad input) and never a traceback.  The VPC ids come from the dump's own
`Vpcs` responses, not from zonecheck.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

AWS = Path(__file__).resolve().parents[3] / "shared" / "real-data" / "aws"
DUMPS = ([AWS / "hybrid-cloud" / "aws_configs"] if (AWS / "hybrid-cloud").is_dir() else []) + (
    sorted((AWS / "batfish-e2e").glob("*/aws_configs")) if (AWS / "batfish-e2e").is_dir() else [])
VERDICT_OF_EXIT = {0: "pass", 1: "fail", 3: "unknown"}

pytestmark = pytest.mark.skipif(not DUMPS, reason="shared/real-data is not beside the repository")


def zonecheck(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zonecheck.cli.main", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300, check=False)


def vpc_ids(dump: Path) -> list[str]:
    ids = set()
    for path in dump.rglob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8-sig"))
        if isinstance(data, dict):
            ids |= {vpc["VpcId"] for vpc in data.get("Vpcs") or ()}
    return sorted(ids)


def trivial_policy(vpcs: list[str]) -> str:
    zones = "".join(f"  vpc{i}: {{match: [{{vpc: {vpc}}}], allow_empty: true}}\n" for i, vpc in enumerate(vpcs))
    assertions = "".join(f"  - {{name: internet-to-vpc{i}, from: internet, to: vpc{i}, expect: no-access}}\n"
                         for i in range(len(vpcs)))
    return f"version: 1\nzones:\n{zones}assertions:\n{assertions}"


@pytest.mark.parametrize("dump", DUMPS, ids=[d.parent.name for d in DUMPS])
def test_collect_and_check_every_real_dump(dump, tmp_path):
    vpcs = vpc_ids(dump)
    assert vpcs, f"{dump} has no Vpcs response"

    collected = zonecheck("collect", "--aws-dump", str(dump), "-o", "snap.json", cwd=tmp_path)
    assert collected.returncode == 0, collected.stderr
    assert "Traceback" not in collected.stderr
    snapshot = json.loads((tmp_path / "snap.json").read_text())
    assert set(vpcs) <= {vpc["id"] for vpc in snapshot["vpcs"]}

    (tmp_path / "zones.yaml").write_text(trivial_policy(vpcs))
    checked = zonecheck("check", "--policy", "zones.yaml", "--aws-dump", str(dump), "--format", "json",
                        "-o", "report.json", cwd=tmp_path)
    assert checked.returncode in VERDICT_OF_EXIT, checked.stderr
    assert "Traceback" not in checked.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["result"] == VERDICT_OF_EXIT[checked.returncode]
    assert report["source"]["kind"] == "aws-dump"
    assert [a["name"] for a in report["assertions"]] == [f"internet-to-vpc{i}" for i in range(len(vpcs))]
    for assertion in report["assertions"]:
        assert assertion["result"] in ("pass", "fail", "unknown")
        if assertion["result"] == "fail":
            assert assertion["witnesses"], assertion["name"]

    # The snapshot `collect` wrote gives the same verdicts as the dump it came from.
    again = zonecheck("check", "--policy", "zones.yaml", "--snapshot", "snap.json", "--format", "json", cwd=tmp_path)
    assert again.returncode == checked.returncode, again.stderr
    assert [a["result"] for a in json.loads(again.stdout)["assertions"]] == [a["result"] for a in report["assertions"]]
