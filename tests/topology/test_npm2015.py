"""The npm 2015 reference estate tells its story: before the fix the replica reaches private data, after it cannot."""

from pathlib import Path

from topology import npm2015
from zonecheck.cli.run import run_check
from zonecheck.model import to_json
from zonecheck.policy import parse_policy_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "npm2015"


def results(snapshot):
    policy = parse_policy_text(npm2015.policy_text(), "npm2015_zones.yaml")
    return {a.name: a for a in run_check(policy, snapshot, "npm2015_zones.yaml").assertions}


def test_before_the_fix_the_replica_reaches_the_private_couchdb_and_billing_db():
    before = results(npm2015.before())
    leak = before["replica-cannot-reach-private-db"]
    assert leak.result == "fail"
    flows = {(w.source.id, w.target.id, w.service()) for w in leak.witnesses}
    assert ("eni-i-0replica", "eni-i-0couch", "tcp/5984") in flows
    assert ("eni-i-0replica", "db-0billing@subnet-0data-a", "tcp/5432") in flows
    couch = next(w for w in leak.witnesses if w.target.id == "eni-i-0couch" and w.service() == "tcp/5984")
    assert [h.rule for h in couch.path][-1] == "ingress tcp 5984 from 10.0.0.0/16"


def test_after_the_fix_every_assertion_passes():
    after = results(npm2015.after())
    assert {name: a.result for name, a in after.items()} == {name: "pass" for name in after}


def test_the_fix_keeps_the_feed_and_the_app_working():
    for snapshot in (npm2015.before(), npm2015.after()):
        res = results(snapshot)
        assert res["follower-feeds-replica"].result == "pass"
        assert res["app-reaches-private-db"].result == "pass"


def test_examples_are_generated_from_the_topology():
    assert (EXAMPLES / "before.snapshot.json").read_text() == to_json(npm2015.before())
    assert (EXAMPLES / "after.snapshot.json").read_text() == to_json(npm2015.after())
    assert (EXAMPLES / "zones.yaml").read_text() == npm2015.policy_text()
