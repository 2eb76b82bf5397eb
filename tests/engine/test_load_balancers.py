"""Load balancers relay: internet -> listener -> target on the target port, with the balancer in the path."""

from ipaddress import IPv4Address

from topology.builder import EstateBuilder
from tests.scenario import one, steps
from zonecheck.model import Endpoint, LoadBalancer, LoadBalancerListener, TargetGroup, TargetGroupTarget


def public_and_db_subnets(db_admits: str) -> EstateBuilder:
    """One VPC: a public subnet (route to the IGW) for balancers, a db subnet with i-db (5432 from `db_admits`)."""
    b = EstateBuilder()
    b.vpc("vpc-1", "10.0.0.0/16")
    b.subnet("subnet-pub", "vpc-1", "10.0.1.0/24")
    b.subnet("subnet-db", "vpc-1", "10.0.3.0/24")
    b.igw("igw-1", "vpc-1")
    b.route_table("rtb-pub", "vpc-1", subnets=["subnet-pub"], routes=[("0.0.0.0/0", "igw-1")])
    b.security_group("sg-alb", "vpc-1", ingress=[("tcp", 443, 443, "0.0.0.0/0")])
    b.security_group("sg-db", "vpc-1", ingress=[("tcp", 5432, 5432, db_admits)])
    b.instance("i-db", "subnet-db", "10.0.3.10", groups=["sg-db"], tags={"Zone": "private-db"})
    return b


def estate(*, scheme="internet-facing", kind="application", target="i-db", listener_port=443, lb_groups=("sg-alb",)):
    b = public_and_db_subnets("10.0.1.0/24")
    b.instance("i-other", "subnet-db", "10.0.3.11", groups=["sg-db"], tags={"Zone": "other"})
    lb_id = "arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/front/1"
    b.endpoint(Endpoint(id="eni-alb-1", kind="load-balancer", owner_id=lb_id, subnet_id="subnet-pub",
                        security_group_ids=tuple(lb_groups), private_ips=(IPv4Address("10.0.1.20"),),
                        public_ips=(IPv4Address("34.1.1.1"),) if scheme == "internet-facing" else ()))
    b.add("load_balancers", LoadBalancer(
        id=lb_id, name="front", kind=kind, scheme=scheme, vpc_id="vpc-1", subnet_ids=("subnet-pub",),
        security_group_ids=tuple(lb_groups),
        listeners=(LoadBalancerListener(id="l-1", protocol="HTTPS" if kind == "application" else "TCP",
                                        port=listener_port, target_group_ids=("tg-db",)),)))
    b.add("target_groups", TargetGroup(id="tg-db", name="db", protocol="TCP", port=5432, vpc_id="vpc-1",
                                       targets=(TargetGroupTarget(target_id=target),)))
    return b.build()


def test_internet_facing_balancer_forwarding_to_the_db_is_an_internet_to_db_failure():
    result = one(estate(), "internet", "private-db")
    assert result.result == "fail"
    [witness] = result.witnesses
    assert witness.service() == "tcp/5432"
    assert witness.target.id == "eni-i-db"
    path = steps(witness)
    assert ("load-balancer", "arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/front/1") in path
    assert path[0] == ("igw", "igw-1") and path[-1] == ("sg-ingress", "sg-db")


def test_internal_balancer_gives_the_internet_nothing():
    assert one(estate(scheme="internal"), "internet", "private-db").result == "pass"


def test_instances_not_registered_are_not_exposed():
    """A complaint about per-resource tools: an instance behind an internet-facing ALB not called exposed —
    and its neighbour, not registered, wrongly called exposed."""
    assert one(estate(), "internet", "other").result == "pass"
    assert one(estate(target="i-other"), "internet", "other").result == "fail"


def test_balancer_security_group_limits_what_reaches_the_listener():
    assert one(estate(listener_port=8443), "internet", "private-db").result == "pass"


def test_network_balancer_without_groups_forwards_listener_traffic():
    result = one(estate(kind="network", lb_groups=()), "internet", "private-db")
    # The db group admits only the balancer's subnet; an NLB may preserve the client address, which the db
    # group does not admit, but the balancer's own address is admitted.
    assert result.result == "fail"


def test_an_only_assertion_allowing_the_listener_port_still_sees_the_target_port_behind_it():
    """`only` assertions skip their allowed services before the walk (check.py `ignore`) — unless a load
    balancer lies ahead: it turns the allowed tcp/443 into tcp/5432, which is not allowed."""
    result = one(estate(), "internet", "private-db", "{only: [tcp/443]}")
    assert result.result == "fail"
    assert {w.service() for w in result.witnesses} == {"tcp/5432"}


def test_an_only_assertion_allowing_the_target_port_passes():
    assert one(estate(), "internet", "private-db", "{only: [tcp/5432]}").result == "pass"


def chained():
    """The internet-facing ALB forwards tcp/8443 to an internal NLB (its interface is in the zone), which
    forwards to the db on 5432: two port rewrites."""
    b = public_and_db_subnets("10.0.0.0/16")
    front = "arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/front/1"
    inner = "arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/net/inner/2"
    b.endpoint(Endpoint(id="eni-alb-1", kind="load-balancer", owner_id=front, subnet_id="subnet-pub",
                        security_group_ids=("sg-alb",), private_ips=(IPv4Address("10.0.1.20"),),
                        public_ips=(IPv4Address("34.1.1.1"),)))
    b.endpoint(Endpoint(id="eni-nlb-1", kind="load-balancer", owner_id=inner, subnet_id="subnet-db",
                        private_ips=(IPv4Address("10.0.3.30"),), owner_tags={"Zone": "private-db"}))
    b.add("load_balancers", LoadBalancer(
        id=front, name="front", kind="application", scheme="internet-facing", vpc_id="vpc-1",
        subnet_ids=("subnet-pub",), security_group_ids=("sg-alb",),
        listeners=(LoadBalancerListener(id="l-1", protocol="HTTPS", port=443, target_group_ids=("tg-inner",)),)))
    b.add("load_balancers", LoadBalancer(
        id=inner, name="inner", kind="network", scheme="internal", vpc_id="vpc-1", subnet_ids=("subnet-db",),
        listeners=(LoadBalancerListener(id="l-2", protocol="TCP", port=8443, target_group_ids=("tg-db",)),)))
    b.add("target_groups", TargetGroup(id="tg-inner", name="inner", protocol="TCP", port=8443, vpc_id="vpc-1",
                                       target_type="ip", targets=(TargetGroupTarget(target_id="10.0.3.30"),)))
    b.add("target_groups", TargetGroup(id="tg-db", name="db", protocol="TCP", port=5432, vpc_id="vpc-1",
                                       targets=(TargetGroupTarget(target_id="i-db"),)))
    return b.build()


def test_an_allowed_port_past_one_balancer_is_still_followed_into_the_next():
    """Past a balancer, packets on an allowed service are not followed (they cannot become violations) —
    unless they head to another balancer, which rewrites their port again: tcp/8443 (allowed) into the NLB
    comes out as tcp/5432 (not allowed) at the db."""
    assert one(chained(), "internet", "private-db", "{only: [tcp/8443]}").result == "fail"
    result = one(chained(), "internet", "private-db", "{only: [tcp/8443]}")
    assert {(w.target.id, w.service()) for w in result.witnesses} == {("eni-i-db", "tcp/5432")}
    assert one(chained(), "internet", "private-db", "{only: [tcp/8443, tcp/5432]}").result == "pass"
