"""Reports stay usable on big changes: a pull-request comment never outgrows what GitHub accepts."""

from __future__ import annotations

from zonecheck.diff import compare, render_markdown
from zonecheck.diff.render import MAX_COMMENT_CHARS
from zonecheck.engine.flows import Hop
from zonecheck.engine.results import AssertionResult, CheckResult, EndpointRef, Witness
from zonecheck.model import SourceInfo


def result(name_count: int, witnesses: int) -> CheckResult:
    path = tuple(Hop(f"sg-0{n:04d}", "sg-ingress", f"ingress tcp {n} from 10.{n % 250}.0.0/16 " + "x" * 60)
                 for n in range(6))
    assertions = tuple(
        AssertionResult(f"assertion-{a}", "a", "b", "no-access", "no-access", "fail" if witnesses else "pass",
                        witnesses=tuple(Witness(EndpointRef(f"eni-{a}-{i}", "10.0.0.1", (f"eni-{a}-{i}",)),
                                                EndpointRef("eni-db", "10.1.0.1", ("eni-db",)), "tcp", (i, i), path)
                                        for i in range(witnesses)))
        for a in range(name_count))
    return CheckResult("fail" if witnesses else "pass", assertions, SourceInfo(kind="snapshot"))


def test_a_huge_change_still_fits_in_one_pull_request_comment():
    md = render_markdown(compare(result(40, 0), result(40, 200)))
    assert len(md) <= MAX_COMMENT_CHARS
    assert md.startswith("### zonecheck: ❌ 40 assertions newly fail")
    assert "more new flows (see `--format json`)" in md


def test_icmp_types_are_compared_as_types():
    def icmp(detail):
        return Witness(EndpointRef("eni-a", "10.0.0.1", ("eni-a",)), EndpointRef("eni-b", "10.0.0.2", ("eni-b",)),
                       "icmp", None, (Hop("sg-b", "sg-ingress", "icmp"),), detail=detail)

    def one(w):
        return CheckResult("fail", (AssertionResult("a", "x", "y", "no-access", "no-access", "fail", witnesses=(w,)),),
                           SourceInfo(kind="snapshot"))

    widened = compare(one(icmp("type 8")), one(icmp(None))).assertions[0]
    assert widened.change == "newly-fails" and widened.new[0].part.services == ("icmp (type 0-7,9-255)",)
    narrowed = compare(one(icmp(None)), one(icmp("type 8"))).assertions[0]
    assert narrowed.new == () and narrowed.change == "changed"
