"""Hostile policy YAML (examples/npm2015/zones.yaml and topology/npm2015_zones.yaml, mutated) through
`load_policy` / `parse_policy_text` and through `zonecheck check`.

Whatever the loader accepts is what the file says (zone names, assertion names, directions, expectations, read
independently with PyYAML's safe loader); whatever it refuses is refused in one line that names the file.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from zonecheck.policy import Policy, PolicyError, load_policy, parse_policy_text

from .conftest import POLICIES, SNAPSHOTS, assert_contract, fuzz_settings, run_in_process
from .mutations import mutated_bytes, mutated_document, paths

TEXTS = {path.name: path.read_text() for path in POLICIES}
DOCS = {name: yaml.safe_load(text) for name, text in TEXTS.items()}
PATHS = {name: paths(doc) for name, doc in DOCS.items()}
SNAPSHOT = next(p for p in SNAPSHOTS if p.name.startswith("before"))

SELECTOR_POISON = [
    {"cidr": "10.0.0.0/33"}, {"cidr": "::/129"}, {"cidr": "300.1.1.1/24"}, {"cidr": "10.0.0.1/16"},
    {"cidr": "/etc/passwd"}, {"address": "10.0.0.0/8"}, {"address": "300.1.1.1"}, {"address": "/etc/passwd"},
    {"id": "/etc/passwd"}, {"id": ""}, {"vpc": ["vpc-1"]}, {"tags": {"Zone": None}}, {"tags": {"": ""}},
    {"tags": {"Zone": ["a"]}}, {"tags": "Zone=app"}, {}, {"subnet": 1e308}, {"security_group": 2**70},
]
EXPECT_POISON = [
    {"only": ["tcp/70000"]}, {"only": ["tcp/-1"]}, {"only": ["tcp/0-65536"]}, {"only": ["udp/1e308"]},
    {"only": ["tcp/5432-22"]}, {"access": []}, {"only": "tcp/443"}, {"access": ["icmp/300"]}, "no access",
    {"only": [65536]}, {"only": [None]}, {"no-access": True}, ["no-access"], None, {"only": ["tcp/443"], "access": []},
]


def policy_facts(data: Any) -> dict[str, Any]:
    """What the YAML says, read without zonecheck: zones, and each assertion's name, ends and expectation kind."""
    def kind(expect: Any) -> str:
        return expect if isinstance(expect, str) else next(iter(expect)) if isinstance(expect, dict) else "?"

    return {"zones": sorted(str(z) for z in data["zones"]),
            "assertions": [(str(a["name"]), str(a["from"]), str(a["to"]), kind(a["expect"]))
                           for a in data["assertions"]]}


def loaded_facts(policy: Policy) -> dict[str, Any]:
    def kind(expect: Any) -> str:
        return expect if isinstance(expect, str) else expect.kind

    return {"zones": sorted(policy.zones),
            "assertions": [(a.name, a.from_, a.to, kind(a.expect)) for a in policy.assertions]}


def check_text(text: str, origin: str = "zones.yaml") -> None:
    try:
        policy = parse_policy_text(text, origin)
    except PolicyError as err:
        message = str(err)
        assert message.startswith(f"{origin}: "), message
        assert "\n" not in message and "\r" not in message and "\x1b" not in message, repr(message)
        return
    # Accepted: then aliases are bounded and PyYAML's own safe loader can read it for comparison.
    assert loaded_facts(policy) == policy_facts(yaml.safe_load(text))


def check_cli(folder: Path, text: str | bytes) -> None:
    policy = folder / "zones.yaml"
    policy.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    run = run_in_process("check", "--policy", policy, "--snapshot", SNAPSHOT, "--format", "json")
    report = assert_contract(run, [policy, SNAPSHOT], report="json")
    if report is not None:
        loaded = load_policy(policy)
        assert [a["name"] for a in report["assertions"]] == [a.name for a in loaded.assertions]


def dump(doc: Any) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


# -- through the Python API --------------------------------------------------------------------------------------


@fuzz_settings(300)
@given(st.data())
def test_a_structurally_mutated_policy_loads_as_written_or_is_refused_in_one_line(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(DOCS)))
    what, doc = data.draw(mutated_document(DOCS[name], PATHS[name]))
    try:
        text = dump(doc)
    except yaml.YAMLError:
        return
    check_text(text)


@fuzz_settings(300)
@given(st.data())
def test_byte_level_damage_to_a_policy_is_refused_in_one_line_or_read_as_written(tmp_path_factory, data) -> None:
    folder = tmp_path_factory.mktemp("policy-bytes")
    name = data.draw(st.sampled_from(sorted(TEXTS)))
    what, raw = data.draw(mutated_bytes(TEXTS[name].encode()))
    path = folder / "zones.yaml"
    path.write_bytes(raw)
    try:
        policy = load_policy(path)
    except PolicyError as err:
        assert str(err).startswith(f"{path}: ") and "\n" not in str(err), str(err)
        return
    assert loaded_facts(policy) == policy_facts(yaml.safe_load(raw.decode("utf-8-sig")))


