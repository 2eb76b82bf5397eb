"""IPv6 everywhere, prefix lists as route destinations, cross-account peering and shared subnets."""

from topology.builder import EstateBuilder
from tests.scenario import one, rules, services, steps
from zonecheck.model import Endpoint
from ipaddress import IPv4Address


def dual_stack():
    b = EstateBuilder()
    b.vpc("vpc-1", "10.0.0.0/16", ipv6="2600:1f18:1::/56")
    b.subnet("subnet-a", "vpc-1", "10.0.1.0/24", ipv6="2600:1f18:1:1::/64")
    b.subnet("subnet-b", "vpc-1", "10.0.2.0/24", ipv6="2600:1f18:1:2::/64")
    b.security_group("sg-b", "vpc-1", ingress=[("icmpv6", 128, -1, "::/0"), ("tcp", 22, 22, "10.0.0.0/16")])
    b.instance("i-a", "subnet-a", "10.0.1.10", ipv6=["2600:1f18:1:1::10"], tags={"Zone": "a"})
    b.instance("i-b", "subnet-b", "10.0.2.10", groups=["sg-b"], ipv6=["2600:1f18:1:2::10"], tags={"Zone": "b"})
    return b


def test_icmpv6_echo_is_its_own_protocol_and_type():
    result = one(dual_stack().build(), "a", "b")
    assert {(w.protocol, w.detail, w.target.address) for w in result.witnesses} == {
        ("icmpv6", "type 128", "2600:1f18:1:2::10"), ("tcp", None, "10.0.2.10")}


def test_ipv6_nacl_entries_apply_to_ipv6_only():
    b = dual_stack()
    b.nacl("acl-b", "vpc-1", subnets=["subnet-b"],
           ingress=[(100, "deny", "-1", None, None, "::/0"), (110, "allow", "-1", None, None, "0.0.0.0/0")],
           egress=[(100, "allow", "-1", None, None, "0.0.0.0/0")])
    assert services(one(b.build(), "a", "b")) == {"tcp/22"}


def test_prefix_list_as_route_destination():
    b = EstateBuilder()
    b.vpc("vpc-a", "10.0.0.0/16")
    b.vpc("vpc-b", "10.1.0.0/16")
    b.subnet("subnet-a", "vpc-a", "10.0.1.0/24")
    b.subnet("subnet-b", "vpc-b", "10.1.1.0/24")
    b.peering("pcx-ab", "vpc-a", "vpc-b")
    b.prefix_list("pl-b", ["10.1.1.0/24"])
    b.route_table("rtb-a", "vpc-a", subnets=["subnet-a"], routes=[("pl-b", "pcx-ab")])
    b.security_group("sg-b", "vpc-b", ingress=[("tcp", 443, 443, "10.0.0.0/16")])
    b.instance("i-a", "subnet-a", "10.0.1.10", tags={"Zone": "a"})
    b.instance("i-b", "subnet-b", "10.1.1.10", groups=["sg-b"], tags={"Zone": "b"})
    result = one(b.build(), "a", "b")
    assert services(result) == {"tcp/443"}
    assert rules(result.witnesses[0])[1] == "pl-b -> pcx-ab"


def test_cross_account_peering_resolves_when_both_accounts_are_in_the_snapshot():
    b = EstateBuilder()
    b.vpc("vpc-a", "10.0.0.0/16", account="111111111111")
    b.vpc("vpc-b", "10.1.0.0/16", account="222222222222")
    b.subnet("subnet-a", "vpc-a", "10.0.1.0/24")
    b.subnet("subnet-b", "vpc-b", "10.1.1.0/24")
    b.peering("pcx-ab", "vpc-a", "vpc-b")
    b.route_table("rtb-a", "vpc-a", subnets=["subnet-a"], routes=[("10.1.0.0/16", "pcx-ab")])
    b.security_group("sg-b", "vpc-b", ingress=[("tcp", 443, 443, "10.0.0.0/16")])
    b.instance("i-a", "subnet-a", "10.0.1.10", tags={"Zone": "a"})
    b.instance("i-b", "subnet-b", "10.1.1.10", groups=["sg-b"], tags={"Zone": "b"})
    snapshot = b.build()
    assert {p.accepter_account for p in snapshot.vpc_peerings} == {"222222222222"}
    assert one(snapshot, "a", "b").result == "fail"


