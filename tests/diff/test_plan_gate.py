"""Issue 6's gate, end to end: the plan that opens the private DB to the replica's CIDR."""

import json
from pathlib import Path

from click.testing import CliRunner

from zonecheck.cli.main import cli

DATA = Path(__file__).resolve().parents[1] / "data" / "terraform"
POLICY = """\
version: 1
zones:
  public-replica: {match: [{tags: {Zone: public-replica}}]}
  private-db: {match: [{tags: {Zone: private-db}}]}
assertions:
  - {name: replica-db, from: public-replica, to: private-db, expect: no-access}
"""


def test_diff_of_the_open_db_plan_shows_exactly_the_new_flow_and_exits_1(tmp_path):
    policy = tmp_path / "zones.yaml"
    policy.write_text(POLICY)
    result = CliRunner().invoke(cli, ["diff", "--policy", str(policy), "--plan", str(DATA / "plan_open_db.json"),
                                      "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 1
    report = json.loads(result.output)
    [assertion] = report["assertions"]
    assert (assertion["before"], assertion["after"]) == ("pass", "fail")
    [new] = assertion["new_witnesses"]
    assert (new["protocol"], new["port_range"]) == ("tcp", [5432, 5432])
    assert new["path"][-1]["rule"] == "ingress tcp 5432 from 10.50.1.0/24"
    assert assertion["gone_witnesses"] == []


def test_check_of_the_unknown_cidr_plan_exits_3_naming_the_attribute(tmp_path):
    policy = tmp_path / "zones.yaml"
    policy.write_text(POLICY.replace("{tags: {Zone: public-replica}}", "{tags: {Zone: etl}}"))
    result = CliRunner().invoke(cli, ["check", "--policy", str(policy), "--terraform",
                                      str(DATA / "plan_unknown_cidr.json"), "--format", "json"])
    assert result.exit_code == 3, result.output
    text = result.output
    assert "cidr_blocks" in text and "known only after apply" in text
