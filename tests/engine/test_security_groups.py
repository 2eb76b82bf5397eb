"""Security groups: union of rules, peers by CIDR, prefix list, group reference and self (SPEC §6.1, §6.4)."""

from topology.builder import EstateBuilder
from tests.scenario import one, rules, services


def flat(src_groups, dst_groups, *, extra=None):
    b = EstateBuilder()
    b.vpc("vpc-1", "10.0.0.0/16")
    b.subnet("subnet-a", "vpc-1", "10.0.1.0/24")
    b.subnet("subnet-b", "vpc-1", "10.0.2.0/24")
    if extra:
        extra(b)
    b.instance("i-a", "subnet-a", "10.0.1.10", groups=src_groups, tags={"Zone": "a"})
    b.instance("i-b", "subnet-b", "10.0.2.10", groups=dst_groups, tags={"Zone": "b"})
    return b.build()


def test_egress_restricted_on_the_source_side_limits_the_flows():
    def groups(b):
        b.security_group("sg-a", "vpc-1", egress=[("tcp", 443, 443, "10.0.0.0/16")])
        b.security_group("sg-b", "vpc-1", ingress=[("-1", None, None, "0.0.0.0/0")])
    result = one(flat(["sg-a"], ["sg-b"], extra=groups), "a", "b")
    assert services(result) == {"tcp/443"}
    assert rules(result.witnesses[0])[0] == "egress tcp 443 to 10.0.0.0/16"


def test_no_egress_rule_means_nothing_leaves():
    def groups(b):
        b.security_group("sg-a", "vpc-1", egress=[])
        b.security_group("sg-b", "vpc-1", ingress=[("-1", None, None, "0.0.0.0/0")])
    assert one(flat(["sg-a"], ["sg-b"], extra=groups), "a", "b").result == "pass"


def test_group_reference_admits_members_only():
    def groups(b):
        b.security_group("sg-app", "vpc-1")
        b.security_group("sg-other", "vpc-1")
        b.security_group("sg-db", "vpc-1", ingress=[("tcp", 5432, 5432, "sg-app")])
    assert one(flat(["sg-app"], ["sg-db"], extra=groups), "a", "b").result == "fail"
    assert one(flat(["sg-other"], ["sg-db"], extra=groups), "a", "b").result == "pass"


def test_cidr_rule_admits_by_address_whatever_the_group():
    def groups(b):
        b.security_group("sg-other", "vpc-1")
        b.security_group("sg-db", "vpc-1", ingress=[("tcp", 5432, 5432, "10.0.1.0/28")])
    result = one(flat(["sg-other"], ["sg-db"], extra=groups), "a", "b")
    assert services(result) == {"tcp/5432"}
    assert rules(result.witnesses[0])[-1] == "ingress tcp 5432 from 10.0.1.0/28"


def test_self_rule_admits_other_members_of_the_same_group():
    def groups(b):
        b.security_group("sg-1", "vpc-1", ingress=[("-1", None, None, "self")])
    result = one(flat(["sg-1"], ["sg-1"], extra=groups), "a", "b")
    assert result.result == "fail"
    assert services(result) == {"any"}


def test_self_rule_plus_open_cidr_both_count():
    """A complaint about per-resource tools: `self = true` next to 0.0.0.0/0 was missed."""
    def groups(b):
        b.security_group("sg-web", "vpc-1", ingress=[("tcp", 80, 80, "self"), ("tcp", 22, 22, "0.0.0.0/0")])
        b.security_group("sg-x", "vpc-1")
    result = one(flat(["sg-x"], ["sg-web"], extra=groups), "a", "b")
    assert services(result) == {"tcp/22"}
    result = one(flat(["sg-web"], ["sg-web"], extra=groups), "a", "b")
    assert services(result) == {"tcp/22", "tcp/80"}