@fuzz_settings(150)
@given(st.data())
def test_poisoned_selectors_and_expectations_give_a_policy_or_one_line(data: st.DataObject) -> None:
    doc = json.loads(json.dumps(DOCS["zones.yaml"]))
    zone = data.draw(st.sampled_from(sorted(doc["zones"])))
    doc["zones"][zone]["match"] = [data.draw(st.sampled_from(SELECTOR_POISON))]
    assertion = data.draw(st.sampled_from(doc["assertions"]))
    assertion["expect"] = data.draw(st.sampled_from(EXPECT_POISON))
    check_text(dump(doc))


# -- hostile YAML ---------------------------------------------------------------------------------------------------

BILLION_LAUGHS = """\
version: 1
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
zones: {app: {match: [{tags: {Zone: *i}}]}}
assertions: []
"""

KEYS_BOMB = "version: 1\nx0: &x0 {k: v}\n" + "".join(
    f"x{i}: &x{i} {{<<: [*x{i - 1}], k{i}a: *x{i - 1}, k{i}b: *x{i - 1}}}\n" for i in range(1, 40)
) + "zones: {}\nassertions: []\n"

HOSTILE_YAML = {
    "billion-laughs": BILLION_LAUGHS,
    "merge-key-bomb": KEYS_BOMB,
    "recursive-alias": "version: 1\nzones: &z {app: {match: [*z]}}\nassertions: []\n",
    "python-apply": "version: 1\nzones: !!python/object/apply:os.system ['touch MARKER']\nassertions: []\n",
    "python-new": "version: 1\nzones: !!python/object/new:subprocess.Popen [[touch, MARKER]]\nassertions: []\n",
    "python-name": "version: 1\nzones: !!python/name:os.system\nassertions: []\n",
    "python-module": "version: 1\nzones: !!python/module:os\nassertions: []\n",
    "python-in-a-key": "version: 1\n? !!python/object/apply:os.system ['touch MARKER']\n: 1\nzones: {}\nassertions: []\n",
    "python-in-a-tag-value": TEXTS["zones.yaml"].replace("{Zone: app}", "{Zone: !!python/object/apply:os.system ['touch MARKER']}"),
    "local-tag": "version: 1\nzones: !include /etc/passwd\nassertions: []\n",
    "verbatim-tag": "version: 1\nzones: !<tag:yaml.org,2002:python/object/apply:os.system> ['touch MARKER']\nassertions: []\n",
    "binary": "version: 1\nzones: !!binary aGVsbG8=\nassertions: []\n",
    "set": "version: 1\nzones: !!set {a, b}\nassertions: []\n",
    "timestamp-zone": "version: 1\nzones: {2001-12-14: {match: [{tags: {Zone: a}}]}}\nassertions: []\n",
    "yaml-directive": "%YAML 1.1\n%TAG ! tag:yaml.org,2002:python/\n---\nversion: 1\nzones: !object/apply:os.system ['touch MARKER']\n",
    "two-documents": TEXTS["zones.yaml"] + "\n---\n" + TEXTS["zones.yaml"],
    "deep-flow": "version: 1\nzones: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "deep-block": "version: 1\nzones:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 3000)),
    "huge-int": "version: 1" + "0" * 5000 + "\nzones: {}\nassertions: []\n",
    "huge-float": "version: 1e308\nzones: {}\nassertions: []\n",
    "nul": TEXTS["zones.yaml"].replace("version: 1", "version: 1\x00"),
    "escape-sequences": TEXTS["zones.yaml"].replace("name: replica-cannot-reach-private-db",
                                                    'name: "\\e[2J\\e[31mowned\\n"'),
    "lone-surrogate": TEXTS["zones.yaml"].replace("name: replica-cannot-reach-private-db", 'name: "\\uD800"'),
    "empty": "",
    "only-comments": "# nothing here\n",
    "null": "~\n",
    "a-list": "- version: 1\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_YAML))
def test_hostile_yaml_is_refused_quickly_in_one_line_and_runs_nothing(tmp_path: Path, monkeypatch, name: str) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "zones.yaml"
    path.write_text(HOSTILE_YAML[name], encoding="utf-8", errors="surrogatepass")
    started = time.monotonic()
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert time.monotonic() - started < 5, "a hostile policy tied up the parser"
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message and "\x1b" not in message, repr(message)
    assert not (tmp_path / "MARKER").exists()
    run = run_in_process("check", "--policy", path, "--snapshot", SNAPSHOT)
    assert_contract(run, [path, SNAPSHOT])
    assert run.exit_code == 2 and not (tmp_path / "MARKER").exists()


def test_a_policy_just_over_the_size_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "zones.yaml"
    path.write_text(TEXTS["zones.yaml"] + "#" + "x" * (1024 * 1024) + "\n")
    run = run_in_process("check", "--policy", path, "--snapshot", SNAPSHOT)
    assert_contract(run, [path])
    assert run.exit_code == 2 and "1 MB" in run.stderr


# -- through the command line ------------------------------------------------------------------------------------


@fuzz_settings(60)
@given(data=st.data())
def test_the_cli_on_a_mutated_policy_gives_a_complete_report_or_one_error_line(tmp_path_factory, data) -> None:
    folder = tmp_path_factory.mktemp("policy-cli")
    name = data.draw(st.sampled_from(sorted(DOCS)))
    if data.draw(st.booleans()):
        what, doc = data.draw(mutated_document(DOCS[name], PATHS[name]))
        try:
            content: str | bytes = dump(doc)
        except yaml.YAMLError:
            return
    else:
        what, content = data.draw(mutated_bytes(TEXTS[name].encode()))
    check_cli(folder, content)
