"""No input can make zonecheck run code, read other files, or write into a report something it did not mean to.

* YAML tags that would construct Python objects, shell-looking strings anywhere: no MARKER file appears;
* values naming `/etc/passwd` (ids, CIDRs, addresses, module sources, `source.files`): `open` is only ever called
  on the files given on the command line, the output file and zonecheck's own templates;
* template syntax in ids and descriptions is printed, not evaluated; HTML in them is escaped;
* the package itself never calls an unsafe YAML loader, pickle, eval/exec, a shell, or an AWS API that changes
  anything (the tool is read-only against AWS: Describe/List/Get/Search only).
"""

from __future__ import annotations

import ast
import builtins
import io
import json
import os
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest

import zonecheck
from zonecheck.collect.aws.families import API_OF

from .conftest import POLICY, SNAPSHOTS, TERRAFORM_POLICY_TEXT, TF_DATA, assert_contract, run_in_process, run_subprocess

PACKAGE = Path(zonecheck.__file__).resolve().parent
BEFORE = next(p for p in SNAPSHOTS if p.name.startswith("before"))
SECRET = "/etc/passwd"
SHELLISH = ["$(touch MARKER)", "`touch MARKER`", "; touch MARKER", "| touch MARKER", "{{ ''.__class__ }}",
            "!!python/object/apply:os.system ['touch MARKER']", "%(touch MARKER)s"]
FORMATS = ["text", "json", "sarif", "junit", "markdown", "html"]


# -- what a run opens ------------------------------------------------------------------------------------------


@contextmanager
def opened_files() -> Iterator[list[str]]:
    """Every path given to builtins.open, io.open or os.open while the block runs."""
    seen: list[str] = []
    real_open, real_io_open, real_os_open = builtins.open, io.open, os.open

    def record(target: Any) -> None:
        if isinstance(target, (str, bytes, os.PathLike)):
            seen.append(os.path.realpath(os.fsdecode(target)))

    def spy_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        record(file)
        return real_open(file, *args, **kwargs)

    def spy_os_open(path: Any, *args: Any, **kwargs: Any) -> Any:
        record(path)
        return real_os_open(path, *args, **kwargs)

    builtins.open = io.open = spy_open  # type: ignore[assignment]
    os.open = spy_os_open  # type: ignore[assignment]
    try:
        yield seen
    finally:
        builtins.open, io.open, os.open = real_open, real_io_open, real_os_open  # type: ignore[assignment]


def assert_only_named_files_opened(seen: list[str], allowed: list[Path]) -> None:
    ok = {os.path.realpath(p) for p in allowed}
    stray = sorted({p for p in seen if p not in ok and not _python_machinery(p)})
    assert not stray, f"files opened that no argument names: {stray}"
    assert os.path.realpath(SECRET) not in seen


def _python_machinery(path: str) -> bool:
    """zonecheck's own files (templates), the interpreter's, and the install metadata importlib reads."""
    return (path.startswith(str(PACKAGE) + os.sep) or path.startswith(sys.prefix) or path.startswith(sys.base_prefix)
            or "__editable__" in path or re.search(r"\.(egg|dist)-info" + re.escape(os.sep), path) is not None)


def _hostile_policy(folder: Path) -> Path:
    text = POLICY.read_text()
    text = text.replace("      - tags: {Zone: app}\n",
                        f"      - tags: {{Zone: app}}\n      - {{id: '{SECRET}'}}\n      - {{vpc: 'file://{SECRET}'}}\n"
                        f"      - {{subnet: '../../../../{SECRET}'}}\n      - {{security_group: '@{SECRET}'}}\n")
    text = text.replace("description: the public CouchDB", f"description: {SECRET} $(touch MARKER) the public CouchDB")
    text = text.replace("controls: [PCI-DSS-1.3.1, NIST-SC-7]", f"controls: ['{SECRET}', 'file://{SECRET}']")
    path = folder / "zones.yaml"
    path.write_text(text)
    return path


def _hostile_snapshot(folder: Path) -> Path:
    data = json.loads(BEFORE.read_text())
    data["source"] = {"kind": "terraform", "sha256": SECRET, "files": [SECRET, f"file://{SECRET}", "../" * 8 + SECRET]}
    for record in data["vpcs"] + data["subnets"] + data["security_groups"]:
        record["tags"] = {**record.get("tags", {}), "Path": SECRET, **{f"S{i}": s for i, s in enumerate(SHELLISH)}}
    for group in data["security_groups"]:
        for rule in group["ingress"]:
            rule["description"] = f"{SECRET} $(touch MARKER)"
    data["notes"] = [SECRET, *SHELLISH]
    data["assumptions"] = [f"see {SECRET}"]
    path = folder / "snapshot.json"
    path.write_text(json.dumps(data))
    return path


