"""Load balancers (application, network, classic), their listeners and target groups; VPC endpoints."""

from __future__ import annotations

import pytest

from zonecheck.collect.terraform import load_terraform
from zonecheck.model import LoadBalancer, Snapshot, TargetGroup

from .conftest import StateWriter, load

ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:"
ALB = ARN + "loadbalancer/app/web-public/3c9d1e2f4a5b6c7d"
NLB = ARN + "loadbalancer/net/pg-internal/4d0e1f2a3b4c5d6e"
TG = {name: ARN + f"targetgroup/{name}/{suffix}" for name, suffix in (
    ("web-app", "5e1f2a3b4c5d6e7f"), ("db-admin", "6f2a3b4c5d6e7f80"), ("workers", "7a3b4c5d6e7f8091"),
    ("api", "8b4c5d6e7f8091a2"), ("pg", "9c5d6e7f8091a2b3"))}
PUBLIC = ("subnet-0c1d2e3f4a5b6a001", "subnet-0c1d2e3f4a5b6a002")
APP = ("subnet-0c1d2e3f4a5b6b001", "subnet-0c1d2e3f4a5b6b002")


@pytest.fixture(scope="module")
def web() -> Snapshot:
    return load("services.tfstate")


def balancer(snapshot: Snapshot, lb_id: str) -> LoadBalancer:
    return next(b for b in snapshot.load_balancers if b.id == lb_id)


def group(snapshot: Snapshot, group_id: str) -> TargetGroup:
    return next(g for g in snapshot.target_groups if g.id == group_id)


# -- application load balancer -------------------------------------------------------------------------------


def test_an_internet_facing_application_load_balancer(web: Snapshot) -> None:
    alb = balancer(web, ALB)
    assert (alb.name, alb.kind, alb.scheme, alb.vpc_id, alb.subnet_ids, alb.security_group_ids) == (
        "web-public", "application", "internet-facing", "vpc-0c1d2e3f4a5b60001", PUBLIC, ("sg-0c1d2e3f4a5b6f001",))


def test_listeners_forward_to_the_groups_of_their_default_action_and_rules(web: Snapshot) -> None:
    listeners = {(x.protocol, x.port): set(x.target_group_ids) for x in balancer(web, ALB).listeners}
    # HTTPS forwards by default to web-app; rules (path /admin/*, host api.) add db-admin and api.  HTTP only redirects.
    assert listeners == {("HTTPS", 443): {TG["web-app"], TG["db-admin"], TG["api"]}, ("HTTP", 80): set()}


def test_its_interfaces_are_one_per_subnet_with_unknown_addresses(web: Snapshot) -> None:
    interfaces = sorted((e for e in web.endpoints if e.owner_id == ALB), key=lambda e: e.id)
    assert [(e.id, e.kind, e.subnet_id) for e in interfaces] == [
        (f"{ALB}@{subnet}", "load-balancer", subnet) for subnet in PUBLIC]
    assert all(e.address_unknown and e.public_address_unknown and e.security_group_ids == ("sg-0c1d2e3f4a5b6f001",)
               and e.owner_tags["Name"] == "web-public" for e in interfaces)


def test_target_groups_and_their_registered_targets(web: Snapshot) -> None:
    app = group(web, TG["web-app"])
    assert (app.name, app.port, app.protocol, app.target_type, app.targets_known) == ("web-app", 8080, "HTTP", "instance", True)
    assert [(t.target_id, t.port) for t in app.targets] == [("i-0c1d2e3f4a5b72001", 8080), ("i-0c1d2e3f4a5b72002", 8080)]
    admin = group(web, TG["db-admin"])
    assert [(t.target_id, t.port) for t in admin.targets] == [("i-0c1d2e3f4a5b72003", 8443)]


def test_targets_registered_by_an_auto_scaling_group_or_an_ecs_service_are_unknown(web: Snapshot) -> None:
    assert not group(web, TG["workers"]).targets_known  # aws_autoscaling_group.target_group_arns
    assert not group(web, TG["api"]).targets_known  # aws_ecs_service.load_balancer
    assert {(u.kind, u.resource) for u in web.unsupported} >= {
        ("aws_autoscaling_group", "aws_autoscaling_group.workers"), ("aws_ecs_service", "aws_ecs_service.api")}


# -- network and classic load balancers ----------------------------------------------------------------------


def test_a_network_load_balancer_with_fixed_addresses_and_no_groups(web: Snapshot) -> None:
    nlb = balancer(web, NLB)
    assert (nlb.kind, nlb.scheme, nlb.security_group_ids, nlb.subnet_ids) == ("network", "internal", (), APP)
    assert [(x.protocol, x.port, x.target_group_ids) for x in nlb.listeners] == [("TCP", 5432, (TG["pg"],))]
    addresses = sorted((e.subnet_id, str(e.private_ips[0]), e.address_unknown, e.public_address_unknown)
                       for e in web.endpoints if e.owner_id == NLB)
    assert addresses == [(APP[0], "10.60.10.200", False, False), (APP[1], "10.60.11.200", False, False)]
    pg = group(web, TG["pg"])
    assert (pg.target_type, [(t.target_id, t.port) for t in pg.targets]) == ("ip", [("10.60.20.15", 5432)])


