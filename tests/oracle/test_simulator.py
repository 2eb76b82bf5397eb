"""The oracle on its own: hand-built scenarios, one AWS behaviour each (SPEC §6), with the deciding hop."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from tests.oracle.simulator import ICMP, INTERNET, TCP, UDP, InvalidPacket, Packet, deliver
from topology.builder import EstateBuilder

GRE = 47


def send(snapshot, source, src, dst, protocol=TCP, port=443, target=None):  # type: ignore[no-untyped-def]
    port = None if protocol not in (TCP, UDP, ICMP, 58) else port
    return deliver(snapshot, Packet(source, ip_address(src), ip_address(dst), protocol, port, target))


def two_subnets(*, acl_in=None, acl_out=None):  # type: ignore[no-untyped-def]
    b = EstateBuilder()
    b.vpc("vpc-1", ["10.0.0.0/16", "10.100.0.0/16"])
    b.subnet("subnet-a", "vpc-1", "10.0.1.0/24")
    b.subnet("subnet-b", "vpc-1", "10.100.2.0/24")  # in the secondary CIDR
    b.security_group("sg-open", "vpc-1", ingress=[("-1", None, None, "0.0.0.0/0")])
    b.instance("i-a", "subnet-a", "10.0.1.10", groups=["sg-open"])
    b.instance("i-a2", "subnet-a", "10.0.1.11", groups=["sg-open"])
    b.instance("i-b", "subnet-b", "10.100.2.10", groups=["sg-open"])
    if acl_in is not None or acl_out is not None:
        b.nacl("acl-b", "vpc-1", subnets=["subnet-b"], ingress=acl_in or [], egress=acl_out or [])
    return b


def test_local_route_covers_the_secondary_cidr_and_nacls_apply_only_across_subnets():
    deny_all = [(100, "deny", "-1", None, None, "0.0.0.0/0")]
    b = two_subnets()
    b.nacl("acl-a", "vpc-1", subnets=["subnet-a"], ingress=deny_all, egress=deny_all)
    snapshot = b.build()
    same = send(snapshot, "eni-i-a", "10.0.1.10", "10.0.1.11")
    assert same.delivered is True and any("no NACL" in h for h in same.hops)
    across = send(snapshot, "eni-i-a", "10.0.1.10", "10.100.2.10")
    assert across.delivered is False and across.dropped_at.startswith("nacl-out acl-a: #100 deny")
    assert send(two_subnets().build(), "eni-i-a", "10.0.1.10", "10.100.2.10").delivered is True


def test_nacl_rules_are_read_in_ascending_order_first_match_wins_implicit_deny_last():
    acl_in = [(200, "allow", "tcp", 0, 65535, "0.0.0.0/0"), (100, "deny", "tcp", 22, 22, "10.0.1.0/24"),
              (150, "allow", "udp", 53, 53, "10.0.0.0/8")]
    snapshot = two_subnets(acl_in=acl_in, acl_out=[(100, "allow", "-1", None, None, "0.0.0.0/0")]).build()
    denied = send(snapshot, "eni-i-a", "10.0.1.10", "10.100.2.10", TCP, 22)
    assert denied.delivered is False and denied.dropped_at.startswith("nacl-in acl-b: #100 deny")
    assert send(snapshot, "eni-i-a", "10.0.1.10", "10.100.2.10", TCP, 21).delivered is True
    assert send(snapshot, "eni-i-a", "10.0.1.10", "10.100.2.10", UDP, 53).delivered is True
    other = send(snapshot, "eni-i-a", "10.0.1.10", "10.100.2.10", UDP, 54)
    assert other.delivered is False and other.dropped_at == "nacl-in acl-b: implicit deny"
    # the NACL is stateless and its outbound side is separate: nothing allows i-b's packets out
    out = send(two_subnets(acl_in=acl_in).build(), "eni-i-b", "10.100.2.10", "10.0.1.10")
    assert out.delivered is False and out.dropped_at == "nacl-out acl-b: implicit deny"


def test_security_groups_are_a_union_and_references_match_members_only():
    b = EstateBuilder()
    b.vpc("vpc-1", "10.0.0.0/16")
    b.subnet("subnet-a", "vpc-1", "10.0.1.0/24")
    b.security_group("sg-app", "vpc-1")
    b.security_group("sg-misc", "vpc-1", egress=[("tcp", 5432, 5432, "sg-db")])
    b.security_group("sg-db", "vpc-1", ingress=[("tcp", 5432, 5432, "sg-app"), ("icmp", 8, None, "self")], egress=[])
    b.security_group("sg-extra", "vpc-1", ingress=[("udp", 53, 53, "10.0.1.12/32")])
    b.instance("i-app", "subnet-a", "10.0.1.10", groups=["sg-app"])
    b.instance("i-misc", "subnet-a", "10.0.1.12", groups=["sg-misc"])
    b.instance("i-db", "subnet-a", "10.0.1.20", groups=["sg-db", "sg-extra"])
    b.instance("i-db2", "subnet-a", "10.0.1.21", groups=["sg-db", "sg-app"])
    snapshot = b.build()
    assert send(snapshot, "eni-i-app", "10.0.1.10", "10.0.1.20", TCP, 5432).delivered is True
    refused = send(snapshot, "eni-i-misc", "10.0.1.12", "10.0.1.20", TCP, 5432)
    assert refused.delivered is False and refused.dropped_at.startswith("sg-ingress")
    # egress by reference to sg-db: allowed towards i-db only on 5432, not udp/53 (egress has no such rule)
    assert send(snapshot, "eni-i-misc", "10.0.1.12", "10.0.1.20", UDP, 53).dropped_at.startswith("sg-egress")
    # self: i-db2 is in sg-db, but sg-db has no egress at all; its other group sg-app allows everything out
    assert send(snapshot, "eni-i-db2", "10.0.1.21", "10.0.1.20", ICMP, 8).delivered is True
    assert send(snapshot, "eni-i-db2", "10.0.1.21", "10.0.1.20", ICMP, 0).delivered is False
    # union: sg-db alone refuses udp/53, i-db's second group sg-extra admits it from i-misc's address
    b.security_group("sg-misc", "vpc-1")
    assert send(b.build(), "eni-i-misc", "10.0.1.12", "10.0.1.20", UDP, 53).delivered is True


def peered_estate(*, region_c: str = "us-east-1", status: str = "active"):  # type: ignore[no-untyped-def]
    b = EstateBuilder()
    b.vpc("vpc-a", "10.1.0.0/16")
    b.vpc("vpc-b", "10.2.0.0/16")
    b.vpc("vpc-c", "10.3.0.0/16", region=region_c)
    for v, n in (("vpc-a", 1), ("vpc-b", 2), ("vpc-c", 3)):
        b.subnet(f"subnet-{v[-1]}", v, f"10.{n}.1.0/24")
    b.peering("pcx-ab", "vpc-a", "vpc-b", status=status)
    b.peering("pcx-bc", "vpc-b", "vpc-c")
    b.peering("pcx-ac", "vpc-a", "vpc-c")
    b.route_table("rtb-a", "vpc-a", subnets=["subnet-a"],
                  routes=[("10.2.0.0/16", "pcx-ab"), ("10.2.9.0/24", "blackhole"), ("10.3.0.0/16", "pcx-ab"),
                          ("10.0.0.0/8", "pcx-ac")])
    b.security_group("sg-a", "vpc-a")
    b.security_group("sg-b", "vpc-b", ingress=[("tcp", 443, 443, "sg-a")])
    b.security_group("sg-c", "vpc-c", ingress=[("tcp", 443, 443, "sg-a")])
    b.instance("i-a", "subnet-a", "10.1.1.10", groups=["sg-a"])
    b.instance("i-b", "subnet-b", "10.2.1.10", groups=["sg-b"])
    b.instance("i-b9", "subnet-b", "10.2.9.10", groups=["sg-b"])
    b.instance("i-c", "subnet-c", "10.3.1.10", groups=["sg-c"])
    b.instance("i-c2", "subnet-c", "10.3.1.11", groups=["sg-c"])
    return b


def test_peering_longest_prefix_blackhole_and_no_transit():
    snapshot = peered_estate().build()
    ok = send(snapshot, "eni-i-a", "10.1.1.10", "10.2.1.10")
    assert ok.delivered is True and "peering pcx-ab into vpc-b" in ok.hops
    assert send(snapshot, "eni-i-a", "10.1.1.10", "10.2.9.10").dropped_at.endswith("blackhole")
    # 10.3/16 goes to pcx-ab: vpc-c is not vpc-b's to give (peering is not transitive)
    transit = send(snapshot, "eni-i-a", "10.1.1.10", "10.3.1.10")
    assert transit.delivered is False and "is not in the peer VPC" in transit.dropped_at
    # 10.0.0.0/8 -> pcx-ac, but only the peer's CIDR is carried
    assert "is not in the peer VPC" in send(snapshot, "eni-i-a", "10.1.1.10", "10.9.0.1").dropped_at
    pending = send(peered_estate(status="pending-acceptance").build(), "eni-i-a", "10.1.1.10", "10.2.1.10")
    assert pending.delivered is False and "status pending-acceptance" in pending.dropped_at


def test_group_references_hold_over_a_same_region_peering_only():
    b = peered_estate(region_c="eu-west-1")
    b.route_table("rtb-a", "vpc-a", subnets=["subnet-a"], routes=[("10.2.0.0/16", "pcx-ab"), ("10.3.0.0/16", "pcx-ac")])
    snapshot = b.build()
    assert send(snapshot, "eni-i-a", "10.1.1.10", "10.2.1.10").delivered is True
    cross = send(snapshot, "eni-i-a", "10.1.1.10", "10.3.1.10")
    assert cross.delivered is False and cross.dropped_at.startswith("sg-ingress")


def internet_estate(*, public_ip="54.1.1.10", route="igw-1", ipv6=True):  # type: ignore[no-untyped-def]
    b = EstateBuilder()
    b.vpc("vpc-1", "10.0.0.0/16", ipv6="2600:1f18:1::/56" if ipv6 else None)
    b.subnet("subnet-pub", "vpc-1", "10.0.1.0/24", ipv6="2600:1f18:1:1::/64" if ipv6 else None)
    b.subnet("subnet-priv", "vpc-1", "10.0.2.0/24")
    b.igw("igw-1", "vpc-1")
    b.eigw("eigw-1", "vpc-1")
    b.nat("nat-1", "subnet-pub", "10.0.1.5", "3.3.3.3")
    routes = [("0.0.0.0/1", route)] + ([("::/0", route)] if ipv6 else [])
    b.route_table("rtb-pub", "vpc-1", subnets=["subnet-pub"], routes=routes + [("128.0.0.0/1", "igw-1")])
    b.route_table("rtb-priv", "vpc-1", subnets=["subnet-priv"], routes=[("0.0.0.0/0", "nat-1")])
    b.security_group("sg-web", "vpc-1", ingress=[("tcp", 443, 443, "0.0.0.0/0"), ("tcp", 443, 443, "::/0"),
                                                 ("tcp", 8443, 8443, "3.3.3.3/32")],
                     egress=[("-1", None, None, "0.0.0.0/0"), ("-1", None, None, "::/0")])
    b.instance("i-web", "subnet-pub", "10.0.1.10", groups=["sg-web"], public_ip=public_ip,
               ipv6=["2600:1f18:1:1::10"] if ipv6 else ())
    b.instance("i-app", "subnet-priv", "10.0.2.10", groups=["sg-web"])
    return b


def test_internet_needs_a_public_address_and_a_route_back_to_an_internet_gateway():
    snapshot = internet_estate().build()
    ok = send(snapshot, INTERNET, "8.8.8.8", "54.1.1.10")
    assert ok.delivered is True and ok.reached == "eni-i-web"
    assert send(snapshot, INTERNET, "8.8.8.8", "54.1.1.10", TCP, 22).dropped_at.startswith("sg-ingress")
    assert "private address" in send(snapshot, INTERNET, "8.8.8.8", "10.0.1.10").dropped_at
    # IPv6: the address itself is public
    assert send(snapshot, INTERNET, "2a00:1450::1", "2600:1f18:1:1::10").delivered is True
    # the subnet routes 0.0.0.0/1 and 128.0.0.0/1 to the IGW: both halves of the internet come in
    assert send(snapshot, INTERNET, "200.1.1.1", "54.1.1.10").delivered is True
    # an egress-only gateway is not a way in
    eigw = internet_estate(route="eigw-1").build()
    assert send(eigw, INTERNET, "8.8.8.8", "54.1.1.10").dropped_at.startswith("igw-in")
    assert send(eigw, INTERNET, "2a00:1450::1", "2600:1f18:1:1::10").dropped_at.startswith("igw-in")
    assert send(eigw, "eni-i-web", "2600:1f18:1:1::10", "2a00:1450::1", target=INTERNET).delivered is True
    assert send(eigw, "eni-i-web", "10.0.1.10", "8.8.8.8").dropped_at == "eigw eigw-1: IPv6 only"
    # no public IPv4: nothing in, nothing out through the IGW
    private = internet_estate(public_ip=None).build()
    assert send(private, "eni-i-web", "10.0.1.10", "200.1.1.1").dropped_at.endswith("no public IPv4 address")


def test_nat_gateway_translates_outbound_and_gives_no_inbound_path():
    snapshot = internet_estate().build()
    out = send(snapshot, "eni-i-app", "10.0.2.10", "8.8.8.8", TCP, 443)
    assert out.delivered is True and "igw igw-1: out as 3.3.3.3" in out.hops
    # hairpin through NAT and IGW: i-web sees the NAT's public address (its rule admits 8443 from it only)
    hairpin = send(snapshot, "eni-i-app", "10.0.2.10", "54.1.1.10", TCP, 8443)
    assert hairpin.delivered is True and hairpin.reached == "eni-i-web"
    assert send(snapshot, INTERNET, "8.8.8.8", "3.3.3.3").dropped_at.endswith("accepts no inbound connections")
    assert send(snapshot, "eni-i-web", "10.0.1.10", "54.1.1.10", TCP, 8443, target="eni-i-web").delivered is None
    # a NAT gateway translates TCP, UDP and ICMP only (AWS documentation), and IPv4 only
    assert send(snapshot, "eni-i-app", "10.0.2.10", "8.8.8.8", ICMP, 8).delivered is True
    assert "only TCP, UDP and ICMP" in send(snapshot, "eni-i-app", "10.0.2.10", "8.8.8.8", GRE).dropped_at


def test_hairpin_through_the_internet_is_seen_as_the_public_address():
    b = internet_estate(ipv6=False)
    b.subnet("subnet-api", "vpc-1", "10.0.5.0/24")
    b.route_table("rtb-api", "vpc-1", subnets=["subnet-api"], routes=[("0.0.0.0/0", "igw-1")])
    b.security_group("sg-api", "vpc-1", ingress=[("tcp", 8443, 8443, "54.1.1.10/32")])
    b.instance("i-api", "subnet-api", "10.0.5.10", groups=["sg-api"], public_ip="54.9.9.9")
    snapshot = b.build()
    ok = send(snapshot, "eni-i-web", "10.0.1.10", "54.9.9.9", TCP, 8443)
    assert ok.delivered is True and "internet: hairpin back to 54.9.9.9" in ok.hops
    # the same host's private address is inside the VPC: its source is then private and the rule misses
    assert send(snapshot, "eni-i-web", "10.0.1.10", "10.0.5.10", TCP, 8443).dropped_at.startswith("sg-ingress")
    # to the internet, a public address of the estate is an internet address
    assert send(snapshot, "eni-i-web", "10.0.1.10", "54.9.9.9", GRE, target=INTERNET).delivered is True


def test_unmodelled_targets_and_unknown_prefix_lists_are_unknown():
    b = EstateBuilder()
    b.vpc("vpc-1", "10.0.0.0/16")
    b.subnet("subnet-a", "vpc-1", "10.0.1.0/24")
    b.subnet("subnet-b", "vpc-1", "10.0.2.0/24")
    b.prefix_list("pl-unknown", None)
    b.route_table("rtb-a", "vpc-1", subnets=["subnet-a"], routes=[("0.0.0.0/0", "tgw-1"), ("10.9.0.0/16", "eni-fw")])
    b.security_group("sg-a", "vpc-1")
    b.security_group("sg-b", "vpc-1", ingress=[("tcp", 443, 443, "pl-unknown")])
    b.instance("i-a", "subnet-a", "10.0.1.10", groups=["sg-a"])
    b.rds("db-1", ["subnet-b"], groups=["sg-b"])
    snapshot = b.build()
    assert send(snapshot, "eni-i-a", "10.0.1.10", "8.8.8.8").delivered is None
    assert send(snapshot, "eni-i-a", "10.0.1.10", "10.9.1.1").delivered is None
    # RDS with an unknown address: any address of its subnet is its; the prefix list decides, and is unknown
    assert send(snapshot, "eni-i-a", "10.0.1.10", "10.0.2.0", target="db-1@subnet-b").delivered is None
    assert send(snapshot, "eni-i-a", "10.0.1.10", "10.0.2.255", TCP, 80).dropped_at.startswith("sg-ingress")


def test_packets_that_cannot_be_sent_are_rejected():
    snapshot = internet_estate().build()
    with pytest.raises(InvalidPacket):
        send(snapshot, "eni-i-web", "54.1.1.10", "8.8.8.8")  # an ENI sends from its private address
    with pytest.raises(InvalidPacket):
        send(snapshot, INTERNET, "10.0.1.99", "54.1.1.10")  # not an internet address
    with pytest.raises(InvalidPacket):
        send(snapshot, "eni-i-web", "10.0.1.10", "10.0.2.10", target="eni-i-web")


def test_the_oracle_and_the_engine_agree_on_what_the_internet_is():
    """Found by the differential test (session 2): Python's `is_global` says yes to unallocated IPv6 such as
    1fff:ffff:…, which no internet route reaches; the engine's internet is 2000::/3 (and RFC 6890 for IPv4)."""
    from ipaddress import ip_address

    from zonecheck.engine.addresses import address_key
    from zonecheck.engine.estate import Estate
    from tests.oracle.simulator import is_internet_address

    snapshot = internet_estate().build()
    internet = Estate(snapshot).internet
    for text in ("1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2000::", "3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                 "4000::", "fc00::1", "192.0.0.8", "192.0.1.1", "8.8.8.8", "100.64.0.1", "10.0.0.1"):
        addr = ip_address(text)
        assert is_internet_address(snapshot, addr) == (address_key(addr) in internet), text
