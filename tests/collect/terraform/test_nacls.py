"""Network ACLs: inline and separate entries, associations, and one ACL per subnet."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from zonecheck.collect.errors import CollectError
from zonecheck.collect.terraform import load_terraform
from zonecheck.model import NetworkAcl, Snapshot

from .conftest import StateWriter, driftctl, load, subnet_attrs, vpc_attrs


def acl(snapshot: Snapshot, acl_id: str) -> NetworkAcl:
    return next(a for a in snapshot.network_acls if a.id == acl_id)


def labels(a: NetworkAcl) -> list[str]:
    return [e.label() for e in a.entries]


def test_inline_entries_with_icmp_type_and_ipv6() -> None:
    private = acl(load("network.tfstate"), "acl-0a1a2a3a4a5a6a7a8")
    assert labels(private) == [
        "#100 allow tcp all ports from 10.20.0.0/16",
        "#110 allow udp 53 from 10.20.0.0/16",
        "#120 allow icmp type 8 from 10.20.0.0/16",  # echo request, any code
        "#130 allow tcp 443 from ::/0",
        "#140 allow tcp 1024-65535 from 0.0.0.0/0",
        "#200 deny all from 0.0.0.0/0",
        "#100 allow all to 0.0.0.0/0",
        "#101 allow all to ::/0",
    ]
    (echo,) = [e for e in private.entries if e.rule_number == 120]
    assert (echo.protocol, echo.from_port, echo.to_port) == (1, 8, -1)


def test_separate_rule_resources_and_an_association() -> None:
    public = acl(load("network.tfstate"), "acl-0b1b2b3b4b5b6b7b8")
    assert labels(public) == [
        "#90 deny all from 203.0.113.0/24",
        "#100 allow tcp 443 from 0.0.0.0/0",
        "#110 allow tcp 1024-65535 from 0.0.0.0/0",
        "#120 allow icmp all types from 0.0.0.0/0",
        "#100 allow all to 0.0.0.0/0",
    ]
    assert public.subnet_ids == ("subnet-0c33e5a7b9d1f4c63",)


def test_every_subnet_is_guarded_by_exactly_one_acl(estate: Snapshot) -> None:
    placements = Counter(s for a in estate.network_acls for s in a.subnet_ids)
    assert set(placements) == {s.id for s in estate.subnets}
    assert set(placements.values()) == {1}


def test_a_subnet_without_association_falls_to_the_assumed_default_acl() -> None:
    snapshot = load("network.tfstate")
    default = acl(snapshot, "acl-0b5f2e8c1a7d40964")
    assert default.is_default and default.assumed
    assert default.subnet_ids == ("subnet-0d44f6b8c0e2a5d74",)  # public[1]
    assert labels(default) == ["#100 allow all from 0.0.0.0/0", "#101 allow all from ::/0",
                               "#100 allow all to 0.0.0.0/0", "#101 allow all to ::/0"]
    assert any(a.startswith("acl-0b5f2e8c1a7d40964: default network ACL of vpc-0a7d3c1e5b9f20461") for a in snapshot.assumptions)


def test_a_managed_default_acl_keeps_its_entries_and_its_subnets() -> None:
    snapshot = load("managed_defaults.tfstate")
    one = acl(snapshot, "acl-0d0e0f1a2b3c4d5e6")
    assert one.is_default and not one.assumed
    assert labels(one) == ["#100 allow tcp 443 from 0.0.0.0/0", "#100 allow all to 0.0.0.0/0"]
    assert one.subnet_ids == ("subnet-0d1d2d3d4d5d6d7d8", "subnet-0d2d3d4d5d6d7d8d9")
    two_default = acl(snapshot, "acl-0e0f1a2b3c4d5e6f7")
    assert two_default.assumed and two_default.subnet_ids == ("subnet-0e1e2e3e4e5e6e7e8",)


def test_the_implicit_final_deny_is_left_to_the_engine(write_state: StateWriter) -> None:
    star = {"rule_no": 32767, "action": "deny", "protocol": "-1", "cidr_block": "0.0.0.0/0", "ipv6_cidr_block": "",
            "from_port": 0, "to_port": 0, "icmp_type": 0, "icmp_code": 0}
    path = write_state(("aws_network_acl", "a", {"id": "acl-1", "vpc_id": "vpc-1", "ingress": [star], "egress": [],
                                                 "subnet_ids": []}))
    assert acl(load_terraform([path]), "acl-1").entries == ()


def test_entries_of_an_acl_not_in_the_state_are_incomplete(real_data: Path) -> None:
    snapshot = load_terraform([driftctl(real_data, "aws_network_acl_rule")])
    assert snapshot.network_acls == ()
    assert {(i.family, i.scope) for i in snapshot.incomplete} == {("network-acl", "acl-01b7bc85a61d92e70")}


def test_a_subnet_whose_vpc_is_not_in_the_state(real_data: Path) -> None:
    snapshot = load_terraform([driftctl(real_data, "aws_subnet")])
    assert len(snapshot.subnets) == 6 and snapshot.network_acls == ()
    assert {(i.family, i.scope) for i in snapshot.incomplete} == {
        ("vpc", "vpc-075959b9534907185"), ("vpc", "vpc-0ad2f4ae7212c2bff")}


def test_two_acls_claiming_one_subnet_ask_for_a_refresh(write_state: StateWriter) -> None:
    path = write_state(
        ("aws_vpc", "v", vpc_attrs()), ("aws_subnet", "s", subnet_attrs()),
        ("aws_network_acl", "a", {"id": "acl-a", "vpc_id": "vpc-1", "ingress": [], "egress": [], "subnet_ids": ["subnet-1"]}),
        ("aws_network_acl_association", "b", {"id": "aclassoc-1", "network_acl_id": "acl-b", "subnet_id": "subnet-1"}),
    )
    with pytest.raises(CollectError, match="the network ACL association of subnet-1 with different content"):
        load_terraform([path])