def _hostile_state(folder: Path) -> Path:
    data = json.loads((TF_DATA / "network.tfstate").read_text())
    for res in data["resources"]:
        res["provider"] = f'provider["{SECRET}"]'
        for inst in res["instances"]:
            attrs = inst["attributes"]
            attrs["tags"] = {"Path": SECRET, **{f"S{i}": s for i, s in enumerate(SHELLISH)}}
            for key in ("arn", "description", "name", "user_data", "policy", "source", "filename", "template"):
                attrs[key] = SECRET if key != "arn" else f"arn:aws:ec2:eu-west-1:123456789012:{SECRET}"
            inst["private"] = "L2V0Yy9wYXNzd2Q="  # base64 of /etc/passwd
    data["outputs"] = {"x": {"value": SECRET, "type": "string"}}
    path = folder / "network.tfstate"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_snapshot_and_policy_naming_other_files_open_only_the_named_ones(tmp_path: Path, monkeypatch, fmt: str) -> None:
    monkeypatch.chdir(tmp_path)
    policy, snapshot, out = _hostile_policy(tmp_path), _hostile_snapshot(tmp_path), tmp_path / f"report.{fmt}"
    with opened_files() as seen:
        run = run_in_process("check", "--policy", policy, "--snapshot", snapshot, "--format", fmt, "-o", out)
    assert run.exit_code in (0, 1, 3), run.describe()
    assert_only_named_files_opened(seen, [policy, snapshot, out])
    assert not (tmp_path / "MARKER").exists()
    assert "root:" not in out.read_text()


def test_a_state_naming_other_files_opens_only_the_named_ones(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    state, out = _hostile_state(tmp_path), tmp_path / "snap.json"
    policy = tmp_path / "tf.yaml"
    policy.write_text(TERRAFORM_POLICY_TEXT)
    with opened_files() as seen:
        collected = run_in_process("collect", "--terraform", state, "-o", out)
        checked = run_in_process("check", "--policy", policy, "--terraform", state, "--format", "html")
        explained = run_in_process("explain", "--policy", policy, "--terraform", state, "--assertion", "dmz-cannot-reach-data")
    for run in (collected, checked, explained):
        assert_contract(run, [state, policy])
    assert collected.exit_code == 0
    assert_only_named_files_opened(seen, [state, out, policy])
    assert not (tmp_path / "MARKER").exists()
    assert "root:" not in out.read_text()


def test_error_paths_open_only_the_named_files_too(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"schema_version": 1, "source": {"kind": "snapshot", "files": [SECRET]},
                                  "vpcs": [{"id": SECRET, "cidrs": [SECRET]}]}))
    with opened_files() as seen:
        run = run_in_process("check", "--policy", POLICY, "--snapshot", broken)
    assert_contract(run, [broken])
    assert run.exit_code == 2
    assert_only_named_files_opened(seen, [POLICY, broken])


# -- nothing runs ------------------------------------------------------------------------------------------------

TAG_POLICIES = {
    "apply": "zones: !!python/object/apply:os.system ['touch MARKER']",
    "new": "zones: !!python/object/new:subprocess.check_call [[touch, MARKER]]",
    "name-call": "zones: !!python/object/apply:subprocess.call [[touch, MARKER]]",
    "in-a-tag-value": "zones: {app: {match: [{tags: {Zone: !!python/object/apply:os.system ['touch MARKER']}}]}}",
    "in-an-alias": "x: &x !!python/object/apply:os.system ['touch MARKER']\nzones: {app: {match: [*x]}}",
}


@pytest.mark.parametrize("name", sorted(TAG_POLICIES))
def test_python_tags_in_a_policy_never_run_in_process(tmp_path: Path, monkeypatch, name: str) -> None:
    monkeypatch.chdir(tmp_path)
    policy = tmp_path / "zones.yaml"
    policy.write_text(f"version: 1\n{TAG_POLICIES[name]}\nassertions: []\n")
    run = run_in_process("check", "--policy", policy, "--snapshot", BEFORE)
    assert_contract(run, [policy])
    assert run.exit_code == 2 and not (tmp_path / "MARKER").exists()


