"""SARIF 2.1.0 for code-scanning dashboards: one rule per assertion, one result per witness.

Failing witnesses are `error`, possible ones (`unknown`) are `warning`; passing assertions produce no
result.  Locations point at the policy file (where the assertion is written) and, as logical locations, at
every resource on the witness's path, so a reviewer sees which rule opened the flow.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from zonecheck import __version__
from zonecheck.engine.results import AssertionResult, CheckResult, Witness
from zonecheck.report.json_report import dumps_indented

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _witness_text(assertion: AssertionResult, witness: Witness) -> str:
    hops = " -> ".join(f"{h.step} {h.at} ({h.rule})" for h in witness.path)
    head = f"{assertion.name}: {witness.source.id} ({witness.source.address}) -> {witness.target.id} " \
           f"({witness.target.address}) {witness.service()}"
    if witness.dropped_at is not None:
        return f"{head} is not delivered: dropped at {witness.dropped_at.step} {witness.dropped_at.at} " \
               f"({witness.dropped_at.rule})"
    return f"{head} is delivered" + (" possibly" if not witness.certain else "") + (f" via {hops}" if hops else "")


def _fingerprint(assertion: AssertionResult, witness: Witness) -> str:
    key = json.dumps([assertion.name, witness.as_dict()], sort_keys=True)
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _rule(assertion: AssertionResult) -> dict[str, Any]:
    text = f"{assertion.from_zone} -> {assertion.to_zone}: expect {assertion.expect}"
    return {
        "id": assertion.name,
        "name": assertion.name,
        "shortDescription": {"text": text},
        "fullDescription": {"text": assertion.description or text},
        "help": {"text": f"Zone isolation assertion. Controls: {', '.join(assertion.controls) or 'none'}."},
        "properties": {"tags": list(assertion.controls)},
    }


def render_sarif(result: CheckResult) -> str:
    policy_uri = result.policy or "zones.yaml"
    results: list[dict[str, Any]] = []
    for assertion in result.assertions:
        if assertion.result == "pass":
            continue
        level = "error" if assertion.result == "fail" else "warning"
        witnesses = assertion.witnesses or ()
        if not witnesses:
            results.append({
                "ruleId": assertion.name, "level": level,
                "message": {"text": f"{assertion.name}: {assertion.result}: " + "; ".join(assertion.reasons)},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": policy_uri}}}],
            })
        for witness in witnesses:
            results.append({
                "ruleId": assertion.name,
                "level": level if witness.certain else "warning",
                "message": {"text": _witness_text(assertion, witness)},
                "locations": [{
                    "physicalLocation": {"artifactLocation": {"uri": policy_uri}},
                    "logicalLocations": [{"name": h.at, "kind": "resource", "fullyQualifiedName": f"{h.step}/{h.at}"}
                                         for h in witness.path],
                }],
                "partialFingerprints": {"zonecheckWitness/v1": _fingerprint(assertion, witness)},
            })
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "zonecheck", "version": __version__,
                                "informationUri": "https://pypi.org/project/zonecheck-aws/",
                                "rules": [_rule(a) for a in result.assertions]}},
            "results": results,
            "properties": {"result": result.result, "assumptions": list(result.assumptions),
                           "source": {"kind": result.source.kind, "sha256": result.source.sha256}},
        }],
    }
    return dumps_indented(doc) + "\n"
