"""Helpers that let a test state a scenario in a few lines: an estate, a policy, and what must come out."""

from __future__ import annotations

import textwrap
from typing import Optional

from zonecheck.cli.run import run_check
from zonecheck.engine.results import AssertionResult, CheckResult, Witness
from zonecheck.model import Snapshot
from zonecheck.policy import parse_policy_text


def policy_yaml(zones: dict[str, str], assertions: list[tuple[str, str, str]]) -> str:
    """zones: name -> tag value of `Zone`; assertions: (from, to, expect as YAML flow text)."""
    lines = ["version: 1", "zones:"]
    for name, tag in zones.items():
        lines += [f"  {name}:", f"    match: [{{tags: {{Zone: {tag}}}}}]"]
    lines.append("assertions:")
    for i, (src, dst, expect) in enumerate(assertions):
        lines += [f"  - name: a{i}", f"    from: {src}", f"    to: {dst}", f"    expect: {expect}"]
    return "\n".join(lines) + "\n"


def check(snapshot: Snapshot, policy: str, *, strict: bool = False) -> CheckResult:
    return run_check(parse_policy_text(textwrap.dedent(policy), "test.yaml"), snapshot, "test.yaml", strict=strict)


def one(snapshot: Snapshot, src: str, dst: str, expect: str = "no-access", *, strict: bool = False,
        zones: Optional[dict[str, str]] = None) -> AssertionResult:
    """Decide a single assertion between zones named after their `Zone` tag."""
    names = zones or {z: z for z in (src, dst) if z not in ("internet", "on-premises")}
    result = check(snapshot, policy_yaml(names, [(src, dst, expect)]), strict=strict)
    return result.assertions[0]


def services(result: AssertionResult) -> set[str]:
    """The witnesses' services, e.g. {"tcp/5432", "icmp"}."""
    return {w.service() for w in result.witnesses}


def steps(witness: Witness) -> list[tuple[str, str]]:
    return [(h.step, h.at) for h in witness.path]


def rules(witness: Witness) -> list[str]:
    return [h.rule for h in witness.path]
