"""Hostile Terraform JSON: the fixtures in tests/data/terraform and the real states of shared/real-data (read in
place), mutated, through `read_state_file` / `load_terraform` and through `zonecheck collect` / `check`.

Two oracles, both computed from the mutated JSON without the collector's code:

* the reader yields exactly the managed resource instances the document holds, with their attributes;
* every network resource with an id in the document is in the snapshot, or the snapshot says why not
  (`unknowns`, `incomplete`, `unsupported`, `notes`): nothing is dropped silently.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from zonecheck.collect.errors import CollectError
from zonecheck.collect.terraform import load_terraform
from zonecheck.collect.terraform.reader import is_plan, read_state_file
from zonecheck.model import Snapshot, from_json_text, to_json

from .conftest import (
    TERRAFORM_POLICY_TEXT,
    TF_DATA,
    TF_STATES,
    assert_contract,
    fuzz_settings,
    real_terraform_files,
    run_in_process,
)
from .mutations import (
    POISON,
    deep_nesting,
    mutated_bytes,
    mutated_document,
    paths,
    truncate_and_close,
    with_raw_value,
)

REAL_STATES = real_terraform_files("raw-state", "show-state")
REAL_PLANS = real_terraform_files("plan")
CORPUS = TF_STATES + REAL_STATES + REAL_PLANS
"""Every fixture, real state and real plan."""

KEYED = {path.name: path for path in CORPUS}

TRACKED_TYPES = {
    "aws_vpc", "aws_default_vpc", "aws_subnet", "aws_default_subnet", "aws_security_group",
    "aws_default_security_group", "aws_route_table", "aws_default_route_table", "aws_network_acl",
    "aws_default_network_acl", "aws_instance", "aws_internet_gateway", "aws_nat_gateway",
    "aws_egress_only_internet_gateway", "aws_db_instance", "aws_vpc_peering_connection",
}
"""Resource types whose id the collector carries into the snapshot (checked on every fixture and real state)."""


@lru_cache(maxsize=None)
def raw_bytes(name: str) -> bytes:
    """Read once: other engineers edit the fixtures while a long run goes on, and hypothesis replays examples."""
    return KEYED[name].read_bytes()


@lru_cache(maxsize=None)
def document(name: str) -> Any:
    return json.loads(raw_bytes(name))


@lru_cache(maxsize=None)
def document_paths(name: str) -> list:
    return paths(document(name))


# -- the oracles ---------------------------------------------------------------------------------------------------


def managed_instances(data: Any) -> Optional[Counter]:
    """(type, name, module, index key, attributes as JSON) of every managed instance of a state, as the
    reader's documented format detection reads it; None for a plan or for what is not a state."""
    found: Counter = Counter()

    def add(rtype: Any, name: Any, module: Any, key: Any, attributes: Any) -> None:
        found[(rtype, name, module or None, json.dumps(key), json.dumps(attributes or {}, sort_keys=True))] += 1

    if not isinstance(data, dict) or is_plan(data):
        return None
    if "version" in data and any(k in data for k in ("lineage", "terraform_version", "resources", "modules")):
        for res in data.get("resources") or []:
            if isinstance(res, dict) and res.get("mode", "managed") == "managed":
                for inst in res.get("instances") or []:
                    if isinstance(inst, dict):
                        add(res.get("type"), res.get("name"), res.get("module"), inst.get("index_key"),
                            inst.get("attributes"))
        return found
    if "format_version" in data:
        stack = [((data.get("values") or {}).get("root_module") or {}, None)]
        while stack:
            module, address = stack.pop()
            if not isinstance(module, dict):
                continue
            for res in module.get("resources") or []:
                if isinstance(res, dict) and res.get("mode", "managed") == "managed":
                    add(res.get("type"), res.get("name"), address, res.get("index"), res.get("values"))
            for child in module.get("child_modules") or []:
                if isinstance(child, dict):
                    stack.append((child, child.get("address")))
        return found
    return None


def assert_reader_reads_everything(path: Path, data: Any) -> None:
    """read_state_file yields each managed instance of the document once, attributes untouched (or refuses)."""
    try:
        state = read_state_file(path)
    except CollectError as err:
        assert str(err).startswith(f"{path}: ") and "\n" not in str(err), str(err)
        return
    if isinstance(data, dict) and is_plan(data):
        return  # plans: what they yield is plan.py's business; the contract and the snapshot oracle still apply
    expected = managed_instances(data)
    assert expected is not None, "a document that is not a state was read as one"
    got = Counter((r.type, r.name, r.module, json.dumps(r.index_key), json.dumps(dict(r.attributes), sort_keys=True))
                  for r in state.resources)
    assert got == expected


