"""Hostile snapshot JSON (examples/npm2015/*.snapshot.json, mutated) through `from_json_text`/`load` and the CLI.

A snapshot is evidence: whatever the loader accepts must be exactly what the file says (no record dropped or
merged away), and whatever it refuses is refused in one line naming the file.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from zonecheck.model import Snapshot, SnapshotError, from_json_text, load
from zonecheck.model.snapshot import _ID_SORTED

from .conftest import POLICY, SNAPSHOTS, assert_contract, fuzz_settings, run_in_process
from .mutations import (
    deep_nesting,
    mutated_bytes,
    mutated_document,
    paths,
    truncate_and_close,
    with_raw_value,
)

DOCS = {path.name: json.loads(path.read_text()) for path in SNAPSHOTS}
PATHS = {name: paths(doc) for name, doc in DOCS.items()}
RAW = {path.name: path.read_bytes() for path in SNAPSHOTS}

RULE_LISTS = {"security_groups": ("ingress", "egress"), "network_acls": ("entries",), "route_tables": ("routes",)}


def record_census(data: dict[str, Any]) -> dict[str, Counter]:
    """What a snapshot document holds, counted independently of the model: ids per collection, rules per record."""
    census: dict[str, Counter] = {}
    for name in _ID_SORTED:
        census[name] = Counter(str(r.get("id")) for r in data.get(name) or [] if isinstance(r, dict))
    for name, fields in RULE_LISTS.items():
        for field in fields:
            census[f"{name}.{field}"] = Counter(
                str(r.get("id")) for r in data.get(name) or [] if isinstance(r, dict) for _ in r.get(field) or [])
    return census


def assert_loaded_as_written(text: str | bytes, snapshot: Snapshot) -> None:
    """The accepted snapshot holds every record of the document, once per occurrence: nothing silently lost."""
    written = json.loads(text)
    loaded = json.loads(snapshot.model_dump_json())
    assert record_census(loaded) == record_census(written)


def check_api(text: str | bytes, origin: str) -> None:
    """`from_json_text` gives a Snapshot holding the document, or a one-line SnapshotError naming the origin."""
    try:
        snapshot = from_json_text(text, origin)
    except SnapshotError as err:
        message = str(err)
        assert message.startswith(f"{origin}: "), message
        assert "\n" not in message and "\r" not in message, repr(message)
        return
    assert_loaded_as_written(text, snapshot)


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content)
    return path


def check_cli(folder: Path, snapshot_file: Path) -> None:
    """`collect` gives the snapshot the file holds; `check` gives a complete report; or both exit 2 in one line."""
    out = folder / "collected.json"
    out.unlink(missing_ok=True)
    collected = run_in_process("collect", "--snapshot", snapshot_file, "-o", out)
    result = assert_contract(collected, [snapshot_file], report=str(out) if collected.exit_code == 0 else None)
    if result is not None:
        assert_loaded_as_written(snapshot_file.read_bytes(), Snapshot.model_validate(result))
    checked = run_in_process("check", "--policy", POLICY, "--snapshot", snapshot_file, "--format", "json")
    assert_contract(checked, [snapshot_file, POLICY], report="json")
    if collected.exit_code == 2:
        assert checked.exit_code == 2, "collect refused the snapshot but check used it"


# -- through the Python API --------------------------------------------------------------------------------------


@fuzz_settings(400)
@given(st.data())
def test_a_structurally_mutated_snapshot_loads_as_written_or_is_refused_in_one_line(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(DOCS)))
    what, doc = data.draw(mutated_document(DOCS[name], PATHS[name]))
    try:
        text = json.dumps(doc)
    except ValueError:  # a NaN where JSON forbids it: Python still writes it
        text = json.dumps(doc, allow_nan=True)
    check_api(text, f"mutated-{name}")


@fuzz_settings(300)
@given(st.data())
def test_byte_level_damage_never_escapes_as_anything_but_a_snapshot_error(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(RAW)))
    what, raw = data.draw(mutated_bytes(RAW[name]))
    check_api(raw, name)


@fuzz_settings(200)
@given(st.data())
def test_a_truncated_then_closed_snapshot_holds_exactly_the_surviving_records(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(RAW)))
    text = RAW[name].decode()
    cut = data.draw(st.integers(1, len(text)))
    repaired = truncate_and_close(text, cut)
    try:
        json.loads(repaired)
    except ValueError:
        assume(False)
    check_api(repaired, name)


@pytest.mark.parametrize("depth", [100, 1_000, 10_000, 100_000])
@pytest.mark.parametrize("where", [("source",), ("vpcs", 0, "tags"), ("security_groups", 0, "ingress")])
def test_deep_nesting_is_refused_naming_the_file(depth: int, where: tuple) -> None:
    name = SNAPSHOTS[0].name
    text = with_raw_value(DOCS[name], where, deep_nesting(depth))
    with pytest.raises(SnapshotError) as caught:
        from_json_text(text, name)
    assert str(caught.value).startswith(f"{name}: ") and "\n" not in str(caught.value)


def test_a_whole_document_nested_ten_thousand_deep_is_refused_naming_the_file() -> None:
    with pytest.raises(SnapshotError, match=r"^deep\.json: "):
        from_json_text(deep_nesting(10_000), "deep.json")


@pytest.mark.parametrize("key", ["a\nb", "\x1b[2J", "x" * 5000, "\u2028", "\ud800"])
def test_a_hostile_key_name_does_not_break_the_one_line_error(key: str) -> None:
    doc = dict(DOCS[SNAPSHOTS[0].name])
    doc[key] = 1
    text = json.dumps(doc)
    with pytest.raises(SnapshotError) as caught:
        from_json_text(text, "evil.json")
    message = str(caught.value)
    assert message.startswith("evil.json: ")
    assert not any(c in message for c in "\n\r\x1b\u2028\x85"), repr(message)
    assert len(message) < 1000


@pytest.mark.parametrize("collection, position", [("vpcs", 0), ("subnets", 1), ("security_groups", 2),
                                                  ("endpoints", 3), ("route_tables", 0), ("network_acls", 0)])
def test_two_different_records_with_one_id_are_refused(collection: str, position: int) -> None:
    """Two records that claim one id: whichever the engine keeps, the other is silently lost (issue 7)."""
    doc = json.loads(json.dumps(DOCS["before.snapshot.json"]))
    records = doc[collection]
    twin = dict(records[position % len(records)])
    twin["tags"] = {**(twin.get("tags") or {}), "Twin": "yes"}
    records.append(twin)
    with pytest.raises(SnapshotError) as caught:
        from_json_text(json.dumps(doc), "twins.json")
    message = str(caught.value)
    assert message.startswith("twins.json: ") and twin["id"] in message


def test_an_exact_duplicate_record_is_refused_too() -> None:
    doc = json.loads(json.dumps(DOCS["before.snapshot.json"]))
    doc["subnets"].append(dict(doc["subnets"][0]))
    with pytest.raises(SnapshotError, match=r"^dup\.json: .*subnet"):
        from_json_text(json.dumps(doc), "dup.json")


def test_load_names_the_path_for_a_directory_and_a_missing_file(tmp_path: Path) -> None:
    for target, why in ((tmp_path, "directory"), (tmp_path / "absent.json", "No such file")):
        with pytest.raises(SnapshotError) as caught:
            load(target)
        assert str(caught.value).startswith(f"{target}: ") and why.lower() in str(caught.value).lower()


# -- through the command line ------------------------------------------------------------------------------------


@fuzz_settings(60)
@given(data=st.data())
def test_the_cli_on_a_mutated_snapshot_gives_a_complete_report_or_one_error_line(tmp_path_factory, data) -> None:
    folder = tmp_path_factory.mktemp("snapshot-cli")
    name = data.draw(st.sampled_from(sorted(DOCS)))
    if data.draw(st.booleans()):
        what, doc = data.draw(mutated_document(DOCS[name], PATHS[name]))
        content: str | bytes = json.dumps(doc)
    else:
        what, content = data.draw(mutated_bytes(RAW[name]))
    check_cli(folder, write(folder, name, content))


@fuzz_settings(30)
@given(data=st.data())
def test_the_cli_on_a_truncated_then_closed_snapshot_reports_only_what_survived(tmp_path_factory, data) -> None:
    folder = tmp_path_factory.mktemp("snapshot-cut")
    name = data.draw(st.sampled_from(sorted(RAW)))
    text = RAW[name].decode()
    repaired = truncate_and_close(text, data.draw(st.integers(1, len(text))))
    check_cli(folder, write(folder, name, repaired))


# -- records the engine would lose, and references to what is not there --------------------------------------------


def _before() -> dict:
    return json.loads(json.dumps(DOCS["before.snapshot.json"]))


def _move_replica_to(doc: dict, subnet_id: str) -> dict:
    for endpoint in doc["endpoints"]:
        if endpoint["id"] == "eni-i-0replica":
            endpoint["subnet_id"] = subnet_id
    return doc


@pytest.mark.parametrize("case", ["subnet-in-two-route-tables", "subnet-in-two-acls", "two-main-tables",
                                  "two-default-acls", "two-acl-entries-one-number"])
def test_a_snapshot_the_engine_could_only_read_by_dropping_a_record_is_refused(case: str) -> None:
    doc = _before()
    if case == "subnet-in-two-route-tables":
        doc["route_tables"].append({**doc["route_tables"][0], "id": "rtb-twin", "routes": []})
    elif case == "subnet-in-two-acls":
        doc["network_acls"].append({**doc["network_acls"][0], "id": "acl-twin", "entries": [], "is_default": False})
    elif case == "two-main-tables":
        doc["route_tables"].append({**doc["route_tables"][0], "id": "rtb-main-2", "is_main": True, "subnet_ids": []})
        doc["route_tables"].append({**doc["route_tables"][0], "id": "rtb-main-3", "is_main": True, "subnet_ids": []})
    elif case == "two-default-acls":
        default = next(a for a in doc["network_acls"] if a["is_default"])
        doc["network_acls"].append({**default, "id": "acl-default-2", "subnet_ids": []})
    else:
        acl = doc["network_acls"][0]
        acl["entries"].append({**acl["entries"][0], "action": "deny" if acl["entries"][0]["action"] == "allow" else "allow"})
    with pytest.raises(SnapshotError) as caught:
        from_json_text(json.dumps(doc), "ambiguous.json")
    assert str(caught.value).startswith("ambiguous.json: ")


@pytest.mark.parametrize("case", ["endpoint-subnet", "subnet-vpc"])
def test_a_reference_to_a_missing_resource_is_refused_unless_declared_incomplete(case: str) -> None:
    doc = _before()
    if case == "endpoint-subnet":
        _move_replica_to(doc, "subnet-zz-missing-0")
        declared = {"family": "subnet", "scope": "subnet-zz-missing-0", "reason": "not in the source"}
    else:
        doc["subnets"][0]["vpc_id"] = "vpc-zz-missing-0"
        declared = {"family": "vpc", "scope": "*", "reason": "AccessDenied"}
    with pytest.raises(SnapshotError, match=r"^dangling\.json: .*zz-missing-0.*incomplete"):
        from_json_text(json.dumps(doc), "dangling.json")
    doc["incomplete"] = [declared]
    assert from_json_text(json.dumps(doc), "declared.json").incomplete


def test_a_declared_missing_subnet_makes_the_verdicts_that_touch_it_unknown(tmp_path: Path) -> None:
    doc = _move_replica_to(_before(), "subnet-zz-missing-0")
    doc["incomplete"] = [{"family": "subnet", "scope": "subnet-zz-missing-0", "reason": "not in the source"}]
    path = write(tmp_path, "declared.json", json.dumps(doc))
    run = run_in_process("check", "--policy", POLICY, "--snapshot", path, "--format", "json")
    report = assert_contract(run, [path], report="json")
    verdict = {a["name"]: a["result"] for a in report["assertions"]}
    assert verdict["replica-cannot-reach-private-db"] == "unknown"


def test_the_engine_never_passes_an_assertion_whose_endpoint_sits_in_a_missing_subnet() -> None:
    from zonecheck.cli.run import run_check
    from zonecheck.policy import load_policy

    snapshot = Snapshot.model_validate(_move_replica_to(_before(), "subnet-zz-missing-0"))
    result = run_check(load_policy(POLICY), snapshot, str(POLICY), only_assertion="replica-cannot-reach-private-db")
    assert result.assertions[0].result != "pass"


def test_the_engine_never_passes_when_the_vpcs_of_the_subnets_are_missing() -> None:
    from zonecheck.cli.run import run_check
    from zonecheck.policy import load_policy

    doc = _before()
    doc["vpcs"] = []
    snapshot = Snapshot.model_validate(doc)
    result = run_check(load_policy(POLICY), snapshot, str(POLICY), only_assertion="replica-cannot-reach-private-db")
    assert result.assertions[0].result != "pass"


@pytest.mark.parametrize("where, value", [(("vpcs", 0, "cidrs", 0), True), (("vpcs", 0, "cidrs", 0), 167772160),
                                          (("security_groups", 0, "ingress", 0, "cidr"), 1),
                                          (("security_groups", 0, "ingress", 0, "from_port"), "443"),
                                          (("security_groups", 0, "ingress", 0, "to_port"), True),
                                          (("endpoints", 2, "private_ips", 0), 167772161),
                                          (("subnets", 0, "map_public_ip_on_launch"), "yes")])
def test_a_value_of_the_wrong_json_type_is_refused_not_coerced(where: tuple, value: Any) -> None:
    """`true` or a number where a CIDR belongs would otherwise become 0.0.0.1/32 or 10.0.0.0/32."""
    doc = _before()
    target = doc
    for part in where[:-1]:
        target = target[part]
    target[where[-1]] = value
    with pytest.raises(SnapshotError, match=r"^typed\.json: invalid snapshot at "):
        from_json_text(json.dumps(doc), "typed.json")
