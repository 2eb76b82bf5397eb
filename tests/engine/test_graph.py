"""The estate graph only prunes: it must over-approximate every path the walker finds."""

from topology import npm2015
from topology.builder import EstateBuilder
from zonecheck.engine.estate import Estate
from zonecheck.engine.graph import INTERNET


def test_peered_vpcs_are_connected_and_isolated_ones_are_not():
    b = EstateBuilder()
    for i in range(3):
        b.vpc(f"vpc-{i}", f"10.{i}.0.0/16")
        b.subnet(f"subnet-{i}", f"vpc-{i}", f"10.{i}.1.0/24")
    b.peering("pcx-01", "vpc-0", "vpc-1")
    b.route_table("rtb-0", "vpc-0", subnets=["subnet-0"], routes=[("10.1.0.0/16", "pcx-01")])
    reach = Estate(b.build()).reach
    assert reach.may_reach("subnet-0", {"subnet-1"}, internet=False)
    assert not reach.may_reach("subnet-0", {"subnet-2"}, internet=False)
    assert not reach.may_reach("subnet-1", {"subnet-0"}, internet=False)  # no route back from vpc-1


def test_unmodelled_targets_reach_everything():
    b = EstateBuilder()
    b.vpc("vpc-0", "10.0.0.0/16")
    b.vpc("vpc-1", "10.1.0.0/16")
    b.subnet("subnet-0", "vpc-0", "10.0.1.0/24")
    b.subnet("subnet-1", "vpc-1", "10.1.1.0/24")
    b.route_table("rtb-0", "vpc-0", subnets=["subnet-0"], routes=[("10.1.0.0/16", "tgw-1")])
    reach = Estate(b.build()).reach
    assert reach.may_reach("subnet-0", {"subnet-1"}, internet=True)


def test_only_subnets_routing_out_reach_the_internet_in_the_reference_estate():
    estate = Estate(npm2015.after())
    assert INTERNET in estate.reach.reachable_from("subnet-0replica")
    assert not estate.reach.may_reach("subnet-0data-a", set(), internet=True)


def test_one_backward_walk_answers_as_the_forward_walks_do():
    """check.py asks once per assertion which subnets may reach the targets (senders_reaching) instead of
    walking forward from every source subnet: the answers must be the same, subnets unknown to the graph
    included."""
    from topology.synthetic import generate

    snapshot, _ = generate("S", seed=2)
    reach = Estate(snapshot).reach
    subnets = sorted(s.id for s in snapshot.subnets) + ["subnet-not-in-the-source"]
    for targets in ({subnets[0]}, set(subnets[3:9]), {subnets[-2]}, set(subnets[::5])):
        for internet in (False, True):
            for source in subnets:
                assert reach.may_reach_any(source, targets, internet) == reach.may_reach(source, targets, internet), \
                    (source, targets, internet)
