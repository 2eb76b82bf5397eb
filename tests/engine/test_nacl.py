"""Network ACLs: stateless, numbered, first match wins, only between subnets (SPEC §6.3)."""

from topology.builder import EstateBuilder
from tests.scenario import one, rules, services

ALLOW_ALL = (100, "allow", "-1", None, None, "0.0.0.0/0")


def two_subnets(acl_in=None):
    b = EstateBuilder()
    b.vpc("vpc-1", "10.0.0.0/16")
    b.subnet("subnet-a", "vpc-1", "10.0.1.0/24")
    b.subnet("subnet-b", "vpc-1", "10.0.2.0/24")
    b.security_group("sg-a", "vpc-1")
    b.security_group("sg-b", "vpc-1", ingress=[("tcp", 0, 65535, "10.0.0.0/16")])
    b.instance("i-a", "subnet-a", "10.0.1.10", groups=["sg-a"], tags={"Zone": "a"})
    b.instance("i-b", "subnet-b", "10.0.2.10", groups=["sg-b"], tags={"Zone": "b"})
    if acl_in is not None:
        b.nacl("acl-b", "vpc-1", subnets=["subnet-b"], ingress=acl_in, egress=[ALLOW_ALL])
    return b


def test_deny_numbered_before_allow_wins():
    b = two_subnets([(90, "deny", "tcp", 22, 22, "10.0.1.0/24"), ALLOW_ALL])
    result = one(b.build(), "a", "b")
    assert result.result == "fail"
    assert services(result) == {"tcp/0-21", "tcp/23-65535"}


def test_deny_numbered_after_allow_is_never_reached():
    b = two_subnets([ALLOW_ALL, (110, "deny", "tcp", 22, 22, "10.0.1.0/24")])
    result = one(b.build(), "a", "b")
    assert services(result) == {"tcp/0-65535"}
    witness = result.witnesses[0]
    assert "#100 allow all from 0.0.0.0/0" in rules(witness)


def test_nacl_blocking_part_of_sg_range_leaves_exactly_the_remaining_ports():
    b = EstateBuilder()
    b.vpc("vpc-1", "10.0.0.0/16")
    b.subnet("subnet-a", "vpc-1", "10.0.1.0/24")
    b.subnet("subnet-b", "vpc-1", "10.0.2.0/24")
    b.security_group("sg-a", "vpc-1")
    b.security_group("sg-b", "vpc-1", ingress=[("tcp", 8000, 8100, "10.0.1.0/24")])
    b.nacl("acl-b", "vpc-1", subnets=["subnet-b"],
           ingress=[(100, "allow", "tcp", 8050, 9000, "0.0.0.0/0")], egress=[ALLOW_ALL])
    b.instance("i-a", "subnet-a", "10.0.1.10", groups=["sg-a"], tags={"Zone": "a"})
    b.instance("i-b", "subnet-b", "10.0.2.10", groups=["sg-b"], tags={"Zone": "b"})
    result = one(b.build(), "a", "b")
    assert result.result == "fail"
    assert [(w.protocol, w.port_range) for w in result.witnesses] == [("tcp", (8050, 8100))]
    assert [s for s, _ in [(h.step, h.at) for h in result.witnesses[0].path]] == [
        "sg-egress", "route", "nacl-out", "nacl-in", "sg-ingress"]


def test_implicit_deny_when_no_rule_matches():
    b = two_subnets([(100, "allow", "udp", 53, 53, "0.0.0.0/0")])
    assert one(b.build(), "a", "b").result == "pass"


def test_same_subnet_traffic_ignores_nacls():
    b = EstateBuilder()
    b.vpc("vpc-1", "10.0.0.0/16")
    b.subnet("subnet-a", "vpc-1", "10.0.1.0/24")
    b.nacl("acl-deny-all", "vpc-1", subnets=["subnet-a"], ingress=[], egress=[])
    b.security_group("sg-1", "vpc-1", ingress=[("tcp", 443, 443, "10.0.1.0/24")])
    b.instance("i-a", "subnet-a", "10.0.1.10", groups=["sg-1"], tags={"Zone": "a"})
    b.instance("i-b", "subnet-a", "10.0.1.11", groups=["sg-1"], tags={"Zone": "b"})
    result = one(b.build(), "a", "b")
    assert result.result == "fail"
    assert services(result) == {"tcp/443"}
    assert not any(h.step.startswith("nacl") for h in result.witnesses[0].path)


def test_outbound_nacl_of_the_source_subnet_applies():
    b = two_subnets()
    b.nacl("acl-a", "vpc-1", subnets=["subnet-a"], ingress=[ALLOW_ALL],
           egress=[(100, "allow", "tcp", 443, 443, "10.0.2.0/24")])
    result = one(b.build(), "a", "b")
    assert services(result) == {"tcp/443"}
    assert ("nacl-out", "acl-a") in [(h.step, h.at) for h in result.witnesses[0].path]


def test_nacl_deny_all_is_reported_as_denying():
    b = two_subnets([(100, "deny", "-1", None, None, "0.0.0.0/0")])
    assert one(b.build(), "a", "b").result == "pass"


def test_a_witness_says_when_the_stateless_reply_would_be_dropped():
    """SPEC §4: the SYN arrives (fail), but the destination subnet's outbound ACL drops the SYN-ACK."""
    b = two_subnets([ALLOW_ALL])
    b.nacl("acl-b", "vpc-1", subnets=["subnet-b"], ingress=[ALLOW_ALL],
           egress=[(100, "allow", "tcp", 0, 1023, "0.0.0.0/0")])
    result = one(b.build(), "a", "b", "{only: [tcp/0-1023]}")
    assert result.result == "fail"
    witness = next(w for w in result.witnesses if w.port_range == (1024, 65535))
    assert witness.reply and "nacl-out acl-b" in witness.reply and "implicit deny" in witness.reply


def test_no_reply_note_when_the_reply_passes():
    result = one(two_subnets([ALLOW_ALL]).build(), "a", "b")
    assert all(w.reply is None for w in result.witnesses)
