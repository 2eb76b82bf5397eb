"""The real two-region `hybrid-cloud` account (shared/real-data/aws/hybrid-cloud), checked as an auditor would.

The estate, read from the describe-* JSON: in us-east-2, vpc-1 (10.20.0.0/16, an internet gateway, one
instance 10.20.1.207 with public IP 13.59.144.125 whose group opens tcp/22 and tcp/3306 to 0.0.0.0/0) and
vpc-2 (10.30.0.0/16, private, one instance 10.30.1.166 whose group opens tcp/22 to 0.0.0.0/0), joined by
transit gateway tgw-06b3… whose only route table propagates both VPCs and a BGP VPN to on-premises. us-west-2
mirrors it: vpc-3 (10.40.0.0/16, public instance 54.191.42.182, tcp/22 open) and vpc-4 (10.50.0.0/16,
private instance 10.50.2.251, tcp/22 open) on tgw-0888…; the TGW peering between the regions is `deleting`.
Every NACL allows all traffic.  Each expectation below follows from AWS semantics, not from zonecheck's output.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from zonecheck.cli.run import run_check
from zonecheck.collect.aws import load_aws_dump
from zonecheck.policy import parse_policy_text

DUMP = Path(__file__).resolve().parents[3] / "shared" / "real-data" / "aws" / "hybrid-cloud" / "aws_configs"
VPC1, VPC2, VPC3, VPC4 = "vpc-0574d08f8d05917e4", "vpc-0276455718806058a", "vpc-00b65e98077106059", "vpc-00157b5941bfd4959"
POLICY = f"""
version: 1
zones:
  vpc1: {{match: [{{vpc: {VPC1}}}]}}
  vpc2: {{match: [{{vpc: {VPC2}}}]}}
  vpc3: {{match: [{{vpc: {VPC3}}}]}}
  vpc4: {{match: [{{vpc: {VPC4}}}]}}
assertions:
  - {{name: internet-to-vpc1, from: internet, to: vpc1, expect: {{only: [tcp/22]}}}}
  - {{name: internet-to-vpc2, from: internet, to: vpc2, expect: no-access}}
  - {{name: vpc1-to-vpc2, from: vpc1, to: vpc2, expect: no-access}}
  - {{name: vpc1-to-vpc4, from: vpc1, to: vpc4, expect: no-access}}
  - {{name: vpc1-to-vpc3, from: vpc1, to: vpc3, expect: no-access}}
  - {{name: onprem-to-vpc2, from: on-premises, to: vpc2, expect: no-access}}
  - {{name: vpc2-to-onprem, from: vpc2, to: on-premises, expect: no-access}}
  - {{name: vpc4-to-vpc3, from: vpc4, to: vpc3, expect: {{access: [tcp/22]}}}}
"""

pytestmark = pytest.mark.skipif(not DUMP.is_dir(), reason="shared/real-data is not beside the repository")


@pytest.fixture(scope="module")
def results():
    result = run_check(parse_policy_text(POLICY, "hybrid.yaml"), load_aws_dump(DUMP), "hybrid.yaml")
    return {a.name: a for a in result.assertions}


def flows(assertion):
    return {(w.source.id, w.target.id, w.service()) for w in assertion.witnesses}


def test_internet_reaches_the_public_mysql_port_in_vpc1(results):
    """13.59.144.125 sits behind igw-02fd… with a 0.0.0.0/0 route and a group open on tcp/3306: MySQL is
    exposed to the internet, which an `only tcp/22` policy must flag (and only that port)."""
    a = results["internet-to-vpc1"]
    assert a.result == "fail"
    assert flows(a) == {("internet", "eni-01997085076a9b98a", "tcp/3306")}
    assert a.witnesses[0].target.address == "13.59.144.125"


def test_private_vpc2_is_not_reachable_from_the_internet(results):
    """vpc-2 has no internet gateway and its instance no public address."""
    assert results["internet-to-vpc2"].result == "pass"


def test_vpc1_reaches_vpc2_through_the_transit_gateway(results):
    """vpc-1's table sends 10.30.0.0/16 to tgw-06b3…; the TGW's table holds vpc-2's propagated CIDR; the
    attachment subnet is vpc-2's instance subnet, whose main table delivers locally; tcp/22 is open."""
    a = results["vpc1-to-vpc2"]
    assert a.result == "fail"
    assert flows(a) == {("eni-01997085076a9b98a", "eni-05452497daf80ccb3", "tcp/22")}
    steps = [(h.step, h.at) for h in a.witnesses[0].path]
    assert ("tgw-route", "tgw-rtb-00e37bc5142347b03") in steps
    assert a.witnesses[0].certain


def test_cross_region_private_addresses_are_unreachable(results):
    """vpc-1 has no route for 10.50.0.0/16 (the default route goes to the internet gateway, which drops
    private destinations) and the TGW peering between the regions is being deleted."""
    assert results["vpc1-to-vpc4"].result == "pass"


def test_the_public_hosts_of_the_two_regions_reach_each_other_over_the_internet(results):
    """Both public instances route 0.0.0.0/0 to their internet gateways and open tcp/22 to the world: vpc-1's
    instance reaches 54.191.42.182 as 13.59.144.125."""
    a = results["vpc1-to-vpc3"]
    assert a.result == "fail"
    [witness] = a.witnesses
    assert witness.service() == "tcp/22" and witness.target.address == "54.191.42.182"
    assert witness.source.seen_as == "13.59.144.125"


def test_on_premises_reaches_vpc2_whatever_prefixes_it_advertises(results):
    """The VPN attachment is associated with the TGW table that routes 10.30.0.0/16 to vpc-2, and the group
    admits tcp/22 from any address: whatever prefixes on-premises uses, the SYN is delivered."""
    a = results["onprem-to-vpc2"]
    assert a.result == "fail"
    assert flows(a) == {("on-premises", "eni-05452497daf80ccb3", "tcp/22")}
    assert a.witnesses[0].certain


def test_vpc2_to_on_premises_depends_on_routes_learned_over_bgp(results):
    """vpc-2 routes 203.0.113.0/24 to the TGW, but whether the TGW routes it to the VPN depends on BGP
    routes the dump does not contain: possible, not proved."""
    a = results["vpc2-to-onprem"]
    assert a.result == "unknown"
    assert all(not w.certain for w in a.witnesses)


def test_vpc4_reaches_vpc3_through_the_west_transit_gateway(results):
    """vpc-4 routes 10.40.0.0/16 to tgw-0888…, whose table propagates vpc-3; tcp/22 is open on vpc-3's host."""
    assert results["vpc4-to-vpc3"].result == "pass"
