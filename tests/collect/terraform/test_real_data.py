"""Every real state in shared/real-data/terraform (see its MANIFEST.tsv) is read in place.

Raw and show-json states and every plan load; the version-3 state is refused with one line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zonecheck.collect.errors import CollectError
from zonecheck.collect.terraform import load_terraform
from zonecheck.model import to_json

from .conftest import driftctl, real_files

STATES = [p for p in real_files("raw-state", "show-state") if json.loads(p.read_text()).get("version") != 3]
OLD_STATES = [p for p in real_files("raw-state") if json.loads(p.read_text()).get("version") == 3]
PLANS = real_files("plan")
needs_real_data = pytest.mark.skipif(not STATES, reason="shared/real-data/terraform is not beside the repository")


@needs_real_data
@pytest.mark.parametrize("path", STATES, ids=lambda p: p.name)
def test_a_real_state_loads(path: Path) -> None:
    snapshot = load_terraform([path])
    assert snapshot.source.files == (str(path),)
    to_json(snapshot)  # and serialises


@needs_real_data
@pytest.mark.parametrize("path", OLD_STATES, ids=lambda p: p.name)
def test_a_real_version_3_state_is_refused_in_one_line(path: Path) -> None:
    with pytest.raises(CollectError) as caught:
        load_terraform([path])
    message = str(caught.value)
    assert message.startswith(f"{path}: Terraform state version 3") and "\n" not in message


@needs_real_data
@pytest.mark.parametrize("path", PLANS, ids=lambda p: p.name)
def test_a_real_plan_loads(path: Path) -> None:
    snapshot = load_terraform([path])
    assert snapshot.source.files == (str(path),)
    to_json(snapshot)
    before = load_terraform([path], side="before")  # its prior state (possibly empty) loads too
    assert before.source.files == (str(path),)


@needs_real_data
def test_the_manifest_lists_some_of_each_kind() -> None:
    assert len(STATES) >= 12 and len(OLD_STATES) == 1 and len(PLANS) >= 20


# -- facts read off the files --------------------------------------------------------------------------------


def test_infracost_show_state_default_vpc_instances_and_database(real_data: Path) -> None:
    snapshot = load_terraform([real_data / "infracost" / "cmd__infracost__testdata__terraform_v0.14_state.json"])
    (vpc,) = snapshot.vpcs
    assert (vpc.id, [str(c) for c in vpc.cidrs], vpc.account, vpc.region) == (
        "vpc-1b20b966", ["172.31.0.0/16"], "123123123123", "us-east-1")
    instances = [e for e in snapshot.endpoints if e.kind == "instance"]
    assert len(instances) == 6 and all(e.subnet_id == "subnet-286f234e" for e in instances)
    first = next(e for e in instances if e.owner_id == "i-0ec3a64e9a6965cfc")
    assert (first.id, str(first.private_ips[0]), str(first.public_ips[0])) == (
        "eni-022e07532b5c828f4", "172.31.4.10", "11.11.11.11")
    assert len([e for e in snapshot.endpoints if e.kind == "rds"]) == 6  # demodb's subnet group has six subnets
    # the default VPC's defaults are not managed: all three assumed
    assert sorted(a.split(":")[0] for a in snapshot.assumptions) == ["acl-e9d01395", "rtb-c2997eb3", "sg-5277e14a"]
    assert {i.scope for i in snapshot.incomplete if i.family == "subnet"} == {
        "subnet-13990a22", "subnet-286f234e", "subnet-33de9512", "subnet-35a6a03b", "subnet-cd2a3680", "subnet-d4d0998b"}


def test_infracost_0_12_show_state_with_unqualified_child_addresses(real_data: Path) -> None:
    snapshot = load_terraform([real_data / "infracost" / "cmd__infracost__testdata__terraform_v0.12_state.json"])
    assert len([e for e in snapshot.endpoints if e.kind == "instance"]) == 6
    (db,) = snapshot.rds_instances
    assert (db.identifier, db.engine, len(db.subnet_ids)) == ("demodb", "mysql", 6)


def test_driftctl_load_balancer_state(real_data: Path) -> None:
    snapshot = load_terraform([driftctl(real_data, "aws_lb_listener")])
    (sg,) = snapshot.security_groups
    assert [r.label() for r in sg.ingress] == ["ingress tcp 443 from 10.100.0.0/16"]
    assert [r.label() for r in sg.egress] == ["egress all to 0.0.0.0/0", "egress all to ::/0"]
    assert {g.id: g.vpc_ids for g in snapshot.internet_gateways} == {"igw-00e1a78d127606c92": ("vpc-069eb1208f4f62f3c",)}
    assert snapshot.unsupported == ()
    (subnet,) = snapshot.subnets
    assert (subnet.id, str(subnet.cidr), subnet.availability_zone) == ("subnet-09b8c4d89ed5f3aeb", "10.100.0.0/24", "us-east-1a")
    (lb,) = snapshot.load_balancers
    prefix = "arn:aws:elasticloadbalancing:us-east-1:533948124879:"
    assert (lb.id, lb.kind, lb.scheme, lb.security_group_ids) == (
        prefix + "loadbalancer/app/test-lb-tf/168f3e312968e275", "application", "internet-facing", ("sg-0d8b60865ca657bb3",))
    assert [(x.protocol, x.port, x.target_group_ids) for x in lb.listeners] == [
        ("HTTP", 80, (prefix + "targetgroup/tf-example-lb-tg/9e43d546683d8b35",))]
    (group,) = snapshot.target_groups
    assert (group.port, group.targets, group.targets_known) == (80, (), False)  # nothing registers a target here
    assert sorted(e.subnet_id for e in snapshot.endpoints if e.kind == "load-balancer") == [
        "subnet-00499e85b962e382f", "subnet-09b8c4d89ed5f3aeb"]


def test_inframap_stripped_state_records_its_gaps(real_data: Path) -> None:
    """Test data with most attributes removed: nothing crashes, every gap is named."""
    snapshot = load_terraform([real_data / "inframap" / "generate__testdata__aws_state_sgr.json"])
    assert snapshot.security_groups == ()  # no vpc_id anywhere
    # the classic load balancer has no subnets in this stripped state: it cannot be placed
    assert {u.kind for u in snapshot.unsupported} == {"aws_elb", "aws_elasticache_cluster"}
    assert ("module.magento.aws_security_group_rule.pMOSN", "type") in {(u.resource, u.attribute) for u in snapshot.unknowns}
    assert ("security-group", "sg-02831399bd1302ed1") in {(i.family, i.scope) for i in snapshot.incomplete}
