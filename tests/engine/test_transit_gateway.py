"""Transit gateways: attachments, associations, propagations, static and blackhole routes, zones, peering (SPEC §6.2)."""

from topology.builder import EstateBuilder
from tests.scenario import one, rules, steps


def hub(*, default_tables: bool, zones=("us-east-1a", "us-east-1a", "us-east-1a")):
    """Three spokes (replica, app, db) on one TGW; each spoke routes 10.0.0.0/8 to the TGW."""
    b = EstateBuilder()
    b.transit_gateway("tgw-1", default_tables=default_tables)
    for i, (name, zone) in enumerate(zip(("replica", "app", "db"), zones)):
        vpc = b.vpc(f"vpc-{name}", f"10.{i}.0.0/16")
        b.subnet(f"subnet-{name}", vpc, f"10.{i}.1.0/24", az=zone)
        b.subnet(f"subnet-{name}-tgw", vpc, f"10.{i}.255.0/28", az="us-east-1a")
        b.route_table(f"rtb-{name}", vpc, subnets=[f"subnet-{name}"], routes=[("10.0.0.0/8", "tgw-1")])
        b.tgw_attachment(f"tgw-attach-{name}", "tgw-1", vpc, [f"subnet-{name}-tgw"])
        b.security_group(f"sg-{name}", vpc, ingress=[("tcp", 5432, 5432, "10.0.0.0/8")])
        b.instance(f"i-{name}", f"subnet-{name}", f"10.{i}.1.10", groups=[f"sg-{name}"], tags={"Zone": name})
    return b


def test_flat_default_design_fails_with_the_tgw_route_table_hop_in_the_witness():
    result = one(hub(default_tables=True).build(), "replica", "db")
    assert result.result == "fail"
    [witness] = result.witnesses
    assert ("tgw-route", "tgw-rtb-tgw-1-default") in steps(witness)
    assert "10.2.0.0/16 -> tgw-attach-db (propagated)" in rules(witness)
    assert steps(witness)[:3] == [("sg-egress", "sg-replica"), ("route", "rtb-replica"), ("nacl-out", "acl-vpc-replica-default")]


def segmented():
    b = hub(default_tables=False)
    # Replica's table only knows the app VPC; app's table knows everyone; db's table knows app.
    b.tgw_route_table("tgw-rtb-public", "tgw-1", associations=["tgw-attach-replica"], propagations=["tgw-attach-app"])
    b.tgw_route_table("tgw-rtb-private", "tgw-1", associations=["tgw-attach-app", "tgw-attach-db"],
                      propagations=["tgw-attach-app", "tgw-attach-db", "tgw-attach-replica"])
    return b


def test_segmented_design_passes():
    snapshot = segmented().build()
    assert one(snapshot, "replica", "db").result == "pass"
    assert one(snapshot, "replica", "app").result == "fail"
    assert one(snapshot, "app", "db").result == "fail"


def test_static_route_adds_a_path_the_propagations_did_not():
    b = segmented()
    b.tgw_route_table("tgw-rtb-public", "tgw-1", associations=["tgw-attach-replica"], propagations=["tgw-attach-app"],
                      routes=[("10.2.0.0/16", "tgw-attach-db")])
    result = one(b.build(), "replica", "db")
    assert result.result == "fail"
    assert "10.2.0.0/16 -> tgw-attach-db (static)" in rules(result.witnesses[0])


def test_blackhole_inside_a_propagated_range_blocks_only_its_prefix():
    b = hub(default_tables=True)
    b.tgw_route_table("tgw-rtb-tgw-1-default", "tgw-1",
                      associations=["tgw-attach-replica", "tgw-attach-app", "tgw-attach-db"],
                      propagations=["tgw-attach-replica", "tgw-attach-app", "tgw-attach-db"],
                      routes=[("10.2.1.0/24", None)])
    b.subnet("subnet-db2", "vpc-db", "10.2.2.0/24")
    b.route_table("rtb-db2", "vpc-db", subnets=["subnet-db2"], routes=[("10.0.0.0/8", "tgw-1")])
    b.instance("i-db2", "subnet-db2", "10.2.2.10", groups=["sg-db"], tags={"Zone": "db"})
    result = one(b.build(), "replica", "db")
    assert result.result == "fail"
    assert {w.target.id for w in result.witnesses} == {"eni-i-db2"}


def test_subnet_in_a_zone_the_attachment_does_not_serve_is_dropped():
    b = hub(default_tables=True, zones=("us-east-1b", "us-east-1a", "us-east-1a"))
    assert one(b.build(), "replica", "db").result == "pass"
    assert one(b.build(), "app", "db").result == "fail"


def test_nacl_of_the_attachment_subnet_applies_on_the_way_in():
    b = hub(default_tables=True)
    b.nacl("acl-replica-tgw", "vpc-replica", subnets=["subnet-replica-tgw"],
           ingress=[(100, "deny", "-1", None, None, "0.0.0.0/0")], egress=[(100, "allow", "-1", None, None, "0.0.0.0/0")])
    assert one(b.build(), "replica", "db").result == "pass"


def test_nacl_of_the_attachment_subnet_applies_on_the_way_out():
    b = hub(default_tables=True)
    b.nacl("acl-db-tgw", "vpc-db", subnets=["subnet-db-tgw"],
           ingress=[(100, "allow", "-1", None, None, "0.0.0.0/0")],
           egress=[(100, "deny", "tcp", 5432, 5432, "10.2.1.0/24"), (110, "allow", "-1", None, None, "0.0.0.0/0")])
    assert one(b.build(), "replica", "db").result == "pass"


