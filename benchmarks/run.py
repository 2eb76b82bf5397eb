"""Benchmark zonecheck on the synthetic estates S, M and L (topology/synthetic.py): prints figures.

    python benchmarks/run.py                      # S M L, 600 s per phase
    python benchmarks/run.py --sizes S M --json   # machine-readable
    python benchmarks/run.py --sizes M --profile  # + cProfile of the engine (top functions)

Per size, each phase runs in its own child process (so a phase that runs too long is killed after
`--timeout` seconds and recorded as "timeout", and the script always finishes; and so each phase's peak
RSS is its own):

  generate     topology.synthetic.generate(size, seed) — then to_json() and the write, timed apart
  json.load    json.load of the snapshot file alone: the floor any loader pays (orjson.loads too, if installed)
  model        zonecheck.model.load(path) (json + validation), Snapshot.model_validate_json(bytes), and
               orjson.loads + Snapshot.model_validate when orjson is installed
  engine       zonecheck.cli.run.run_check(policy, snapshot, origin) for every assertion (snapshot and policy
               loaded beforehand, untimed); with --per-assertion also resolve_zones/Estate/each assertion
  check        `python -m zonecheck.cli.main check --snapshot F --policy F --format json -o /dev/null` as a
               subprocess, the package byte-compiled first as an install would have it: the best wall time of
               5 (S), 3 (M) or 2 (L) runs, minus the interpreter start (`python -c pass`, best of 5), and its
               peak RSS (os.wait4)

Ratios: check / json.load (how far above the floor the whole command is) and L / M for every figure.
Files go to a temporary directory, or --workdir (kept). Timing is time.perf_counter; this is not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parents[1]
POLICY_ORIGIN = "synthetic.yaml"


# --------------------------------------------------------------------------------------------- phases (child side)


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_generate(size: str, seed: int, workdir: Path) -> dict[str, Any]:
    import yaml

    from topology.synthetic import generate
    from zonecheck.model import to_json

    t0 = time.perf_counter()
    snapshot, policy = generate(size, seed)  # type: ignore[arg-type]
    t1 = time.perf_counter()
    text = to_json(snapshot)
    t2 = time.perf_counter()
    snap_file, policy_file = _files(workdir, size, seed)
    snap_file.write_text(text, encoding="utf-8")
    policy_file.write_text(policy, encoding="utf-8")
    t3 = time.perf_counter()
    return {
        "generate_s": t1 - t0, "to_json_s": t2 - t1, "write_s": t3 - t2,
        "snapshot_bytes": snap_file.stat().st_size,
        "counts": {"vpcs": len(snapshot.vpcs), "subnets": len(snapshot.subnets),
                   "security_groups": len(snapshot.security_groups),
                   "sg_rules": sum(len(g.ingress) + len(g.egress) for g in snapshot.security_groups),
                   "endpoints": len(snapshot.endpoints), "network_acls": len(snapshot.network_acls),
                   "route_tables": len(snapshot.route_tables),
                   "assertions": len(yaml.safe_load(policy)["assertions"])},
        "peak_rss_mb": _peak_rss_mb(),
    }


def phase_json(size: str, seed: int, workdir: Path) -> dict[str, Any]:
    snap_file, _ = _files(workdir, size, seed)
    t0 = time.perf_counter()
    with snap_file.open("rb") as handle:
        json.load(handle)
    out: dict[str, Any] = {"json_load_s": time.perf_counter() - t0}
    try:
        import orjson
    except ImportError:
        out["orjson_loads_s"] = None
    else:
        t0 = time.perf_counter()
        orjson.loads(snap_file.read_bytes())
        out["orjson_loads_s"] = time.perf_counter() - t0
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


def phase_model(size: str, seed: int, workdir: Path) -> dict[str, Any]:
    from zonecheck.model import Snapshot, load

    snap_file, _ = _files(workdir, size, seed)
    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    first = load(snap_file)
    out["model_load_s"] = time.perf_counter() - t0
    raw = snap_file.read_bytes()
    t0 = time.perf_counter()
    second = Snapshot.model_validate_json(raw)
    out["model_validate_json_s"] = time.perf_counter() - t0
    out["model_validate_json_equal"] = second == first
    del second
    try:
        import orjson
    except ImportError:
        out["orjson_model_validate_s"] = None
    else:
        t0 = time.perf_counter()
        third = Snapshot.model_validate(orjson.loads(raw))
        out["orjson_model_validate_s"] = time.perf_counter() - t0
        out["orjson_model_validate_equal"] = third == first
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


def phase_engine(size: str, seed: int, workdir: Path, *, profile: bool = False, per_assertion: bool = False,
                 top: int = 30) -> dict[str, Any]:
    import gc

    from zonecheck.cli.run import run_check
    from zonecheck.model import load
    from zonecheck.policy import parse_policy_text
    from zonecheck.runtime import cyclic_gc_paused

    snap_file, policy_file = _files(workdir, size, seed)
    # Read as `zonecheck check` reads it (cli/sources.py): collector paused, then what was read frozen, so that
    # the engine's figure does not include a collection scanning the snapshot's millions of objects.
    gc.collect()
    with cyclic_gc_paused():
        snapshot = load(snap_file)
        gc.freeze()
    policy = parse_policy_text(policy_file.read_text(encoding="utf-8"), POLICY_ORIGIN)
    out: dict[str, Any] = {}
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    t0, c0 = time.perf_counter(), time.process_time()
    result = run_check(policy, snapshot, POLICY_ORIGIN)
    out["engine_s"], out["engine_cpu_s"] = time.perf_counter() - t0, time.process_time() - c0
    if profiler is not None:
        profiler.disable()
        out["profile"] = _profile_text(profiler, top)
    verdicts: dict[str, int] = {}
    for assertion in result.assertions:
        verdicts[assertion.result] = verdicts.get(assertion.result, 0) + 1
    out["verdicts"] = verdicts
    out["results"] = {a.name: a.result for a in result.assertions}
    if per_assertion:
        out["detail"] = _engine_detail(policy, snapshot)
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


def _engine_detail(policy: Any, snapshot: Any) -> dict[str, Any]:
    """The steps of run_check timed one by one (mirrors zonecheck.cli.run.run_check)."""
    try:
        from zonecheck.cli.run import expectation_of
        from zonecheck.engine.check import evaluate
        from zonecheck.engine.estate import Estate
        from zonecheck.policy import resolve_zones
    except ImportError as err:  # the engine's internals moved: say so, keep the other figures
        return {"error": f"cannot time the steps: {err}"}
    detail: dict[str, Any] = {}
    t0 = time.perf_counter()
    zones = resolve_zones(policy, snapshot, POLICY_ORIGIN)
    detail["resolve_zones_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    estate = Estate(snapshot)
    detail["estate_index_s"] = time.perf_counter() - t0
    per: dict[str, float] = {}
    for assertion in policy.assertions:
        t0 = time.perf_counter()
        evaluate(estate, name=assertion.name, source=zones[assertion.from_], target=zones[assertion.to],
                 expectation=expectation_of(assertion), controls=assertion.controls, description=assertion.description)
        per[assertion.name] = time.perf_counter() - t0
    detail["assertions_s"] = per
    return detail


def _profile_text(profiler: Any, top: int) -> str:
    import io
    import pstats

    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.strip_dirs().sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return buffer.getvalue()


PHASES = {"generate": phase_generate, "json": phase_json, "model": phase_model, "engine": phase_engine}


def _files(workdir: Path, size: str, seed: int) -> tuple[Path, Path]:
    return workdir / f"synthetic-{size}-{seed}.snapshot.json", workdir / f"synthetic-{size}-{seed}.zones.yaml"


# --------------------------------------------------------------------------------------------- parent side


@dataclass
class Waited:
    code: Optional[int]
    wall_s: float
    cpu_s: float
    """User + system CPU of the child: less sensitive than wall time to other load on the machine."""
    peak_rss_mb: float
    timed_out: bool


def _wait(proc: subprocess.Popen, timeout: float) -> Waited:
    """Wait for one child (polling os.wait4, which gives that child's own resource usage); kill it on timeout."""
    start = time.perf_counter()
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        elapsed = time.perf_counter() - start
        timed_out = pid != proc.pid and elapsed > timeout
        if timed_out:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
        if pid == proc.pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return Waited(None if timed_out else proc.returncode, elapsed, usage.ru_utime + usage.ru_stime,
                          usage.ru_maxrss / 1024, timed_out)
        time.sleep(0.002 if elapsed < 1 else 0.05)


def run_phase(name: str, size: str, seed: int, workdir: Path, timeout: float, extra: list[str]) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--phase", name, "--sizes", size, "--seed", str(seed),
           "--workdir", str(workdir), *extra]
    result_file = workdir / f".phase-{name}-{size}.json"
    result_file.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a chatty child cannot block on it
        proc = subprocess.Popen(cmd + ["--result-file", str(result_file)], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=errors)
        done = _wait(proc, timeout)
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
    if done.timed_out:
        return {"status": "timeout", "wall_s": done.wall_s, "cpu_s": done.cpu_s, "peak_rss_mb": done.peak_rss_mb}
    if done.code != 0 or not result_file.exists():
        return {"status": "error", "wall_s": done.wall_s,
                "error": stderr.strip().splitlines()[-1:] or [f"exit {done.code}"]}
    out = json.loads(result_file.read_text())
    result_file.unlink()
    out["status"] = "ok"
    return out