def tracked_resources(data: Any) -> Iterator[tuple[str, str, str, dict]]:
    """(type, `type.name`, id, attributes) of every tracked managed instance with a non-empty string id."""
    counts = managed_instances(data) or Counter()
    for (rtype, name, _module, _key, attributes_json) in counts:
        if rtype in TRACKED_TYPES:
            attributes = json.loads(attributes_json)
            rid = attributes.get("id") if isinstance(attributes, dict) else None
            if isinstance(rid, str) and rid.strip():
                yield rtype, f"{rtype}.{name}", rid, attributes


def mentions(text: str, value: str) -> bool:
    return value in text or json.dumps(value)[1:-1] in text


def assert_nothing_dropped_silently(data: Any, snapshot: Snapshot) -> None:
    """Each tracked resource of the document is in the snapshot, or a finding names it."""
    records = to_json(snapshot)
    findings = json.dumps([snapshot.model_dump(mode="json", include={"unknowns", "incomplete", "unsupported",
                                                                       "notes", "assumptions"})])
    for rtype, local_address, rid, attributes in tracked_resources(data):
        assert mentions(records, rid) or mentions(findings, local_address), \
            f"{rtype} {rid!r} is in the file but neither in the snapshot nor explained"
        if rtype in ("aws_security_group", "aws_network_acl") and _has_inline_rules(rtype, attributes):
            group = next((g for g in (*snapshot.security_groups, *snapshot.network_acls) if g.id == rid), None)
            rules = () if group is None else (
                (*group.ingress, *group.egress) if rtype == "aws_security_group" else group.entries)
            assert rules or mentions(findings, rid) or mentions(findings, local_address), \
                f"the inline rules of {rid!r} vanished without a finding"


def _has_inline_rules(rtype: str, attributes: dict) -> bool:
    blocks = [b for key in ("ingress", "egress") if isinstance(attributes.get(key), list)
              for b in attributes[key] if isinstance(b, dict)]
    if rtype == "aws_network_acl":
        return any(isinstance(b.get("cidr_block"), str) and b.get("cidr_block") for b in blocks)
    peers = ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "security_groups")
    return any(b.get("self") is True or any(isinstance(b.get(p), list) and b.get(p) for p in peers) for b in blocks)


def check_api(path: Path, data: Any) -> None:
    assert_reader_reads_everything(path, data)
    try:
        snapshot = load_terraform([path])
    except CollectError as err:
        message = str(err)
        assert message.startswith(f"{path}"), message
        assert "\n" not in message and "\r" not in message, repr(message)
        return
    assert_nothing_dropped_silently(data, snapshot)
    # what the collector built must survive the round trip through a snapshot file
    assert from_json_text(to_json(snapshot), "round-trip") == snapshot


def check_cli(folder: Path, state: Path, data: Any, *, also: tuple[Path, ...] = ()) -> None:
    out = folder / "collected.json"
    out.unlink(missing_ok=True)
    sources = [a for p in (state, *also) for a in ("--terraform", p)]
    collected = run_in_process("collect", *sources, "-o", out)
    written = assert_contract(collected, [state, *also], report=str(out) if collected.exit_code == 0 else None)
    if written is not None and not also:
        assert_nothing_dropped_silently(data, Snapshot.model_validate(written))
    policy = folder / "zones.yaml"
    if not policy.exists():
        policy.write_text(TERRAFORM_POLICY_TEXT)
    checked = run_in_process("check", "--policy", policy, *sources, "--format", "json")
    assert_contract(checked, [state, *also, policy], report="json")
    if collected.exit_code == 2:
        assert checked.exit_code == 2, "collect refused the state but check used it"


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content)
    return path


def dumps(doc: Any) -> str:
    return json.dumps(doc)  # NaN and Infinity are written as Python writes them: hostile, and accepted by json


# -- through the Python API -----------------------------------------------------------------------------------------


@fuzz_settings(150)
@given(data=st.data())
def test_a_mutated_state_is_read_as_written_or_refused_in_one_line(tmp_path_factory, data) -> None:
    folder = tmp_path_factory.mktemp("tf-api")
    name = data.draw(st.sampled_from(sorted(KEYED)))
    what, doc = data.draw(mutated_document(document(name), document_paths(name)))
    check_api(write(folder, name, dumps(doc)), doc)


