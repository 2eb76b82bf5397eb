"""The network ACL split is cached by what the entries look at (engine/nacls.py): a box meeting an ACL
must be split exactly as a fresh, uncached first-match evaluation splits it, whichever boxes met the ACL
before it (the cache may hand a split computed for other addresses in the same stretch of the line)."""

from ipaddress import ip_network

from hypothesis import given, settings
from hypothesis import strategies as st

from topology.builder import EstateBuilder
from zonecheck.engine.addresses import of_network
from zonecheck.engine.estate import Estate
from zonecheck.engine.flows import Flow
from zonecheck.engine.intervals import IntervalSet
from zonecheck.engine.nacls import nacl_filter
from zonecheck.engine.packets import Box, rule_box

CIDRS = ["10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.8/29", "10.2.0.0/16", "0.0.0.0/0", "10.1.2.9/32"]
ADDRESSES = ["10.1.2.9", "10.1.2.10", "10.1.3.4", "10.2.0.1", "10.3.0.1", "192.168.0.1"]

entries = st.lists(st.tuples(st.integers(1, 200), st.sampled_from(["allow", "deny"]),
                             st.sampled_from([("-1", None, None), ("6", 22, 22), ("6", 0, 1024), ("17", 53, 53)]),
                             st.sampled_from(CIDRS)), max_size=6, unique_by=lambda e: e[0])
addresses = st.lists(st.sampled_from(ADDRESSES), min_size=1, max_size=3, unique=True)
boxes = st.tuples(addresses, addresses, st.sampled_from([(0, 255), (6, 6), (17, 17)]),
                  st.sampled_from([(0, 65535), (20, 30), (22, 22), (1000, 2000)]))


def _set(addrs):
    return IntervalSet([of_network(ip_network(a)).spans[0] for a in addrs])


def _estate(specs, egress):
    b = EstateBuilder()
    b.vpc("vpc-1", "10.0.0.0/8")
    b.subnet("subnet-a", "vpc-1", "10.1.2.0/24")
    rules = [(n, action, proto, lo, hi, cidr) for n, action, (proto, lo, hi), cidr in specs]
    b.nacl("acl-a", "vpc-1", subnets=["subnet-a"], ingress=[] if egress else rules, egress=rules if egress else [])
    return Estate(b.build())


def _reference(acl, box, egress):
    """First match wins, entry by entry, on the whole box: no cache, no stretches."""
    remaining, admitted, dropped = [box], [], []
    for entry in sorted((e for e in acl.entries if e.egress == egress), key=lambda e: e.rule_number):
        peer = of_network(entry.cidr)
        ebox = rule_box(entry, dst=peer) if egress else rule_box(entry, src=peer)
        rest = []
        for piece in remaining:
            inter = piece.intersect(ebox)
            if inter is None:
                rest.append(piece)
                continue
            (admitted if entry.action == "allow" else dropped).append((entry.label(), inter))
            rest.extend(piece.subtract(ebox))
        remaining = rest
    return admitted, dropped + [("implicit", p) for p in remaining]


@settings(max_examples=150, deadline=None)
@given(entries, st.booleans(), st.lists(boxes, min_size=1, max_size=4))
def test_cached_split_equals_a_fresh_first_match_evaluation(specs, egress, flows):
    estate = _estate(specs, egress)
    acl = estate.network_acl_of("subnet-a")
    for src, dst, (plo, phi), (lo, hi) in flows:  # several boxes in turn: later ones may hit the cache
        box = Box(_set(src), _set(dst), IntervalSet.single(plo, phi), IntervalSet.single(lo, hi))
        admitted, drops = nacl_filter(estate, Flow(box, origin=box.src), "subnet-a", "out" if egress else "in")
        want_admitted, want_dropped = _reference(acl, box, egress)
        assert sorted((f.hops[-1].rule, f.box.src.spans, f.box.dst.spans, f.box.protocols.spans, f.box.ports.spans)
                      for f in admitted) == sorted((label, b.src.spans, b.dst.spans, b.protocols.spans, b.ports.spans)
                                                   for label, b in want_admitted)
        assert sorted((d.reason, d.box.src.spans, d.box.dst.spans, d.box.protocols.spans, d.box.ports.spans)
                      for d in drops) == sorted(
            ("no rule matches: implicit deny (*)" if label == "implicit" else f"denied by {label}",
             b.src.spans, b.dst.spans, b.protocols.spans, b.ports.spans) for label, b in want_dropped)
