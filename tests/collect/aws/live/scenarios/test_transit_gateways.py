"""Transit gateways, built with boto3 in moto, collected live (us-east-1 and us-west-2 in one collection).

    seg   (no default tables)  replica 10.0/16 ─┐ table "public":  replica; propagated: app
                               app     10.1/16 ─┤ table "private": app, db; propagated: app, db, replica
                               db      10.2/16 ─┘
    flat  (default tables)     replica 10.10/16, db 10.12/16: both associated with and propagating into the default table
    bh    (default tables)     src 10.20/16 → dst 10.22/16 (dst1 10.22.1/24, dst2 10.22.2/24); static blackhole 10.22.1.0/24
    east (us-east-1) 10.30/16 ── TGW peering ── west (us-west-2) 10.31/16

Every workload subnet routes 10.0.0.0/8 to its VPC's transit gateway and admits tcp 5432 from 10.0.0.0/8
(tcp 443 for west).

Where moto differs from AWS (see `moto_extras`): it does not apply `DefaultRouteTablePropagation`, so the
propagations AWS would create are enabled here with EnableTransitGatewayRouteTablePropagation (the call
AWS makes for you); it does not add propagated routes to SearchTransitGatewayRoutes either, which the
engine derives from the propagations, as it does for a dump.  Its association bookkeeping and its view of
a peering attachment from the accepter's region are corrected in `moto_extras`.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests.collect.aws.live.scenarios.builder import Builder, allow, collect_regions, hops
from zonecheck.collect.aws.live import LiveCollection
from zonecheck.engine.results import AssertionResult

EAST, WEST = "us-east-1", "us-west-2"

POLICY = """\
version: 1
zones:
  seg-replica: {match: [{tags: {Zone: seg-replica}}]}
  seg-app: {match: [{tags: {Zone: seg-app}}]}
  seg-db: {match: [{tags: {Zone: seg-db}}]}
  flat-replica: {match: [{tags: {Zone: flat-replica}}]}
  flat-db: {match: [{tags: {Zone: flat-db}}]}
  bh-src: {match: [{tags: {Zone: bh-src}}]}
  bh-dst: {match: [{tags: {Zone: bh-dst}}]}
  east: {match: [{tags: {Zone: tgw-east}}]}
  west: {match: [{tags: {Zone: tgw-west}}]}
assertions:
  - {name: segmented-replica-cannot-reach-db, from: seg-replica, to: seg-db, expect: no-access}
  - {name: segmented-replica-reaches-app, from: seg-replica, to: seg-app, expect: no-access}
  - {name: flat-replica-cannot-reach-db, from: flat-replica, to: flat-db, expect: no-access}
  - {name: blackhole-src-cannot-reach-dst, from: bh-src, to: bh-dst, expect: no-access}
  - {name: east-cannot-reach-west, from: east, to: west, expect: no-access}
