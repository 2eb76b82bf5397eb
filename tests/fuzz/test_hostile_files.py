"""Fixed hostile files for each input (policy, Terraform JSON, snapshot, and a file of an AWS describe-* dump),
through the click entry in-process, and the riskiest ones again in a fresh interpreter.

A real process shows what an in-process run could hide: a traceback printed by the interpreter, a crash of
the C stack, a hang (every run has a timeout), or a process killed by memory.  Real runs go two at a time
(the suite's budget is two cores).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Optional

import pytest

from .conftest import (
    POLICY,
    SNAPSHOTS,
    SUBPROCESS_TIMEOUT,
    TF_DATA,
    Run,
    assert_contract,
    error_line,
    inputs_of,
    run_in_process,
)
from .mutations import deep_nesting

BEFORE = next(p for p in SNAPSHOTS if p.name.startswith("before"))
STATE = TF_DATA / "network.tfstate"

Maker = Callable[[Path, str], Path]
"""(folder, file name) -> the hostile input on disk."""


def _bytes(content: bytes) -> Maker:
    def make(folder: Path, name: str) -> Path:
        path = folder / name
        path.write_bytes(content)
        return path

    return make


def _from_real(transform: Callable[[bytes], bytes]) -> Callable[[bytes], Maker]:
    def for_real(real: bytes) -> Maker:
        return _bytes(transform(real))

    return for_real


def _directory(folder: Path, name: str) -> Path:
    path = folder / name
    path.mkdir()
    return path


def _missing(folder: Path, name: str) -> Path:
    return folder / name


def _symlink_loop(folder: Path, name: str) -> Path:
    path = folder / name
    os.symlink(path, path)
    return path


def _dangling_symlink(folder: Path, name: str) -> Path:
    path = folder / name
    os.symlink(folder / "nowhere" / "at-all", path)
    return path


COMMON: dict[str, Callable[[bytes], Maker]] = {
    "empty": lambda real: _bytes(b""),
    "whitespace": lambda real: _bytes(b" \n\t\r\n "),
    "one-nul-byte": lambda real: _bytes(b"\x00"),
    "nul-inside": _from_real(lambda raw: raw[: len(raw) // 2] + b"\x00" + raw[len(raw) // 2:]),
    "not-utf8": _from_real(lambda raw: raw.replace(b'"', b'"\xff', 3)),
    "latin1": _from_real(lambda raw: raw.decode().replace("a", "\u00e9", 5).encode("latin-1")),
    "utf16": _from_real(lambda raw: raw.decode().encode("utf-16")),
    "truncated-half": _from_real(lambda raw: raw[: len(raw) // 2]),
    "truncated-one-byte-short": _from_real(lambda raw: raw.rstrip()[:-1]),
    "nested-10000": lambda real: _bytes(deep_nesting(10_000).encode()),
    "nested-100000": lambda real: _bytes(("[" * 100_000 + "]" * 100_000).encode()),
    "binary-garbage": lambda real: _bytes(bytes(range(256)) * 64),
    "missing": lambda real: _missing,
    "symlink-loop": lambda real: _symlink_loop,
    "dangling-symlink": lambda real: _dangling_symlink,
}

HOSTILE: dict[str, dict[str, Callable[[bytes], Maker]]] = {
    "terraform": {**COMMON,
                  "a-snapshot-instead": lambda real: _bytes(BEFORE.read_bytes()),
                  "a-policy-instead": lambda real: _bytes(POLICY.read_bytes()),
                  "json-array": lambda real: _bytes(b"[]"),
                  "json-number": lambda real: _bytes(b"1e999")},
    "snapshot": {**COMMON,
                 "a-state-instead": lambda real: _bytes(STATE.read_bytes()),
                 "a-policy-instead": lambda real: _bytes(POLICY.read_bytes()),
                 "json-null": lambda real: _bytes(b"null"),
                 "schema-version-true": _from_real(lambda raw: raw.replace(b'"schema_version": 1', b'"schema_version": true'))},
    "policy": {**COMMON,
               "a-snapshot-instead": lambda real: _bytes(BEFORE.read_bytes()),
               "a-state-instead": lambda real: _bytes(STATE.read_bytes()),
               "yaml-nested-10000": lambda real: _bytes(b"zones: " + b"[" * 10_000 + b"]" * 10_000)},
}

HOSTILE["aws-dump"] = {name: maker for name, maker in COMMON.items()
                       if name not in ("missing", "symlink-loop", "dangling-symlink")}
HOSTILE["aws-dump"]["a-state-instead"] = lambda real: _bytes(STATE.read_bytes())

AWS_DUMP = (b'{"Vpcs": [{"VpcId": "vpc-0dump", "CidrBlock": "10.42.0.0/16", "OwnerId": "123456789012", '
            b'"IsDefault": false, "State": "available", "Tags": [{"Key": "Zone", "Value": "app"}]}]}')
REAL = {"terraform": STATE.read_bytes(), "snapshot": BEFORE.read_bytes(), "policy": POLICY.read_bytes(),
        "aws-dump": AWS_DUMP}
"""The good file each hostile one is made from (for a dump: a one-family describe-vpcs response)."""


def commands(kind: str, path: Path, out: Path) -> list[tuple[str, ...]]:
    """One command line per hostile file (each run costs an interpreter start)."""
    if kind == "terraform":
        return [("check", "--policy", str(POLICY), "--terraform", str(path), "--terraform", str(TF_DATA / "app.tfstate"),
                 "--format", "json")]
    if kind == "snapshot":
        return [("collect", "--snapshot", str(path), "-o", str(out))]
    if kind == "aws-dump":
        return [("collect", "--aws-dump", str(path.parent), "-o", str(out.parent.parent / f"{path.parent.name}.json"))]
    return [("check", "--policy", str(path), "--snapshot", str(BEFORE), "--format", "sarif")]


def _run(args: tuple[str, ...], memory_limit: Optional[int] = None) -> Run | str:
    env = {k: v for k, v in os.environ.items() if k != "ZONECHECK_DEBUG"}

    def limit() -> None:  # pragma: no cover - runs in the child
        if memory_limit:
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-m", "zonecheck.cli.main", *args], capture_output=True, env=env,
                              timeout=SUBPROCESS_TIMEOUT, preexec_fn=limit if memory_limit else None)
    except subprocess.TimeoutExpired:
        return f"zonecheck {' '.join(args)} hung for {SUBPROCESS_TIMEOUT:.0f}s"
    return Run(args, done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"),
               time.monotonic() - started)


def _cases(tmp: Path) -> list[tuple[str, str, tuple[str, ...]]]:
    cases = []
    for kind, makers in HOSTILE.items():
        for name, maker in makers.items():
            folder = tmp / kind / name
            folder.mkdir(parents=True)
            if kind == "aws-dump":
                folder = folder / f"hostile-{name}.d"
                folder.mkdir()
            path = maker(REAL[kind])(folder, f"hostile-{name}.{'yaml' if kind == 'policy' else 'json'}")
            for args in commands(kind, path, folder / "out.json"):
                cases.append((kind, name, args))
    return cases


IN_A_REAL_PROCESS = {"truncated-half", "nested-100000", "yaml-nested-10000", "binary-garbage"}
"""Also run as a real process: deep nesting could overflow the C stack (a crash no in-process run can show),
and a truncated file is the most common broken input.  Every case runs in-process through the click entry."""


def _in_process(args: tuple[str, ...]) -> Run | str:
    return run_in_process(*args)


@pytest.fixture(scope="module")
def hostile_runs(tmp_path_factory) -> list[tuple[str, str, tuple[str, ...], Run | str]]:
    tmp = tmp_path_factory.mktemp("hostile")
    cases = _cases(tmp)
    runs = [(*case, _in_process(case[2])) for case in cases]
    real = [case for case in cases if case[1] in IN_A_REAL_PROCESS]
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs += [(kind, f"{name} (real process)", args, run)
                 for (kind, name, args), run in zip(real, pool.map(lambda case: _run(case[2]), real), strict=True)]
    return runs


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_every_hostile_file_gives_exit_2_and_one_line_naming_it(hostile_runs, kind: str) -> None:
    """Each of these inputs is unusable: exit 2, one `zonecheck: error:` line naming the file, no traceback."""
    problems = []
    for run_kind, name, args, run in hostile_runs:
        if run_kind != kind:
            continue
        if isinstance(run, str):
            problems.append(f"{name}: {run}")
            continue
        hostile = next(a for a in inputs_of(args) if "hostile-" in a)
        try:
            assert_contract(run, [hostile])  # for a dump, the directory or the file in it
            assert run.exit_code == 2, f"an unusable file was accepted (exit {run.exit_code})"
            assert hostile in error_line(run), "the line names another file than the broken one"
        except AssertionError as err:
            problems.append(f"{name}: {err}\n{run.describe()}")
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("option", ["--policy", "--snapshot", "--terraform"])
def test_a_directory_where_a_file_is_expected_gives_one_line_naming_it(tmp_path: Path, option: str) -> None:
    folder = tmp_path / "states.d"
    folder.mkdir()
    args = {"--policy": ("check", "--policy", str(folder), "--snapshot", str(BEFORE)),
            "--snapshot": ("check", "--policy", str(POLICY), "--snapshot", str(folder)),
            "--terraform": ("collect", "--terraform", str(folder), "-o", str(tmp_path / "out.json"))}[option]
    run = _run(args)
    assert not isinstance(run, str), run
    assert_contract(run, [folder])
    assert run.exit_code == 2 and str(folder) in error_line(run)


def test_a_file_name_with_a_line_break_and_an_escape_still_gives_one_line(tmp_path: Path) -> None:
    path = tmp_path / "evil\nname\x1b[31m.json"
    path.write_bytes(b"{")
    run = _run(("check", "--policy", str(POLICY), "--snapshot", str(path)))
    assert not isinstance(run, str), run
    line = error_line(run)
    assert run.exit_code == 2 and line.startswith("zonecheck: error: ") and "\x1b" not in line
    assert "evil" in line and "name" in line


@pytest.mark.parametrize("kind", ["terraform", "snapshot"])
def test_an_endless_device_instead_of_a_file_ends_in_one_line_not_a_killed_process(kind: str) -> None:
    """/dev/zero never ends: under a 1 GiB address-space limit the read must end as exit 2, named, not a crash."""
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    args = (("collect", "--terraform", "/dev/zero", "-o", os.devnull) if kind == "terraform"
            else ("check", "--policy", str(POLICY), "--snapshot", "/dev/zero"))
    run = _run(args, memory_limit=1024 ** 3)
    assert not isinstance(run, str), run
    assert_contract(run, ["/dev/zero"])
    assert run.exit_code == 2


def test_a_deeply_nested_describe_response_is_a_collect_error_naming_the_file(tmp_path: Path) -> None:
    from zonecheck.collect.aws import load_aws_dump
    from zonecheck.collect.errors import CollectError

    dump = tmp_path / "dump"
    dump.mkdir()
    (dump / "describe-vpcs.json").write_text('{"Vpcs": ' + deep_nesting(10_000) + "}")
    with pytest.raises(CollectError) as caught:
        load_aws_dump(dump)
    assert "describe-vpcs.json" in str(caught.value)


@pytest.mark.parametrize("name", ["empty", "truncated-half", "nested-100000", "not-utf8", "binary-garbage"])
@pytest.mark.parametrize("side", ["--before", "--after"])
def test_diff_names_the_broken_side_and_file_in_one_line(tmp_path: Path, name: str, side: str) -> None:
    hostile = HOSTILE["snapshot"][name](REAL["snapshot"])(tmp_path, f"hostile-{name}.json")
    other = next(p for p in SNAPSHOTS if p.name.startswith("after"))
    args = ["diff", "--policy", POLICY, "--before", hostile if side == "--before" else other,
            "--after", hostile if side == "--after" else other]
    run = run_in_process(*args)
    assert_contract(run, [hostile])
    assert run.exit_code == 2 and str(hostile) in error_line(run)


@pytest.mark.parametrize("loader", ["terraform", "snapshot", "policy"])
def test_every_python_loader_names_a_directory_given_as_a_file(tmp_path: Path, loader: str) -> None:
    from zonecheck.collect.errors import CollectError
    from zonecheck.collect.terraform import load_terraform
    from zonecheck.model import SnapshotError, load
    from zonecheck.policy import PolicyError, load_policy

    folder = tmp_path / "a-directory.json"
    folder.mkdir()
    calls = {"terraform": (lambda: load_terraform([folder]), CollectError),
             "snapshot": (lambda: load(folder), SnapshotError),
             "policy": (lambda: load_policy(folder), PolicyError)}
    call, error = calls[loader]
    with pytest.raises(error) as caught:
        call()
    assert str(caught.value).startswith(str(folder)) and "\n" not in str(caught.value)