@fuzz_settings(120)
@given(data=st.data())
def test_byte_level_damage_to_a_state_is_refused_in_one_line_or_read_as_written(tmp_path_factory, data) -> None:
    folder = tmp_path_factory.mktemp("tf-bytes")
    name = data.draw(st.sampled_from(sorted(KEYED)))
    what, raw = data.draw(mutated_bytes(raw_bytes(name)))
    try:
        doc = json.loads(raw)
    except (ValueError, RecursionError):
        doc = None
    path = write(folder, name, raw)
    if doc is None:
        with pytest.raises(CollectError) as caught:
            load_terraform([path])
        assert str(caught.value).startswith(f"{path}: ") and "\n" not in str(caught.value)
    else:
        check_api(path, doc)


@fuzz_settings(80)
@given(data=st.data())
def test_a_truncated_then_closed_state_loses_only_what_was_cut(tmp_path_factory, data) -> None:
    """A cut file that still parses (a crashed writer plus a naive repair) gives exactly what survived."""
    folder = tmp_path_factory.mktemp("tf-cut")
    name = data.draw(st.sampled_from(sorted(KEYED)))
    text = raw_bytes(name).decode()
    repaired = truncate_and_close(text, data.draw(st.integers(1, len(text))))
    try:
        doc = json.loads(repaired)
    except ValueError:
        assume(False)
    check_api(write(folder, name, repaired), doc)


def _raw_state_with(resources: list) -> dict:
    return {"version": 4, "terraform_version": "1.9.8", "serial": 1, "lineage": "x", "outputs": {},
            "resources": resources}


def _first_of(doc: dict, rtype: str) -> dict:
    return next(r for r in doc["resources"] if r["type"] == rtype)


@pytest.mark.parametrize("value", [1e308, -1e308, 2**70, -1, -70000, 65536, 70000, float("nan"), float("inf"),
                                   "65536", "-1", "22-22", 1.5])
@pytest.mark.parametrize("field", ["from_port", "to_port"])
def test_hostile_ports_in_an_inline_rule_give_a_snapshot_or_one_line(tmp_path: Path, field: str, value: Any) -> None:
    doc = json.loads((TF_DATA / "sg_style_inline.tfstate").read_text())
    rule = next(r for res in doc["resources"] if res["type"] == "aws_security_group"
                for r in res["instances"][0]["attributes"]["ingress"] if r["protocol"] == "tcp")
    rule[field] = value
    path = write(tmp_path, "ports.tfstate", dumps(doc))
    check_api(path, doc)
    check_cli(tmp_path, path, doc)


@pytest.mark.parametrize("cidr", ["10.0.0.0/33", "::/129", "300.1.1.1/24", "10.0.0.1/16", "10.0.0.0/-1",
                                  "0x0a000000/8", "１０.0.0.0/8", "fe80::1%eth0/64", ""])
def test_an_invalid_cidr_anywhere_gives_a_snapshot_or_one_line(tmp_path: Path, cidr: str) -> None:
    doc = json.loads((TF_DATA / "network.tfstate").read_text())
    for res in doc["resources"]:
        for inst in res["instances"]:
            for key in ("cidr_block", "destination_cidr_block"):
                if isinstance(inst["attributes"].get(key), str):
                    inst["attributes"][key] = cidr
    path = write(tmp_path, "cidrs.tfstate", dumps(doc))
    check_api(path, doc)
    check_cli(tmp_path, path, doc)


def test_duplicate_resources_with_different_content_are_refused_in_one_line(tmp_path: Path) -> None:
    doc = json.loads((TF_DATA / "network.tfstate").read_text())
    vpc = _first_of(doc, "aws_vpc")
    twin = json.loads(json.dumps(vpc))
    twin["name"] = "twin"
    twin["instances"][0]["attributes"]["cidr_block"] = "172.16.0.0/16"
    doc["resources"].append(twin)
    path = write(tmp_path, "twins.tfstate", dumps(doc))
    with pytest.raises(CollectError) as caught:
        load_terraform([path])
    assert str(caught.value).startswith(f"{path}: ") and vpc["instances"][0]["attributes"]["id"] in str(caught.value)
    check_cli(tmp_path, path, doc)


