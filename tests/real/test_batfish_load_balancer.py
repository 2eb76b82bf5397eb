"""The real `test-load-balancer` estate (shared/real-data/aws/batfish-e2e), checked as an auditor would.

The estate, read from the describe-* JSON (us-east-2, one account): vpc-015b… (`vpc_a`, 10.1.0.0/16) with
internet gateway igw-009e…, default NACL (all allowed) on every subnet.
* `Public Subnet` 10.1.250.0/24 (us-east-2c), table rtb-03e8… (0.0.0.0/0 -> igw): the jump host i-0c8c…
  (eni-038d…, 10.1.250.112, public IP 3.17.39.193) in sg-0a74…: tcp/22 and ICMP echo from 0.0.0.0/0.
* `Subnet 20` 10.1.20.0/24 (us-east-2a) and `Subnet 1` 10.1.1.0/24 (us-east-2b), main table rtb-08a3…
  (local only): test20 i-0f4a… (eni-02e7…, 10.1.20.95) and test1 i-055b… (eni-0a44…, 10.1.1.189), both in
  sg-09da… (tcp/22 from 0.0.0.0/0); and the two interfaces of network load balancer `test-lb`
  (eni-0c82…, 10.1.20.123; eni-01f2…, 10.1.1.237; no security group, no public address).
* `test-lb` is `internal`, type `network`, one listener TCP/80 forwarding to target group `test-lb-tg`
  (TCP, instance targets), whose registered targets are test20 and test1 on port 22 (LoadBalancerTargetHealth).
  Cross-zone load balancing is on.  Three other target groups belong to another VPC and to no load balancer.
Each expectation follows from AWS semantics, not from zonecheck's output.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from zonecheck.cli.run import run_check
from zonecheck.collect.aws import load_aws_dump
from zonecheck.policy import parse_policy_text

DUMP = (Path(__file__).resolve().parents[3] / "shared" / "real-data" / "aws" / "batfish-e2e" / "test-load-balancer"
        / "aws_configs")
LB = "arn:aws:elasticloadbalancing:us-east-2:554773406868:loadbalancer/net/test-lb/725b996cb6be8fba"
JUMP, TEST20, TEST1 = "eni-038def4bc4303c3e6", "eni-02e730a1b02dbc756", "eni-0a4486d9ba39d5e3e"
LB_ENIS = {"eni-0c82d6f7254ae6695": "10.1.20.123", "eni-01f261dccaba46564": "10.1.1.237"}
POLICY = f"""
version: 1
zones:
  lb: {{match: [{{id: "{LB}"}}]}}
  jump: {{match: [{{tags: {{Name: Jump Host}}}}]}}
  targets: {{match: [{{id: i-0f4af951d61a19245}}, {{id: i-055b0db7be365202c}}]}}
  vpc: {{match: [{{vpc: vpc-015b20578b48c1349}}]}}
assertions:
  - {{name: internet-to-lb, from: internet, to: lb, expect: no-access}}
  - {{name: internet-to-targets, from: internet, to: targets, expect: no-access}}
  - {{name: internet-to-vpc, from: internet, to: vpc, expect: no-access}}
  - {{name: jump-to-lb-http, from: jump, to: lb, expect: {{access: [tcp/80]}}}}
  - {{name: jump-to-lb-only-http, from: jump, to: lb, expect: {{only: [tcp/80]}}}}
  - {{name: jump-to-lb-https, from: jump, to: lb, expect: {{access: [tcp/443]}}}}
  - {{name: jump-to-targets, from: jump, to: targets, expect: no-access}}
  - {{name: jump-to-targets-only-ssh, from: jump, to: targets, expect: {{only: [tcp/22]}}}}
"""

pytestmark = pytest.mark.skipif(not DUMP.is_dir(), reason="shared/real-data is not beside the repository")


@pytest.fixture(scope="module")
def results():
    result = run_check(parse_policy_text(POLICY, "lb.yaml"), load_aws_dump(DUMP), "lb.yaml")
    return {a.name: a for a in result.assertions}


def steps(witness):
    return [(h.step, h.at) for h in witness.path]


def test_the_internal_load_balancer_and_its_targets_are_not_exposed(results):
    """`test-lb` has scheme `internal`: its interfaces have only private addresses, and the targets sit in
    subnets whose table has no internet route.  Nothing from the internet reaches either."""
    assert results["internet-to-lb"].result == "pass"
    assert results["internet-to-targets"].result == "pass"


def test_only_the_jump_host_is_exposed_in_the_vpc(results):
    """The only public address is 3.17.39.193, behind igw-009e…, with tcp/22 and ICMP echo open."""
    a = results["internet-to-vpc"]
    assert a.result == "fail"
    assert {(w.target.id, w.target.address, w.protocol, w.port_range) for w in a.witnesses} == {
        (JUMP, "3.17.39.193", "tcp", (22, 22)), (JUMP, "3.17.39.193", "icmp", None)}


def test_the_jump_host_reaches_the_listener(results):
    """Local route, default NACL, the NLB has no security group: TCP/80 reaches both of its interfaces."""
    assert results["jump-to-lb-http"].result == "pass"


def test_the_jump_host_reaches_the_targets_through_the_load_balancer(results):
    """The listener forwards TCP/80 to `test-lb-tg`, whose targets are registered on port 22: the jump host's
    connection to 10.1.20.123:80 or 10.1.1.237:80 arrives at 10.1.20.95:22 and 10.1.1.189:22 (cross-zone is
    on).  Instance targets of a TCP target group see the client's own address 10.1.250.112, which sg-09da…
    admits like any other.  The jump host also reaches tcp/22 directly over the local route."""
    a = results["jump-to-targets"]
    assert a.result == "fail"
    assert {(w.target.id, w.target.address, w.protocol, w.port_range) for w in a.witnesses} == {
        (TEST20, "10.1.20.95", "tcp", (22, 22)), (TEST1, "10.1.1.189", "tcp", (22, 22))}
    relayed = [w for w in a.witnesses if ("load-balancer", LB) in steps(w)]
    assert {w.target.id for w in relayed} == {TEST20, TEST1}
    for w in relayed:
        hop = next(h for h in w.path if h.step == "load-balancer")
        assert hop.rule == "TCP 80 -> test-lb-tg port 22"
        assert "10.1.250.112" in (w.source.seen_as or "")
    direct = [w for w in a.witnesses if ("load-balancer", LB) not in steps(w)]
    assert {w.target.id for w in direct} == {TEST20, TEST1}
    assert results["jump-to-targets-only-ssh"].result == "pass"


def test_the_load_balancer_exposes_only_its_listener(results):
    """A network load balancer accepts connections only on its listeners (here TCP/80); packets to other
    ports or protocols at 10.1.20.123 / 10.1.1.237 reach no service and are dropped."""
    assert results["jump-to-lb-only-http"].result == "pass"


def test_there_is_no_https_listener(results):
    """`test-lb` has no listener on 443, so an `access tcp/443` requirement fails at both of its interfaces,
    and the drop is the load balancer's."""
    a = results["jump-to-lb-https"]
    assert a.result == "fail"
    assert all(w.dropped_at is not None and w.dropped_at.at in {LB, *LB_ENIS} for w in a.witnesses)
    assert {w.target.address for w in a.witnesses} == set(LB_ENIS.values())