def test_interface_of_another_account_in_a_shared_subnet_is_routed_like_any_other():
    b = EstateBuilder()
    b.vpc("vpc-shared", "10.0.0.0/16", account="111111111111")
    b.subnet("subnet-shared", "vpc-shared", "10.0.1.0/24")
    b.subnet("subnet-db", "vpc-shared", "10.0.2.0/24")
    b.security_group("sg-app", "vpc-shared")
    b.security_group("sg-db", "vpc-shared", ingress=[("tcp", 5432, 5432, "sg-app")])
    b.endpoint(Endpoint(id="eni-participant", kind="instance", owner_id="i-participant", subnet_id="subnet-shared",
                        security_group_ids=("sg-app",), private_ips=(IPv4Address("10.0.1.50"),),
                        owner_tags={"Zone": "app", "Account": "333333333333"}))
    b.instance("i-db", "subnet-db", "10.0.2.10", groups=["sg-db"], tags={"Zone": "db"})
    result = one(b.build(), "app", "db")
    assert services(result) == {"tcp/5432"}
    assert steps(result.witnesses[0])[-1] == ("sg-ingress", "sg-db")


def _peered_with_an_account_not_collected():
    b = EstateBuilder()
    b.vpc("vpc-mine", "10.43.0.0/16", account="111111111111")
    b.subnet("subnet-mine", "vpc-mine", "10.43.1.0/24")
    b.peering("pcx-partner", "vpc-mine", "vpc-theirs")  # vpc-theirs: another account, not in the snapshot
    b.route_table("rtb-mine", "vpc-mine", subnets=["subnet-mine"], routes=[("10.50.0.0/16", "pcx-partner")])
    b.instance("i-mine", "subnet-mine", "10.43.1.10", tags={"Zone": "mine"})
    return b.build()


POLICY_TO_PARTNER = """\
version: 1
zones:
  mine: {match: [{tags: {Zone: mine}}]}
  partner-network: {match: [{cidr: 10.50.0.0/16}], allow_empty: true}
  elsewhere: {match: [{cidr: 10.60.0.0/16}], allow_empty: true}
assertions:
  - {name: to-partner, from: mine, to: partner-network, expect: no-access}
  - {name: to-elsewhere, from: mine, to: elsewhere, expect: no-access}
"""


def test_the_far_side_of_a_peering_to_a_vpc_not_in_the_snapshot_is_unknown_not_pass():
    """Issue 5: the peer VPC of an account not collected decides with groups nobody read: never `pass`."""
    from tests.scenario import check

    result = {a.name: a for a in check(_peered_with_an_account_not_collected(), POLICY_TO_PARTNER).assertions}
    partner = result["to-partner"]
    assert partner.result == "unknown"
    [witness] = partner.witnesses
    assert ("peering", "pcx-partner") in steps(witness)
    assert witness.target.id == "vpc-theirs (not in the source)"
    assert any("vpc-theirs is not in the source" in d for d in witness.doubts)
    # addresses no route sends over that peering stay unreachable
    assert result["to-elsewhere"].result == "pass"


def _peered_across(region_b: str):
    b = EstateBuilder()
    b.vpc("vpc-a", "10.0.0.0/16", region="us-east-1")
    b.vpc("vpc-b", "10.1.0.0/16", region=region_b)
    b.subnet("subnet-a", "vpc-a", "10.0.1.0/24")
    b.subnet("subnet-b", "vpc-b", "10.1.1.0/24")
    b.peering("pcx-ab", "vpc-a", "vpc-b")
    b.route_table("rtb-a", "vpc-a", subnets=["subnet-a"], routes=[("10.1.0.0/16", "pcx-ab")])
    b.security_group("sg-b", "vpc-b", ingress=[("-1", None, None, "10.0.0.0/16")])
    b.security_group("sg-a", "vpc-a", egress=[("icmp", -1, -1, "sg-b")])  # a reference to the peer's group
    b.instance("i-a", "subnet-a", "10.0.1.10", groups=["sg-a"], tags={"Zone": "a"})
    b.instance("i-b", "subnet-b", "10.1.1.10", groups=["sg-b"], tags={"Zone": "b"})
    return b.build()


def test_an_egress_reference_to_a_group_across_a_same_region_peering_admits_its_members():
    result = one(_peered_across("us-east-1"), "a", "b")
    assert result.result == "fail"
    assert services(result) == {"icmp"}


def test_an_egress_reference_to_a_group_in_another_region_admits_nothing():
    """Found by the differential test (session 2): references are valid only in the same VPC or across a
    same-region peering (SPEC §6.4); the engine let an egress reference match across regions."""
    assert one(_peered_across("eu-west-1"), "a", "b").result == "pass"
