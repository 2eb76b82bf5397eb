"""Every report format renders the same verdicts: SARIF for code scanning, JUnit for CI, Markdown, HTML."""

import json
from xml.etree import ElementTree as ET

import pytest

from topology import npm2015
from zonecheck.cli.run import run_check
from zonecheck.policy import parse_policy_text
from zonecheck.report import render_html, render_junit, render_markdown, render_sarif


@pytest.fixture(scope="module")
def before():
    return run_check(parse_policy_text(npm2015.policy_text(), "examples/npm2015/zones.yaml"), npm2015.before(),
                     "examples/npm2015/zones.yaml")


def test_sarif_has_a_rule_per_assertion_and_an_error_per_failing_witness(before):
    doc = json.loads(render_sarif(before))
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == {a.name for a in before.assertions}
    failing = next(a for a in before.assertions if a.result == "fail")
    errors = [r for r in run["results"] if r["ruleId"] == failing.name]
    assert len(errors) == len(failing.witnesses) and all(r["level"] == "error" for r in errors)
    assert errors[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "examples/npm2015/zones.yaml"
    assert "sg-0privatedb" in {loc["name"] for r in errors for loc in r["locations"][0]["logicalLocations"]}
    assert len({r["partialFingerprints"]["zonecheckWitness/v1"] for r in errors}) == len(errors)


def test_junit_marks_failures_and_passes(before):
    suite = ET.fromstring(render_junit(before))
    assert suite.get("tests") == str(len(before.assertions)) and suite.get("failures") == "1"
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert cases["replica-cannot-reach-private-db"].find("failure") is not None
    assert cases["internet-cannot-reach-private-db"].find("failure") is None


def test_markdown_summarises_and_details_the_failure(before):
    text = render_markdown(before)
    assert text.startswith("# zonecheck report: FAIL")
    assert "| ❌ FAIL | replica-cannot-reach-private-db |" in text
    assert "ingress tcp 5984 from 10.0.0.0/16" in text


def test_html_is_self_contained_and_escapes_input(before):
    html = render_html(before)
    assert html.startswith("<!DOCTYPE html>") and "replica-cannot-reach-private-db" in html
    assert "<script" not in html
    evil = before.__class__(**{**before.__dict__, "policy": "<script>alert(1)</script>"})
    assert "<script>alert" not in render_html(evil)
