"""Terraform state in, verdicts out: the CLI end to end on state files, and its bad-input contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.collect.terraform.conftest import AWS, real_files
from zonecheck.cli.main import cli

DATA = Path(__file__).resolve().parents[1] / "data" / "terraform"
STYLES = ["sg_style_inline.tfstate", "sg_style_rule_resource.tfstate", "sg_style_vpc_rule.tfstate"]
POLICY = """\
version: 1
zones:
  svc: {match: [{tags: {Zone: svc}}]}
  client: {match: [{tags: {Zone: client}}]}
assertions:
  - {name: client-to-svc, from: client, to: svc, expect: no-access}
"""


def hosts_state(tmp_path: Path) -> Path:
    """A subnet and two instances living in the groups of the sg_style_* fixtures."""
    def resource(rtype, name, attributes):
        return {"mode": "managed", "type": rtype, "name": name, "provider": AWS,
                "instances": [{"schema_version": 1, "attributes": attributes, "sensitive_attributes": []}]}

    def instance(iid, ip, groups, zone):
        return {"id": iid, "subnet_id": "subnet-0c0ffee0000000001", "private_ip": ip, "public_ip": "",
                "secondary_private_ips": [], "ipv6_addresses": [], "vpc_security_group_ids": groups,
                "primary_network_interface_id": f"eni-{iid[2:]}", "source_dest_check": True,
                "instance_state": "running", "tags": {"Zone": zone}, "tags_all": {"Zone": zone}}

    state = {"version": 4, "terraform_version": "1.9.8", "serial": 3, "lineage": "11111111-2222-3333-4444-555555555555",
             "outputs": {}, "resources": [
                 resource("aws_subnet", "hosts", {"id": "subnet-0c0ffee0000000001", "vpc_id": "vpc-0c0ffee0000000001",
                                                  "cidr_block": "10.0.1.0/24", "ipv6_cidr_block": "",
                                                  "availability_zone": "eu-west-1a", "map_public_ip_on_launch": False,
                                                  "tags": {}, "tags_all": {}}),
                 resource("aws_instance", "svc", instance("i-0c0ffee0000000011", "10.0.1.11", ["sg-0c0ffee0000000001"], "svc")),
                 resource("aws_instance", "client", instance("i-0c0ffee0000000012", "10.0.1.12",
                                                             ["sg-0c0ffee0000000002", "sg-0c0ffee00000000ff"], "client")),
             ], "check_results": None}
    path = tmp_path / "hosts.tfstate"
    path.write_text(json.dumps(state))
    return path


def check_json(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, ["check", *args, "--format", "json"], catch_exceptions=False)
    return result.exit_code, json.loads(result.output)


@pytest.mark.parametrize("style", STYLES)
def test_each_security_group_rule_style_gives_the_same_verdict_and_witnesses(tmp_path, style):
    policy = tmp_path / "zones.yaml"
    policy.write_text(POLICY)
    hosts = hosts_state(tmp_path)
    code, report = check_json("--policy", str(policy), "--terraform", str(DATA / style), "--terraform", str(hosts))
    assert code == 1
    [assertion] = report["assertions"]
    flows = sorted((w["protocol"], tuple(w["port_range"] or ()), w["path"][-1]["rule"], w.get("certain", True))
                   for w in assertion["witnesses"])
    # Same subnet, so no NACL; the client (sg-…02 for references, the default group for egress) is admitted by
    # reference on udp/53, by its address (10.0.0.0/8) on tcp/443 and icmp, and possibly on tcp/22 through a
    # prefix list whose entries the state does not give.
    assert flows == [
        ("icmp", (), "ingress icmp all types from 10.0.0.0/8", True),
        ("tcp", (22, 22), "ingress tcp 22 from pl-0c0ffee0000000001", False),
        ("tcp", (443, 443), "ingress tcp 443 from 10.0.0.0/8", True),
        ("udp", (53, 53), "ingress udp 53 from sg-0c0ffee0000000002", True),
    ]


def test_collect_then_check_snapshot_equals_check_terraform(tmp_path):
    policy = tmp_path / "zones.yaml"
    policy.write_text(POLICY)
    hosts = hosts_state(tmp_path)
    sources = ["--terraform", str(DATA / STYLES[0]), "--terraform", str(hosts)]
    snapshot = tmp_path / "snap.json"
    assert CliRunner().invoke(cli, ["collect", *sources, "-o", str(snapshot)]).exit_code == 0
    direct = check_json("--policy", str(policy), *sources)
    via_snapshot = check_json("--policy", str(policy), "--snapshot", str(snapshot))
    assert direct == via_snapshot
    assert direct[1]["source"]["kind"] == "terraform" and len(direct[1]["source"]["sha256"]) == 64


def test_collect_is_deterministic(tmp_path):
    outs = []
    for name in ("a.json", "b.json"):
        out = tmp_path / name
        CliRunner().invoke(cli, ["collect", "--terraform", str(DATA / "network.tfstate"), "--terraform",
                                 str(DATA / "app.tfstate"), "-o", str(out)])
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def one_error_line(*args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "zonecheck.cli.main", *args], capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    return lines[0]


def test_state_version_3_is_refused_with_one_line_naming_the_file(tmp_path):
    v3 = [p for p in real_files("raw-state") if "version_3" in p.name]
    if not v3:
        pytest.skip("shared/real-data is not beside the repository")
    policy = tmp_path / "zones.yaml"
    policy.write_text(POLICY)
    line = one_error_line("check", "--policy", str(policy), "--terraform", str(v3[0]))
    assert v3[0].name in line and "version 3" in line


@pytest.mark.parametrize("content", ['{"version": 4, "resources": [', "not json at all", "[]"])
def test_broken_state_files_are_one_line_errors(tmp_path, content):
    policy = tmp_path / "zones.yaml"
    policy.write_text(POLICY)
    state = tmp_path / "broken.tfstate"
    state.write_text(content)
    assert "broken.tfstate" in one_error_line("check", "--policy", str(policy), "--terraform", str(state))