"""


def spoke(b: Builder, tgw: str, name: str, second_octet: int, *, port: int = 5432, zone: str = "") -> None:
    """A VPC 10.<n>.0.0/16 with a workload subnet (an instance tagged `zone`) and an attachment subnet."""
    b.vpc(name, f"10.{second_octet}.0.0/16")
    b.subnet(name, name, f"10.{second_octet}.1.0/24")
    b.subnet(f"{name}-tgw", name, f"10.{second_octet}.255.0/28")
    b.table(name, name, name)
    b.route(name, "10.0.0.0/8", TransitGatewayId=b[f"tgw-{tgw}"])
    b.attach(name, tgw, name, f"{name}-tgw")
    b.group(name, name, allow("tcp", port, cidr="10.0.0.0/8"))
    b.instance(name, name, name, zone=zone or name)


@pytest.fixture(scope="module")
def east(moto: boto3.Session) -> Builder:
    b = Builder(moto, EAST)
    # -- segmented: the replica's table has no route to the private VPC --------------------------------------
    b.transit_gateway("seg", default_tables=False)
    for i, name in enumerate(("replica", "app", "db")):
        spoke(b, "seg", f"seg-{name}", i)
    b.tgw_table("seg-public", "seg", associate=("seg-replica",), propagate=("seg-app",))
    b.tgw_table("seg-private", "seg", associate=("seg-app", "seg-db"), propagate=("seg-app", "seg-db", "seg-replica"))
    # -- flat: everything in the default table ----------------------------------------------------------------
    b.transit_gateway("flat", default_tables=True)
    spoke(b, "flat", "flat-replica", 10)
    spoke(b, "flat", "flat-db", 12)
    b.propagate(b["tgw-rtb-flat-default"], "flat-replica", "flat-db")
    # -- a blackhole /24 inside a propagated /16 ---------------------------------------------------------------
    b.transit_gateway("bh", default_tables=True)
    spoke(b, "bh", "bh-src", 20)
    spoke(b, "bh", "bh-dst", 22)
    b.subnet("bh-dst2", "bh-dst", "10.22.2.0/24")
    b.ec2.associate_route_table(RouteTableId=b["rtb-bh-dst"], SubnetId=b["subnet-bh-dst2"])
    b.instance("bh-dst2", "bh-dst2", "bh-dst", zone="bh-dst")
    b.propagate(b["tgw-rtb-bh-default"], "bh-src", "bh-dst")
    b.ec2.create_transit_gateway_route(TransitGatewayRouteTableId=b["tgw-rtb-bh-default"],
                                       DestinationCidrBlock="10.22.1.0/24", Blackhole=True)
    # -- the requester side of a peering with us-west-2 --------------------------------------------------------
    b.transit_gateway("east", default_tables=True)
    spoke(b, "east", "east", 30, zone="tgw-east")
    return b


@pytest.fixture(scope="module")
def west(moto: boto3.Session, east: Builder) -> Builder:
    w = Builder(moto, WEST)
    w.transit_gateway("west", default_tables=True)
    spoke(w, "west", "west", 31, port=443, zone="tgw-west")
    w.propagate(w["tgw-rtb-west-default"], "west")
    peer = east.ec2.create_transit_gateway_peering_attachment(
        TransitGatewayId=east["tgw-east"], PeerTransitGatewayId=w["tgw-west"], PeerAccountId="123456789012",
        PeerRegion=WEST)["TransitGatewayPeeringAttachment"]["TransitGatewayAttachmentId"]
    w.ec2.accept_transit_gateway_peering_attachment(TransitGatewayAttachmentId=peer)
    east.ids["tgw-attach-peer"] = w.ids["tgw-attach-peer"] = peer
    # each side associates the peering attachment with a table of its own; east routes west's CIDR over it
    east.ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=east["tgw-rtb-east-default"],
                                                   TransitGatewayAttachmentId=peer)
    w.ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=w["tgw-rtb-west-default"],
                                                TransitGatewayAttachmentId=peer)
    east.ec2.create_transit_gateway_route(TransitGatewayRouteTableId=east["tgw-rtb-east-default"],
                                          DestinationCidrBlock="10.31.0.0/16", TransitGatewayAttachmentId=peer)
    return w


@pytest.fixture(scope="module")
def collection(east: Builder, west: Builder) -> LiveCollection:
    return collect_regions(EAST, WEST)


def test_the_collection_is_complete(collection: LiveCollection) -> None:
    assert collection.snapshot.incomplete == () and collection.snapshot.unsupported == ()


def test_associations_are_read_as_they_are_now_not_as_they_were_at_creation(collection: LiveCollection,
                                                                            east: Builder) -> None:
    tables = {t.id: t for t in collection.snapshot.transit_gateway_route_tables}
    assert tables[east["tgw-rtb-seg-public"]].associations == (east["tgw-attach-seg-replica"],)
    assert set(tables[east["tgw-rtb-seg-private"]].associations) == {east["tgw-attach-seg-app"], east["tgw-attach-seg-db"]}
    assert tables[east["tgw-rtb-seg-default"]].associations == ()  # default association off: nothing there
    assert set(tables[east["tgw-rtb-seg-public"]].propagations) == {east["tgw-attach-seg-app"]}


def test_segmented_design_keeps_the_replica_from_the_private_vpc(results: dict[str, AssertionResult]) -> None:
    segmented = results["segmented-replica-cannot-reach-db"]
    assert (segmented.result, segmented.witnesses, segmented.reasons) == ("pass", (), ())


def test_segmented_design_still_routes_what_the_replicas_table_propagates(results: dict[str, AssertionResult],
                                                                         east: Builder) -> None:
    (witness,) = results["segmented-replica-reaches-app"].witnesses
    assert results["segmented-replica-reaches-app"].result == "fail"
    assert ("tgw-route", east["tgw-rtb-seg-public"], f"10.1.0.0/16 -> {east['tgw-attach-seg-app']} (propagated)") \
        in hops(witness)


def test_flat_default_design_fails_with_the_tgw_route_hop_in_the_witness(results: dict[str, AssertionResult],
                                                                        east: Builder) -> None:
    flat = results["flat-replica-cannot-reach-db"]
    assert flat.result == "fail"
    (witness,) = flat.witnesses
    assert (witness.protocol, witness.port_range) == ("tcp", (5432, 5432))
    assert witness.target.id == east["eni-flat-db"]
    path = hops(witness)
    assert path[0] == ("sg-egress", east["sg-flat-replica"], "egress all to 0.0.0.0/0")
    assert path[1] == ("route", east["rtb-flat-replica"], f"10.0.0.0/8 -> {east['tgw-flat']}")
    assert ("tgw-attachment", east["tgw-attach-flat-replica"],
            f"{east['vpc-flat-replica']} -> {east['tgw-flat']} (via {east['subnet-flat-replica-tgw']})") in path
    assert ("tgw-route", east["tgw-rtb-flat-default"], f"10.12.0.0/16 -> {east['tgw-attach-flat-db']} (propagated)") in path
    assert path[-1] == ("sg-ingress", east["sg-flat-db"], "ingress tcp 5432 from 10.0.0.0/8")


def test_a_blackhole_24_inside_a_propagated_16_blocks_only_the_24(results: dict[str, AssertionResult],
                                                                 collection: LiveCollection, east: Builder) -> None:
    table = next(t for t in collection.snapshot.transit_gateway_route_tables if t.id == east["tgw-rtb-bh-default"])
    assert "10.22.1.0/24 -> blackhole" in {r.label() for r in table.routes}
    blackhole = results["blackhole-src-cannot-reach-dst"]
    assert blackhole.result == "fail"
    assert {w.target.id for w in blackhole.witnesses} == {east["eni-bh-dst2"]}  # dst1 (10.22.1.x) is not reached
    assert ("tgw-route", east["tgw-rtb-bh-default"], f"10.22.0.0/16 -> {east['tgw-attach-bh-dst']} (propagated)") \
        in hops(blackhole.witnesses[0])


def test_each_side_of_a_tgw_peering_is_associated_with_its_own_table(collection: LiveCollection, east: Builder,
                                                                     west: Builder) -> None:
    (peering,) = [a for a in collection.snapshot.transit_gateway_attachments if a.kind == "peering"]
    assert (peering.id, peering.transit_gateway_id, peering.resource_id) == (east["tgw-attach-peer"], east["tgw-east"],
                                                                             west["tgw-west"])
    assert peering.peer_region == WEST
    tables = {t.id: t for t in collection.snapshot.transit_gateway_route_tables}
    assert peering.id in tables[east["tgw-rtb-east-default"]].associations
    assert peering.id in tables[west["tgw-rtb-west-default"]].associations


def test_tgw_peering_carries_traffic_between_regions(results: dict[str, AssertionResult], east: Builder,
                                                     west: Builder) -> None:
    peered = results["east-cannot-reach-west"]
    assert peered.result == "fail"
    (witness,) = peered.witnesses
    assert (witness.protocol, witness.port_range, witness.target.id) == ("tcp", (443, 443), west["eni-west"])
    path: list[Any] = hops(witness)
    peer = east["tgw-attach-peer"]
    assert ("tgw-route", east["tgw-rtb-east-default"], f"10.31.0.0/16 -> {peer} (static)") in path
    assert ("tgw-peering", peer, f"{east['tgw-east']} -> {west['tgw-west']}") in path
    assert ("tgw-route", west["tgw-rtb-west-default"], f"10.31.0.0/16 -> {west['tgw-attach-west']} (propagated)") in path
    assert path.index(("tgw-peering", peer, f"{east['tgw-east']} -> {west['tgw-west']}")) < len(path) - 1
    assert path[-1] == ("sg-ingress", west["sg-west"], "ingress tcp 443 from 10.0.0.0/8")