def reference_loop(repeat: int = 3) -> float:
    """Seconds for a plain Python loop of 10**7 additions (best of 3): how fast this machine runs Python right now.
    On a shared virtual machine it moves by 2x within minutes; every figure here moves with it."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        total = 0
        for i in range(10**7):
            total += i
        best = min(best, time.perf_counter() - t0)
    return best


def interpreter_start(repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        best = min(best, time.perf_counter() - t0)
    return best


def zonecheck_command() -> list[str]:
    """The command as the console script runs it, with the interpreter `interpreter_start` timed (a version
    manager's shim in front of `zonecheck` would add its own start-up, which is not zonecheck's)."""
    return [sys.executable, "-m", "zonecheck.cli.main"]


def compile_package() -> None:
    """Byte-compile zonecheck as `pip install` does: with PYTHONDONTWRITEBYTECODE set (as on this project's CI
    machine) an editable checkout would otherwise compile every module on every run."""
    import compileall

    import zonecheck

    compileall.compile_dir(str(Path(zonecheck.__file__).parent), quiet=1)


CHECK_RUNS = {"S": 5, "M": 3, "L": 2}
"""How many times `check` runs per size: the best run is reported (the others measure the machine's other load)."""


def run_cli(size: str, seed: int, workdir: Path, timeout: float, start: float) -> dict[str, Any]:
    snap_file, policy_file = _files(workdir, size, seed)
    cmd = zonecheck_command() + ["check", "--snapshot", str(snap_file), "--policy", str(policy_file),
                                 "--format", "json", "-o", os.devnull]
    best: Optional[dict[str, Any]] = None
    walls: list[float] = []
    for _ in range(CHECK_RUNS.get(size, 1)):
        with tempfile.TemporaryFile() as errors:
            proc = subprocess.Popen(cmd, cwd=workdir, stdout=subprocess.DEVNULL, stderr=errors)
            done = _wait(proc, timeout)
            errors.seek(0)
            stderr = errors.read().decode(errors="replace").strip()
        if done.timed_out:
            return {"status": "timeout", "wall_s": done.wall_s, "cpu_s": done.cpu_s, "peak_rss_mb": done.peak_rss_mb}
        ok = done.code in (0, 1, 3)  # pass, fail, unknown: a verdict; 2 is bad input
        run = {"status": "ok" if ok else "error", "exit_code": done.code, "wall_s": done.wall_s,
               "minus_start_s": done.wall_s - start, "cpu_s": done.cpu_s, "peak_rss_mb": done.peak_rss_mb,
               **({} if ok else {"stderr": stderr[-300:]})}
        if not ok:
            return run
        walls.append(done.wall_s)
        if best is None or done.wall_s < best["wall_s"]:
            best = run
    assert best is not None
    return {**best, "runs": len(walls), "wall_all_s": walls}


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    versions: dict[str, Optional[str]] = {}
    for module in ("zonecheck", "pydantic", "orjson"):
        try:
            versions[module] = __import__(module).__version__
        except (ImportError, AttributeError):
            versions[module] = None
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": ram_gb, "load_average": os.getloadavg(),
            "python": platform.python_version(),
            "implementation": platform.python_implementation(), "platform": platform.platform(), **versions}