def test_references_to_missing_resources_become_findings_not_silence(tmp_path: Path) -> None:
    doc = json.loads((TF_DATA / "app.tfstate").read_text())
    for res in doc["resources"]:
        for inst in res["instances"]:
            attrs = inst["attributes"]
            for key in ("subnet_id", "vpc_id"):
                if isinstance(attrs.get(key), str):
                    attrs[key] = attrs[key].split("-")[0] + "-zz-missing-0"
    path = write(tmp_path, "dangling.tfstate", dumps(doc))
    snapshot = load_terraform([path])
    assert any(i.scope.endswith("zz-missing-0") for i in snapshot.incomplete)
    check_cli(tmp_path, path, doc)


# -- deep and strange module structures ----------------------------------------------------------------------------


def _show_state(root: dict) -> dict:
    return {"format_version": "1.0", "terraform_version": "1.9.8", "values": {"root_module": root}}


def _vpc_resource(address: str, vpc_id: str) -> dict:
    return {"address": f"{address}.aws_vpc.main" if address else "aws_vpc.main", "mode": "managed",
            "type": "aws_vpc", "name": "main", "provider_name": "registry.terraform.io/hashicorp/aws",
            "values": {"id": vpc_id, "cidr_block": "10.9.0.0/16", "tags": {}}}


def _module_chain(depth: int, same_address: bool) -> dict:
    """child_modules `depth` deep, each holding one VPC; `same_address` makes every level claim module.a."""
    root: dict = {"resources": []}
    here = root
    for level in range(depth):
        address = "module.a" if same_address else ".".join(["module.a"] * (level + 1))
        child = {"address": address, "resources": [_vpc_resource(address, f"vpc-{level:05d}")]}
        here["child_modules"] = [child]
        here = child
    return root


@pytest.mark.parametrize("depth", [50, 200, 450])
@pytest.mark.parametrize("same_address", [False, True], ids=["nested", "cyclic-looking"])
def test_deep_or_cyclic_looking_child_modules_are_read_in_full_or_refused(tmp_path: Path, depth: int,
                                                                         same_address: bool) -> None:
    doc = _show_state(_module_chain(depth, same_address))
    path = write(tmp_path, "modules.json", json.dumps(doc))
    check_api(path, doc)
    check_cli(tmp_path, path, doc)


def test_a_module_listed_twice_under_one_parent_is_read_twice_or_refused(tmp_path: Path) -> None:
    child = {"address": "module.net", "resources": [_vpc_resource("module.net", "vpc-1")]}
    doc = _show_state({"resources": [], "child_modules": [child, json.loads(json.dumps(child))]})
    path = write(tmp_path, "twice.json", json.dumps(doc))
    check_api(path, doc)
    check_cli(tmp_path, path, doc)


@pytest.mark.parametrize("where", ["resources", "attributes", "child_modules", "whole"])
def test_json_nested_ten_thousand_deep_is_refused_naming_the_file_by_the_cli(tmp_path: Path, where: str) -> None:
    path = tmp_path / "deep.tfstate"
    path.write_text(_deep_state(where))
    run = run_in_process("collect", "--terraform", path, "-o", tmp_path / "out.json")
    assert_contract(run, [path])
    assert run.exit_code == 2


@pytest.mark.parametrize("where", ["resources", "attributes", "whole"])
def test_json_nested_ten_thousand_deep_is_a_collect_error_naming_the_file(tmp_path: Path, where: str) -> None:
    path = tmp_path / "deep.tfstate"
    path.write_text(_deep_state(where))
    with pytest.raises(CollectError) as caught:
        load_terraform([path])
    assert str(caught.value).startswith(f"{path}: ")


def _deep_state(where: str) -> str:
    if where == "whole":
        return deep_nesting(10_000)
    if where == "child_modules":
        chain = '{"address": "module.a", "child_modules": [' * 5000 + "{}" + "]}" * 5000
        return '{"format_version": "1.0", "values": {"root_module": ' + chain + "}}"
    doc = json.loads((TF_DATA / "peer.tfstate").read_text())
    target = ("resources",) if where == "resources" else ("resources", 0, "instances", 0, "attributes", "tags")
    return with_raw_value(doc, target, deep_nesting(10_000))


# -- through the command line, on the fixtures and on real states --------------------------------------------------


