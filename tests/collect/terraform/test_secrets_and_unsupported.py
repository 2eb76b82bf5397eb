"""What must never reach a snapshot (secrets), and what must reach it as unsupported."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

import pytest

from zonecheck.collect.terraform import load_terraform
from zonecheck.model import Snapshot, to_json

from .conftest import DATA, StateWriter, load, real_files

SECRET_KEY = re.compile(r"password|secret|token|private_key|^result$|variables|preshared_key|"
                        r"customer_gateway_configuration|bcrypt_hash", re.IGNORECASE)


def secret_values(value: Any, key: str = "") -> Iterator[str]:
    """Every string under a secret-looking attribute (e.g. aws_db_instance.password, random_password.result)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from secret_values(v, k if not SECRET_KEY.search(key) else key)
    elif isinstance(value, list):
        for v in value:
            yield from secret_values(v, key)
    elif isinstance(value, str) and len(value) >= 6 and SECRET_KEY.search(key):
        yield value


def test_the_fixtures_do_hold_secrets() -> None:
    found = set(secret_values(json.loads((DATA / "app.tfstate").read_text())))
    assert {"S3cr3t-Pa55w0rd!", "another-Secret-99", "random-result-secret-0042", "lambda-env-secret"} <= found


READABLE = [p for p in real_files("raw-state", "show-state") if json.loads(p.read_text()).get("version") != 3]
OURS = [DATA / name for name in ("app.tfstate", "transit.tfstate", "services.tfstate", "plan_open_db.prior.tfstate")]


def test_the_new_fixtures_hold_vpn_keys() -> None:
    for name, key in (("transit.tfstate", "tunnel-one-psk-Kx81mQ"), ("services.tfstate", "office-psk-Qz7Lw2")):
        assert key in set(secret_values(json.loads((DATA / name).read_text())))


@pytest.mark.parametrize("path", [*OURS, *READABLE], ids=lambda p: p.name)
def test_no_secret_reaches_the_snapshot(path: Path) -> None:
    data = json.loads(path.read_text())
    secrets = set(secret_values(data))
    output = to_json(load_terraform([path]))
    assert not [s for s in secrets if s in output]


def test_real_states_with_passwords_are_covered() -> None:
    files = real_files("raw-state", "show-state")
    if not files:
        pytest.skip("shared/real-data/terraform is not beside the repository")
    secrets = {s for p in files for s in secret_values(json.loads(p.read_text()))}
    assert {"foobarbaz", "YourPwdShouldBeLongAndSecure!"} <= secrets


# -- unsupported ---------------------------------------------------------------------------------------------


def test_network_resources_the_engine_does_not_model_are_recorded(estate: Snapshot) -> None:
    assert {(u.kind, u.resource) for u in estate.unsupported} == {
        ("aws_lambda_function", "aws_lambda_function.worker"),  # in a VPC; aws_lambda_function.cron is not
        ("aws_route_table_association", "module.net.aws_route_table_association.edge"),  # ingress routing
    }
    lambda_ = next(u for u in estate.unsupported if u.kind == "aws_lambda_function")
    assert "not modelled" in lambda_.reason


def test_what_is_now_modelled_is_no_longer_unsupported(estate: Snapshot) -> None:
    assert [lb.id for lb in estate.load_balancers] == [
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/0a1b2c3d4e5f6071"]
    assert [(e.id, e.kind) for e in estate.vpc_endpoints] == [("vpce-0b1c2d3e4f5a67890", "gateway")]
    assert [(p.route_table_id, p.gateway_id) for p in estate.route_propagations] == [
        ("rtb-02b3c4d5e6f7a8b9c", "vgw-0fedcba9876543210")]
    # the attachment's transit gateway is in no stack given: left out, and the gateway recorded as incomplete
    assert estate.transit_gateway_attachments == ()
    assert ("transit-gateway", "tgw-0123456789abcdef0") in {(i.family, i.scope) for i in estate.incomplete}


def test_resources_that_carry_no_traffic_are_ignored_silently() -> None:
    snapshot = load("app.tfstate")
    mentioned = to_json(snapshot)
    for ignored in ("aws_s3_bucket", "aws_iam_role", "random_password", "aws_flow_log", "aws_lambda_function.cron"):
        assert ignored not in mentioned


@pytest.mark.parametrize("rtype, attributes", [
    ("aws_ecs_service", {"id": "svc", "network_configuration": [{"subnets": ["subnet-1"], "security_groups": []}]}),
    ("aws_elasticache_cluster", {"id": "redis"}),
    ("aws_rds_cluster", {"id": "aurora"}),
    ("aws_eks_node_group", {"id": "nodes"}),
    ("aws_autoscaling_group", {"id": "asg"}),
    ("aws_launch_template", {"id": "lt-1"}),
    ("aws_networkfirewall_firewall", {"id": "arn:aws:network-firewall:eu-west-1:1:firewall/fw"}),
    ("aws_globalaccelerator_accelerator", {"id": "ga"}),
    ("aws_ec2_client_vpn_endpoint", {"id": "cvpn-endpoint-1"}),
    ("aws_elb", {"id": "classic", "availability_zones": ["eu-west-1a"], "subnets": []}),  # EC2-Classic style
    ("aws_lb", {"arn": "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/gwy/fw/1", "load_balancer_type": "gateway",
                "subnets": ["subnet-1"]}),
    ("aws_vpc_endpoint", {"id": "vpce-1", "vpc_id": "vpc-1", "vpc_endpoint_type": "GatewayLoadBalancer",
                          "subnet_ids": ["subnet-1"]}),
    ("aws_vpc_endpoint", {"id": "vpce-2", "vpc_id": "vpc-1", "vpc_endpoint_type": "Resource"}),
    ("aws_vpc_endpoint_service", {"id": "vpce-svc-1"}),
    ("aws_ec2_transit_gateway_multicast_domain", {"id": "tgw-mcast-domain-1"}),
    ("aws_ec2_transit_gateway_policy_table", {"id": "tgw-ptb-1"}),
    ("aws_eks_node_group", {"id": "nodes"}),
])
def test_unsupported_types(write_state: StateWriter, rtype: str, attributes: dict[str, Any]) -> None:
    snapshot = load_terraform([write_state((rtype, "x", attributes))])
    assert [(u.kind, u.resource) for u in snapshot.unsupported] == [(rtype, f"{rtype}.x")]


@pytest.mark.parametrize("rtype", ["aws_vpn_connection", "aws_customer_gateway", "aws_dx_gateway", "aws_alb",
                                   "aws_dx_connection", "aws_lb_listener_certificate", "aws_vpc_endpoint_policy",
                                   "aws_ec2_transit_gateway_route", "aws_vpn_gateway_attachment"])
def test_types_that_are_now_mapped_or_carry_no_traffic_are_not_unsupported(write_state: StateWriter, rtype: str) -> None:
    snapshot = load_terraform([write_state((rtype, "x", {"id": "x-1"}))])
    assert not [u for u in snapshot.unsupported if u.kind == rtype]


def test_an_ecs_service_without_awsvpc_networking_is_not_network(write_state: StateWriter) -> None:
    snapshot = load_terraform([write_state(("aws_ecs_service", "x", {"id": "svc", "network_configuration": []}))])
    assert snapshot.unsupported == ()
