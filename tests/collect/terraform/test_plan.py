"""`terraform show -json` of a plan: the estate after apply, its prior state, unknown and sensitive values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zonecheck.collect.errors import CollectError
from zonecheck.collect.terraform import PLACEHOLDER, load_terraform, load_terraform_plan_before
from zonecheck.model import SecurityGroup, Snapshot, to_json

from .conftest import DATA, PlanWriter, change, load, real_files, refs

SG_DB, SG_APP, SG_REPLICA = "sg-0d1e2f3a4b5c6f003", "sg-0d1e2f3a4b5c6f002", "sg-0d1e2f3a4b5c6f001"


def group(snapshot: Snapshot, group_id: str) -> SecurityGroup:
    return next(g for g in snapshot.security_groups if g.id == group_id)


def labels(snapshot: Snapshot, group_id: str) -> list[str]:
    found = group(snapshot, group_id)
    return [r.label() for r in (*found.ingress, *found.egress)]


@pytest.fixture(scope="module")
def open_db() -> Snapshot:
    return load("plan_open_db.json")


@pytest.fixture(scope="module")
def unknown_cidr() -> Snapshot:
    return load("plan_unknown_cidr.json")


@pytest.fixture(scope="module")
def new_stack() -> Snapshot:
    return load("plan_new_stack.json")


# -- after apply -------------------------------------------------------------------------------------------


def test_a_plan_gives_the_estate_after_apply(open_db: Snapshot) -> None:
    before = load("plan_open_db.prior.tfstate")
    assert "ingress tcp 5432 from 10.50.1.0/24" not in labels(before, SG_DB)
    assert labels(open_db, SG_DB) == ["ingress tcp 5432 from 10.50.1.0/24", "ingress tcp 5432 from sg-0d1e2f3a4b5c6f002",
                                      "egress all to 0.0.0.0/0"]
    rule = next(r for r in group(open_db, SG_DB).ingress if str(r.cidr) == "10.50.1.0/24")
    assert rule.description == "replica reads the package database directly"


def test_deleted_resources_are_gone(open_db: Snapshot) -> None:
    before = load("plan_open_db.prior.tfstate")
    assert "i-0d1e2f3a4b5c6b009" in {i.id for i in before.instances}
    assert "ingress tcp 5432 from 10.50.2.77/32" in labels(before, SG_DB)
    assert "i-0d1e2f3a4b5c6b009" not in {i.id for i in open_db.instances}  # ["delete"]
    assert "ingress tcp 5432 from 10.50.2.77/32" not in labels(open_db, SG_DB)
    assert not [e for e in open_db.endpoints if e.owner_id == "i-0d1e2f3a4b5c6b009"]


def test_a_replaced_instance_keeps_its_place_but_not_its_address(open_db: Snapshot) -> None:
    (app,) = [e for e in open_db.endpoints if e.owner_id == PLACEHOLDER + "aws_instance.app"]
    assert (app.subnet_id, app.security_group_ids, app.address_unknown, app.private_ips) == (
        "subnet-0d1e2f3a4b5c6a002", (SG_APP,), True, ())
    assert not app.public_address_unknown  # not asked for, and its subnet does not map public IPs
    assert "i-0d1e2f3a4b5c6b002" not in {i.id for i in open_db.instances}
    assert not open_db.unknowns  # an unknown private address is any address of the subnet, like an RDS instance's


def test_updated_and_unchanged_resources_are_read_from_after(open_db: Snapshot) -> None:
    db = next(i for i in open_db.instances if i.id == "i-0d1e2f3a4b5c6b003")
    assert db.tags["Backup"] == "daily"
    assert {v.id for v in open_db.vpcs} == {"vpc-0d1e2f3a4b5c60001"}


def test_the_before_side_is_the_prior_state() -> None:
    before = load_terraform_plan_before(DATA / "plan_open_db.json")
    state = load("plan_open_db.prior.tfstate")
    assert before.source.files == (str(DATA / "plan_open_db.json"),)
    assert to_json(before.model_copy(update={"source": state.source})) == to_json(state)
    # a state is the same on both sides
    assert load_terraform([DATA / "transit.tfstate"], side="before") == load("transit.tfstate")


def test_the_before_side_of_a_plan_from_scratch_is_empty() -> None:
    before = load_terraform_plan_before(DATA / "plan_new_stack.json")
    assert before.vpcs == () and before.security_groups == ()


def test_the_before_side_of_a_state_is_refused() -> None:
    with pytest.raises(CollectError, match="not a Terraform plan"):
        load_terraform_plan_before(DATA / "transit.tfstate")


# -- sensitive values --------------------------------------------------------------------------------------


def test_sensitive_values_are_never_copied(open_db: Snapshot, unknown_cidr: Snapshot) -> None:
    plans = (DATA / "plan_open_db.json").read_text() + (DATA / "plan_unknown_cidr.json").read_text()
    for secret in ("pw-Registry-DB-2025-f6e5d4c3b2a1", "198.51.100.0/24"):
        assert secret in plans
    for snapshot in (open_db, unknown_cidr, load_terraform_plan_before(DATA / "plan_open_db.json")):
        text = to_json(snapshot)
        assert "pw-Registry-DB" not in text and "198.51.100" not in text


def test_a_sensitive_cidr_is_over_approximated_and_named(unknown_cidr: Snapshot) -> None:
    assert "ingress tcp 22 from 0.0.0.0/0" in labels(unknown_cidr, SG_APP)
    (named,) = [u for u in unknown_cidr.unknowns if u.resource == SG_APP]
    assert named.attribute == "aws_security_group_rule.app_ssh_office.cidr_blocks"
    assert named.reason.startswith("sensitive in the plan; its value is not read")


# -- values known only after apply ---------------------------------------------------------------------------


def test_an_unknown_cidr_is_any_address_and_names_the_group(unknown_cidr: Snapshot) -> None:
    assert {"ingress tcp 5432 from 0.0.0.0/0", "ingress tcp 5432 from ::/0"} <= set(labels(unknown_cidr, SG_DB))
    (named,) = [u for u in unknown_cidr.unknowns if u.resource == SG_DB]
    assert named.attribute == "aws_security_group_rule.db_from_etl.cidr_blocks"
    assert named.reason == ("known only after apply (aws_security_group_rule.db_from_etl in "
                            f"{DATA / 'plan_unknown_cidr.json'})")


def test_placeholders_connect_new_resources(unknown_cidr: Snapshot) -> None:
    etl_group = PLACEHOLDER + "aws_security_group.etl"
    assert group(unknown_cidr, etl_group).vpc_id == "vpc-0d1e2f3a4b5c60001"
    (etl,) = [e for e in unknown_cidr.endpoints if e.owner_id == PLACEHOLDER + "aws_instance.etl"]
    assert (etl.subnet_id, etl.security_group_ids, etl.address_unknown) == ("subnet-0d1e2f3a4b5c6a002", (etl_group,), True)
    # the module's rule got the group through `referenced_security_group_id = var.etl_group_id`
    assert f"ingress tcp 5432 from {etl_group}" in labels(unknown_cidr, SG_DB)


def test_a_new_stack_from_nested_modules_with_count_and_for_each(new_stack: Snapshot) -> None:
    vpc = PLACEHOLDER + "module.vpc.aws_vpc.this"
    subnet = {key: PLACEHOLDER + f'module.vpc.module.subnets.aws_subnet.this["{key}"]' for key in ("web", "app", "db")}
    assert [(v.id, [str(c) for c in v.cidrs]) for v in new_stack.vpcs] == [(vpc, ["10.70.0.0/16"])]
    assert {s.id: (s.vpc_id, str(s.cidr), s.map_public_ip_on_launch) for s in new_stack.subnets} == {
        subnet["web"]: (vpc, "10.70.1.0/24", True), subnet["app"]: (vpc, "10.70.2.0/24", False),
        subnet["db"]: (vpc, "10.70.3.0/24", False)}
    public = next(t for t in new_stack.route_tables if t.id == PLACEHOLDER + "module.vpc.aws_route_table.public")
    assert ([r.label() for r in public.routes], public.subnet_ids) == (
        [f"0.0.0.0/0 -> {PLACEHOLDER}module.vpc.aws_internet_gateway.this"], (subnet["web"],))
    acl = next(a for a in new_stack.network_acls if a.id == PLACEHOLDER + "module.vpc.aws_network_acl.db")
    assert acl.subnet_ids == (subnet["db"],)
    endpoints = {e.owner_id: (e.subnet_id, e.public_address_unknown) for e in new_stack.endpoints}
    assert endpoints == {PLACEHOLDER + "aws_instance.web[0]": (subnet["web"], True),  # the subnet maps public IPs
                         PLACEHOLDER + 'aws_instance.app["a"]': (subnet["app"], False),
                         PLACEHOLDER + "aws_instance.db": (subnet["db"], False)}
    assert new_stack.unknowns == () and new_stack.incomplete == () and new_stack.unsupported == ()


def test_all_three_rule_styles_from_plan_json(new_stack: Snapshot) -> None:
    web, app, db = (PLACEHOLDER + f"aws_security_group.{name}" for name in ("web", "app", "db"))
    assert labels(new_stack, web) == ["ingress tcp 443 from 0.0.0.0/0", f"egress tcp 8080 to {app}"]  # inline + rule
    assert labels(new_stack, app) == [f"ingress tcp 8080 from {web}", "egress all to 0.0.0.0/0"]  # vpc_security_group_*
    assert labels(new_stack, db) == [f"ingress tcp 5432 from {app}"]  # inline, its reference known only after apply


def test_the_defaults_of_a_new_vpc_are_assumed_like_a_states(new_stack: Snapshot) -> None:
    vpc = PLACEHOLDER + "module.vpc.aws_vpc.this"
    assert {a.split(":")[0] for a in new_stack.assumptions} == {
        f"{vpc}.default_network_acl_id", f"{vpc}.default_route_table_id", f"{vpc}.default_security_group_id"}


# -- unknowns, one family at a time ----------------------------------------------------------------------------


def test_a_computed_attribute_left_unset_takes_aws_default(write_plan: PlanWriter) -> None:
    path = write_plan(
        change("aws_security_group", "g", {"vpc_id": "vpc-1", "name": "g"}, {"id": True, "ingress": True, "egress": True}),
        change("aws_route_table", "t", {"vpc_id": "vpc-1"}, {"id": True, "route": True, "propagating_vgws": True}),
        change("aws_security_group_rule", "r", {"type": "ingress", "protocol": "tcp", "from_port": 22, "to_port": 22,
                                                "cidr_blocks": ["10.0.0.0/8"], "security_group_id": "sg-1"},
               {"id": True, "source_security_group_id": True}),
        configuration={"aws_security_group.g": {"vpc_id": {"constant_value": "vpc-1"}},
                       "aws_route_table.t": {"vpc_id": {"constant_value": "vpc-1"}},
                       "aws_security_group_rule.r": {"cidr_blocks": {"constant_value": ["10.0.0.0/8"]}}})
    snapshot = load_terraform([path])
    assert labels(snapshot, PLACEHOLDER + "aws_security_group.g") == []
    (table,) = snapshot.route_tables
    assert table.routes == () and snapshot.route_propagations == () and snapshot.unknowns == ()


def test_configured_but_unknown_inline_rules_may_allow_anything(write_plan: PlanWriter) -> None:
    path = write_plan(change("aws_security_group", "g", {"vpc_id": "vpc-1"}, {"id": True, "ingress": True}),
                      configuration={"aws_security_group.g": {"ingress": refs("local.rules")}})
    snapshot = load_terraform([path])
    gid = PLACEHOLDER + "aws_security_group.g"
    assert labels(snapshot, gid) == ["ingress all from 0.0.0.0/0", "ingress all from ::/0"]
    assert [(u.resource, u.attribute) for u in snapshot.unknowns] == [(gid, "ingress")]


def test_unknown_ports_become_all_ports(write_plan: PlanWriter) -> None:
    path = write_plan(change("aws_vpc_security_group_ingress_rule", "r", {
        "security_group_id": "sg-1", "ip_protocol": "tcp", "cidr_ipv4": "10.0.0.0/8"}, {"id": True, "from_port": True,
                                                                                         "to_port": True}),
        change("aws_security_group", "g", {"id": "sg-1", "vpc_id": "vpc-1", "ingress": [], "egress": []}, actions=("no-op",)),
        configuration={"aws_vpc_security_group_ingress_rule.r": {"from_port": refs("var.port"), "to_port": refs("var.port")}})
    snapshot = load_terraform([path])
    assert labels(snapshot, "sg-1") == ["ingress tcp all ports from 10.0.0.0/8"]
    assert {u.attribute for u in snapshot.unknowns} == {"aws_vpc_security_group_ingress_rule.r.from_port",
                                                        "aws_vpc_security_group_ingress_rule.r.to_port"}


@pytest.mark.parametrize("action, expected", [
    ("deny", ["#200 allow all from 0.0.0.0/0"]),  # an unknown deny is dropped: it denies nothing
    ("allow", ["#100 allow tcp 443 from 0.0.0.0/0", "#200 allow all from 0.0.0.0/0"]),  # an unknown allow allows any
])
def test_an_unknown_nacl_entry_cidr(write_plan: PlanWriter, action: str, expected: list[str]) -> None:
    entry = {"rule_no": 100, "action": action, "protocol": "tcp", "from_port": 443, "to_port": 443, "icmp_code": 0,
             "icmp_type": 0, "ipv6_cidr_block": ""}
    allow_all = {"rule_no": 200, "action": "allow", "protocol": "-1", "from_port": 0, "to_port": 0, "icmp_code": 0,
                 "icmp_type": 0, "ipv6_cidr_block": "", "cidr_block": "0.0.0.0/0"}
    path = write_plan(change("aws_network_acl", "a", {"id": "acl-1", "vpc_id": "vpc-1", "ingress": [entry, allow_all],
                                                      "egress": [], "subnet_ids": []},
                             {"ingress": [{"cidr_block": True}, {}]}, actions=("update",)),
                      configuration={"aws_network_acl.a": {"ingress": [{"cidr_block": refs("aws_instance.x.private_ip")},
                                                                       {"rule_no": {"constant_value": 200}}]}})
    snapshot = load_terraform([path])
    (acl,) = snapshot.network_acls
    assert [e.label() for e in acl.entries] == expected
    (named,) = snapshot.unknowns  # its own attribute: named by path, the resource address in the reason
    assert (named.resource, named.attribute) == ("acl-1", "ingress[0].cidr_block") and "aws_network_acl.a in" in named.reason


def test_an_unknown_route_destination_or_target_names_the_table(write_plan: PlanWriter) -> None:
    path = write_plan(
        change("aws_route_table", "t", {"id": "rtb-1", "vpc_id": "vpc-1", "route": [], "propagating_vgws": []}, actions=("no-op",)),
        change("aws_route", "dest", {"route_table_id": "rtb-1", "gateway_id": "igw-1"}, {"id": True, "destination_cidr_block": True}),
        change("aws_route", "target", {"route_table_id": "rtb-1", "destination_cidr_block": "10.9.0.0/16"},
               {"id": True, "nat_gateway_id": True}),
        configuration={"aws_route.dest": {"destination_cidr_block": refs("data.aws_vpc.peer.cidr_block")},
                       "aws_route.target": {"nat_gateway_id": refs("data.aws_nat_gateway.shared.id")}})
    snapshot = load_terraform([path])
    (table,) = snapshot.route_tables
    assert [r.label() for r in table.routes] == ["10.9.0.0/16 -> unknown"]  # may deliver anywhere (engine)
    assert sorted((u.resource, u.attribute) for u in snapshot.unknowns) == [
        ("rtb-1", "aws_route.dest.destination_cidr_block"), ("rtb-1", "aws_route.target.nat_gateway_id")]


def test_an_unknown_transit_gateway_route_names_the_table(write_plan: PlanWriter) -> None:
    tgw = {"id": "tgw-1", "default_route_table_association": "enable", "default_route_table_propagation": "enable",
           "association_default_route_table_id": "tgw-rtb-1", "propagation_default_route_table_id": "tgw-rtb-1"}
    path = write_plan(change("aws_ec2_transit_gateway", "hub", tgw, actions=("no-op",)),
                      change("aws_ec2_transit_gateway_route", "r", {"transit_gateway_route_table_id": "tgw-rtb-1",
                                                                    "blackhole": False, "transit_gateway_attachment_id": "a-1"},
                             {"id": True, "destination_cidr_block": True}),
                      configuration={"aws_ec2_transit_gateway_route.r": {"destination_cidr_block": refs("var.cidr")}})
    snapshot = load_terraform([path])
    assert [(u.resource, u.attribute) for u in snapshot.unknowns] == [
        ("tgw-rtb-1", "aws_ec2_transit_gateway_route.r.destination_cidr_block")]


def test_a_new_transit_gateway_default_table_is_one_placeholder(write_plan: PlanWriter) -> None:
    path = write_plan(
        change("aws_ec2_transit_gateway", "hub", {"default_route_table_association": "enable",
                                                  "default_route_table_propagation": "enable"},
               {"id": True, "arn": True, "association_default_route_table_id": True,
                "propagation_default_route_table_id": True}),
        change("aws_ec2_transit_gateway_vpc_attachment", "a", {"vpc_id": "vpc-1", "subnet_ids": ["subnet-1"]},
               {"id": True, "transit_gateway_id": True}),
        configuration={"aws_ec2_transit_gateway.hub": {},
                       "aws_ec2_transit_gateway_vpc_attachment.a": {"transit_gateway_id": refs("aws_ec2_transit_gateway.hub.id",
                                                                                             "aws_ec2_transit_gateway.hub")}})
    snapshot = load_terraform([path])
    (default,) = snapshot.transit_gateway_route_tables
    assert default.id == PLACEHOLDER + "aws_ec2_transit_gateway.hub.association_default_route_table_id"
    assert default.associations == default.propagations == (PLACEHOLDER + "aws_ec2_transit_gateway_vpc_attachment.a",)


def test_an_unresolvable_identity_stays_unknown(write_plan: PlanWriter) -> None:
    path = write_plan(change("aws_security_group_rule", "r", {"type": "ingress", "protocol": "tcp", "from_port": 22,
                                                              "to_port": 22, "cidr_blocks": ["10.0.0.0/8"]},
                             {"id": True, "security_group_id": True}),
                      configuration={"aws_security_group_rule.r": {"security_group_id": refs("data.aws_security_group.x.id")}})
    snapshot = load_terraform([path])
    assert [(u.resource, u.attribute, u.reason.split(" (")[0]) for u in snapshot.unknowns] == [
        ("aws_security_group_rule.r", "security_group_id", "known only after apply")]
    assert ("security-group", "*") in {(i.family, i.scope) for i in snapshot.incomplete}


def test_a_forgotten_resource_still_exists(write_plan: PlanWriter) -> None:
    vpc = {"id": "vpc-1", "cidr_block": "10.0.0.0/16"}
    path = write_plan(change("aws_vpc", "v", None, actions=("forget",), before=vpc),
                      prior=[{"address": "aws_vpc.v", "mode": "managed", "type": "aws_vpc", "name": "v",
                              "provider_name": "registry.terraform.io/hashicorp/aws", "values": vpc}])
    assert [v.id for v in load_terraform([path]).vpcs] == ["vpc-1"]


def test_a_targeted_plan_keeps_what_it_does_not_plan(write_plan: PlanWriter) -> None:
    vpc = {"id": "vpc-1", "cidr_block": "10.0.0.0/16"}
    path = write_plan(change("aws_subnet", "s", {"id": "subnet-1", "vpc_id": "vpc-1", "cidr_block": "10.0.1.0/24"},
                             actions=("update",)),
                      prior=[{"address": "aws_vpc.v", "mode": "managed", "type": "aws_vpc", "name": "v",
                              "provider_name": "registry.terraform.io/hashicorp/aws", "values": vpc}], complete=False)
    snapshot = load_terraform([path])
    assert [v.id for v in snapshot.vpcs] == ["vpc-1"]
    assert any("not in the plan" in n for n in snapshot.notes)
    assert ("terraform-plan", "*") in {(i.family, i.scope) for i in snapshot.incomplete}


def test_a_deposed_object_being_destroyed_is_not_read(write_plan: PlanWriter) -> None:
    old = change("aws_vpc", "v", None, actions=("delete",), before={"id": "vpc-old", "cidr_block": "10.9.0.0/16"})
    old["deposed"] = "0f1e2d3c"
    path = write_plan(change("aws_vpc", "v", {"id": "vpc-1", "cidr_block": "10.0.0.0/16"}, actions=("no-op",)), old)
    assert [v.id for v in load_terraform([path]).vpcs] == ["vpc-1"]


# -- several inputs ------------------------------------------------------------------------------------------


def test_plans_and_states_of_distinct_stacks_merge() -> None:
    snapshot = load_terraform([DATA / "transit.tfstate", DATA / "plan_new_stack.json", DATA / "services.tfstate"])
    assert len(snapshot.vpcs) == 5 and len(snapshot.source.files) == 3


def test_a_plan_and_the_state_it_changes_conflict_in_one_line() -> None:
    with pytest.raises(CollectError) as caught:
        load_terraform([DATA / "plan_open_db.prior.tfstate", DATA / "plan_open_db.json"])
    message = str(caught.value)
    assert "\n" not in message and "plan_open_db.json (a plan)" in message and "pass the plan without its own state" in message


# -- real plans ------------------------------------------------------------------------------------------------


def real_plan(part: str) -> Path:
    found = [p for p in real_files("plan") if part in p.name]
    if not found:
        pytest.skip("shared/real-data/terraform is not beside the repository")
    return found[0]


def test_the_terraform_aws_modules_vpc_plan_is_connected_through_placeholders() -> None:
    snapshot = load_terraform([real_plan("test_issue-158__plan")])
    vpc = PLACEHOLDER + "module.vpc.aws_vpc.this[0]"
    assert [v.id for v in snapshot.vpcs] == [vpc] and {s.vpc_id for s in snapshot.subnets} == {vpc}
    assert len(snapshot.subnets) == 6
    nats = {n.id: n.subnet_id for n in snapshot.nat_gateways}
    assert nats == {PLACEHOLDER + f"module.vpc.aws_nat_gateway.this[{i}]": PLACEHOLDER + f"module.vpc.aws_subnet.public[{i}]"
                    for i in range(3)}
    private = next(t for t in snapshot.route_tables if t.id == PLACEHOLDER + "module.vpc.aws_route_table.private[1]")
    assert ([r.label() for r in private.routes], private.subnet_ids) == (
        [f"0.0.0.0/0 -> {PLACEHOLDER}module.vpc.aws_nat_gateway.this[1]"], (PLACEHOLDER + "module.vpc.aws_subnet.private[1]",))
    # `vpc_id = local.vpc_id`: plan JSON does not show locals; the module's only VPC is assumed, and said so
    assert any("vpc_id is known only after apply" in a and "the only VPC of module.vpc" in a for a in snapshot.assumptions)
    assert snapshot.unknowns == () and snapshot.incomplete == ()


def test_a_plan_with_modules_for_each_creating_open_groups() -> None:
    snapshot = load_terraform([real_plan("plan_with_for_each_for_enrichment")])
    assert {g.id: (g.vpc_id, [r.label() for r in g.ingress]) for g in snapshot.security_groups} == {
        PLACEHOLDER + f'module.sg["{name}"].aws_security_group.bad': ("vpc-123456abc", ["ingress all from 0.0.0.0/0"])
        for name in ("awful_example", "bad_example", "terrible_example")}


def test_a_terraform_0_12_plan_with_an_application_load_balancer_and_prior_state() -> None:
    snapshot = load_terraform([real_plan("test_issue-249__plan")])
    (alb,) = snapshot.load_balancers
    assert alb.id.endswith("loadbalancer/app/mybu-sandbox-myapp-instance-alb/2ae7b3df5b81f465")
    assert (alb.subnet_ids, alb.security_group_ids) == (("subnet-13f44a58", "subnet-9918eec4"), ("sg-0facdb20f33578aa9",))
    ((listener,),) = [alb.listeners]
    (target_group,) = snapshot.target_groups
    assert (listener.protocol, listener.port, listener.target_group_ids) == ("HTTPS", 443, (target_group.id,))
    assert not target_group.targets_known  # its instances come from an auto scaling group


def test_a_terraform_0_12_plan_with_a_classic_load_balancer_and_a_database() -> None:
    snapshot = load_terraform([real_plan("runner__resources__plan__tfplan")])
    (elb,) = snapshot.load_balancers
    assert (elb.id, elb.kind, elb.subnet_ids) == ("weblb-terraform-elb", "classic", (PLACEHOLDER + "aws_subnet.web_subnet",))
    (db,) = snapshot.rds_instances
    assert (db.id, db.subnet_ids, db.security_group_ids) == (
        "rds-123456789123-acme-corp", (PLACEHOLDER + "aws_subnet.web_subnet", PLACEHOLDER + "aws_subnet.web_subnet2"),
        (PLACEHOLDER + "aws_security_group.default",))
    assert labels(snapshot, PLACEHOLDER + "aws_security_group.default") == [
        "ingress tcp 3306 from 172.16.0.0/16", "egress all to 0.0.0.0/0"]


def test_real_plans_never_leak_sensitive_values() -> None:
    path = real_plan("tfplan__sensitive__plan")
    data = json.loads(path.read_text())
    (db,) = [c for c in data["resource_changes"] if c["type"] == "aws_db_instance"]
    password = db["change"]["after"]["password"]
    assert db["change"]["after_sensitive"]["password"] is True and password
    assert password not in to_json(load_terraform([path]))
