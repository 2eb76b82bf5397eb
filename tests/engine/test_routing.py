"""Routing: LPM, local, peering (not transitive), blackholes, and what the engine does not model (SPEC §6.2)."""

from topology.builder import EstateBuilder
from tests.scenario import one, rules, services, steps


def peered(*, routes_a=(("10.1.0.0/16", "pcx-ab"),), routes_b=(("10.0.0.0/16", "pcx-ab"),), region_b="us-east-1"):
    b = EstateBuilder()
    b.vpc("vpc-a", "10.0.0.0/16")
    b.vpc("vpc-b", "10.1.0.0/16", region=region_b)
    b.subnet("subnet-a", "vpc-a", "10.0.1.0/24")
    b.subnet("subnet-b", "vpc-b", "10.1.1.0/24")
    b.peering("pcx-ab", "vpc-a", "vpc-b")
    b.route_table("rtb-a", "vpc-a", subnets=["subnet-a"], routes=routes_a)
    b.route_table("rtb-b", "vpc-b", subnets=["subnet-b"], routes=routes_b)
    b.security_group("sg-a", "vpc-a")
    b.security_group("sg-b", "vpc-b", ingress=[("tcp", 5432, 5432, "10.0.0.0/8")])
    b.instance("i-a", "subnet-a", "10.0.1.10", groups=["sg-a"], tags={"Zone": "a"})
    b.instance("i-b", "subnet-b", "10.1.1.10", groups=["sg-b"], tags={"Zone": "b"})
    return b


def test_peering_delivers_to_the_peer_vpc_with_the_peering_hop_in_the_witness():
    result = one(peered().build(), "a", "b")
    assert result.result == "fail"
    [witness] = result.witnesses
    assert steps(witness) == [("sg-egress", "sg-a"), ("route", "rtb-a"), ("peering", "pcx-ab"),
                              ("nacl-out", "acl-vpc-a-default"), ("nacl-in", "acl-vpc-b-default"),
                              ("sg-ingress", "sg-b")]
    assert rules(witness)[1] == "10.1.0.0/16 -> pcx-ab"


def test_no_route_means_no_path():
    assert one(peered(routes_a=()).build(), "a", "b").result == "pass"


def test_longest_prefix_wins_over_a_shorter_route():
    b = peered(routes_a=(("10.1.0.0/16", "pcx-ab"), ("10.1.1.0/24", "blackhole")))
    assert one(b.build(), "a", "b").result == "pass"
    b = peered(routes_a=(("10.1.0.0/16", "pcx-ab"), ("10.1.2.0/24", "blackhole")))
    assert one(b.build(), "a", "b").result == "fail"


def test_peering_is_not_transitive():
    """a - b peered, b - c peered: a cannot reach c through b, even with routes everywhere."""
    b = peered(routes_a=(("10.0.0.0/8", "pcx-ab"),), routes_b=(("10.0.0.0/16", "pcx-ab"), ("10.2.0.0/16", "pcx-bc")))
    b.vpc("vpc-c", "10.2.0.0/16")
    b.subnet("subnet-c", "vpc-c", "10.2.1.0/24")
    b.peering("pcx-bc", "vpc-b", "vpc-c")
    b.route_table("rtb-c", "vpc-c", subnets=["subnet-c"], routes=[("10.0.0.0/8", "pcx-bc")])
    b.security_group("sg-c", "vpc-c", ingress=[("-1", None, None, "0.0.0.0/0")])
    b.instance("i-c", "subnet-c", "10.2.1.10", groups=["sg-c"], tags={"Zone": "c"})
    assert one(b.build(), "a", "c").result == "pass"
    assert one(b.build(), "b", "c").result == "fail"


def test_peering_route_wider_than_the_peer_cidr_carries_only_the_peer_cidr():
    b = peered(routes_a=(("10.0.0.0/8", "pcx-ab"),))
    assert one(b.build(), "a", "b").result == "fail"


