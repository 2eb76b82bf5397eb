"""Reading files: format detection, addresses, and every way a file can be wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zonecheck.collect.errors import CollectError
from zonecheck.collect.terraform import load_terraform
from zonecheck.collect.terraform.reader import read_state_file

from .conftest import DATA, StateWriter, vpc_attrs


def addresses(path: Path) -> dict[str, str]:
    return {r.address: r.attributes.get("id", "") for r in read_state_file(path).resources}


def refuse(path: Path | str) -> str:
    with pytest.raises(CollectError) as caught:
        load_terraform([path])
    message = str(caught.value)
    assert "\n" not in message, "a CollectError message is one line"
    assert str(path) in message, "a CollectError message names the file"
    return message


# -- addresses -----------------------------------------------------------------------------------------------


def test_modules_count_and_for_each_give_terraform_addresses() -> None:
    found = addresses(DATA / "network.tfstate")
    assert found['module.net.aws_subnet.private["a"]'] == "subnet-0a11c3e5f7b9d2a41"
    assert found["module.net.module.public.aws_subnet.this[1]"] == "subnet-0d44f6b8c0e2a5d74"
    assert found["module.net.aws_vpc.this"] == "vpc-0a7d3c1e5b9f20461"
    assert found["module.peering.aws_vpc_peering_connection.partner"] == "pcx-0e1f2a3b4c5d6e7f8"


def test_data_sources_are_not_resources() -> None:
    types = {r.type for r in read_state_file(DATA / "network.tfstate").resources}
    assert "aws_availability_zones" not in types


def test_show_json_of_a_state_yields_the_same_resources_as_the_raw_state() -> None:
    raw = {r.address: dict(r.attributes) for r in read_state_file(DATA / "network.tfstate").resources}
    shown = {r.address: dict(r.attributes) for r in read_state_file(DATA / "network.show.json").resources}
    assert shown == raw


def test_show_json_addresses_are_rebuilt_when_terraform_0_12_left_out_the_module(real_data: Path) -> None:
    found = addresses(real_data / "infracost" / "cmd__infracost__testdata__terraform_v0.12_state.json")
    assert "module.db.module.db_1.module.db_instance.aws_db_instance.this[0]" in found
    assert 'module.instances.aws_instance.module_instance_named["test.1"]' in found


def test_deposed_objects_still_exist_and_are_read(write_state: StateWriter, tmp_path: Path) -> None:
    path = write_state(("aws_vpc", "main", vpc_attrs()))
    state = json.loads(path.read_text())
    state["resources"][0]["instances"].append({"deposed": "0f1e2d3c", "schema_version": 1,
                                               "attributes": vpc_attrs("vpc-old", "10.9.0.0/16")})
    path.write_text(json.dumps(state))
    assert addresses(path) == {"aws_vpc.main": "vpc-1", "aws_vpc.main (deposed 0f1e2d3c)": "vpc-old"}


def test_an_empty_show_json_state_is_an_empty_estate(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text('{"format_version": "1.0"}')
    snapshot = load_terraform([path])
    assert snapshot.vpcs == () and snapshot.source.files == (str(path),)


# -- refused formats -----------------------------------------------------------------------------------------


def test_a_plan_is_detected_beside_both_state_shapes() -> None:
    assert read_state_file(DATA / "plan_open_db.json").kind == "plan"
    assert read_state_file(DATA / "plan_open_db.prior.tfstate").kind == "state"
    assert read_state_file(DATA / "network.show.json").kind == "state"


def test_an_empty_plan_is_an_empty_estate(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format_version": "1.2", "planned_values": {}, "resource_changes": []}))
    assert load_terraform([path]).vpcs == ()


def test_a_plan_of_a_future_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format_version": "2.0", "planned_values": {}, "resource_changes": []}))
    assert "format_version '2.0' is not supported" in refuse(path)


def test_an_errored_plan_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format_version": "1.2", "planned_values": {}, "resource_changes": [], "errored": True}))
    assert "the plan errored" in refuse(path)


@pytest.mark.parametrize("body, problem", [
    ({"resource_changes": {"a": 1}}, '"resource_changes" must be an array'),
    ({"resource_changes": ["x"]}, "resource_changes[0] must be an object"),
    ({"resource_changes": [{"type": "aws_vpc", "name": "v", "change": {"actions": "create"}}]},
     "aws_vpc.v: change.actions must be a list of strings"),
    ({"resource_changes": [{"type": "aws_vpc", "name": "v", "change": []}]}, 'aws_vpc.v: "change" must be an object'),
    ({"planned_values": []}, '"planned_values" must be an object'),
])
def test_plans_of_the_wrong_shape(tmp_path: Path, body: dict, problem: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format_version": "1.2", **body}))
    assert problem in refuse(path)


def test_a_version_3_state_is_refused_with_the_version_and_how_to_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "old.tfstate"
    path.write_text(json.dumps({"version": 3, "terraform_version": "0.11.14", "serial": 1, "lineage": "x", "modules": []}))
    message = refuse(path)
    assert "version 3" in message and "0.12" in message


def test_a_legacy_flat_attributes_instance_asks_for_a_refresh(write_state: StateWriter) -> None:
    path = write_state(("aws_vpc", "main", {}))
    state = json.loads(path.read_text())
    instance = state["resources"][0]["instances"][0]
    instance["attributes_flat"] = {"id": "vpc-1"}
    del instance["attributes"]
    path.write_text(json.dumps(state))
    assert "refresh-only" in refuse(path)


# -- bad input -----------------------------------------------------------------------------------------------


def test_a_missing_file(tmp_path: Path) -> None:
    assert "no such file" in refuse(tmp_path / "nowhere.tfstate")


def test_a_directory_instead_of_a_file(tmp_path: Path) -> None:
    assert "is a directory" in refuse(tmp_path)


def test_truncated_json(tmp_path: Path) -> None:
    path = tmp_path / "cut.tfstate"
    path.write_text((DATA / "network.tfstate").read_text()[:5000])
    assert "not valid JSON" in refuse(path)


def test_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.tfstate"
    path.write_text("  \n")
    assert "empty" in refuse(path)


def test_a_state_re_encoded_as_utf16_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "utf16.tfstate"
    path.write_bytes((DATA / "network.tfstate").read_text().encode("utf-16"))  # json.loads(bytes) would accept it
    assert "not UTF-8 text" in refuse(path)


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.tfstate"
    path.write_bytes(b"\xef\xbb\xbf" + (DATA / "peer.tfstate").read_bytes())
    assert [v.id for v in load_terraform([path]).vpcs] == ["vpc-0f9e8d7c6b5a43210"]


@pytest.mark.parametrize("text, kind", [("[]", "array"), ('"terraform"', "string"), ("null", "null"), ("4", "number")])
def test_json_that_is_not_an_object(tmp_path: Path, text: str, kind: str) -> None:
    path = tmp_path / "weird.json"
    path.write_text(text)
    assert f"found a JSON {kind}" in refuse(path)


def test_json_that_is_no_terraform_file_at_all(tmp_path: Path) -> None:
    path = tmp_path / "package.json"
    path.write_text(json.dumps({"name": "left-pad", "version": "1.3.0"}))
    assert "not a Terraform state" in refuse(path)


def test_a_zonecheck_snapshot_passed_as_terraform_points_to_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps({"schema_version": 1, "source": {"kind": "aws"}}))
    assert "--snapshot" in refuse(path)


def test_resources_of_the_wrong_shape(tmp_path: Path) -> None:
    path = tmp_path / "odd.tfstate"
    path.write_text(json.dumps({"version": 4, "lineage": "x", "resources": [["aws_vpc"]]}))
    assert "resources[0] must be an object" in refuse(path)


def test_attributes_of_the_wrong_shape(write_state: StateWriter) -> None:
    path = write_state(("aws_vpc", "main", ["not", "an", "object"]))
    assert "aws_vpc.main: attributes must be an object" in refuse(path)


def test_no_file_at_all() -> None:
    with pytest.raises(CollectError, match="no Terraform state given"):
        load_terraform([])
