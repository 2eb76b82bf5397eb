"""Security groups: the three rule styles, one rule per peer, and AWS's default group."""

from __future__ import annotations

from ipaddress import ip_network
from pathlib import Path

import pytest

from zonecheck.collect.terraform import load_terraform
from zonecheck.model import SecurityGroup, Snapshot

from .conftest import StateWriter, driftctl, group_attrs, inline_rule, load, vpc_attrs

SVC = "sg-0c0ffee0000000001"
OTHER = "sg-0c0ffee0000000002"
STYLE_FILES = ("sg_style_inline.tfstate", "sg_style_rule_resource.tfstate", "sg_style_vpc_rule.tfstate")


def group(snapshot: Snapshot, group_id: str) -> SecurityGroup:
    return next(g for g in snapshot.security_groups if g.id == group_id)


def rule_ids(g: SecurityGroup) -> set[str]:
    return {r.id for r in (*g.ingress, *g.egress)}


# -- the same rules in three styles --------------------------------------------------------------------------


@pytest.mark.parametrize("name", STYLE_FILES)
def test_each_style_yields_one_rule_per_peer(name: str) -> None:
    svc = group(load(name), SVC)
    assert sorted(rule_ids(svc)) == [
        f"{SVC}/egress/all/0.0.0.0/0",
        f"{SVC}/egress/tcp:443-443/::/0",
        f"{SVC}/ingress/icmp:-1--1/10.0.0.0/8",
        f"{SVC}/ingress/tcp:22-22/pl-0c0ffee0000000001",
        f"{SVC}/ingress/tcp:443-443/10.0.0.0/8",
        f"{SVC}/ingress/tcp:443-443/192.168.0.0/16",
        f"{SVC}/ingress/tcp:443-443/::/0",
        f"{SVC}/ingress/tcp:5000-5010/{SVC}",
        f"{SVC}/ingress/udp:53-53/{OTHER}",
    ]


def test_the_same_rule_written_in_three_styles_is_the_same_rule() -> None:
    inline, resource, vpc_rule = (group(load(name), SVC) for name in STYLE_FILES)
    assert inline.ingress == resource.ingress == vpc_rule.ingress
    assert inline.egress == resource.egress == vpc_rule.egress


def test_a_rule_read_back_by_both_the_group_and_the_rule_resource_counts_once(write_state: StateWriter) -> None:
    https = inline_rule("tcp", 443, 443, cidr_blocks=["10.0.0.0/8"])
    path = write_state(
        ("aws_vpc", "main", vpc_attrs()),
        ("aws_security_group", "svc", group_attrs("sg-1", ingress=[https])),
        ("aws_security_group_rule", "https", {"id": "sgrule-1", "type": "ingress", "security_group_id": "sg-1",
                                              "protocol": "tcp", "from_port": 443, "to_port": 443,
                                              "cidr_blocks": ["10.0.0.0/8"], "description": "from the rule resource"}),
    )
    (rule,) = group(load_terraform([path]), "sg-1").ingress
    assert rule.description == "from the rule resource"  # of two copies, the one with a description is kept


def test_self_and_a_cidr_in_one_rule_are_two_rules(write_state: StateWriter) -> None:
    """A rule with `self = true` plus 0.0.0.0/0 must not lose either peer (a classic per-resource-tool miss)."""
    path = write_state(("aws_vpc", "main", vpc_attrs()), ("aws_security_group", "svc", group_attrs("sg-1", ingress=[
        inline_rule("tcp", 8080, 8080, cidr_blocks=["0.0.0.0/0"], self=True)])))
    peers = {r.peer_label() for r in group(load_terraform([path]), "sg-1").ingress}
    assert peers == {"0.0.0.0/0", "sg-1"}


def test_ports_are_dropped_for_all_protocols_and_for_protocols_without_ports(write_state: StateWriter) -> None:
    path = write_state(("aws_vpc", "main", vpc_attrs()), ("aws_security_group", "svc", group_attrs("sg-1", ingress=[
        inline_rule("-1", 0, 0, cidr_blocks=["10.1.0.0/16"]),
        inline_rule("50", 0, 0, cidr_blocks=["10.2.0.0/16"]),  # ESP
        inline_rule("icmpv6", 128, 0, ipv6_cidr_blocks=["::/0"]),
    ])))
    rules = {r.peer_label(): r for r in group(load_terraform([path]), "sg-1").ingress}
    assert (rules["10.1.0.0/16"].protocol, rules["10.1.0.0/16"].from_port, rules["10.1.0.0/16"].to_port) == (-1, None, None)
    assert (rules["10.2.0.0/16"].protocol, rules["10.2.0.0/16"].from_port) == (50, None)
    assert (rules["::/0"].protocol, rules["::/0"].from_port, rules["::/0"].to_port) == (58, 128, 0)  # type 128, code 0


def test_a_group_of_another_account_is_referenced_by_its_id(estate: Snapshot) -> None:
    web = group(estate, "sg-0a1b2c3d4e5f60718")
    assert "sg-0a1b2c3d4e5f60718/ingress/tcp:22-22/sg-0f0e0d0c0b0a09080" in rule_ids(web)
    missing = {(i.family, i.scope) for i in estate.incomplete}
    assert ("security-group", "sg-0f0e0d0c0b0a09080") in missing