def test_a_python_tag_in_a_policy_never_runs_in_a_real_process(tmp_path: Path) -> None:
    policy = tmp_path / "zones.yaml"
    policy.write_text("version: 1\n" + TAG_POLICIES["apply"] + "\nassertions: []\n")
    run = run_subprocess("check", "--policy", policy, "--snapshot", BEFORE, cwd=tmp_path)
    assert_contract(run, [policy])
    assert run.exit_code == 2 and "python/object" in run.stderr
    assert not (tmp_path / "MARKER").exists()


def test_shell_looking_values_in_states_and_snapshots_are_only_data(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    state, snapshot = _hostile_state(tmp_path), _hostile_snapshot(tmp_path)
    policy = tmp_path / "tf.yaml"
    policy.write_text(TERRAFORM_POLICY_TEXT)
    for args in (("collect", "--terraform", state, "-o", tmp_path / "a.json"),
                 ("check", "--policy", policy, "--terraform", state, "--format", "markdown"),
                 ("check", "--policy", POLICY, "--snapshot", snapshot, "--format", "text")):
        assert_contract(run_in_process(*args), [state, snapshot, policy, POLICY])
    assert not (tmp_path / "MARKER").exists()


# -- reports print what they are given, never evaluate or render it -------------------------------------------------

EVIL_ID = "eni-{{7*191}}<script>alert(1)</script>"


def _snapshot_with_evil_id(folder: Path) -> Path:
    text = BEFORE.read_text().replace("eni-i-0replica", json.dumps(EVIL_ID)[1:-1])
    path = folder / "evil.json"
    path.write_text(text)
    return path


@pytest.mark.parametrize("fmt", FORMATS)
def test_template_syntax_in_an_id_is_printed_not_evaluated(tmp_path: Path, fmt: str) -> None:
    run = run_in_process("check", "--policy", POLICY, "--snapshot", _snapshot_with_evil_id(tmp_path), "--format", fmt)
    assert run.exit_code == 1, run.describe()
    assert "1337" not in run.stdout
    assert "{{7*191}}" in run.stdout


def test_html_in_an_id_is_escaped_in_the_html_report(tmp_path: Path) -> None:
    run = run_in_process("check", "--policy", POLICY, "--snapshot", _snapshot_with_evil_id(tmp_path), "--format", "html")
    assert run.exit_code == 1
    assert "<script>alert(1)" not in run.stdout and "&lt;script&gt;" in run.stdout


def test_html_in_an_id_is_not_injected_into_the_markdown_report(tmp_path: Path) -> None:
    run = run_in_process("check", "--policy", POLICY, "--snapshot", _snapshot_with_evil_id(tmp_path),
                         "--format", "markdown")
    assert run.exit_code == 1
    assert "<script>" not in run.stdout


def test_terminal_escapes_in_an_id_do_not_reach_the_terminal_as_escapes(tmp_path: Path) -> None:
    text = BEFORE.read_text().replace("eni-i-0replica", "eni-\\u001b[2J\\u001b]0;owned\\u0007x")
    path = tmp_path / "esc.json"
    path.write_text(text)
    run = run_in_process("check", "--policy", POLICY, "--snapshot", path, "--format", "text")
    assert run.exit_code in (1, 2), run.describe()
    if run.exit_code == 1:
        assert "\x1b" not in run.stdout and "\x07" not in run.stdout, "a snapshot id can drive the user's terminal"


# -- the package itself ------------------------------------------------------------------------------------------

DANGEROUS_CALLS = {
    ("yaml", "load"), ("yaml", "unsafe_load"), ("yaml", "full_load"), ("yaml", "load_all"), ("yaml", "unsafe_load_all"),
    ("yaml", "full_load_all"), ("pickle", "loads"), ("pickle", "load"), ("marshal", "loads"), ("os", "system"),
    ("os", "popen"), ("os", "execv"), ("os", "execvp"), ("os", "spawnv"), ("shelve", "open"), ("jinja2", "Template"),
}
DANGEROUS_NAMES = {"eval", "exec", "compile", "__import__"}
DANGEROUS_MODULES = {"pickle", "marshal", "shelve", "subprocess", "dill", "cloudpickle"}


def _package_trees() -> Iterator[tuple[Path, ast.AST]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(), str(path))


def test_the_package_never_calls_an_unsafe_loader_a_shell_or_eval() -> None:
    found = []
    for path, tree in _package_trees():
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                found += [f"{path}:{node.lineno} imports {n}" for n in names if n.split(".")[0] in DANGEROUS_MODULES]
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Name) and func.id in DANGEROUS_NAMES:
                    found.append(f"{path}:{node.lineno} calls {func.id}")
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                    if (func.value.id, func.attr) in DANGEROUS_CALLS:
                        found.append(f"{path}:{node.lineno} calls {func.value.id}.{func.attr}")
                    if func.attr == "import_module" and not (node.args and isinstance(node.args[0], ast.Constant)
                                                             and str(node.args[0].value).startswith("zonecheck.")):
                        found.append(f"{path}:{node.lineno} imports a module named by data")
                if isinstance(func, ast.Attribute) and func.attr in ("from_string", "add_constructor",
                                                                     "add_multi_constructor"):
                    if func.attr == "from_string" or "python" in ast.unparse(node):
                        found.append(f"{path}:{node.lineno} {ast.unparse(node)[:80]}")
    assert not found, "\n".join(found)


