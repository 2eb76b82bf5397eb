"""The JSON report of SPEC §5: stable keys, sorted output, one document per run."""

from __future__ import annotations

import json
from typing import Any

import orjson

from zonecheck import __version__
from zonecheck.engine.results import AssertionResult, CheckResult


def assertion_to_dict(result: AssertionResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": result.name,
        "from": result.from_zone,
        "to": result.to_zone,
        "expect": result.expect,
        "result": result.result,
        "controls": list(result.controls),
        "witnesses": [w.as_dict() for w in result.witnesses],
    }
    if result.description:
        out["description"] = result.description
    if result.reasons:
        out["reasons"] = list(result.reasons)
    if result.notes:
        out["notes"] = list(result.notes)
    if result.truncated:
        out["witnesses_not_shown"] = result.truncated
    return out


def result_to_dict(result: CheckResult) -> dict[str, Any]:
    counts = {v: sum(1 for a in result.assertions if a.result == v) for v in ("pass", "fail", "unknown")}
    return {
        "result": result.result,
        "zonecheck_version": __version__,
        "source": {"kind": result.source.kind, "sha256": result.source.sha256, "files": list(result.source.files)},
        "strict": result.strict,
        "summary": counts,
        "assumptions": list(result.assumptions),
        "notes": list(result.notes),
        "assertions": [assertion_to_dict(a) for a in result.assertions],
    }


def dumps_indented(doc: Any) -> str:
    """`json.dumps(doc, indent=2, ensure_ascii=False)`, byte for byte, at orjson's speed (the standard library
    encodes indented output in pure Python: most of the time of writing a report).

    Reports hold strings, integers, booleans, null, lists and dicts with string keys, which both write alike
    (tests/cli/test_startup.py pins it); orjson writes some floats differently (`1e16`, not `1e+16`), so a float in a report
    would need another look. What orjson refuses (integers beyond 64 bits, lone surrogates, other key types)
    the standard library writes, as before.
    """
    try:
        return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode("utf-8")
    except orjson.JSONEncodeError:
        return json.dumps(doc, indent=2, ensure_ascii=False)


def render_json(result: CheckResult) -> str:
    return dumps_indented(result_to_dict(result)) + "\n"