def test_inactive_peering_carries_nothing():
    b = peered()
    b._peerings[0] = b._peerings[0].model_copy(update={"status": "pending-acceptance"})
    assert one(b.build(), "a", "b").result == "pass"


def test_group_reference_is_valid_across_a_same_region_peering_only():
    def with_ref(region_b):
        b = peered(region_b=region_b)
        b.security_group("sg-b", "vpc-b", ingress=[("tcp", 5432, 5432, "sg-a")])
        return b.build()
    assert one(with_ref("us-east-1"), "a", "b").result == "fail"
    assert one(with_ref("eu-west-1"), "a", "b").result == "pass"


def test_routes_to_unmodelled_targets_make_the_verdict_unknown_and_name_the_construct():
    b = peered(routes_a=(("10.1.0.0/16", "tgw-0123"),))
    result = one(b.build(), "a", "b")
    assert result.result == "unknown"
    assert any("tgw-0123" in d for w in result.witnesses for d in w.doubts)


def test_unmodelled_target_cannot_get_past_the_destination_security_group():
    b = peered(routes_a=(("10.1.0.0/16", "tgw-0123"),))
    b.security_group("sg-b", "vpc-b", ingress=[])
    assert one(b.build(), "a", "b").result == "pass"


def test_main_route_table_serves_subnets_without_an_explicit_association():
    b = EstateBuilder()
    b.vpc("vpc-a", "10.0.0.0/16")
    b.vpc("vpc-b", "10.1.0.0/16")
    b.subnet("subnet-a", "vpc-a", "10.0.1.0/24")
    b.subnet("subnet-b", "vpc-b", "10.1.1.0/24")
    b.peering("pcx-ab", "vpc-a", "vpc-b")
    b.add_routes(b.main_route_table("vpc-a"), [("10.1.0.0/16", "pcx-ab")])
    b.security_group("sg-b", "vpc-b", ingress=[("tcp", 22, 22, "10.0.0.0/16")])
    b.instance("i-a", "subnet-a", "10.0.1.10", tags={"Zone": "a"})
    b.instance("i-b", "subnet-b", "10.1.1.10", groups=["sg-b"], tags={"Zone": "b"})
    result = one(b.build(), "a", "b")
    assert services(result) == {"tcp/22"}
    assert ("route", "rtb-vpc-a-main") in steps(result.witnesses[0])


def test_secondary_vpc_cidr_is_local():
    b = EstateBuilder()
    b.vpc("vpc-a", ["10.0.0.0/16", "100.64.0.0/16"])
    b.subnet("subnet-a", "vpc-a", "10.0.1.0/24")
    b.subnet("subnet-x", "vpc-a", "100.64.1.0/24")
    b.security_group("sg-x", "vpc-a", ingress=[("tcp", 80, 80, "10.0.0.0/16")])
    b.instance("i-a", "subnet-a", "10.0.1.10", tags={"Zone": "a"})
    b.instance("i-x", "subnet-x", "100.64.1.10", groups=["sg-x"], tags={"Zone": "x"})
    result = one(b.build(), "a", "x")
    assert services(result) == {"tcp/80"}
    assert rules(result.witnesses[0])[1] == "100.64.0.0/16 -> local"


def test_a_path_through_a_resource_with_an_unknown_value_is_only_possible():
    from zonecheck.model import UnknownValue
    b = peered()
    b.add("unknowns", UnknownValue(resource="sg-b", attribute="ingress[0].cidr_blocks"))
    result = one(b.build(), "a", "b")
    assert result.result == "unknown"
    assert any("sg-b.ingress[0].cidr_blocks is unknown" in d for w in result.witnesses for d in w.doubts)


def test_an_unknown_value_off_the_path_does_not_hide_a_certain_failure():
    from zonecheck.model import UnknownValue
    b = peered()
    b.add("unknowns", UnknownValue(resource="sg-unrelated", attribute="ingress[0].cidr_blocks"))
    assert one(b.build(), "a", "b").result == "fail"