def test_the_policy_yaml_loader_is_built_on_the_safe_constructor() -> None:
    from yaml.constructor import FullConstructor, SafeConstructor, UnsafeConstructor

    from zonecheck.policy import loader

    assert issubclass(loader._PolicyYamlLoader, SafeConstructor)
    assert not issubclass(loader._PolicyYamlLoader, (FullConstructor, UnsafeConstructor))


MUTATING_VERBS = ("create", "delete", "modify", "put", "update", "authorize", "revoke", "attach", "detach", "associate",
                  "disassociate", "run", "start", "stop", "terminate", "reboot", "replace", "accept", "reject",
                  "enable", "disable", "register", "deregister", "allocate", "release", "assign", "unassign",
                  "import", "copy", "send", "invoke", "apply", "restore", "reset", "cancel", "purchase", "tag",
                  "untag", "provision", "accept", "move", "promote", "reboot")
READ_ONLY_VERBS = ("describe", "list", "get", "search")


def test_every_aws_api_zonecheck_names_is_read_only() -> None:
    for api in API_OF.values():
        verb = api.split()[-1].split("-")[0]
        assert verb in READ_ONLY_VERBS, f"{api} is not a Describe/List/Get/Search call"


AWS_RECEIVERS = re.compile(r"(^|_)(client|sts|ec2|rds|elbv2|elb|directconnect|iam|session|boto3)($|_|\\b)")
ALLOWED_WRITES = {"assume_role"}
"""sts:AssumeRole (for --assume-role) obtains credentials and changes nothing in the estate."""


def test_the_package_calls_no_aws_api_that_changes_anything() -> None:
    """No boto3 call, paginator or operation name in the package is anything but Describe/List/Get/Search."""
    verb = re.compile(rf"^({'|'.join(MUTATING_VERBS)})_[a-z0-9_]+$")
    found = []
    for path, tree in _package_trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                receiver = ast.unparse(node.func.value)
                if (verb.match(node.func.attr) and node.func.attr not in ALLOWED_WRITES
                        and AWS_RECEIVERS.search(receiver.split(".")[-1].lower())):
                    found.append(f"{path}:{node.lineno} {receiver}.{node.func.attr}(…)")
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and verb.match(node.value) \
                    and "aws" in path.parts and node.value not in ALLOWED_WRITES:
                found.append(f"{path}:{node.lineno} operation name {node.value!r}")
    assert not found, "\n".join(found)


def test_the_live_clients_refuse_any_operation_that_is_not_read_only_before_it_is_sent() -> None:
    clients = pytest.importorskip("zonecheck.collect.aws.live.clients")

    class Model:
        def __init__(self, name: str) -> None:
            self.name = name

    guard = clients.ReadOnlyGuard()
    for service, operation in (("ec2", "DescribeVpcs"), ("ec2", "GetManagedPrefixListEntries"),
                               ("ec2", "SearchTransitGatewayRoutes"), ("elbv2", "DescribeListeners"),
                               ("sts", "AssumeRole")):
        guard.before_call(service)(model=Model(operation))
    for service, operation in (("ec2", "CreateVpc"), ("ec2", "AuthorizeSecurityGroupIngress"), ("ec2", "DeleteTags"),
                               ("ec2", "ModifyInstanceAttribute"), ("rds", "RebootDBInstance"), ("ec2", "AssumeRole"),
                               ("sts", "DecodeAuthorizationMessage")):
        with pytest.raises(clients.ReadOnlyViolation):
            guard.before_call(service)(model=Model(operation))


def test_html_in_an_id_is_escaped_in_the_diff_markdown(tmp_path: Path) -> None:
    after = next(p for p in SNAPSHOTS if p.name.startswith("after"))
    run = run_in_process("diff", "--policy", POLICY, "--before", after, "--after", _snapshot_with_evil_id(tmp_path),
                         "--format", "markdown")
    assert run.exit_code == 1, run.describe()
    assert "<script>" not in run.stdout and "1337" not in run.stdout
