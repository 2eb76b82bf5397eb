"""What `--before` / `--after` accept: a path recognised by its content, or forced with a prefix; bad input is
exit 2 with one line naming the side and the file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import zonecheck.collect.aws as aws_collector
from tests.diff.estates import two_tier, write, write_policy
from zonecheck.cli.main import cli

DATA = Path(__file__).resolve().parents[1] / "data" / "terraform"
TF_POLICY = """\
version: 1
zones:
  svc: {match: [{tags: {Zone: svc}}]}
  client: {match: [{tags: {Zone: client}}]}
assertions:
  - {name: client-to-svc, from: client, to: svc, expect: no-access}
"""


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def one_error_line(*args: str) -> str:
    """Exit 2, nothing on stdout, exactly one line on stderr (in process: `guarded` is what a user runs too)."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_bad_input_is_one_line_without_a_traceback_in_a_real_process(tmp_path):
    broken = tmp_path / "plan.json"
    broken.write_text('{"format_version": "1.2", "planned_values": {')
    good = write(tmp_path, "good.json", two_tier())
    proc = subprocess.run([sys.executable, "-m", "zonecheck.cli.main", "diff", "--policy", write_policy(tmp_path),
                           "--before", good, "--after", str(broken)], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert lines[0].startswith("zonecheck: error: --after: ") and "plan.json" in lines[0]


def hosts_state(tmp_path: Path) -> Path:
    """Two instances in the groups of tests/data/terraform/sg_style_inline.tfstate (as the CLI end-to-end test)."""
    from tests.cli.test_terraform_end_to_end import hosts_state as make

    return make(tmp_path)


def with_extra_ingress(tmp_path: Path, rule: dict) -> Path:
    """sg_style_inline.tfstate with one more inline ingress rule on the service's group."""
    state = json.loads((DATA / "sg_style_inline.tfstate").read_text())
    for resource in state["resources"]:
        if resource["type"] == "aws_security_group" and resource["name"] == "svc":
            resource["instances"][0]["attributes"]["ingress"].append(rule)
    path = tmp_path / "after.tfstate"
    path.write_text(json.dumps(state, indent=2))
    return path


POSTGRES_FROM_CLIENT = {"cidr_blocks": ["10.0.1.12/32"], "description": "", "from_port": 5432,
                        "ipv6_cidr_blocks": [], "prefix_list_ids": [], "protocol": "tcp", "security_groups": [],
                        "self": False, "to_port": 5432}


# --------------------------------------------------------------------------------------------- terraform


def test_terraform_stacks_merge_on_each_side_and_an_added_rule_is_one_new_flow(tmp_path):
    policy = tmp_path / "zones.yaml"
    policy.write_text(TF_POLICY)
    hosts = str(hosts_state(tmp_path))
    after = with_extra_ingress(tmp_path, POSTGRES_FROM_CLIENT)
    result = run("diff", "--policy", str(policy),
                 "--before", str(DATA / "sg_style_inline.tfstate"), "--before", hosts,
                 "--after", str(after), "--after", f"terraform:{hosts}", "--format", "json")
    assert result.exit_code == 1, result.output
    doc = json.loads(result.output)
    assert doc["before"]["source"]["kind"] == doc["after"]["source"]["kind"] == "terraform"
    assert len(doc["before"]["source"]["files"]) == 2 and doc["before"]["sha256"] != doc["after"]["sha256"]
    [a] = doc["assertions"]
    assert (a["before"], a["after"], a["change"]) == ("fail", "fail", "newly-fails")
    [new] = a["new_witnesses"]
    assert (new["from"]["id"], new["protocol"], new["port_range"]) == ("eni-0c0ffee0000000012", "tcp", [5432, 5432])
    assert new["path"][-1]["rule"] == "ingress tcp 5432 from 10.0.1.12/32"
    assert a["gone_witnesses"] == [] and a["changed_paths"] == []


def test_the_same_terraform_state_on_both_sides_is_no_change(tmp_path):
    policy = tmp_path / "zones.yaml"
    policy.write_text(TF_POLICY)
    hosts = str(hosts_state(tmp_path))
    state = str(DATA / "sg_style_inline.tfstate")
    result = run("diff", "--policy", str(policy), "--before", state, "--before", hosts, "--after", state,
                 "--after", hosts, "--format", "markdown")
    assert result.exit_code == 0
    assert result.output.startswith("**zonecheck**: No change in zone reachability")


def test_show_json_and_raw_state_of_the_same_estate_are_no_change(tmp_path):
    policy = tmp_path / "zones.yaml"
    policy.write_text("version: 1\nzones:\n  any: {match: [{cidr: 10.0.0.0/8}], allow_empty: true}\n"
                      "assertions:\n  - {name: internet-to-any, from: internet, to: any, expect: no-access}\n")
    result = run("diff", "--policy", str(policy), "--before", str(DATA / "network.tfstate"),
                 "--after", str(DATA / "network.show.json"), "--format", "json")
    assert result.exit_code in (0, 3), result.output
    [a] = json.loads(result.output)["assertions"]
    assert a["new_witnesses"] == [] and a["gone_witnesses"] == [] and a["change"] == "unchanged"


# --------------------------------------------------------------------------------------------- detection


def test_a_snapshot_is_recognised_whatever_its_name(tmp_path):
    snapshot = Path(write(tmp_path, "estate.data", two_tier()))
    result = run("diff", "--policy", write_policy(tmp_path), "--before", str(snapshot), "--after", str(snapshot),
                 "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output)["after"]["given"] == str(snapshot)


def test_a_prefix_overrides_detection(tmp_path):
    snapshot = write(tmp_path, "estate.json", two_tier())
    result = run("diff", "--policy", write_policy(tmp_path), "--before", f"snapshot:{snapshot}",
                 "--after", f"snapshot:{snapshot}")
    assert result.exit_code == 0
    line = one_error_line("diff", "--policy", write_policy(tmp_path), "--before", snapshot,
                          "--after", f"terraform:{snapshot}")
    assert line.startswith("zonecheck: error: --after: ") and "estate.json" in line and "snapshot" in line


def test_only_terraform_files_merge_into_one_side(tmp_path):
    snapshot = write(tmp_path, "estate.json", two_tier())
    line = one_error_line("diff", "--policy", write_policy(tmp_path), "--before", snapshot, "--before", snapshot,
                          "--after", snapshot)
    assert "--before" in line and "only Terraform files merge" in line


def test_a_directory_is_an_aws_dump_and_says_so_when_it_cannot_be_read(tmp_path, monkeypatch):
    monkeypatch.delattr(aws_collector, "load_aws_dump", raising=False)
    dump = tmp_path / "dump"
    dump.mkdir()
    snapshot = write(tmp_path, "estate.json", two_tier())
    result = CliRunner().invoke(cli, ["diff", "--policy", write_policy(tmp_path), "--before", str(dump),
                                      "--after", snapshot])
    assert result.exit_code == 2
    assert "--before: " in result.output and str(dump) in result.output and "not supported yet" in result.output


def test_a_directory_goes_to_the_aws_collector_when_there_is_one(tmp_path, monkeypatch):
    seen = []

    def fake_loader(path):
        seen.append(Path(path))
        return two_tier()

    monkeypatch.setattr(aws_collector, "load_aws_dump", fake_loader, raising=False)
    dump = tmp_path / "dump"
    dump.mkdir()
    result = run("diff", "--policy", write_policy(tmp_path), "--before", f"aws-dump:{dump}",
                 "--after", write(tmp_path, "estate.json", two_tier()))
    assert result.exit_code == 0, result.output
    assert seen == [dump]


# --------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("side", ["--before", "--after"])
@pytest.mark.parametrize("content, words", [
    ('{"version": 4, "resources": [', "not valid JSON"),
    ("not json at all", "not valid JSON"),
    ("[]", "JSON"),
    ("", "empty"),
    ('{"hello": "world"}', "neither a zonecheck snapshot"),
    ('{"schema_version": 999}', "schema_version"),
])
def test_bad_input_on_either_side_is_one_line_naming_the_side_and_the_file(tmp_path, side, content, words):
    good = write(tmp_path, "good.json", two_tier())
    broken = tmp_path / "broken.json"
    broken.write_text(content)
    sides = {"--before": good, "--after": good, side: str(broken)}
    line = one_error_line("diff", "--policy", write_policy(tmp_path), "--before", sides["--before"],
                          "--after", sides["--after"])
    assert line.startswith(f"zonecheck: error: {side}: ")
    assert "broken.json" in line and words in line


def test_a_missing_file_is_one_line(tmp_path):
    good = write(tmp_path, "good.json", two_tier())
    line = one_error_line("diff", "--policy", write_policy(tmp_path), "--before", good,
                          "--after", str(tmp_path / "nope.tfstate"))
    assert "--after" in line and "nope.tfstate" in line and "no such file" in line


def test_an_empty_zone_after_the_change_is_bad_input_as_in_check(tmp_path):
    line = one_error_line("diff", "--policy", write_policy(tmp_path), "--before", write(tmp_path, "b.json", two_tier()),
                          "--after", write(tmp_path, "a.json", two_tier(with_db=False)))
    assert line.startswith("zonecheck: error: --after: ") and "zone 'private-db' matches nothing" in line


def test_a_broken_policy_is_one_line_naming_it(tmp_path):
    snapshot = write(tmp_path, "estate.json", two_tier())
    policy = write_policy(tmp_path, "version: 1\nzones: {}\nassertions: []\n")
    line = one_error_line("diff", "--policy", policy, "--before", snapshot, "--after", snapshot)
    assert "zones.yaml" in line


# --------------------------------------------------------------------------------------------- --plan


def show_resources(raw_state: dict) -> list[dict]:
    """The resources of a raw v4 state as `terraform show -json` lists them."""
    out = []
    for resource in raw_state["resources"]:
        for instance in resource["instances"]:
            out.append({"address": f"{resource['type']}.{resource['name']}", "mode": "managed",
                        "type": resource["type"], "name": resource["name"], "provider_name": "registry.terraform.io/hashicorp/aws",
                        "schema_version": 1, "values": instance["attributes"], "sensitive_values": {}})
    return out


def plan_adding(tmp_path: Path, rule: dict) -> Path:
    """`terraform show -json` of a plan that adds `rule` to the service's group, over sg_style_inline + hosts."""
    state = json.loads((DATA / "sg_style_inline.tfstate").read_text())
    state["resources"] += json.loads(hosts_state(tmp_path).read_text())["resources"]
    prior = show_resources(state)
    planned = json.loads(json.dumps(prior))
    svc = next(r for r in planned if r["address"] == "aws_security_group.svc")
    svc["values"]["ingress"].append(rule)
    old = next(r for r in prior if r["address"] == "aws_security_group.svc")
    plan = {
        "format_version": "1.2", "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": [{"address": "aws_security_group.svc", "mode": "managed", "type": "aws_security_group",
                              "name": "svc", "provider_name": "registry.terraform.io/hashicorp/aws",
                              "change": {"actions": ["update"], "before": old["values"], "after": svc["values"],
                                         "after_unknown": {}, "before_sensitive": {}, "after_sensitive": {}}}],
        "prior_state": {"format_version": "1.0", "terraform_version": "1.9.8",
                        "values": {"root_module": {"resources": prior}}},
        "configuration": {"root_module": {}},
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    return path


def test_a_plan_alone_is_both_sides_and_its_new_rule_is_one_new_flow(tmp_path):
    policy = tmp_path / "zones.yaml"
    policy.write_text(TF_POLICY)
    plan = plan_adding(tmp_path, POSTGRES_FROM_CLIENT)
    result = run("diff", "--policy", str(policy), "--plan", str(plan), "--format", "json")
    assert result.exit_code == 1, result.output
    doc = json.loads(result.output)
    assert doc["before"]["given"] == f"prior state of {plan}" and doc["after"]["given"] == str(plan)
    [a] = doc["assertions"]
    assert flows_of(a["new_witnesses"]) == {("eni-0c0ffee0000000012", "tcp", (5432, 5432))}
    assert a["gone_witnesses"] == [] and a["changed_paths"] == []


def test_a_plan_diff_is_the_same_as_diffing_its_prior_state_against_it(tmp_path):
    policy = tmp_path / "zones.yaml"
    policy.write_text(TF_POLICY)
    plan = plan_adding(tmp_path, POSTGRES_FROM_CLIENT)
    state = tmp_path / "state.json"
    prior = json.loads(plan.read_text())["prior_state"]
    state.write_text(json.dumps(prior))
    by_plan = json.loads(run("diff", "--policy", str(policy), "--plan", str(plan), "--format", "json").output)
    by_sides = json.loads(run("diff", "--policy", str(policy), "--before", str(state), "--after", str(plan),
                              "--format", "json").output)
    assert by_plan["assertions"] == by_sides["assertions"]


def test_plan_goes_instead_of_before_and_after(tmp_path):
    plan = plan_adding(tmp_path, POSTGRES_FROM_CLIENT)
    line = one_error_line("diff", "--policy", write_policy(tmp_path, TF_POLICY), "--plan", str(plan),
                          "--after", str(plan))
    assert "--plan" in line and "--before/--after" in line


def test_a_state_is_not_a_plan(tmp_path):
    line = one_error_line("diff", "--policy", write_policy(tmp_path, TF_POLICY), "--plan",
                          str(DATA / "sg_style_inline.tfstate"))
    assert line.startswith("zonecheck: error: --plan: ") and "sg_style_inline.tfstate" in line and "not a Terraform plan" in line


def flows_of(witnesses: list[dict]) -> set[tuple]:
    return {(w["from"]["id"], w["protocol"], tuple(w["port_range"] or ())) for w in witnesses}
