"""JUnit XML for CI test dashboards: a test case per assertion (fail = failure, unknown = error)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from zonecheck.engine.results import CheckResult
from zonecheck.report.text import render_assertion


def render_junit(result: CheckResult) -> str:
    counts = {v: sum(1 for a in result.assertions if a.result == v) for v in ("fail", "unknown")}
    suite = ET.Element("testsuite", {
        "name": "zonecheck", "tests": str(len(result.assertions)), "failures": str(counts["fail"]),
        "errors": str(counts["unknown"]), "skipped": "0",
    })
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", {"name": "source", "value": result.source.kind})
    ET.SubElement(properties, "property", {"name": "sha256", "value": result.source.sha256 or ""})
    for assertion in result.assertions:
        case = ET.SubElement(suite, "testcase", {
            "classname": f"zonecheck.{assertion.from_zone}.{assertion.to_zone}", "name": assertion.name})
        detail = "\n".join(render_assertion(assertion, max_witnesses=50))
        if assertion.result == "fail":
            node = ET.SubElement(case, "failure", {"type": "fail", "message": f"expect {assertion.expect}: violated"})
            node.text = detail
        elif assertion.result == "unknown":
            node = ET.SubElement(case, "error", {"type": "unknown",
                                                 "message": "; ".join(assertion.reasons) or "could not be decided"})
            node.text = detail
    ET.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
