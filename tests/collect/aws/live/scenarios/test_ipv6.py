"""IPv6, built with boto3 in moto and collected live: a dual-stack VPC (Amazon-provided /56, a /64 per
subnet, an IPv6 address per instance), ::/0 to an internet gateway against ::/0 to an egress-only one,
IPv6 security group and network ACL rules, ICMPv6.

    v6 10.60.0.0/16 + /56
      web     10.60.1/24 + /64  ::/0 -> igw   ACL: #100 allow tcp 443 ::/0, #110 deny icmpv6 ::/0, #120 allow ::/0, #200 allow 0.0.0.0/0
      open    10.60.2/24 + /64  ::/0 -> igw   default ACL
      private 10.60.3/24 + /64  ::/0 -> eigw  default ACL
    every instance: group "v6" = tcp 443 from ::/0, icmpv6 echo request (type 128) from ::/0; no public IPv4

Where moto differs from AWS: the default network ACL of a VPC with IPv6 has no IPv6 entries (AWS gives it
#101 allow ::/0 both ways): they are added here with CreateNetworkAclEntry, as AWS has them.  Moto drops
`IcmpTypeCode` from network ACL entries, so the ACL's ICMPv6 entry here is for every ICMPv6 type.  The
subnets' IPv6 association state is corrected in `moto_extras`.
"""

from __future__ import annotations

from ipaddress import ip_address, ip_network

import boto3
import pytest

from tests.collect.aws.live.scenarios.builder import Builder, allow, hops
from zonecheck.collect.aws.live import LiveCollection
from zonecheck.engine.results import AssertionResult

REGION = "us-east-1"

POLICY = """\
version: 1
zones:
  web: {match: [{tags: {Zone: v6-web}}]}
  open: {match: [{tags: {Zone: v6-open}}]}
  private: {match: [{tags: {Zone: v6-private}}]}
assertions:
  - {name: internet-cannot-reach-web, from: internet, to: web, expect: no-access}
  - {name: internet-reaches-web-on-https-only, from: internet, to: web, expect: {only: [tcp/443]}}
  - {name: internet-reaches-open-on-https-only, from: internet, to: open, expect: {only: [tcp/443]}}
  - {name: internet-cannot-reach-private, from: internet, to: private, expect: no-access}
  - {name: private-cannot-reach-internet, from: private, to: internet, expect: no-access}
  - {name: open-cannot-reach-web, from: open, to: web, expect: no-access}
"""


def v6(rule_number: int, action: str, protocol: str, *, egress: bool = False, cidr: str = "::/0",
       ports: tuple[int, int] | None = None) -> dict[str, object]:
    entry: dict[str, object] = {"RuleNumber": rule_number, "RuleAction": action, "Protocol": protocol, "Egress": egress}
    entry["Ipv6CidrBlock" if ":" in cidr else "CidrBlock"] = cidr
    if ports:
        entry["PortRange"] = {"From": ports[0], "To": ports[1]}
    return entry


@pytest.fixture(scope="module")
def estate(moto: boto3.Session) -> Builder:
    b = Builder(moto, REGION)
    b.vpc("v6", "10.60.0.0/16", ipv6=True)
    b.entries(b["acl-default-v6"], [v6(101, "allow", "-1"), v6(101, "allow", "-1", egress=True)])  # AWS's defaults
    b.igw("v6", "v6")
    b.ids["eigw"] = b.ec2.create_egress_only_internet_gateway(VpcId=b["vpc-v6"])["EgressOnlyInternetGateway"][
        "EgressOnlyInternetGatewayId"]
    for index, (name, gateway) in enumerate((("web", "igw"), ("open", "igw"), ("private", "eigw")), start=1):
        b.subnet(name, "v6", f"10.60.{index}.0/24", ipv6=index)
        b.table(name, "v6", name)
        if gateway == "igw":
            b.route(name, "::/0", GatewayId=b["igw-v6"])
        else:
            b.route(name, "::/0", EgressOnlyInternetGatewayId=b["eigw"])
    b.acl("web", "v6", "web", entries=[
        v6(100, "allow", "6", ports=(443, 443)), v6(110, "deny", "58"), v6(120, "allow", "-1"),
        v6(200, "allow", "-1", cidr="0.0.0.0/0"),
        v6(100, "allow", "-1", egress=True), v6(200, "allow", "-1", egress=True, cidr="0.0.0.0/0")])
    b.group("v6", "v6", allow("tcp", 443, cidr="::/0"), allow("58", (128, -1), cidr="::/0"))
    for name in ("web", "open", "private"):
        b.instance(name, name, "v6", zone=f"v6-{name}", ipv6=True)
    return b