@fuzz_settings(60)
@given(data=st.data())
def test_the_cli_on_a_mutated_state_gives_a_complete_report_or_one_error_line(tmp_path_factory, data) -> None:
    folder = tmp_path_factory.mktemp("tf-cli")
    name = data.draw(st.sampled_from(sorted(KEYED)))
    if data.draw(st.booleans()):
        what, doc = data.draw(mutated_document(document(name), document_paths(name)))
        path = write(folder, name, dumps(doc))
    else:
        what, raw = data.draw(mutated_bytes(raw_bytes(name)))
        path = write(folder, name, raw)
        try:
            doc = json.loads(raw)
        except (ValueError, RecursionError):
            doc = None
    also = (TF_DATA / "peer.tfstate",) if data.draw(st.integers(0, 4)) == 0 else ()
    check_cli(folder, path, doc, also=also)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name[-60:])
def test_every_unmutated_corpus_file_meets_the_contract_and_the_oracles(tmp_path: Path, path: Path) -> None:
    """Calibrates the oracles: they hold on the files as they are."""
    doc = json.loads(path.read_text())
    check_api(path, doc)


def test_the_corpus_is_not_empty() -> None:
    assert len(TF_STATES) >= 8
    if REAL_STATES:
        assert len(REAL_STATES) >= 12


def test_the_merged_fixture_stacks_round_trip_through_a_snapshot_file() -> None:
    snapshot = load_terraform([TF_DATA / "network.tfstate", TF_DATA / "app.tfstate", TF_DATA / "peer.tfstate"])
    assert from_json_text(to_json(snapshot), "merged") == snapshot


def test_a_main_table_association_naming_another_vpc_leaves_one_main_table_per_vpc(tmp_path: Path) -> None:
    doc = json.loads((TF_DATA / "managed_defaults.tfstate").read_text())
    association = _first_of(doc, "aws_main_route_table_association")
    association["instances"][0]["attributes"]["vpc_id"] = "vpc-zz-missing-0"
    path = write(tmp_path, "main-elsewhere.tfstate", dumps(doc))
    snapshot = load_terraform([path])
    mains = Counter(t.vpc_id for t in snapshot.route_tables if t.is_main)
    assert all(count == 1 for count in mains.values()), mains


# -- secrets never leave the state --------------------------------------------------------------------------------

SECRET_KEY = re.compile(r"password|secret|token|private_key|^result$|variables|preshared_key", re.IGNORECASE)


def _secret_paths(doc: Any) -> dict[tuple, str]:
    """Path -> value of every string of 6+ characters under a secret-looking key."""
    found = {}
    for path in paths(doc):
        value = doc
        for part in path:
            value = value[part]
        if isinstance(value, str) and len(value) >= 6 and any(isinstance(p, str) and SECRET_KEY.search(p) for p in path):
            found[path] = value
    return found


APP_SECRETS = _secret_paths(json.loads((TF_DATA / "app.tfstate").read_text()))


@fuzz_settings(40)
@given(data=st.data())
def test_no_error_line_snapshot_or_report_carries_a_secret_of_the_state(tmp_path_factory, data) -> None:
    """Poison anywhere but in the secrets themselves: whatever happens, no secret value is printed or written."""
    folder = tmp_path_factory.mktemp("secrets")
    doc = json.loads((TF_DATA / "app.tfstate").read_text())
    targets = [p for p in document_paths("app.tfstate")
               if not any(secret[: len(p)] == p for secret in APP_SECRETS)]
    for _ in range(data.draw(st.integers(1, 3))):
        where = data.draw(st.sampled_from(targets))
        parent = doc
        for part in where[:-1]:
            parent = parent[part] if isinstance(parent, (dict, list)) else None
        if isinstance(parent, (dict, list)):
            try:
                parent[where[-1]] = data.draw(st.sampled_from(POISON))
            except (IndexError, KeyError, TypeError):
                pass
    path = write(folder, "app.tfstate", dumps(doc))
    out = folder / "snap.json"
    runs = [run_in_process("collect", "--terraform", path, "-o", out),
            run_in_process("check", "--policy", _policy(folder), "--terraform", path, "--format", "json")]
    written = out.read_text() if out.exists() else ""
    for secret in set(APP_SECRETS.values()):
        for run in runs:
            assert secret not in run.stderr and secret not in run.stdout, f"secret printed: {run.describe()}"
        assert secret not in written


def _policy(folder: Path) -> Path:
    policy = folder / "zones.yaml"
    policy.write_text(TERRAFORM_POLICY_TEXT)
    return policy


def test_the_app_fixture_holds_the_secrets_the_leak_test_looks_for() -> None:
    assert {"S3cr3t-Pa55w0rd!", "lambda-env-secret"} <= set(APP_SECRETS.values())
