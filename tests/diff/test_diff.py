"""`zonecheck diff`: what a change does to zone reachability, and the exit code that gates it.

Each scenario writes a before and an after estate, runs `zonecheck diff` and states the flows that must
appear, disappear or change path, and the exit code: 1 when the after side newly fails, 3 when it only adds
unknowns, 0 otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.diff.estates import FROM_APP, REPLICA_CIDR, two_tier, write, write_policy
from zonecheck.cli.main import cli
from zonecheck.model import Incomplete

LEAK = "replica-cannot-reach-private-db"


def diff(tmp_path: Path, before, after, *extra: str, policy: str | None = None):
    """Run `zonecheck diff` on two snapshots; returns (exit code, JSON document)."""
    args = ["diff", "--policy", policy or write_policy(tmp_path),
            "--before", write(tmp_path, "before.json", before), "--after", write(tmp_path, "after.json", after),
            "--format", "json", *extra]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    return result.exit_code, json.loads(result.output)


def text_diff(tmp_path: Path, before, after, fmt: str = "text"):
    args = ["diff", "--policy", write_policy(tmp_path), "--before", write(tmp_path, "before.json", before),
            "--after", write(tmp_path, "after.json", after), "--format", fmt]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    return result.exit_code, result.output


def assertion(doc: dict, name: str = LEAK) -> dict:
    return next(a for a in doc["assertions"] if a["name"] == name)


def flows(witnesses: list[dict]) -> set[tuple]:
    return {(w["from"]["id"], w["to"]["id"], w["protocol"], tuple(w["port_range"] or ())) for w in witnesses}


# --------------------------------------------------------------------------------------------- the gate


def test_a_rule_opening_the_private_db_to_the_replica_cidr_is_exactly_that_new_flow_and_exits_1(tmp_path):
    opened = (FROM_APP, ("tcp", 5432, 5432, REPLICA_CIDR))
    code, doc = diff(tmp_path, two_tier(), two_tier(opened))
    assert code == 1 and doc["result"] == "fail"
    leak = assertion(doc)
    assert (leak["before"], leak["after"], leak["change"]) == ("pass", "fail", "newly-fails")
    assert flows(leak["new_witnesses"]) == {("eni-i-0replica1", "eni-i-0db", "tcp", (5432, 5432))}
    [new] = leak["new_witnesses"]
    assert new["path"][-1] == {"at": "sg-0db", "step": "sg-ingress", "rule": "ingress tcp 5432 from 10.0.1.0/24"}
    assert "part" not in new  # all of it is new
    assert leak["gone_witnesses"] == [] and leak["changed_paths"] == []
    assert assertion(doc, "app-reaches-private-db")["change"] == "unchanged"
    assert doc["summary"] == {"newly_fails": 1, "new_unknown": 0, "fixed": 0, "changed": 0, "unchanged": 1}


def test_the_text_report_shows_the_new_flow_with_its_hops(tmp_path):
    code, out = text_diff(tmp_path, two_tier(), two_tier((FROM_APP, ("tcp", 5432, 5432, REPLICA_CIDR))))
    assert code == 1
    assert f"PASS    -> FAIL    {LEAK}" in out and "[newly fails]" in out
    assert "  + eni-i-0replica1 (10.0.1.50) -> eni-i-0db (10.0.3.10)  tcp/5432" in out
    assert "sg-ingress  sg-0db" in out and "ingress tcp 5432 from 10.0.1.0/24" in out
    assert "PASS    -> PASS    app-reaches-private-db" in out
    assert out.rstrip().splitlines()[-1].startswith("Result: FAIL (1 assertion newly fails) — before: 2 pass; after: 1 pass, 1 fail")


def test_a_removed_rule_makes_its_flow_disappear_and_exits_0(tmp_path):
    code, doc = diff(tmp_path, two_tier((FROM_APP, ("tcp", 5432, 5432, REPLICA_CIDR))), two_tier())
    assert code == 0 and doc["result"] == "pass"
    leak = assertion(doc)
    assert (leak["before"], leak["after"], leak["change"]) == ("fail", "pass", "fixed")
    assert flows(leak["gone_witnesses"]) == {("eni-i-0replica1", "eni-i-0db", "tcp", (5432, 5432))}
    assert leak["new_witnesses"] == []


def test_a_failing_assertion_that_gains_a_flow_newly_fails(tmp_path):
    before = two_tier((FROM_APP, ("tcp", 5432, 5432, REPLICA_CIDR)))
    after = two_tier((FROM_APP, ("tcp", 5432, 5432, REPLICA_CIDR), ("tcp", 6379, 6379, REPLICA_CIDR)))
    code, doc = diff(tmp_path, before, after)
    assert code == 1
    leak = assertion(doc)
    assert (leak["before"], leak["after"], leak["change"]) == ("fail", "fail", "newly-fails")
    assert flows(leak["new_witnesses"]) == {("eni-i-0replica1", "eni-i-0db", "tcp", (6379, 6379))}


def test_a_failing_assertion_that_only_loses_flows_does_not_fail_the_gate(tmp_path):
    before = two_tier((FROM_APP, ("tcp", 5432, 5432, REPLICA_CIDR), ("tcp", 6379, 6379, REPLICA_CIDR)))
    after = two_tier((FROM_APP, ("tcp", 5432, 5432, REPLICA_CIDR)))
    code, doc = diff(tmp_path, before, after)
    assert code == 0
    leak = assertion(doc)
    assert (leak["before"], leak["after"], leak["change"]) == ("fail", "fail", "changed")
    assert flows(leak["gone_witnesses"]) == {("eni-i-0replica1", "eni-i-0db", "tcp", (6379, 6379))}
    assert leak["new_witnesses"] == []


def test_narrowing_a_port_range_loses_the_ports_it_drops_and_gains_nothing(tmp_path):
    # An equality of witness keys would see a "new" tcp/5432 witness here and fail the gate on a fix.
    before = two_tier((FROM_APP, ("tcp", 5432, 5433, REPLICA_CIDR)))
    after = two_tier((FROM_APP, ("tcp", 5432, 5432, REPLICA_CIDR)))
    code, doc = diff(tmp_path, before, after)
    assert code == 0
    leak = assertion(doc)
    assert leak["new_witnesses"] == []
    [gone] = leak["gone_witnesses"]
    assert gone["port_range"] == [5432, 5433]
    assert gone["part"] == {"from": ["eni-i-0replica1"], "to": ["eni-i-0db"], "services": ["tcp/5433"]}
    # tcp/5432 stays, now admitted by the narrower rule: the same flow on a changed path.
    [changed] = leak["changed_paths"]
    assert changed["port_range"] == [5432, 5432] and "part" not in changed
    assert [p[-1]["rule"] for p in (changed["before_path"], changed["after_path"])] == [
        "ingress tcp 5432-5433 from 10.0.1.0/24", "ingress tcp 5432 from 10.0.1.0/24"]


def test_narrowing_all_traffic_to_one_port_is_not_a_new_flow(tmp_path):
    before = two_tier((FROM_APP, ("-1", None, None, REPLICA_CIDR)))
    after = two_tier((FROM_APP, ("tcp", 5432, 5432, REPLICA_CIDR)))
    code, doc = diff(tmp_path, before, after)
    assert code == 0
    leak = assertion(doc)
    assert leak["new_witnesses"] == []
    [gone] = leak["gone_witnesses"]
    assert gone["protocol"] == "any" and "tcp/5432" not in gone["part"]["services"]


def test_a_new_member_of_a_class_brings_only_its_own_flows(tmp_path):
    opened = (FROM_APP, ("tcp", 5432, 5432, REPLICA_CIDR))
    code, doc = diff(tmp_path, two_tier(opened), two_tier(opened, replicas=2))
    assert code == 1  # already failing, and a new host can now reach the database
    leak = assertion(doc)
    [new] = leak["new_witnesses"]
    assert new["from"]["endpoints"] == ["eni-i-0replica1", "eni-i-0replica2"]
    assert new["part"] == {"from": ["eni-i-0replica2"], "to": ["eni-i-0db"], "services": ["tcp/5432"]}
    assert leak["gone_witnesses"] == []


def test_a_reworded_rule_is_a_changed_path_not_a_new_flow(tmp_path):
    before = two_tier((FROM_APP, ("tcp", 5432, 5432, REPLICA_CIDR)))
    after = two_tier((FROM_APP, ("tcp", 5432, 5432, "sg-0replica")))
    code, doc = diff(tmp_path, before, after)
    assert code == 0
    leak = assertion(doc)
    assert (leak["before"], leak["after"], leak["change"]) == ("fail", "fail", "changed")
    assert leak["new_witnesses"] == [] and leak["gone_witnesses"] == []
    [changed] = leak["changed_paths"]
    assert (changed["from"]["id"], changed["to"]["id"], changed["protocol"], changed["port_range"]) == (
        "eni-i-0replica1", "eni-i-0db", "tcp", [5432, 5432])
    assert changed["before_path"][-1]["rule"] == "ingress tcp 5432 from 10.0.1.0/24"
    assert changed["after_path"][-1]["rule"] == "ingress tcp 5432 from sg-0replica"


def test_the_text_report_shows_a_changed_path_as_the_hops_that_differ(tmp_path):
    before = two_tier((FROM_APP, ("tcp", 5432, 5432, REPLICA_CIDR)))
    after = two_tier((FROM_APP, ("tcp", 5432, 5432, "sg-0replica")))
    _, out = text_diff(tmp_path, before, after)
    assert "  ~ eni-i-0replica1 (10.0.1.50) -> eni-i-0db (10.0.3.10)  tcp/5432  path changed" in out
    assert "- sg-ingress  sg-0db" in out and "+ sg-ingress  sg-0db" in out
    assert "sg-egress" not in out  # equal hops are not repeated


def test_no_change_exits_0_and_the_markdown_is_one_line(tmp_path):
    code, doc = diff(tmp_path, two_tier(), two_tier())
    assert code == 0 and doc["result"] == "pass"
    assert all(a["change"] == "unchanged" for a in doc["assertions"])
    code, md = text_diff(tmp_path, two_tier(), two_tier(), "markdown")
    assert code == 0
    assert md.count("\n") == 1 and "No change in zone reachability" in md


def test_no_change_on_a_failing_estate_still_exits_0(tmp_path):
    failing = two_tier((FROM_APP, ("tcp", 5432, 5432, REPLICA_CIDR)))
    code, md = text_diff(tmp_path, failing, failing, "markdown")
    assert code == 0
    assert md == "**zonecheck**: No change in zone reachability (2 assertions: 1 pass, 1 fail).\n"


def test_an_unknown_appearing_after_exits_3(tmp_path):
    denied = Incomplete(family="network-acl", scope="us-east-1", reason="AccessDenied")
    after = two_tier().model_copy(update={"incomplete": (denied,)})
    code, doc = diff(tmp_path, two_tier(), after)
    assert code == 3 and doc["result"] == "unknown"
    leak = assertion(doc)
    assert (leak["before"], leak["after"], leak["change"]) == ("pass", "unknown", "new-unknown")
    assert any("AccessDenied" in r for r in leak["new_reasons"])
    code, md = text_diff(tmp_path, two_tier(), after, "markdown")
    assert code == 3
    assert md.splitlines()[0] == "### zonecheck: ⚠️ nothing newly fails, but 2 assertions newly unknown"
    assert "- ⚠️ new unknown: incomplete source: network-acl (us-east-1): AccessDenied" in md


def test_an_unknown_already_there_before_is_not_new(tmp_path):
    denied = Incomplete(family="network-acl", scope="us-east-1", reason="AccessDenied")
    estate = two_tier().model_copy(update={"incomplete": (denied,)})
    code, doc = diff(tmp_path, estate, estate)
    assert code == 0
    assert {a["before"] for a in doc["assertions"]} == {"unknown"}
    assert all(a["change"] == "unchanged" for a in doc["assertions"])


def test_a_new_failure_wins_over_a_new_unknown(tmp_path):
    denied = Incomplete(family="security-group", scope="sg-0app", reason="AccessDenied")
    after = two_tier((FROM_APP, ("tcp", 5432, 5432, REPLICA_CIDR))).model_copy(update={"incomplete": (denied,)})
    code, doc = diff(tmp_path, two_tier(), after)
    assert code == 1
    assert assertion(doc)["change"] == "newly-fails"


def test_an_access_assertion_that_breaks_newly_fails_with_the_hop_that_drops_it(tmp_path):
    code, doc = diff(tmp_path, two_tier(), two_tier(()))
    assert code == 1
    broken = assertion(doc, "app-reaches-private-db")
    assert (broken["before"], broken["after"], broken["change"]) == ("pass", "fail", "newly-fails")
    [missing] = broken["new_witnesses"]
    assert (missing["from"]["id"], missing["to"]["id"], missing["port_range"]) == ("eni-i-0app", "eni-i-0db", [5432, 5432])
    assert missing["dropped_at"]["at"] == "sg-0db"


def test_a_zone_that_the_change_creates_is_read_as_empty_before(tmp_path):
    opened = (FROM_APP, ("tcp", 5432, 5432, REPLICA_CIDR))
    code, doc = diff(tmp_path, two_tier(with_db=False), two_tier(opened))
    assert code == 1
    assert assertion(doc)["before"] == "pass" and assertion(doc)["change"] == "newly-fails"
    assert any("zone 'private-db' matches nothing" in n for n in doc["notes"])


def test_strict_applies_to_both_sides(tmp_path):
    code, doc = diff(tmp_path, two_tier(), two_tier(), "--strict")
    assert code == 0 and doc["strict"] is True
    # The default NACL and route table are assumed on both sides: unknown before and after, not new.
    assert assertion(doc)["before"] == assertion(doc)["after"]


# --------------------------------------------------------------------------------------------- output


def test_json_has_the_documented_shape(tmp_path):
    code, doc = diff(tmp_path, two_tier(), two_tier((FROM_APP, ("tcp", 5432, 5432, REPLICA_CIDR))))
    assert code == 1
    assert set(doc) == {"result", "zonecheck_version", "policy", "strict", "summary", "before", "after", "notes",
                        "assertions"}
    for side, verdict in (("before", "pass"), ("after", "fail")):
        assert set(doc[side]) == {"given", "result", "summary", "source", "sha256", "assumptions"}
        assert doc[side]["result"] == verdict
        assert doc[side]["given"].endswith(f"{side}.json")
        assert len(doc[side]["sha256"]) == 64
    assert doc["before"]["summary"] == {"pass": 2, "fail": 0, "unknown": 0}
    for a in doc["assertions"]:
        assert set(a) == {"name", "from", "to", "expect", "before", "after", "change", "new_witnesses",
                          "gone_witnesses", "changed_paths", "new_reasons", "notes"}
    [new] = assertion(doc)["new_witnesses"]
    assert set(new) >= {"from", "to", "protocol", "port_range", "path"}  # a witness as in SPEC §5


def test_markdown_is_a_pull_request_comment_with_a_table_and_collapsible_new_flows(tmp_path):
    code, md = text_diff(tmp_path, two_tier(), two_tier((FROM_APP, ("tcp", 5432, 5432, REPLICA_CIDR),
                                                         ("tcp", 6379, 6379, REPLICA_CIDR))), "markdown")
    assert code == 1
    lines = md.splitlines()
    assert lines[0] == "### zonecheck: ❌ 1 assertion newly fails"
    assert "| change | assertion | before | after | flows +new −gone ~path |" in lines
    assert f"| ❌ newly fails | {LEAK} | ✅ PASS | ❌ FAIL | +2 −0 ~0 |" in lines
    assert "1 other assertion unchanged." in lines
    assert md.count("<details>") == md.count("</details>") == 2
    assert "<summary>➕ new: <code>eni-i-0replica1</code> (10.0.1.50) → <code>eni-i-0db</code> (10.0.3.10) " \
           "<code>tcp/5432</code></summary>" in md
    assert "| sg-ingress | `sg-0db` | ingress tcp 5432 from 10.0.1.0/24 |" in lines
    # GitHub renders a table inside <details> only after a blank line.
    first = lines.index(next(line for line in lines if line.startswith("<details>")))
    assert lines[first + 1] == ""


def test_markdown_lists_gone_flows_and_changed_paths(tmp_path):
    before = two_tier((FROM_APP, ("tcp", 5432, 5432, REPLICA_CIDR), ("tcp", 6379, 6379, REPLICA_CIDR)))
    after = two_tier((FROM_APP, ("tcp", 5432, 5432, "sg-0replica")))
    code, md = text_diff(tmp_path, before, after, "markdown")
    assert code == 0
    assert md.splitlines()[0] == "### zonecheck: ✅ no new violations"
    assert "- ➖ gone: <code>eni-i-0replica1</code> (10.0.1.50) → <code>eni-i-0db</code> (10.0.3.10) " \
           "<code>tcp/6379</code>" in md
    assert "<summary>🔀 path changed:" in md
    assert "| before | sg-ingress | `sg-0db` | ingress tcp 5432 from 10.0.1.0/24 |" in md
    assert "| after | sg-ingress | `sg-0db` | ingress tcp 5432 from sg-0replica |" in md


def test_the_report_can_be_written_to_a_file(tmp_path):
    out = tmp_path / "diff.md"
    args = ["diff", "--policy", write_policy(tmp_path), "--before", write(tmp_path, "b.json", two_tier()),
            "--after", write(tmp_path, "a.json", two_tier()), "--format", "markdown", "-o", str(out)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0 and result.output == ""
    assert "No change in zone reachability" in out.read_text()


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_every_format_is_deterministic(tmp_path, fmt):
    before, after = two_tier(), two_tier((FROM_APP, ("tcp", 5432, 5432, REPLICA_CIDR)))
    assert text_diff(tmp_path, before, after, fmt) == text_diff(tmp_path, before, after, fmt)


# --------------------------------------------------------------------------------------------- the internet


def exposed_db(cidr: str):
    """The database with a public address behind an internet gateway, its group open on tcp/5432 to `cidr`."""
    from topology.builder import EstateBuilder

    b = EstateBuilder(account="111111111111", region="us-east-1")
    b.vpc("vpc-0main", "10.0.0.0/16")
    b.subnet("subnet-0db", "vpc-0main", "10.0.3.0/24")
    b.igw("igw-0main", "vpc-0main")
    b.route_table("rtb-0db", "vpc-0main", subnets=["subnet-0db"], routes=[("0.0.0.0/0", "igw-0main")])
    b.security_group("sg-0db", "vpc-0main", ingress=[("tcp", 5432, 5432, cidr)], egress=[])
    b.instance("i-0db", "subnet-0db", "10.0.3.10", groups=["sg-0db"], public_ip="54.1.2.3", tags={"Zone": "private-db"})
    return b.build()


INTERNET_POLICY = """\
version: 1
zones:
  private-db: {match: [{tags: {Zone: private-db}}]}