def bench_size(size: str, seed: int, workdir: Path, timeout: float, start: float, *, profile: bool,
               per_assertion: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"size": size}
    out["generate"] = run_phase("generate", size, seed, workdir, timeout, [])
    if out["generate"]["status"] != "ok":
        return out
    out["json"] = run_phase("json", size, seed, workdir, timeout, [])
    out["model"] = run_phase("model", size, seed, workdir, timeout, [])
    extra = (["--profile"] if profile else []) + (["--per-assertion"] if per_assertion else [])
    out["engine"] = run_phase("engine", size, seed, workdir, timeout, extra)
    out["check"] = run_cli(size, seed, workdir, timeout, start)
    floor, check = out["json"].get("json_load_s"), out["check"].get("minus_start_s")
    out["check_over_json_load"] = check / floor if floor and check is not None else None
    return out


# --------------------------------------------------------------------------------------------- report


FIGURES = (
    ("generate", "generate_s", "generate (s)"),
    ("generate", "to_json_s", "to_json (s)"),
    ("generate", "snapshot_bytes", "snapshot (MB)"),
    ("json", "json_load_s", "json.load (s)"),
    ("json", "orjson_loads_s", "orjson.loads (s)"),
    ("model", "model_load_s", "model.load (s)"),
    ("model", "model_validate_json_s", "model_validate_json (s)"),
    ("model", "orjson_model_validate_s", "orjson+model_validate (s)"),
    ("model", "peak_rss_mb", "model peak RSS (MB)"),
    ("engine", "engine_s", "engine, all assertions (s)"),
    ("engine", "engine_cpu_s", "  engine CPU (s)"),
    ("engine", "peak_rss_mb", "engine peak RSS (MB)"),
    ("check", "wall_s", "zonecheck check wall, best run (s)"),
    ("check", "minus_start_s", "  minus interpreter start (s)"),
    ("check", "cpu_s", "  CPU user+sys (s)"),
    ("check", "peak_rss_mb", "zonecheck check peak RSS (MB)"),
)