def test_traffic_from_a_transit_gateway_cannot_leave_over_a_peering():
    b = hub(default_tables=True)
    b.vpc("vpc-far", "10.9.0.0/16")
    b.subnet("subnet-far", "vpc-far", "10.9.1.0/24")
    b.peering("pcx-db-far", "vpc-db", "vpc-far")
    b.route_table("rtb-db-tgw", "vpc-db", subnets=["subnet-db-tgw"], routes=[("10.9.0.0/16", "pcx-db-far")])
    b.route_table("rtb-far", "vpc-far", subnets=["subnet-far"], routes=[("10.0.0.0/8", "pcx-db-far")])
    b.security_group("sg-far", "vpc-far", ingress=[("-1", None, None, "0.0.0.0/0")])
    b.instance("i-far", "subnet-far", "10.9.1.10", groups=["sg-far"], tags={"Zone": "far"})
    b.add_routes("rtb-replica", [("10.9.0.0/16", "tgw-1")])
    b.tgw_route_table("tgw-rtb-tgw-1-default", "tgw-1",
                      associations=["tgw-attach-replica", "tgw-attach-app", "tgw-attach-db"],
                      propagations=["tgw-attach-replica", "tgw-attach-app", "tgw-attach-db"],
                      routes=[("10.9.0.0/16", "tgw-attach-db")])
    assert one(b.build(), "replica", "far").result == "pass"


def test_centralised_egress_through_a_nat_in_another_vpc_reaches_the_internet():
    b = hub(default_tables=True)
    b.vpc("vpc-egress", "10.50.0.0/16")
    b.subnet("subnet-egress-tgw", "vpc-egress", "10.50.0.0/28")
    b.subnet("subnet-egress-pub", "vpc-egress", "10.50.1.0/24")
    b.igw("igw-egress", "vpc-egress")
    b.nat("nat-egress", "subnet-egress-pub", "10.50.1.5", "3.3.3.3")
    b.route_table("rtb-egress-tgw", "vpc-egress", subnets=["subnet-egress-tgw"], routes=[("0.0.0.0/0", "nat-egress")])
    b.route_table("rtb-egress-pub", "vpc-egress", subnets=["subnet-egress-pub"],
                  routes=[("0.0.0.0/0", "igw-egress"), ("10.0.0.0/8", "tgw-1")])
    b.tgw_attachment("tgw-attach-egress", "tgw-1", "vpc-egress", ["subnet-egress-tgw"])
    b.add_routes("rtb-db", [("0.0.0.0/0", "tgw-1")])
    b.tgw_route_table("tgw-rtb-tgw-1-default", "tgw-1",
                      associations=["tgw-attach-replica", "tgw-attach-app", "tgw-attach-db", "tgw-attach-egress"],
                      propagations=["tgw-attach-replica", "tgw-attach-app", "tgw-attach-db", "tgw-attach-egress"],
                      routes=[("0.0.0.0/0", "tgw-attach-egress")])
    result = one(b.build(), "db", "internet")
    assert result.result == "fail"
    path = steps(result.witnesses[0])
    assert ("nat", "nat-egress") in path and ("igw", "igw-egress") in path
    assert result.witnesses[0].source.seen_as == "3.3.3.3"


def test_tgw_peering_carries_traffic_between_regions():
    b = EstateBuilder()
    b.transit_gateway("tgw-east")
    b.transit_gateway("tgw-west")
    b.vpc("vpc-east", "10.0.0.0/16")
    b.vpc("vpc-west", "10.1.0.0/16", region="us-west-2")
    b.subnet("subnet-east", "vpc-east", "10.0.1.0/24")
    b.subnet("subnet-west", "vpc-west", "10.1.1.0/24", az="us-west-2a")
    b.route_table("rtb-east", "vpc-east", subnets=["subnet-east"], routes=[("10.1.0.0/16", "tgw-east")])
    b.tgw_attachment("tgw-attach-east", "tgw-east", "vpc-east", ["subnet-east"])
    b.tgw_attachment("tgw-attach-west", "tgw-west", "vpc-west", ["subnet-west"])
    from zonecheck.model import TransitGatewayAttachment
    b.add("transit_gateway_attachments", TransitGatewayAttachment(
        id="tgw-attach-peer", transit_gateway_id="tgw-east", kind="peering", resource_id="tgw-west"))
    b.tgw_route_table("tgw-rtb-east", "tgw-east", associations=["tgw-attach-east"],
                      routes=[("10.1.0.0/16", "tgw-attach-peer")])
    b.tgw_route_table("tgw-rtb-west", "tgw-west", associations=["tgw-attach-peer"], propagations=["tgw-attach-west"])
    b.security_group("sg-west", "vpc-west", ingress=[("tcp", 443, 443, "10.0.0.0/16")])
    b.instance("i-east", "subnet-east", "10.0.1.10", tags={"Zone": "east"})
    b.instance("i-west", "subnet-west", "10.1.1.10", groups=["sg-west"], tags={"Zone": "west"})
    result = one(b.build(), "east", "west")
    assert result.result == "fail"
    path = steps(result.witnesses[0])
    assert ("tgw-peering", "tgw-attach-peer") in path and ("tgw-route", "tgw-rtb-west") in path