assertions:
  - {name: internet-cannot-reach-private-db, from: internet, to: private-db, expect: no-access}
"""


def internet_diff(tmp_path: Path, before: str, after: str):
    return diff(tmp_path, exposed_db(before), exposed_db(after), policy=write_policy(tmp_path, INTERNET_POLICY))


def test_widening_who_on_the_internet_may_connect_is_a_new_flow_from_the_added_addresses(tmp_path):
    code, doc = internet_diff(tmp_path, "52.1.0.0/16", "52.0.0.0/8")
    assert code == 1
    [a] = doc["assertions"]
    assert (a["before"], a["after"], a["change"]) == ("fail", "fail", "newly-fails")
    [new] = a["new_witnesses"]
    assert new["from"]["id"] == "internet" and new["part"]["services"] == ["tcp/5432"]
    [source] = new["part"]["from"]
    assert source.startswith("internet (52.0.0.0/16, 52.2.0.0/15") and "52.1.0.0/16" not in source


def test_narrowing_who_on_the_internet_may_connect_gains_nothing(tmp_path):
    code, doc = internet_diff(tmp_path, "52.0.0.0/8", "52.1.0.0/16")
    assert code == 0
    [a] = doc["assertions"]
    assert a["new_witnesses"] == [] and len(a["gone_witnesses"]) == 1