def _figure(run: dict[str, Any], phase: str, key: str) -> Any:
    part = run.get(phase)
    if part is None:
        return None
    if part.get("status") == "timeout":
        # The peak RSS of a killed phase is a lower bound; other figures do not exist.
        return f">={part[key]:.0f}" if key == "peak_rss_mb" and part.get(key) is not None else "timeout"
    if part.get("status") == "error":
        return "error"
    value = part.get(key)
    if key == "snapshot_bytes" and isinstance(value, (int, float)):
        return value / 1e6
    return value


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return f"{value:.3f}" if value < 10 else f"{value:.1f}"
    return str(value)


WALL_CLOCK = {"engine_s", "wall_s", "minus_start_s"}
"""Figures for which a phase that timed out still gives a lower bound (the time it ran before the kill)."""


def ratios(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """L / M for every figure; when L timed out, a lower bound for wall times and "timeout" otherwise."""
    by_size = {r["size"]: r for r in runs}
    if "L" not in by_size or "M" not in by_size:
        return {}
    out: dict[str, Any] = {}
    for phase, key, label in FIGURES:
        big, mid = _figure(by_size["L"], phase, key), _figure(by_size["M"], phase, key)
        timed_out = by_size["L"].get(phase, {}).get("status") == "timeout"
        if timed_out and key in WALL_CLOCK and isinstance(mid, (int, float)) and mid:
            out[label.strip()] = f"> {by_size['L'][phase]['wall_s'] / mid:.1f} (L timed out)"
        elif timed_out:
            out[label.strip()] = "timeout"
        elif isinstance(big, (int, float)) and isinstance(mid, (int, float)) and mid:
            out[label.strip()] = big / mid
    return out


def print_report(info: dict[str, Any], start: float, runs: list[dict[str, Any]], timeout: float) -> None:
    print(f"machine: {info['cpu']}, {info['cores']} cores, {info['ram_gb']} GB RAM")
    print(f"python {info['python']} ({info['implementation']}) on {info['platform']}; zonecheck {info['zonecheck']}, "
          f"pydantic {info['pydantic']}, orjson {info['orjson'] or 'not installed'}")
    print(f"interpreter start (python -c pass, best of 5): {start:.3f} s; timeout per phase: {timeout:.0f} s")
    if info.get("reference_loop_s") is not None:
        end = info.get("reference_loop_end_s")
        print(f"reference loop (10**7 Python additions, best of 3): {info['reference_loop_s']:.2f} s at start"
              + (f", {end:.2f} s at end" if end is not None else "") + " — the machine's speed of the moment")
    load_start, load_end = info["load_average"], info.get("load_average_end") or os.getloadavg()
    print(f"load average (1/5/15 min) at start {' '.join(f'{x:.2f}' for x in load_start)}, "
          f"at end {' '.join(f'{x:.2f}' for x in load_end)} — wall times grow with other load; CPU times less so")
    print()
    for run in runs:
        counts = run.get("generate", {}).get("counts")
        if counts:
            print(f"{run['size']}: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()))
    print()
    sizes = [r["size"] for r in runs]
    width = max(len(label) for _, _, label in FIGURES) + 2
    print("".ljust(width) + "".join(s.rjust(12) for s in sizes))
    for phase, key, label in FIGURES:
        print(label.ljust(width) + "".join(_text(_figure(r, phase, key)).rjust(12) for r in runs))
    print("check / json.load".ljust(width) + "".join(_text(r.get("check_over_json_load")).rjust(12) for r in runs))
    for name, value in ratios(runs).items():
        print(f"L / M {name}: {_text(value)}")
    for run in runs:
        engine = run.get("engine", {})
        if engine.get("verdicts"):
            print(f"{run['size']} verdicts: {engine['verdicts']}")
        detail = engine.get("detail")
        if detail and "assertions_s" in detail:
            print(f"{run['size']} engine steps: resolve_zones {detail['resolve_zones_s']:.3f} s, "
                  f"Estate {detail['estate_index_s']:.3f} s; slowest assertions:")
            for name, seconds in sorted(detail["assertions_s"].items(), key=lambda kv: -kv[1])[:8]:
                print(f"    {seconds:9.3f} s  {name}")
        for phase in ("generate", "json", "model", "engine", "check"):
            part = run.get(phase, {})
            if part.get("status") == "error":
                print(f"{run['size']} {phase}: error: {part.get('error') or part.get('stderr')}")
        if engine.get("profile"):
            print(f"\n{run['size']} engine profile:\n{engine['profile']}")


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["S", "M", "L"], choices=["S", "M", "L"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=600, help="seconds per phase (default 600)")
    parser.add_argument("--workdir", type=Path, help="keep the files here (default: a temporary directory)")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of the table")
    parser.add_argument("--json-out", type=Path, help="also write the JSON document to this file")
    parser.add_argument("--from-json", type=Path, help="print the table of a JSON document written earlier")
    parser.add_argument("--profile", action="store_true", help="cProfile the engine phase (top functions)")
    parser.add_argument("--per-assertion", action="store_true", help="also time each assertion of the engine")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--result-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.phase:  # child process: one phase, result as JSON in a file
        kwargs = {"profile": args.profile, "per_assertion": args.per_assertion} if args.phase == "engine" else {}
        result = PHASES[args.phase](args.sizes[0], args.seed, args.workdir, **kwargs)
        args.result_file.write_text(json.dumps(result))
        return 0

    if args.from_json:
        saved = json.loads(args.from_json.read_text())
        saved["machine"]["load_average_end"] = saved.get("load_average_end")
        print_report(saved["machine"], saved["interpreter_start_s"], saved["runs"], saved["timeout_s"])
        return 0

    info = machine()
    info["reference_loop_s"] = reference_loop()
    compile_package()
    start = interpreter_start()
    with tempfile.TemporaryDirectory(prefix="zonecheck-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        runs = []
        for size in args.sizes:
            if not args.json:
                print(f"[{size}] running…", file=sys.stderr, flush=True)
            runs.append(bench_size(size, args.seed, workdir, args.timeout, start, profile=args.profile,
                                   per_assertion=args.per_assertion))
    info["reference_loop_end_s"] = reference_loop()
    document = json.dumps({"machine": info, "load_average_end": os.getloadavg(), "interpreter_start_s": start,
                           "timeout_s": args.timeout, "runs": runs, "ratios_L_over_M": ratios(runs)}, indent=1)
    if args.json_out:
        args.json_out.write_text(document + "\n")
    if args.json:
        print(document)
    else:
        print_report(info, start, runs, args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