def test_app_stack_rules_in_the_new_style(estate: Snapshot) -> None:
    app = group(estate, "sg-0b2c3d4e5f6071829")
    assert rule_ids(app) == {
        "sg-0b2c3d4e5f6071829/ingress/tcp:8080-8080/sg-0a1b2c3d4e5f60718",
        "sg-0b2c3d4e5f6071829/ingress/icmp:-1--1/10.20.0.0/16",
        "sg-0b2c3d4e5f6071829/egress/all/0.0.0.0/0",
        "sg-0b2c3d4e5f6071829/egress/tcp:443-443/pl-6da54004",
    }
    db = group(estate, "sg-0c3d4e5f607182930")
    assert {r.peer_label() for r in db.ingress} == {"sg-0b2c3d4e5f6071829", "sg-0c3d4e5f607182930",
                                                   "10.20.1.0/24", "10.20.2.0/24"}
    assert db.egress == ()  # a group whose egress rules were all revoked allows nothing out


# -- the VPC's default group ---------------------------------------------------------------------------------


def test_an_unmanaged_default_group_is_assumed_with_aws_default_rules(estate: Snapshot) -> None:
    default = group(estate, "sg-0e2b7d4a1c9f30553")
    assert default.assumed and default.is_default and default.vpc_id == "vpc-0a7d3c1e5b9f20461"
    assert rule_ids(default) == {
        "sg-0e2b7d4a1c9f30553/ingress/all/sg-0e2b7d4a1c9f30553",  # members reach each other
        "sg-0e2b7d4a1c9f30553/egress/all/0.0.0.0/0",
        "sg-0e2b7d4a1c9f30553/egress/all/::/0",  # the VPC has IPv6
    }
    assert any(a.startswith("sg-0e2b7d4a1c9f30553: default security group of vpc-0a7d3c1e5b9f20461")
               for a in estate.assumptions)


def test_an_unmanaged_default_group_of_an_ipv4_only_vpc_has_no_ipv6_egress(estate: Snapshot) -> None:
    partner_default = group(estate, "sg-0f1f2f3f4f5f6f7f8")
    assert [str(r.cidr) for r in partner_default.egress] == ["0.0.0.0/0"]


def test_a_managed_default_group_has_exactly_the_declared_rules() -> None:
    snapshot = load("managed_defaults.tfstate")
    one, two = group(snapshot, "sg-0d0e0f1a2b3c4d5e6"), group(snapshot, "sg-0e0f1a2b3c4d5e6f7")
    assert not one.assumed and one.is_default
    assert [r.label() for r in one.ingress] == ["ingress tcp 22 from 10.60.0.0/16"] and one.egress == ()
    assert (two.ingress, two.egress) == ((), ())  # no rules declared = no rules
    assert not any(a.startswith("sg-") for a in snapshot.assumptions)


# -- absent groups -------------------------------------------------------------------------------------------


def test_rules_of_a_group_not_in_the_state_mark_it_incomplete(write_state: StateWriter) -> None:
    path = write_state(("aws_security_group_rule", "x", {
        "id": "sgrule-1", "type": "ingress", "security_group_id": "sg-elsewhere", "protocol": "tcp",
        "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}))
    snapshot = load_terraform([path])
    assert snapshot.security_groups == ()
    assert [(i.family, i.scope) for i in snapshot.incomplete] == [("security-group", "sg-elsewhere")]


def test_a_rule_whose_content_the_state_does_not_give_makes_its_group_incomplete(write_state: StateWriter) -> None:
    path = write_state(("aws_vpc", "main", vpc_attrs()), ("aws_security_group", "svc", group_attrs("sg-1")),
                       ("aws_security_group_rule", "stripped", {"id": "sgrule-2", "security_group_id": "sg-1"}))
    snapshot = load_terraform([path])
    assert ("security-group", "sg-1") in {(i.family, i.scope) for i in snapshot.incomplete}
    assert [(u.resource, u.attribute) for u in snapshot.unknowns] == [("aws_security_group_rule.stripped", "type")]


def test_rules_from_two_real_driftctl_states_land_on_their_group(real_data: Path) -> None:
    snapshot = load_terraform([driftctl(real_data, "aws_vpc_security_group"),
                               driftctl(real_data, "aws_vpc_security_group_rule")])
    foo = group(snapshot, "sg-0254c038e32f25530")
    assert sorted(r.label() for r in foo.ingress) == [
        "ingress all from 0.0.0.0/0",  # inline, and again as aws_security_group_rule.ingress: once
        "ingress all from 1.2.0.0/16",
        "ingress all from 5.6.7.0/24",
        "ingress icmp type 0 code 0 from sg-0254c038e32f25530",
        "ingress tcp 0 from pl-abb451c2",
        "ingress tcp all ports from sg-0254c038e32f25530",
    ]
    assert sorted(r.label() for r in foo.egress) == ["egress all to 0.0.0.0/0", "egress all to ::/0"]
    default = group(snapshot, "sg-9e0204ff")
    assert default.is_default and not default.assumed and [r.peer_label() for r in default.ingress] == ["sg-9e0204ff"]
    assert {i.scope for i in snapshot.incomplete if i.family == "security-group"} == {
        "sg-0cc8b3c3c2851705a", "sg-06910b842af0d3a8f", "sg-0d290f68e48de546b"}
    assert ip_network("::/0") in {r.cidr for r in foo.egress}
