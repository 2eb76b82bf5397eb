"""The npm 2015 fix as a change: moving the replica to its own zone removes every path to private data."""

from __future__ import annotations

import json

from click.testing import CliRunner

from topology import npm2015
from zonecheck.cli.main import cli
from zonecheck.model import to_json

LEAK = "replica-cannot-reach-private-db"
PRIVATE_DB = {"eni-i-0couch", "db-0billing@subnet-0data-a", "db-0billing@subnet-0data-b"}


def npm_diff(tmp_path, before, after) -> tuple[int, dict]:
    policy = tmp_path / "zones.yaml"
    policy.write_text(npm2015.policy_text())
    files = []
    for name, snapshot in (("before.json", before), ("after.json", after)):
        (tmp_path / name).write_text(to_json(snapshot))
        files.append(str(tmp_path / name))
    result = CliRunner().invoke(cli, ["diff", "--policy", str(policy), "--before", files[0], "--after", files[1],
                                      "--format", "json"], catch_exceptions=False)
    return result.exit_code, json.loads(result.output)


def test_the_fix_makes_every_replica_to_private_db_flow_disappear(tmp_path):
    code, doc = npm_diff(tmp_path, npm2015.before(), npm2015.after())
    assert code == 0 and doc["result"] == "pass"
    leak = next(a for a in doc["assertions"] if a["name"] == LEAK)
    assert (leak["before"], leak["after"], leak["change"]) == ("fail", "pass", "fixed")
    assert leak["new_witnesses"] == [] and leak["changed_paths"] == []
    gone = {(w["from"]["id"], w["to"]["id"], w["protocol"], tuple(w["port_range"])) for w in leak["gone_witnesses"]}
    assert gone == {("eni-i-0replica", db, "tcp", (port, port)) for db in PRIVATE_DB for port in (5432, 5984)}
    # Nothing else got worse on the way.
    assert all(a["change"] in ("unchanged", "changed", "fixed") for a in doc["assertions"])
    assert doc["summary"]["newly_fails"] == 0 and doc["summary"]["new_unknown"] == 0


def test_undoing_the_fix_is_gated_as_a_new_failure(tmp_path):
    code, doc = npm_diff(tmp_path, npm2015.after(), npm2015.before())
    assert code == 1
    leak = next(a for a in doc["assertions"] if a["name"] == LEAK)
    assert leak["change"] == "newly-fails" and len(leak["new_witnesses"]) == 6
    assert {w["path"][-1]["rule"] for w in leak["new_witnesses"]} == {
        "ingress tcp 5432 from 10.0.0.0/16", "ingress tcp 5984 from 10.0.0.0/16"}