def is_v6(address: str) -> bool:
    return ip_address(address).version == 6


def test_dual_stack_subnets_and_interfaces_are_collected(collection: LiveCollection, estate: Builder) -> None:
    snapshot = collection.snapshot
    assert (snapshot.incomplete, snapshot.unsupported) == ((), ())
    web = next(s for s in snapshot.subnets if s.id == estate["subnet-web"])
    assert (str(web.cidr), str(web.ipv6_cidr)) == ("10.60.1.0/24", estate.addresses["subnet-web-v6"])
    interface = next(e for e in snapshot.endpoints if e.id == estate["eni-web"])
    assert [str(a) for a in interface.ipv6_addresses] == [estate.addresses["web-v6"]]
    assert interface.ipv6_addresses[0] in ip_network(estate.addresses["subnet-web-v6"])


def test_ipv6_to_an_internet_gateway_lets_the_internet_in(results: dict[str, AssertionResult], estate: Builder) -> None:
    reached = results["internet-cannot-reach-web"]
    assert reached.result == "fail"
    (witness,) = reached.witnesses
    assert (witness.protocol, witness.port_range) == ("tcp", (443, 443))
    assert witness.source.id == "internet" and witness.target.address == estate.addresses["web-v6"]
    assert hops(witness) == [
        ("igw", estate["igw-v6"], f"from the internet to {estate.addresses['web-v6']}"),
        ("route", estate["rtb-web"], f"return route ::/0 -> {estate['igw-v6']}"),
        ("nacl-in", estate["acl-web"], "#100 allow tcp 443 from ::/0"),
        ("sg-ingress", estate["sg-v6"], "ingress tcp 443 from ::/0")]


def test_an_ipv6_nacl_deny_stops_the_icmpv6_the_group_admits(results: dict[str, AssertionResult]) -> None:
    web = results["internet-reaches-web-on-https-only"]
    assert (web.result, web.witnesses) == ("pass", ())


def test_icmpv6_echo_admitted_by_the_group_is_reported_as_its_own_protocol(results: dict[str, AssertionResult],
                                                                          estate: Builder) -> None:
    opened = results["internet-reaches-open-on-https-only"]
    assert opened.result == "fail"
    (witness,) = opened.witnesses
    assert (witness.protocol, witness.port_range, witness.detail, witness.service()) == (
        "icmpv6", None, "type 128", "icmpv6 (type 128)")
    path = hops(witness)
    assert ("nacl-in", estate["acl-default-v6"], "#101 allow all from ::/0") in path
    assert path[-1] == ("sg-ingress", estate["sg-v6"], "ingress icmpv6 type 128 from ::/0")


def test_an_egress_only_internet_gateway_lets_nothing_in(results: dict[str, AssertionResult]) -> None:
    private = results["internet-cannot-reach-private"]  # the group admits tcp 443 and icmpv6 from ::/0
    assert (private.result, private.witnesses) == ("pass", ())


def test_an_egress_only_internet_gateway_carries_ipv6_out(results: dict[str, AssertionResult], estate: Builder) -> None:
    out = results["private-cannot-reach-internet"]
    assert out.result == "fail"
    (witness,) = out.witnesses  # IPv6 only: there is no IPv4 route out
    assert (witness.protocol, witness.source.address) == ("any", estate.addresses["private-v6"])
    assert witness.target.address == "any internet address (IPv6)"
    assert hops(witness) == [
        ("sg-egress", estate["sg-v6"], "egress all to ::/0"),
        ("route", estate["rtb-private"], f"::/0 -> {estate['eigw']}"),
        ("nacl-out", estate["acl-default-v6"], "#101 allow all to ::/0"),
        ("igw", estate["eigw"], "IPv6 to the internet")]


def test_ipv6_group_rules_admit_ipv6_sources_only(results: dict[str, AssertionResult], estate: Builder) -> None:
    inside = results["open-cannot-reach-web"]
    assert inside.result == "fail"
    (witness,) = inside.witnesses  # no IPv4 flow: the group's rules are all ::/0; the ACL denies icmpv6
    assert (witness.protocol, witness.port_range) == ("tcp", (443, 443))
    assert is_v6(witness.source.address) and is_v6(witness.target.address)
    path = hops(witness)
    assert path[1] == ("route", estate["rtb-open"], f"{estate.addresses['vpc-v6-v6']} -> local")
    assert ("nacl-in", estate["acl-web"], "#100 allow tcp 443 from ::/0") in path
