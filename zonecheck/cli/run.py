"""The check itself, as a function the commands (check, explain, demo) share."""

from __future__ import annotations

from typing import Optional

from zonecheck.engine.check import Expectation, check_result, evaluate
from zonecheck.engine.estate import Estate
from zonecheck.engine.results import AssertionResult, CheckResult
from zonecheck.model import PortSpec, Snapshot
from zonecheck.policy import Policy, resolve_zones
from zonecheck.runtime import cyclic_gc_paused


def expectation_of(assertion) -> Expectation:  # type: ignore[no-untyped-def]
    expect = assertion.expect
    kind = expect if isinstance(expect, str) else expect.kind
    if kind == "no-access":
        return Expectation("no-access", (), "no-access")
    services = tuple(PortSpec(protocol=s.protocol, from_port=s.from_port, to_port=s.to_port)
                     for s in (expect.only if kind == "only" else expect.access))
    return Expectation(kind, services, expect.label())


def run_check(policy: Policy, snapshot: Snapshot, policy_origin: str, *, strict: bool = False,
              only_assertion: Optional[str] = None, explain: bool = False) -> CheckResult:
    with cyclic_gc_paused():
        # In a function of its own: its estate and zones are freed (by reference counting) when it returns, before
        # the collector resumes; otherwise the collector's first pass would scan all of them, still alive here
        # (0.1 s on the synthetic estate M).
        return _run_check(policy, snapshot, policy_origin, strict=strict, only_assertion=only_assertion,
                          explain=explain)


def _run_check(policy: Policy, snapshot: Snapshot, policy_origin: str, *, strict: bool,
               only_assertion: Optional[str], explain: bool) -> CheckResult:
    zones = resolve_zones(policy, snapshot, policy_origin)
    estate = Estate(snapshot)
    results: list[AssertionResult] = []
    for assertion in policy.assertions:
        if only_assertion is not None and assertion.name != only_assertion:
            continue
        results.append(evaluate(
            estate, name=assertion.name, source=zones[assertion.from_], target=zones[assertion.to],
            expectation=expectation_of(assertion), controls=assertion.controls,
            description=assertion.description, strict=strict, explain=explain,
        ))
    return check_result(results, snapshot, strict, policy_origin)
