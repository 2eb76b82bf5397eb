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

SECRET_KEY = re.compile(r"password|secret|token|private_key|^result$|variables", re.IGNORECASE)


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


@pytest.mark.parametrize("path", [DATA / "app.tfstate", *READABLE], ids=lambda p: p.name)
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
        ("aws_lb", "aws_lb.web"),
        ("aws_vpc_endpoint", "aws_vpc_endpoint.s3"),
        ("aws_lambda_function", "aws_lambda_function.worker"),  # in a VPC; aws_lambda_function.cron is not
        ("aws_ec2_transit_gateway_vpc_attachment", "module.net.aws_ec2_transit_gateway_vpc_attachment.this"),
        ("aws_route_table", 'module.net.aws_route_table.private["b"]'),  # propagated VPN routes
        ("aws_route_table_association", "module.net.aws_route_table_association.edge"),  # ingress routing
    }
    lb = next(u for u in estate.unsupported if u.kind == "aws_lb")
    assert "loadbalancer/app/web" in lb.reason and "not modelled" in lb.reason


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
    ("aws_vpn_connection", {"id": "vpn-1"}),
    ("aws_customer_gateway", {"id": "cgw-1"}),
    ("aws_dx_gateway", {"id": "dxgw"}),
    ("aws_globalaccelerator_accelerator", {"id": "ga"}),
    ("aws_ec2_client_vpn_endpoint", {"id": "cvpn-endpoint-1"}),
    ("aws_elb", {"id": "classic"}),
    ("aws_alb", {"id": "alb"}),
])
def test_unsupported_types(write_state: StateWriter, rtype: str, attributes: dict[str, Any]) -> None:
    snapshot = load_terraform([write_state((rtype, "x", attributes))])
    assert [(u.kind, u.resource) for u in snapshot.unsupported] == [(rtype, f"{rtype}.x")]


def test_an_ecs_service_without_awsvpc_networking_is_not_network(write_state: StateWriter) -> None:
    snapshot = load_terraform([write_state(("aws_ecs_service", "x", {"id": "svc", "network_configuration": []}))])
    assert snapshot.unsupported == ()
