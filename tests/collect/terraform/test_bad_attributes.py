"""A value of the wrong kind inside a resource: one line naming the file, the resource and the attribute."""

from __future__ import annotations

from typing import Any

import pytest

from zonecheck.collect.errors import CollectError
from zonecheck.collect.terraform import load_terraform

from .conftest import StateWriter, group_attrs, inline_rule, subnet_attrs, vpc_attrs


def refusal(write_state: StateWriter, *resources: tuple[Any, ...]) -> str:
    path = write_state(*resources)
    with pytest.raises(CollectError) as caught:
        load_terraform([path])
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    return message


def test_an_invalid_cidr(write_state: StateWriter) -> None:
    message = refusal(write_state, ("aws_vpc", "main", vpc_attrs(cidr="10.0.0.0/33")))
    assert message.endswith("aws_vpc.main: attribute cidr_block must be a CIDR block, found '10.0.0.0/33'")


def test_an_invalid_cidr_inside_a_nested_rule(write_state: StateWriter) -> None:
    message = refusal(write_state, ("aws_security_group", "web", group_attrs(ingress=[
        inline_rule("tcp", 443, 443, cidr_blocks=["0.0.0.0/0", "300.1.2.0/24"])]), {"module": "module.edge"}))
    assert ("module.edge.aws_security_group.web: attribute ingress[0].cidr_blocks must be a CIDR block, "
            "found '300.1.2.0/24'") in message


def test_a_port_that_is_not_a_number(write_state: StateWriter) -> None:
    message = refusal(write_state, ("aws_security_group_rule", "r", {
        "id": "sgrule-1", "type": "ingress", "security_group_id": "sg-1", "protocol": "tcp",
        "from_port": "abc", "to_port": 443, "cidr_blocks": ["10.0.0.0/8"]}, {"index_key": "x"}))
    assert 'aws_security_group_rule.r["x"]: attribute from_port must be a number, found \'abc\'' in message


def test_a_port_out_of_range(write_state: StateWriter) -> None:
    message = refusal(write_state, ("aws_vpc_security_group_ingress_rule", "r", {
        "id": "sgr-1", "security_group_id": "sg-1", "ip_protocol": "tcp", "from_port": 0, "to_port": 70000,
        "cidr_ipv4": "10.0.0.0/8"}))
    assert "aws_vpc_security_group_ingress_rule.r: attribute from_port/to_port is invalid: invalid port range 0-70000" in message


def test_an_unknown_protocol(write_state: StateWriter) -> None:
    message = refusal(write_state, ("aws_network_acl_rule", "r", {
        "id": "nacl-1", "network_acl_id": "acl-1", "rule_number": 100, "egress": False, "protocol": "tcpp",
        "rule_action": "allow", "cidr_block": "0.0.0.0/0", "from_port": 1, "to_port": 2}))
    assert "attribute protocol must be a protocol name or number, found 'tcpp'" in message


def test_a_rule_number_out_of_range(write_state: StateWriter) -> None:
    message = refusal(write_state, ("aws_network_acl", "a", {"id": "acl-1", "vpc_id": "vpc-1", "subnet_ids": [], "egress": [],
                                                             "ingress": [{"rule_no": 40000, "action": "allow", "protocol": "-1",
                                                                          "cidr_block": "0.0.0.0/0"}]}))
    assert "aws_network_acl.a: attribute ingress[0].rule_number is invalid" in message


def test_an_action_that_is_neither_allow_nor_deny(write_state: StateWriter) -> None:
    message = refusal(write_state, ("aws_network_acl_rule", "r", {
        "id": "nacl-1", "network_acl_id": "acl-1", "rule_number": 100, "egress": False, "protocol": "-1",
        "rule_action": "permit", "cidr_block": "0.0.0.0/0"}))
    assert "attribute rule_action must be \"allow\" or \"deny\", found 'permit'" in message


def test_an_ip_address_that_is_not_one(write_state: StateWriter) -> None:
    message = refusal(write_state, ("aws_vpc", "v", vpc_attrs()), ("aws_subnet", "s", subnet_attrs()), (
        "aws_instance", "web", {"id": "i-1", "subnet_id": "subnet-1", "private_ip": "10.0.1.300"}))
    assert "aws_instance.web: attribute private_ip must be an IPv4 address, found '10.0.1.300'" in message


def test_a_boolean_that_is_not_one(write_state: StateWriter) -> None:
    message = refusal(write_state, ("aws_subnet", "s", subnet_attrs(map_public_ip_on_launch="sometimes")))
    assert "attribute map_public_ip_on_launch must be true or false" in message


def test_a_list_that_is_a_number(write_state: StateWriter) -> None:
    message = refusal(write_state, ("aws_instance", "web", {"id": "i-1", "subnet_id": "subnet-1",
                                                             "vpc_security_group_ids": 7}))
    assert "attribute vpc_security_group_ids must be a list of strings, found 7" in message


def test_null_and_empty_attributes_of_older_providers_are_not_errors(write_state: StateWriter) -> None:
    path = write_state(
        ("aws_vpc", "v", {"id": "vpc-1", "cidr_block": "10.0.0.0/16", "ipv6_cidr_block": None, "tags": None,
                          "tags_all": None, "arn": None, "main_route_table_id": None}),
        ("aws_subnet", "s", {"id": "subnet-1", "vpc_id": "vpc-1", "cidr_block": "10.0.1.0/24", "ipv6_cidr_block": None,
                             "map_public_ip_on_launch": None, "tags": None}),
        ("aws_security_group", "g", {"id": "sg-1", "vpc_id": "vpc-1", "ingress": None, "egress": None, "name": None}),
        ("aws_instance", "i", {"id": "i-1", "subnet_id": "subnet-1", "private_ip": None, "public_ip": None,
                               "secondary_private_ips": None, "ipv6_addresses": None, "vpc_security_group_ids": None,
                               "source_dest_check": None, "instance_state": None, "primary_network_interface_id": None}),
    )
    snapshot = load_terraform([path])
    assert [e.id for e in snapshot.endpoints] == ["i-1@subnet-1"]
    gaps = {(i.family, i.scope) for i in snapshot.incomplete}
    assert ("route-table", "vpc-1") in gaps  # main table unknown
    assert ("security-group", "i-1@subnet-1") in gaps  # no groups given is not "no groups": never deny-all
