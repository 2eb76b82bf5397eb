"""The internet: public addresses, internet gateways, NAT and IPv6 (SPEC §6.5)."""

from topology.builder import EstateBuilder
from tests.scenario import one, rules, services, steps


def web(*, public_ip="54.1.2.3", igw=True, route=True, ipv6=False, eigw=False):
    b = EstateBuilder()
    b.vpc("vpc-1", "10.0.0.0/16", ipv6="2600:1f18:aa::/56" if ipv6 else None)
    b.subnet("subnet-pub", "vpc-1", "10.0.1.0/24", ipv6="2600:1f18:aa:1::/64" if ipv6 else None)
    routes = []
    if igw:
        b.igw("igw-1", "vpc-1")
    if eigw:
        b.eigw("eigw-1", "vpc-1")
    if route:
        routes.append(("0.0.0.0/0", "igw-1"))
        if ipv6:
            routes.append(("::/0", "eigw-1" if eigw else "igw-1"))
    b.route_table("rtb-pub", "vpc-1", subnets=["subnet-pub"], routes=routes)
    b.security_group("sg-web", "vpc-1", ingress=[("tcp", 443, 443, "0.0.0.0/0"), ("tcp", 443, 443, "::/0")],
                     egress=[("-1", None, None, "0.0.0.0/0"), ("-1", None, None, "::/0")])
    b.instance("i-web", "subnet-pub", "10.0.1.10", groups=["sg-web"], public_ip=public_ip,
               ipv6=["2600:1f18:aa:1::10"] if ipv6 else (), tags={"Zone": "web"})
    return b


def test_public_ip_and_igw_route_expose_the_instance():
    result = one(web().build(), "internet", "web")
    assert result.result == "fail"
    [witness] = result.witnesses
    assert witness.service() == "tcp/443"
    assert witness.target.address == "54.1.2.3"
    assert steps(witness) == [("igw", "igw-1"), ("route", "rtb-pub"), ("nacl-in", "acl-vpc-1-default"),
                              ("sg-ingress", "sg-web")]


def test_open_alb_style_rule_is_reported_on_its_port_only():
    """A complaint about per-resource tools: a group open on 443 reported as "open to any port"."""
    result = one(web().build(), "internet", "web", "{only: [tcp/443]}")
    assert result.result == "pass"


def test_no_public_ip_means_no_exposure():
    assert one(web(public_ip=None).build(), "internet", "web").result == "pass"


def test_no_internet_gateway_means_no_exposure():
    assert one(web(igw=False, route=False).build(), "internet", "web").result == "pass"


def test_subnet_without_a_route_to_the_igw_is_not_reachable_from_the_internet():
    result = one(web(route=False).build(), "internet", "web")
    assert result.result == "pass"


def test_nat_gateway_gives_outbound_but_no_inbound_path():
    b = EstateBuilder()
    b.vpc("vpc-1", "10.0.0.0/16")
    b.subnet("subnet-pub", "vpc-1", "10.0.1.0/24")
    b.subnet("subnet-priv", "vpc-1", "10.0.2.0/24")
    b.igw("igw-1", "vpc-1")
    b.nat("nat-1", "subnet-pub", "10.0.1.5", "3.3.3.3")
    b.route_table("rtb-pub", "vpc-1", subnets=["subnet-pub"], routes=[("0.0.0.0/0", "igw-1")])
    b.route_table("rtb-priv", "vpc-1", subnets=["subnet-priv"], routes=[("0.0.0.0/0", "nat-1")])
    b.security_group("sg-app", "vpc-1", ingress=[("-1", None, None, "0.0.0.0/0")])
    b.instance("i-app", "subnet-priv", "10.0.2.10", groups=["sg-app"], tags={"Zone": "app"})
    snapshot = b.build()
    assert one(snapshot, "internet", "app").result == "pass"
    out = one(snapshot, "app", "internet")
    assert out.result == "fail"
    # A NAT gateway translates TCP, UDP and ICMP only.
    assert services(out) == {"tcp/0-65535", "udp/0-65535", "icmp"}
    for witness in out.witnesses:
        assert ("nat", "nat-1") in steps(witness) and ("igw", "igw-1") in steps(witness)
        assert witness.source.seen_as == "3.3.3.3"


def test_instance_without_public_ip_cannot_use_the_igw_outbound():
    assert one(web(public_ip=None).build(), "web", "internet").result == "pass"


def test_ipv6_address_with_igw_route_is_exposed():
    result = one(web(public_ip=None, ipv6=True).build(), "internet", "web")
    assert result.result == "fail"
    assert [w.target.address for w in result.witnesses] == ["2600:1f18:aa:1::10"]


def test_egress_only_igw_gives_no_inbound_ipv6_path():
    snapshot = web(public_ip=None, ipv6=True, eigw=True).build()
    assert one(snapshot, "internet", "web").result == "pass"
    out = one(snapshot, "web", "internet")
    assert out.result == "fail"
    assert ("igw", "eigw-1") in steps(out.witnesses[0])


def test_two_public_hosts_reach_each_other_through_the_internet_as_their_public_addresses():
    b = web()
    b.security_group("sg-api", "vpc-1", ingress=[("tcp", 8443, 8443, "54.1.2.3/32")])
    b.subnet("subnet-api", "vpc-1", "10.0.5.0/24")
    b.route_table("rtb-api", "vpc-1", subnets=["subnet-api"], routes=[("0.0.0.0/0", "igw-1")])
    b.instance("i-api", "subnet-api", "10.0.5.10", groups=["sg-api"], public_ip="54.9.9.9", tags={"Zone": "api"})
    result = one(b.build(), "web", "api")
    assert result.result == "fail"
    [witness] = result.witnesses
    assert witness.service() == "tcp/8443"
    assert witness.target.address == "54.9.9.9"
    assert witness.source.seen_as == "54.1.2.3"
    assert rules(witness)[-1] == "ingress tcp 8443 from 54.1.2.3/32"


def test_ipv6_default_route_to_igw_exposes_only_ipv6_rules():
    b = web(public_ip=None, ipv6=True)
    b.security_group("sg-web", "vpc-1", ingress=[("tcp", 22, 22, "::/0"), ("tcp", 80, 80, "0.0.0.0/0")])
    assert services(one(b.build(), "internet", "web")) == {"tcp/22"}
