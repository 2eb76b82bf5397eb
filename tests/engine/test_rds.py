"""RDS: endpoints in the subnets of their subnet group, with the instance's groups (SPEC §6.6)."""

from topology.builder import EstateBuilder
from tests.scenario import one


def estate(*, publicly_accessible: bool, public_subnet_route: bool = True):
    b = EstateBuilder()
    b.vpc("vpc-1", "10.0.0.0/16")
    b.subnet("subnet-db-a", "vpc-1", "10.0.3.0/24", az="us-east-1a")
    b.subnet("subnet-db-b", "vpc-1", "10.0.4.0/24", az="us-east-1b")
    b.subnet("subnet-app", "vpc-1", "10.0.2.0/24")
    b.igw("igw-1", "vpc-1")
    routes = [("0.0.0.0/0", "igw-1")] if public_subnet_route else []
    b.route_table("rtb-db", "vpc-1", subnets=["subnet-db-a", "subnet-db-b"], routes=routes)
    b.security_group("sg-db", "vpc-1", ingress=[("tcp", 5432, 5432, "0.0.0.0/0")])
    b.security_group("sg-app", "vpc-1")
    b.instance("i-app", "subnet-app", "10.0.2.10", groups=["sg-app"], tags={"Zone": "app"})
    b.rds("db-orders", ["subnet-db-a", "subnet-db-b"], groups=["sg-db"], publicly_accessible=publicly_accessible,
          tags={"Zone": "db"})
    return b.build()


def test_private_rds_is_not_reachable_from_the_internet():
    assert one(estate(publicly_accessible=False), "internet", "db").result == "pass"


def test_public_rds_with_igw_route_is_reachable_from_the_internet():
    result = one(estate(publicly_accessible=True), "internet", "db")
    assert result.result == "fail"
    assert {w.service() for w in result.witnesses} == {"tcp/5432"}
    assert {w.target.id for w in result.witnesses} == {"db-orders@subnet-db-a", "db-orders@subnet-db-b"}


def test_public_rds_in_subnets_without_igw_route_is_not_reachable():
    assert one(estate(publicly_accessible=True, public_subnet_route=False), "internet", "db").result == "pass"


def test_rds_address_is_any_address_of_its_subnets():
    result = one(estate(publicly_accessible=False), "app", "db")
    assert result.result == "fail"
    assert {w.target.address for w in result.witnesses} == {"10.0.3.0/24 (address unknown)", "10.0.4.0/24 (address unknown)"}
