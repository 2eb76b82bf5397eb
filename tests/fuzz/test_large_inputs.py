"""Large inputs: a raw state of many repetitive resources, written to a tmp dir, through the real entry point.

The command must finish within a time bound and either give a complete, correct result (every instance of the
file in the snapshot, a report with every assertion) or exit 2 with one line naming the file.  ~20 MB runs by
default; ~100 MB runs with ZONECHECK_SLOW=1 (marked `slow`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterator

import pytest

from .conftest import TERRAFORM_POLICY_TEXT, assert_contract, run_subprocess

AWS = 'provider["registry.terraform.io/hashicorp/aws"]'
SUBNETS = 16
GROUPS = 8


def _instance(module: str, rtype: str, name: str, key: object, attributes: dict) -> dict:
    instance = {"schema_version": 1, "attributes": attributes, "sensitive_attributes": [], "private": "bnVsbA=="}
    if key is not None:
        instance = {"index_key": key, **instance}
    return {"module": module, "mode": "managed", "type": rtype, "name": name, "provider": AWS,
            "instances": [instance]}


def _tags(name: str) -> dict:
    return {"Name": name, "Environment": "prod", "ManagedBy": "terraform", "CostCenter": "cc-000123",
            "Owner": "platform-team@example.invalid", "Zone": "app" if name.startswith("app") else "data"}


def _resources(instances: int, statements: int) -> Iterator[dict]:
    """One VPC, 16 subnets, 8 groups, `instances` EC2 instances and as many IAM policies of `statements`
    statements each (bulk the collector reads and skips)."""
    vpc = "vpc-0b16b16b16b16b160"
    yield _instance("module.net", "aws_vpc", "main", None, {
        "id": vpc, "arn": f"arn:aws:ec2:eu-west-1:123456789012:vpc/{vpc}", "cidr_block": "10.0.0.0/12",
        "ipv6_cidr_block": "", "main_route_table_id": "rtb-0b16main", "default_route_table_id": "rtb-0b16main",
        "default_security_group_id": "sg-0b16default", "default_network_acl_id": "acl-0b16default",
        "owner_id": "123456789012", "tags": _tags("big"), "tags_all": _tags("big")})
    for s in range(SUBNETS):
        sid = f"subnet-0b16{s:013x}"
        yield _instance("module.net", "aws_subnet", "private", s, {
            "id": sid, "arn": f"arn:aws:ec2:eu-west-1:123456789012:subnet/{sid}", "vpc_id": vpc,
            "cidr_block": f"10.{s // 16}.{(s % 16) * 16}.0/20", "ipv6_cidr_block": "", "availability_zone": "eu-west-1a",
            "map_public_ip_on_launch": False, "tags": _tags(f"subnet-{s}"), "tags_all": _tags(f"subnet-{s}")})
    for g in range(GROUPS):
        gid = f"sg-0b16{g:013x}"
        rule = {"cidr_blocks": ["10.0.0.0/8"], "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [],
                "self": False, "description": "", "protocol": "tcp", "from_port": 5432 + g, "to_port": 5432 + g}
        egress = {**rule, "cidr_blocks": ["0.0.0.0/0"], "protocol": "-1", "from_port": 0, "to_port": 0}
        yield _instance("module.sg", "aws_security_group", "tier", g, {
            "id": gid, "vpc_id": vpc, "name": f"tier-{g}", "ingress": [rule], "egress": [egress],
            "tags": _tags(f"sg-{g}"), "tags_all": _tags(f"sg-{g}")})
    for i in range(instances):
        iid = f"i-0b16{i:013x}"
        name = f"{'app' if i % 2 else 'db'}-{i}"
        yield _instance("module.app", "aws_instance", "fleet", i, {
            "id": iid, "arn": f"arn:aws:ec2:eu-west-1:123456789012:instance/{iid}", "ami": "ami-0123456789abcdef0",
            "instance_type": "t3.micro", "subnet_id": f"subnet-0b16{i % SUBNETS:013x}",
            "private_ip": f"10.{(i % SUBNETS) // 16}.{(i % SUBNETS % 16) * 16 + (i // 250) % 16}.{i % 250 + 4}",
            "vpc_security_group_ids": [f"sg-0b16{i % GROUPS:013x}"], "security_groups": [],
            "associate_public_ip_address": False, "public_ip": "", "ipv6_addresses": [], "source_dest_check": True,
            "instance_state": "running", "primary_network_interface_id": f"eni-0b16{i:013x}",
            "root_block_device": [{"delete_on_termination": True, "device_name": "/dev/xvda", "encrypted": True,
                                   "iops": 3000, "kms_key_id": "", "tags": {}, "throughput": 125,
                                   "volume_id": f"vol-0b16{i:013x}", "volume_size": 8, "volume_type": "gp3"}],
            "metadata_options": [{"http_endpoint": "enabled", "http_put_response_hop_limit": 1,
                                  "http_tokens": "required", "instance_metadata_tags": "disabled"}],
            "user_data": None, "tags": _tags(name), "tags_all": _tags(name)})
        yield _instance("module.iam", "aws_iam_policy", "per_instance", i, {
            "id": f"arn:aws:iam::123456789012:policy/p-{i}", "name": f"p-{i}", "path": "/",
            "policy": json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                 "Resource": [f"arn:aws:s3:::bucket-{i}", f"arn:aws:s3:::bucket-{i}/*"]}] * statements}),
            "tags": _tags(f"p-{i}"), "tags_all": _tags(f"p-{i}")})


def write_big_state(path: Path, instances: int, statements: int = 3) -> int:
    """Stream the state to disk (never one huge string in memory); returns its size in bytes."""
    with path.open("w", encoding="utf-8") as out:
        out.write('{"version": 4, "terraform_version": "1.9.8", "serial": 7, '
                  '"lineage": "00000000-0000-0000-0000-00000000b16b", "outputs": {}, "resources": [\n')
        for n, resource in enumerate(_resources(instances, statements)):
            out.write((",\n" if n else "") + json.dumps(resource))
        out.write('\n], "check_results": null}\n')
    return path.stat().st_size


def _run_big(tmp_path: Path, target_mb: int, instances: int, seconds: float) -> None:
    path = tmp_path / "big.tfstate"
    per_statement = 150  # bytes one policy statement adds; an instance and its policy take ~2,550 besides
    statements = max(3, (target_mb * 1024 * 1024 // instances - 2550) // per_statement)
    size = write_big_state(path, instances=instances, statements=statements)
    assert size > target_mb * 1024 * 1024 * 0.8, f"generated only {size / 1e6:.1f} MB"
    expected = json.loads(path.read_text())
    instances = {r["instances"][0]["attributes"]["id"] for r in expected["resources"] if r["type"] == "aws_instance"}
    del expected

    out = tmp_path / "snapshot.json"
    collected = run_subprocess("collect", "--terraform", path, "-o", out, timeout=seconds)
    written = assert_contract(collected, [path], report=str(out) if collected.exit_code == 0 else None)
    if written is not None:  # a complete result: every instance of the file, nothing dropped
        assert {i["id"] for i in written["instances"]} == instances
        assert len(written["subnets"]) == SUBNETS and len([g for g in written["security_groups"]
                                                           if not g.get("assumed")]) == GROUPS

    policy = tmp_path / "zones.yaml"
    policy.write_text(TERRAFORM_POLICY_TEXT)
    checked = run_subprocess("check", "--policy", policy, "--terraform", path, "--format", "json", timeout=seconds)
    report = assert_contract(checked, [path, policy], report="json")
    if report is not None:
        assert len(report["assertions"]) == 5


def test_a_20_mb_state_of_repetitive_resources_completes_in_time(tmp_path: Path) -> None:
    _run_big(tmp_path, target_mb=int(os.environ.get("ZONECHECK_LARGE_MB", "20")), instances=1500, seconds=120)


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("ZONECHECK_SLOW"), reason="set ZONECHECK_SLOW=1 to run the ~100 MB input")
def test_a_100_mb_state_of_repetitive_resources_completes_in_time(tmp_path: Path) -> None:
    _run_big(tmp_path, target_mb=100, instances=30_000, seconds=900)
