"""Source classes walked as one (engine/senders.py) must come out exactly as if each had been walked alone:
the same deliveries, from the same class, through the same rules — only cheaper."""

import pytest

from topology.builder import EstateBuilder
from topology.synthetic import generate
from zonecheck.engine import check as engine_check
from zonecheck.engine.classes import endpoint_classes
from zonecheck.engine.estate import Estate
from zonecheck.engine.senders import MergedSource, merge_sources
from zonecheck.policy import parse_policy_text
from zonecheck.policy.zones import resolve_zones
from tests.scenario import one, rules, services


def _deliveries(walk):
    """What a walk delivered, as comparable facts."""
    return sorted(
        (d.source.key if d.source else "-", d.target.key if d.target else "-", d.flow.box.src.spans, d.flow.box.dst.spans,
         d.flow.box.protocols.spans, d.flow.box.ports.spans, d.flow.origin.spans,
         tuple((h.at, h.step, h.rule) for h in d.flow.hops), tuple(sorted(d.flow.doubts)), tuple(sorted(d.flow.assumed)),
         d.flow.rewritten)
        for d in walk.deliveries)


def _walk(estate, zones, src, dst, *, merge, ignore=()):
    sources = [] if zones[src].builtin else endpoint_classes(estate, zones[src], as_source=True)
    targets = [] if zones[dst].builtin else endpoint_classes(estate, zones[dst], as_source=False)
    kwargs = dict(from_internet=zones[src].builtin == "internet", to_internet=zones[dst].builtin == "internet",
                  from_on_premises=zones[src].builtin == "on-premises", to_on_premises=zones[dst].builtin == "on-premises",
                  ignore=ignore)
    if merge:
        return engine_check._walk(estate, sources, targets, keep_drops=False, **kwargs)
    # keep_drops=True walks every class alone (access and explain need drops per class)
    return engine_check._walk(estate, sources, targets, keep_drops=True, **kwargs)


@pytest.fixture(scope="module")
def synthetic():
    snapshot, policy_text = generate("S", seed=3)
    policy = parse_policy_text(policy_text, "synthetic.yaml")
    return Estate(snapshot), policy, resolve_zones(policy, snapshot, "synthetic.yaml")


def test_every_synthetic_zone_pair_delivers_the_same_merged_or_not(synthetic):
    estate, policy, zones = synthetic
    merged_somewhere = False
    for assertion in policy.assertions:
        src, dst = assertion.from_, assertion.to
        if not zones[src].builtin:
            classes = endpoint_classes(estate, zones[src], as_source=True)
            merged_somewhere |= any(isinstance(s, MergedSource) for s in merge_sources(estate, classes, by_subnet=True))
        assert _deliveries(_walk(estate, zones, src, dst, merge=True)) == \
            _deliveries(_walk(estate, zones, src, dst, merge=False)), assertion.name
    assert merged_somewhere  # the comparison is not vacuous


def _two_senders_one_subnet():
    b = EstateBuilder()
    b.vpc("vpc-1", "10.0.0.0/16")
    b.subnet("subnet-app", "vpc-1", "10.0.1.0/24")
    b.subnet("subnet-db", "vpc-1", "10.0.2.0/24")
    b.security_group("sg-open", "vpc-1")  # egress: everything
    b.security_group("sg-web-only", "vpc-1", egress=[("tcp", 0, 1024, "0.0.0.0/0")])
    b.security_group("sg-db", "vpc-1", ingress=[("tcp", 22, 22, "sg-open"), ("tcp", 443, 443, "10.0.1.0/24")])
    b.instance("i-open", "subnet-app", "10.0.1.10", groups=["sg-open"], tags={"Zone": "app"})
    b.instance("i-web", "subnet-app", "10.0.1.11", groups=["sg-web-only"], tags={"Zone": "app"})
    b.instance("i-db", "subnet-db", "10.0.2.10", groups=["sg-db"], tags={"Zone": "db"})
    return b.build()


def test_a_group_reference_admits_only_the_member_of_a_merged_subnet():
    result = one(_two_senders_one_subnet(), "app", "db")
    assert result.result == "fail"
    by_source = {}
    for w in result.witnesses:
        by_source.setdefault(w.source.id, set()).add(w.service())
    # i-web's egress would let 22 out, but it is not in sg-open: the reference on 22 does not admit it
    assert by_source == {"eni-i-open": {"tcp/22", "tcp/443"}, "eni-i-web": {"tcp/443"}}


def test_each_witness_cites_its_own_sources_egress_rule():
    result = one(_two_senders_one_subnet(), "app", "db")
    for w in result.witnesses:
        egress = [h for h in w.path if h.step == "sg-egress"]
        assert len(egress) == 1 and w.path[0] is egress[0]  # first, as if applied at the start
        assert egress[0].at == ("sg-open" if w.source.id == "eni-i-open" else "sg-web-only")


def test_the_two_senders_are_walked_as_one():
    snapshot = _two_senders_one_subnet()
    policy = parse_policy_text("version: 1\nzones:\n  app: {match: [{tags: {Zone: app}}]}\n"
                               "  db: {match: [{tags: {Zone: db}}]}\n"
                               "assertions: [{name: a, from: app, to: db, expect: no-access}]\n", "p.yaml")
    estate = Estate(snapshot)
    zones = resolve_zones(policy, snapshot, "p.yaml")
    walks = merge_sources(estate, endpoint_classes(estate, zones["app"], as_source=True), by_subnet=True)
    assert len(walks) == 1 and isinstance(walks[0], MergedSource) and len(walks[0].parts) == 2
    assert _deliveries(_walk(estate, zones, "app", "db", merge=True)) == \
        _deliveries(_walk(estate, zones, "app", "db", merge=False))


def test_an_only_assertion_ignoring_its_allowed_service_still_finds_the_rest():
    result = one(_two_senders_one_subnet(), "app", "db", "{only: [tcp/443]}")
    assert result.result == "fail"
    assert services(result) == {"tcp/22"}
    assert "tcp 22 from sg-open" in " ".join(rules(result.witnesses[0]))


def test_strict_still_sees_an_assumed_default_group_that_the_destination_index_skips():
    """The destination index skips classes whose rules cannot admit the sources (no Drop is recorded):
    a `pass` that rests on an *assumed* default group's rules must still be `unknown` under --strict."""
    b = EstateBuilder()
    b.vpc("vpc-1", "10.0.0.0/16")
    b.subnet("subnet-app", "vpc-1", "10.0.1.0/24")
    b.subnet("subnet-db", "vpc-1", "10.0.2.0/24")
    b.security_group("sg-app", "vpc-1")
    b.security_group("sg-default", "vpc-1", default=True, ingress=[("-1", None, None, "sg-default")])
    b.instance("i-app", "subnet-app", "10.0.1.10", groups=["sg-app"], tags={"Zone": "app"})
    for i in range(5):  # enough classes for the index (a few are simply looped over)
        b.security_group(f"sg-db{i}", "vpc-1", ingress=[("tcp", 5432, 5432, "sg-db0")])
        b.instance(f"i-db{i}", "subnet-db", f"10.0.2.{10 + i}", groups=[f"sg-db{i}", "sg-default"], tags={"Zone": "db"})
    snapshot = b.build()
    snapshot = snapshot.model_copy(update={"security_groups": tuple(
        g.model_copy(update={"assumed": True}) if g.id == "sg-default" else g for g in snapshot.security_groups)})
    assert one(snapshot, "app", "db").result == "pass"
    strict = one(snapshot, "app", "db", strict=True)
    assert strict.result == "unknown"
    assert any("sg-default" in r for r in strict.reasons)
