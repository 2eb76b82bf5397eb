"""Endpoints: instances with their interfaces and Elastic IPs, NAT gateways, RDS instances."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address
from pathlib import Path

from zonecheck.collect.terraform import load_terraform
from zonecheck.model import Endpoint, Snapshot

from .conftest import StateWriter, driftctl, load, subnet_attrs, vpc_attrs

SG_APP, SG_DB, DEFAULT_SG = "sg-0b2c3d4e5f6071829", "sg-0c3d4e5f607182930", "sg-0e2b7d4a1c9f30553"
DATA_A, DATA_B = "subnet-0e55a7c9d1f3b6e85", "subnet-0f66b8d0e2a4c7f96"


def endpoint(snapshot: Snapshot, endpoint_id: str) -> Endpoint:
    return next(e for e in snapshot.endpoints if e.id == endpoint_id)


def test_an_instance_with_an_elastic_ip(estate: Snapshot) -> None:
    bastion = endpoint(estate, "eni-0b1c2d3e4f5a6b7c9")
    assert (bastion.kind, bastion.owner_id, bastion.subnet_id) == ("instance", "i-0b1c2d3e4f5a6b7c8", "subnet-0c33e5a7b9d1f4c63")
    assert bastion.public_ips == (IPv4Address("34.245.1.10"),)
    assert bastion.private_ips == (IPv4Address("10.20.101.20"),)
    assert bastion.security_group_ids == ("sg-0a1b2c3d4e5f60718",)
    assert bastion.owner_tags["Zone"] == "dmz" and bastion.state == "running"


def test_an_instance_with_a_secondary_interface_holding_an_elastic_ip(estate: Snapshot) -> None:
    primary, secondary = endpoint(estate, "eni-0c2d3e4f5a6b7c8da"), endpoint(estate, "eni-0c2d3e4f5a6b7c8db")
    assert primary.private_ips == (IPv4Address("10.20.1.10"), IPv4Address("10.20.1.11"))  # with its secondary IP
    assert primary.public_ips == ()
    assert (secondary.kind, secondary.owner_id, secondary.subnet_id) == ("instance", "i-0c2d3e4f5a6b7c8d9", DATA_A)
    assert secondary.owner_tags["Zone"] == "app" and secondary.tags["Name"] == "app-a-data"
    assert secondary.security_group_ids == (SG_APP, SG_DB)
    assert secondary.public_ips == (IPv4Address("52.49.2.20"),)  # from aws_eip_association


def test_an_instance_with_ipv6_and_an_appliance(estate: Snapshot) -> None:
    assert endpoint(estate, "eni-0d3e4f5a6b7c8d9e1").ipv6_addresses == (IPv6Address("2a05:d018:1234:5602::10"),)
    appliance = endpoint(estate, "eni-0f1e2d3c4b5a69870")
    assert appliance.source_dest_check is False and appliance.owner_id == "i-0a9b8c7d6e5f40312"
    assert {i.id for i in estate.instances} == {"i-0a9b8c7d6e5f40312", "i-0b1c2d3e4f5a6b7c8", "i-0c2d3e4f5a6b7c8d9",
                                                "i-0d3e4f5a6b7c8d9e0"}


def test_an_instance_without_interface_id_gets_a_stand_in_endpoint_id(write_state: StateWriter) -> None:
    path = write_state(("aws_instance", "x", {"id": "i-1", "subnet_id": "subnet-1", "private_ip": "10.0.1.5",
                                              "public_ip": "", "vpc_security_group_ids": ["sg-1"], "tags": None}))
    snapshot = load_terraform([path])
    (only,) = snapshot.endpoints
    assert only.id == "i-1@subnet-1" and only.public_ips == ()
    assert {(i.family, i.scope) for i in snapshot.incomplete} == {("subnet", "subnet-1"), ("security-group", "sg-1")}


def test_a_nat_gateway_is_a_gateway_and_an_endpoint(estate: Snapshot) -> None:
    (nat,) = estate.nat_gateways
    assert (nat.id, nat.subnet_id, str(nat.public_ip), nat.connectivity) == (
        "nat-0a2c4e6f8b1d3579a", "subnet-0c33e5a7b9d1f4c63", "54.228.10.21", "public")
    eni = endpoint(estate, "eni-0aa1bb2cc3dd4ee5f")
    assert (eni.kind, eni.owner_id, eni.security_group_ids) == ("nat-gateway", nat.id, ())
    assert eni.public_ips == (IPv4Address("54.228.10.21"),) and eni.private_ips == (IPv4Address("10.20.101.10"),)


# -- RDS -----------------------------------------------------------------------------------------------------


def test_an_rds_instance_has_an_endpoint_in_each_subnet_of_its_group(estate: Snapshot) -> None:
    main = next(r for r in estate.rds_instances if r.identifier == "app-main")
    assert (main.id, main.engine, main.port, main.subnet_group) == ("db-K7QZP3VYB2XH5MRN4TLWJ6DC2A", "postgres", 5432, "app-db")
    assert main.subnet_ids == (DATA_A, DATA_B)
    placed = [e for e in estate.endpoints if e.owner_id == main.id]
    assert [e.id for e in placed] == [f"{main.id}@{DATA_A}", f"{main.id}@{DATA_B}"]
    assert all(e.kind == "rds" and e.address_unknown and not e.public_address_unknown and e.private_ips == ()
               and e.security_group_ids == (SG_DB,) and e.owner_tags["Zone"] == "data" for e in placed)


def test_a_publicly_accessible_rds_instance_has_a_public_address_of_unknown_value(estate: Snapshot) -> None:
    reporting = [e for e in estate.endpoints if e.owner_id == "db-R2D2C3POBB8XWING5TIEFTR9Q"]
    assert len(reporting) == 2 and all(e.public_address_unknown and e.public_ips == () for e in reporting)
    # no vpc_security_group_ids: AWS puts it in its VPC's default group
    assert all(e.security_group_ids == (DEFAULT_SG,) for e in reporting)


def test_without_the_network_stack_the_rds_group_and_subnets_are_unknown() -> None:
    app = load("app.tfstate")
    reporting = next(r for r in app.rds_instances if r.identifier == "app-reporting")
    assert reporting.security_group_ids == ()
    assert ("aws_db_instance.reporting", "vpc_security_group_ids") in {
        (u.resource.removeprefix("module.db."), u.attribute) for u in app.unknowns}
    assert {DATA_A, DATA_B} <= {i.scope for i in app.incomplete if i.family == "subnet"}


def test_a_missing_db_subnet_group_is_incomplete(real_data: Path) -> None:
    snapshot = load_terraform([driftctl(real_data, "aws_db_instance")])
    (db,) = snapshot.rds_instances
    assert (db.id, db.identifier, db.engine, db.port) == ("db-PVD6KZ2WX76FJ7CJXVUNMEM2VQ",
                                                          "terraform-20201015115018309600000001", "mysql", 3306)
    assert snapshot.endpoints == ()
    assert {(i.family, i.scope) for i in snapshot.incomplete} == {("db-subnet-group", "default"),
                                                                  ("security-group", "sg-a74815c8")}


def test_an_elastic_ip_on_an_interface_outside_the_state_is_noted(write_state: StateWriter) -> None:
    path = write_state(("aws_vpc", "v", vpc_attrs()), ("aws_subnet", "s", subnet_attrs()),
                       ("aws_eip", "e", {"id": "eipalloc-1", "public_ip": "198.51.100.7", "instance": "",
                                         "network_interface": "eni-elsewhere"}))
    snapshot = load_terraform([path])
    assert snapshot.endpoints == ()
    assert any("198.51.100.7" in n and "eni-elsewhere" in n for n in snapshot.notes)
