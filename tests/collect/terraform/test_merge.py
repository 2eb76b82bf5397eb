"""Several states (stacks) merge into one estate; the source is fingerprinted."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from zonecheck.collect.errors import CollectError
from zonecheck.collect.terraform import load_terraform
from zonecheck.model import Snapshot, to_json

from .conftest import DATA, StateWriter, load, vpc_attrs


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_one_file_is_fingerprinted_by_its_bytes() -> None:
    snapshot = load("network.tfstate")
    assert snapshot.source.kind == "terraform"
    assert snapshot.source.sha256 == sha256(DATA / "network.tfstate")
    assert snapshot.source.files == (str(DATA / "network.tfstate"),)


def test_several_files_are_fingerprinted_by_their_hashes_in_order(estate: Snapshot) -> None:
    names = ("network.tfstate", "app.tfstate", "peer.tfstate")
    expected = hashlib.sha256("".join(sha256(DATA / n) for n in names).encode()).hexdigest()
    assert estate.source.sha256 == expected
    assert estate.source.files == tuple(str(DATA / n) for n in names)


def test_the_show_json_of_a_state_gives_the_same_estate_as_the_raw_state() -> None:
    raw, shown = load("network.tfstate"), load("network.show.json")

    def comparable(snapshot: Snapshot) -> str:
        text = to_json(snapshot.model_copy(update={"source": raw.source}))
        return text.replace(str(DATA / "network.show.json"), str(DATA / "network.tfstate"))

    assert comparable(shown) == comparable(raw)


def test_stacks_complete_each_other(estate: Snapshot) -> None:
    # the app stack's groups, the network stack's subnets, the partner's acceptance of the peering
    (peering,) = estate.vpc_peerings
    assert (peering.status, peering.requester_vpc_id, peering.accepter_vpc_id) == (
        "active", "vpc-0a7d3c1e5b9f20461", "vpc-0f9e8d7c6b5a43210")
    assert (peering.requester_account, peering.accepter_account) == ("123456789012", "210987654321")
    assert (peering.requester_region, peering.accepter_region) == ("eu-west-1", "eu-west-1")
    corp = next(p for p in estate.prefix_lists if p.id == "pl-0b1c2d3e4f5a60789")
    assert [str(n) for n in corp.entries or ()] == ["100.64.0.0/10", "172.16.0.0/12", "192.168.0.0/16"]
    assert not [i for i in estate.incomplete if i.family in ("subnet", "vpc")]


def test_a_stack_alone_records_what_it_cannot_see() -> None:
    network = load("network.tfstate")
    (peering,) = network.vpc_peerings
    assert peering.status == "pending-acceptance" and peering.accepter_account == "210987654321"
    corp = next(p for p in network.prefix_lists if p.id == "pl-0b1c2d3e4f5a60789")
    assert corp.entries is None and not corp.aws_managed  # only referenced by a route here


def test_an_aws_managed_prefix_list_only_referenced_is_known_by_id(write_state: StateWriter) -> None:
    path = write_state(("aws_security_group", "g", {"id": "sg-1", "vpc_id": "vpc-1", "ingress": [], "egress": [{
        "protocol": "tcp", "from_port": 443, "to_port": 443, "prefix_list_ids": ["pl-6da54004"], "cidr_blocks": []}]}))
    s3 = next(p for p in load_terraform([path]).prefix_lists if p.id == "pl-6da54004")
    assert s3.entries is None and s3.aws_managed


def test_a_gateway_endpoint_gives_the_entries_of_its_service_prefix_list() -> None:
    s3 = next(p for p in load("app.tfstate").prefix_lists if p.id == "pl-6da54004")
    assert s3.aws_managed and s3.name == "com.amazonaws.eu-west-1.s3"
    assert [str(n) for n in s3.entries or ()] == ["3.5.64.0/21", "3.5.72.0/23", "52.218.0.0/17"]


def test_identical_duplicates_merge(write_state: StateWriter) -> None:
    one = write_state(("aws_vpc", "shared", vpc_attrs()))
    two = write_state(("aws_vpc", "adopted", vpc_attrs()), ("aws_subnet", "s", {"id": "subnet-9", "vpc_id": "vpc-1",
                                                                                  "cidr_block": "10.0.9.0/24"}))
    snapshot = load_terraform([one, two])
    assert [v.id for v in snapshot.vpcs] == ["vpc-1"]


def test_the_same_id_with_different_content_in_two_files_names_both(write_state: StateWriter) -> None:
    one = write_state(("aws_vpc", "main", vpc_attrs(cidr="10.0.0.0/16")))
    two = write_state(("aws_vpc", "main", vpc_attrs(cidr="10.1.0.0/16")))
    with pytest.raises(CollectError) as caught:
        load_terraform([one, two])
    message = str(caught.value)
    assert str(one) in message and str(two) in message and "vpc-1" in message and "\n" not in message


def test_the_same_file_twice_is_the_same_estate() -> None:
    twice = load_terraform([DATA / "network.tfstate", DATA / "network.tfstate"])
    once = load("network.tfstate")
    assert twice.model_copy(update={"source": once.source}) == once


def test_snapshot_json_round_trips(estate: Snapshot) -> None:
    from zonecheck.model import from_json_text
    assert from_json_text(to_json(estate)) == estate
    assert json.loads(to_json(estate))["source"]["kind"] == "terraform"
