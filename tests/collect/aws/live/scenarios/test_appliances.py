"""Routes to an appliance (an instance or its network interface: a firewall, a NAT instance), built with
boto3 in moto and collected live.  With source/destination check off the appliance may forward anything:
the engine over-approximates, so the path is possible, the verdict `unknown` and the witness says why.
With the check on (AWS's default) the instance drops what is not addressed to it: `pass`.

    one 10.80/16                                   two 10.81/16
      a  10.80.1/24: 10.81.1.0/24 -> instance fw      b  10.81.1/24 (ssh from 10.80/16)
      a2 10.80.2/24: 10.81.2.0/24 -> eni of fw2       b2 10.81.2/24 (ssh from 10.80/16)
      fw, fw2 10.80.9/24: 10.81.0.0/16 -> pcx ───────────┘
    fw: source/destination check off; fw2: on

Where moto differs from AWS: ModifyInstanceAttribute(SourceDestCheck) changes the instance but not its
network interface (AWS changes both: it is one setting), so the check is turned off here with
ModifyNetworkInterfaceAttribute on fw's interface, which AWS also accepts.  Moto lists a route to an
instance with its `InstanceId` only (AWS adds the interface's id); the collector takes either.
"""

from __future__ import annotations

import boto3
import pytest

from tests.collect.aws.live.scenarios.builder import Builder, allow, hops
from zonecheck.collect.aws.live import LiveCollection
from zonecheck.engine.results import AssertionResult

REGION = "us-east-1"

POLICY = """\
version: 1
zones:
  a: {match: [{tags: {Zone: appliance-a}}]}
  b: {match: [{tags: {Zone: appliance-b}}]}
  a2: {match: [{tags: {Zone: appliance-a2}}]}
  b2: {match: [{tags: {Zone: appliance-b2}}]}
assertions:
  - {name: a-cannot-reach-b, from: a, to: b, expect: no-access}
  - {name: a2-cannot-reach-b2, from: a2, to: b2, expect: no-access}
"""


@pytest.fixture(scope="module")
def estate(moto: boto3.Session) -> Builder:
    b = Builder(moto, REGION)
    b.vpc("one", "10.80.0.0/16")
    b.vpc("two", "10.81.0.0/16")
    for name, vpc, cidr in (("a", "one", "10.80.1.0/24"), ("a2", "one", "10.80.2.0/24"), ("fw", "one", "10.80.9.0/24"),
                            ("b", "two", "10.81.1.0/24"), ("b2", "two", "10.81.2.0/24")):
        b.subnet(name, vpc, cidr)
        b.table(name, vpc, name)
    b.peering("one-two", "one", "two")
    b.group("fw", "one", allow("-1", cidr="10.80.0.0/16"))
    b.group("ssh", "two", allow("tcp", 22, cidr="10.80.0.0/16"))
    b.group("a", "one")
    b.instance("fw", "fw", "fw")
    b.instance("fw2", "fw", "fw")
    b.ec2.modify_network_interface_attribute(NetworkInterfaceId=b["eni-fw"], SourceDestCheck={"Value": False})
    b.route("a", "10.81.1.0/24", InstanceId=b["i-fw"])
    b.route("a2", "10.81.2.0/24", NetworkInterfaceId=b["eni-fw2"])
    b.route("fw", "10.81.0.0/16", VpcPeeringConnectionId=b["pcx-one-two"])
    for name, group, zone in (("a", "a", "appliance-a"), ("a2", "a", "appliance-a2"), ("b", "ssh", "appliance-b"),
                              ("b2", "ssh", "appliance-b2")):
        b.instance(name, name, group, zone=zone)
    return b


def test_routes_to_an_instance_and_to_an_interface_are_collected_with_the_check(collection: LiveCollection,
                                                                                estate: Builder) -> None:
    routes = {t.id: {(str(r.destination), r.target, r.target_id) for r in t.routes} for t in collection.snapshot.route_tables}
    assert ("10.81.1.0/24", "instance", estate["i-fw"]) in routes[estate["rtb-a"]]
    assert ("10.81.2.0/24", "network-interface", estate["eni-fw2"]) in routes[estate["rtb-a2"]]
    checks = {e.id: e.source_dest_check for e in collection.snapshot.endpoints}
    assert (checks[estate["eni-fw"]], checks[estate["eni-fw2"]]) == (False, True)


def test_an_appliance_with_the_check_off_is_over_approximated_and_the_witness_says_so(
        results: dict[str, AssertionResult], estate: Builder) -> None:
    through = results["a-cannot-reach-b"]
    assert through.result == "unknown"
    assert "a path may exist, through parts of the estate that are not known exactly" in through.reasons
    (witness,) = through.witnesses
    assert (witness.protocol, witness.port_range, witness.target.id) == ("tcp", (22, 22), estate["eni-b"])
    assert not witness.certain
    assert witness.doubts == (f"appliance {estate['eni-fw']} is assumed to forward anything it receives "
                              "(over-approximation)",)
    path = hops(witness)
    assert path[1] == ("route", estate["rtb-a"], f"10.81.1.0/24 -> {estate['i-fw']}")
    assert ("appliance", estate["eni-fw"], "forwards anything it receives, possibly as its own address "
                                          "(over-approximation)") in path
    assert ("route", estate["rtb-fw"], f"10.81.0.0/16 -> {estate['pcx-one-two']}") in path
    assert path[-1] == ("sg-ingress", estate["sg-ssh"], "ingress tcp 22 from 10.80.0.0/16")


def test_an_appliance_with_the_check_on_forwards_nothing(results: dict[str, AssertionResult]) -> None:
    blocked = results["a2-cannot-reach-b2"]
    assert (blocked.result, blocked.witnesses, blocked.reasons) == ("pass", (), ())