def test_prefix_list_peer_uses_its_entries():
    def groups(b):
        b.prefix_list("pl-office", ["10.0.1.0/24"])
        b.security_group("sg-a", "vpc-1")
        b.security_group("sg-b", "vpc-1", ingress=[("tcp", 22, 22, "pl-office")])
    result = one(flat(["sg-a"], ["sg-b"], extra=groups), "a", "b")
    assert services(result) == {"tcp/22"}


def test_prefix_list_with_unknown_entries_is_unknown_not_pass():
    def groups(b):
        b.prefix_list("pl-aws", None, aws_managed=True)
        b.security_group("sg-a", "vpc-1")
        b.security_group("sg-b", "vpc-1", ingress=[("tcp", 22, 22, "pl-aws")])
    result = one(flat(["sg-a"], ["sg-b"], extra=groups), "a", "b")
    assert result.result == "unknown"
    assert any("pl-aws" in d for w in result.witnesses for d in w.doubts)


def test_reference_to_a_group_missing_from_the_source_is_unknown():
    def groups(b):
        b.security_group("sg-a", "vpc-1")
        b.security_group("sg-b", "vpc-1", ingress=[("tcp", 22, 22, "sg-elsewhere")])
    assert one(flat(["sg-a"], ["sg-b"], extra=groups), "a", "b").result == "unknown"


def test_icmp_rules_are_per_type():
    def groups(b):
        b.security_group("sg-a", "vpc-1")
        b.security_group("sg-b", "vpc-1", ingress=[("icmp", 8, -1, "10.0.0.0/16")])
    result = one(flat(["sg-a"], ["sg-b"], extra=groups), "a", "b")
    assert result.result == "fail"
    assert [(w.protocol, w.detail) for w in result.witnesses] == [("icmp", "type 8")]
    assert one(flat(["sg-a"], ["sg-b"], extra=groups), "a", "b", "{only: [icmp]}").result == "pass"


def test_only_expectation_reports_the_flows_outside_the_allowed_set():
    def groups(b):
        b.security_group("sg-a", "vpc-1")
        b.security_group("sg-b", "vpc-1", ingress=[("tcp", 5432, 5432, "10.0.0.0/16"), ("tcp", 22, 22, "10.0.0.0/16")])
    result = one(flat(["sg-a"], ["sg-b"], extra=groups), "a", "b", "{only: [tcp/5432]}")
    assert result.result == "fail"
    assert services(result) == {"tcp/22"}
    assert one(flat(["sg-a"], ["sg-b"], extra=groups), "a", "b", "{only: [tcp/5432, tcp/22]}").result == "pass"


def test_access_expectation_names_the_hop_that_drops_the_required_flow():
    def groups(b):
        b.security_group("sg-a", "vpc-1")
        b.security_group("sg-b", "vpc-1", ingress=[("tcp", 22, 22, "10.0.0.0/16")])
    result = one(flat(["sg-a"], ["sg-b"], extra=groups), "a", "b", "{access: [tcp/5432]}")
    assert result.result == "fail"
    [witness] = result.witnesses
    assert witness.service() == "tcp/5432"
    assert witness.dropped_at.step == "sg-ingress" and witness.dropped_at.at == "sg-b"
    assert one(flat(["sg-a"], ["sg-b"], extra=groups), "a", "b", "{access: [tcp/22]}").result == "pass"


def test_unmanaged_default_group_shared_by_two_zones_lets_them_talk():
    """AWS's default group admits its own members: two zones left in it are not isolated."""
    b = EstateBuilder()
    b.vpc("vpc-1", "10.0.0.0/16")
    b.subnet("subnet-a", "vpc-1", "10.0.1.0/24")
    b.instance("i-a", "subnet-a", "10.0.1.10", tags={"Zone": "a"})  # default group
    b.instance("i-b", "subnet-a", "10.0.1.11", tags={"Zone": "b"})
    result = one(b.build(), "a", "b")
    assert result.result == "fail"
    assert rules(result.witnesses[0])[-1] == f"ingress all from {b.default_security_group('vpc-1')}"