def test_a_classic_load_balancer_gets_a_target_group_per_instance_port(web: Snapshot) -> None:
    legacy = balancer(web, "web-legacy")
    assert (legacy.kind, legacy.scheme, legacy.subnet_ids) == ("classic", "internal", APP)
    assert [(x.id, x.protocol, x.port, x.target_group_ids) for x in legacy.listeners] == [
        ("web-legacy/HTTP:80", "HTTP", 80, ("web-legacy/instances:8080",))]
    instances = group(web, "web-legacy/instances:8080")
    # one instance in the balancer's own list, one through aws_elb_attachment
    assert [(t.target_id, t.port) for t in instances.targets] == [("i-0c1d2e3f4a5b72001", 8080), ("i-0c1d2e3f4a5b72002", 8080)]


def test_a_target_group_nothing_registers_to_has_unknown_targets(write_state: StateWriter) -> None:
    path = write_state(("aws_lb_target_group", "tg", {"arn": "arn:tg/1", "id": "arn:tg/1", "port": 80, "protocol": "HTTP",
                                                       "target_type": "instance", "vpc_id": "vpc-1"}),
                       ("aws_lb_target_group", "fn", {"arn": "arn:tg/2", "id": "arn:tg/2", "target_type": "lambda"}))
    known = {g.id: g.targets_known for g in load_terraform([path]).target_groups}
    assert known == {"arn:tg/1": False, "arn:tg/2": True}  # a Lambda group sends to no interface at all


def test_an_alb_without_groups_gets_its_vpcs_default_group(write_state: StateWriter) -> None:
    from .conftest import subnet_attrs, vpc_attrs
    path = write_state(("aws_vpc", "v", vpc_attrs()), ("aws_subnet", "s", subnet_attrs()),
                       ("aws_alb", "a", {"arn": "arn:lb/1", "load_balancer_type": "application", "internal": True,
                                         "subnets": ["subnet-1"], "security_groups": []}))
    (lb,) = load_terraform([path]).load_balancers
    assert (lb.security_group_ids, lb.scheme) == (("sg-default",), "internal")


# -- VPC endpoints -------------------------------------------------------------------------------------------


def test_a_gateway_endpoint_adds_its_prefix_list_route_to_its_tables(web: Snapshot) -> None:
    s3 = next(v for v in web.vpc_endpoints if v.kind == "gateway")
    # route_table_ids, plus an aws_vpc_endpoint_route_table_association
    assert s3.route_table_ids == ("rtb-0c1d2e3f4a5b6d001", "rtb-0c1d2e3f4a5b6d002")
    for table in web.route_tables:
        if table.id in s3.route_table_ids:
            assert ("pl-6da54004", "vpc-endpoint", s3.id) in {
                (r.destination_prefix_list_id, r.target, r.target_id) for r in table.routes}
    prefix_list = next(p for p in web.prefix_lists if p.id == "pl-6da54004")
    assert prefix_list.aws_managed and len(prefix_list.entries or ()) == 3


def test_an_interface_endpoint_is_an_interface_per_subnet(web: Snapshot) -> None:
    ssm = next(v for v in web.vpc_endpoints if v.kind == "interface")
    assert (ssm.service_name, ssm.private_dns_enabled, ssm.subnet_ids) == ("com.amazonaws.eu-west-1.ssm", True, APP)
    interfaces = sorted((e.subnet_id, [str(a) for a in e.private_ips], e.security_group_ids)
                        for e in web.endpoints if e.owner_id == ssm.id)
    assert interfaces == [(APP[0], ["10.60.10.50"], ("sg-0c1d2e3f4a5b6f004",)),
                          (APP[1], ["10.60.11.50"], ("sg-0c1d2e3f4a5b6f004",))]
    assert all(e.kind == "vpc-endpoint" for e in web.endpoints if e.owner_id == ssm.id)


def test_a_gateway_load_balancer_endpoint_is_unsupported(web: Snapshot) -> None:
    (gwlbe,) = [v for v in web.vpc_endpoints if v.kind == "gateway-load-balancer"]
    (unsupported,) = [u for u in web.unsupported if u.resource == "aws_vpc_endpoint.inspection"]
    assert gwlbe.id in unsupported.reason and "appliances" in unsupported.reason
    (interface,) = [e for e in web.endpoints if e.owner_id == gwlbe.id]
    assert interface.security_group_ids == () and interface.address_unknown


def test_an_interface_endpoint_without_groups_gets_its_vpcs_default_group(write_state: StateWriter) -> None:
    from .conftest import vpc_attrs
    path = write_state(("aws_vpc", "v", vpc_attrs()),
                       ("aws_vpc_endpoint", "e", {"id": "vpce-1", "vpc_id": "vpc-1", "vpc_endpoint_type": "Interface",
                                                  "subnet_ids": ["subnet-1"], "security_group_ids": []}),
                       ("aws_vpc_endpoint_subnet_association", "b", {"id": "a-1", "vpc_endpoint_id": "vpce-1",
                                                                      "subnet_id": "subnet-2"}))
    found = {e.subnet_id: e.security_group_ids for e in load_terraform([path]).endpoints if e.owner_id == "vpce-1"}
    assert found == {"subnet-1": ("sg-default",), "subnet-2": ("sg-default",)}
