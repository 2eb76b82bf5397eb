"""Issue 8: adding unrelated VPCs changes no verdict and no witness.

The policy is scoped to the first ten VPCs (block 0 of the synthetic estates).  The estates of 10, 20 and 30
VPCs hold those ten record for record (test_synthetic.py shows it), so every assertion must come out the same
on each of them: the same verdict, the same reasons, and the same witnesses, as the JSON report writes them.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass

import pytest

from topology.synthetic import generate, policy_text, vpc_id
from zonecheck.cli.run import run_check
from zonecheck.engine.results import AssertionResult
from zonecheck.policy import Policy, parse_policy_text

FIRST_TEN = tuple(vpc_id(k) for k in range(10))
ORIGIN = "block0.yaml"
THIRTY_IF_TWENTY_UNDER = 12.0
"""Seconds: the 30-VPC check runs only when the 20-VPC one took less (or with ZONECHECK_SLOW=1), so that this
file stays well under a minute on a small machine."""


@dataclass(frozen=True)
class Checked:
    results: dict[str, AssertionResult]
    seconds: float
    """How long the check took (the estate's generation left out)."""


def check(policy: Policy, vpcs: int) -> Checked:
    snapshot, _ = generate("S", seed=0, vpcs=vpcs)
    assert len(snapshot.vpcs) == vpcs
    started = time.perf_counter()
    result = run_check(policy, snapshot, ORIGIN)
    return Checked({a.name: a for a in result.assertions}, time.perf_counter() - started)


def outcome(result: AssertionResult) -> dict[str, object]:
    """What a reader of the report learns of one assertion; witnesses as a set (order is presentation)."""
    return {
        "result": result.result,
        "reasons": result.reasons,
        "witnesses": sorted(json.dumps(w.as_dict(), sort_keys=True) for w in result.witnesses),
        "witnesses not shown": result.truncated,
    }


def differences(small: Checked, large: Checked) -> dict[str, tuple[dict[str, object], dict[str, object]]]:
    """Assertion name -> (outcome on the small estate, outcome on the large one), where they differ."""
    assert small.results.keys() == large.results.keys()
    return {name: (outcome(small.results[name]), outcome(large.results[name]))
            for name in small.results if outcome(small.results[name]) != outcome(large.results[name])}


@pytest.fixture(scope="module")
def block0_policy() -> Policy:
    return parse_policy_text(policy_text(vpc_ids=FIRST_TEN), ORIGIN)


@pytest.fixture(scope="module")
def ten(block0_policy: Policy) -> Checked:
    return check(block0_policy, 10)


@pytest.fixture(scope="module")
def twenty(block0_policy: Policy) -> Checked:
    return check(block0_policy, 20)


def test_the_block0_policy_has_every_kind_of_assertion_and_both_verdicts(ten: Checked) -> None:
    """Without this, the comparisons below could hold because nothing is asserted or nothing is found."""
    assert {a.expect_kind for a in ten.results.values()} == {"no-access", "only", "access"}
    verdicts = {a.result for a in ten.results.values()}
    assert {"pass", "fail"} <= verdicts
    assert all(a.witnesses for a in ten.results.values() if a.result == "fail")
    assert {a.expect_kind for a in ten.results.values() if a.result == "fail"} >= {"no-access", "only"}


def test_ten_unrelated_vpcs_change_no_verdict(ten: Checked, twenty: Checked) -> None:
    assert {n: a.result for n, a in twenty.results.items()} == {n: a.result for n, a in ten.results.items()}


def test_ten_unrelated_vpcs_change_no_witness(ten: Checked, twenty: Checked) -> None:
    assert differences(ten, twenty) == {}


def test_twenty_unrelated_vpcs_change_no_verdict_and_no_witness(ten: Checked, twenty: Checked,
                                                                 block0_policy: Policy) -> None:
    if twenty.seconds >= THIRTY_IF_TWENTY_UNDER and not os.environ.get("ZONECHECK_SLOW"):
        pytest.skip(f"the 20-VPC check took {twenty.seconds:.0f} s; the 30-VPC one runs with ZONECHECK_SLOW=1")
    thirty = check(block0_policy, 30)
    assert {n: a.result for n, a in thirty.results.items()} == {n: a.result for n, a in ten.results.items()}
    assert differences(ten, thirty) == {}
