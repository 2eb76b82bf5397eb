"""Replays the permanent cases in tests/oracle/regressions/ (one JSON file each).

Every case pins two things:

* the oracle's outcome for the case's packet (`expected_delivered`): never xfail, so the simulator cannot
  drift silently;
* the engine's agreement with the oracle on the whole case (every differential property, known issues NOT
  tolerated).  Cases where the ENGINE is wrong carry `"xfail": "<reason>"` and are strict: when the engine is
  fixed they XPASS and fail, and the xfail mark (and the matching entry of KNOWN_ISSUES) must go.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.oracle.differential import REGRESSIONS, Checker, Disagreement, run_engine
from tests.oracle.simulator import Packet, deliver
from tests.oracle.strategies import PolicyAssertion
from zonecheck.model import from_json_text

CASES = sorted(REGRESSIONS.glob("*.json"))


def load(path: Path):  # type: ignore[no-untyped-def]
    data = json.loads(path.read_text())
    snapshot = from_json_text(json.dumps(data["snapshot"]), str(path))
    assertions = [PolicyAssertion(a["source"], a["target"], a["kind"], tuple(a["services"])) for a in data["assertions"]]
    packet = Packet.from_dict(data["packet"]) if data.get("packet") else None
    return data, snapshot, assertions, packet


def engine_param(path: Path):  # type: ignore[no-untyped-def]
    reason = json.loads(path.read_text()).get("xfail")
    marks = [pytest.mark.xfail(strict=True, raises=Disagreement, reason=reason)] if reason else []
    return pytest.param(path, marks=marks, id=path.stem)


def test_there_are_regression_cases():
    assert CASES, f"no regression cases in {REGRESSIONS}"


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_oracle_outcome_is_pinned(path: Path):
    data, snapshot, _assertions, packet = load(path)
    if packet is None:
        pytest.skip("case without a packet")
    outcome = deliver(snapshot, packet)
    assert outcome.delivered == data["expected_delivered"], f"{packet.describe()}: {outcome}"


@pytest.mark.parametrize("path", [engine_param(p) for p in CASES])
def test_engine_agrees_with_the_oracle(path: Path):
    data, snapshot, assertions, _packet = load(path)
    checker = Checker(snapshot, data["zones"], data["policy"], tolerate_known=False)
    checker.check(assertions)
    if data.get("check") == "no-self-witness":
        for got in run_engine(snapshot, data["policy"]).assertions:
            for w in got.witnesses:
                if w.certain and Checker.self_only(w):
                    raise Disagreement("e-self-witness", got.name, f"certain self-flow witness {w.as_dict()}",
                                       None, None)
