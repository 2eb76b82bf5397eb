"""Interval sets and packet boxes agree with a brute-force model on small universes."""

from hypothesis import given, settings
from hypothesis import strategies as st

from zonecheck.engine.intervals import IntervalSet
from zonecheck.engine.packets import Box

UNIVERSE = 40

spans = st.lists(st.tuples(st.integers(0, UNIVERSE - 1), st.integers(0, 8)).map(lambda t: (t[0], min(UNIVERSE - 1, t[0] + t[1]))),
                 max_size=5)
sets = spans.map(IntervalSet)


def members(s: IntervalSet) -> set[int]:
    return {v for lo, hi in s for v in range(lo, hi + 1)}


@settings(max_examples=400)
@given(sets, sets)
def test_set_algebra_matches_python_sets(a, b):
    assert members(a | b) == members(a) | members(b)
    assert members(a & b) == members(a) & members(b)
    assert members(a - b) == members(a) - members(b)
    assert a.issubset(b) == (members(a) <= members(b))
    # one span against many takes a binary-search path (twice: the second time from the built index)
    for _ in range(2):
        assert a.isdisjoint(b) == (not members(a) & members(b))
        assert b.isdisjoint(a) == (not members(a) & members(b))
        for result in (a | b, a & b, b & a):
            assert result == IntervalSet(list(result))  # still in normal form


@given(sets)
def test_normal_form_is_canonical(a):
    assert IntervalSet(list(a)[::-1]) == a
    for (lo1, hi1), (lo2, hi2) in zip(list(a), list(a)[1:]):
        assert hi1 + 1 < lo2  # disjoint and not adjacent


small = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3)).map(lambda t: (t[0], min(5, t[0] + t[1]))),
                 min_size=1, max_size=2).map(IntervalSet)
boxes = st.builds(Box, small, small, small, small)


def points(box: Box) -> set[tuple[int, int, int, int]]:
    return {(a, b, c, d) for a in members(box.src) for b in members(box.dst)
            for c in members(box.protocols) for d in members(box.ports)}


@settings(max_examples=300)
@given(boxes, boxes)
def test_box_subtraction_is_exact_and_disjoint(a, b):
    pieces = a.subtract(b)
    covered = [points(p) for p in pieces]
    assert set().union(*covered) == points(a) - points(b)
    assert sum(len(c) for c in covered) == len(points(a) - points(b))


@given(boxes, boxes)
def test_box_intersection_is_exact(a, b):
    inter = a.intersect(b)
    assert (points(inter) if inter else set()) == points(a) & points(b)


many = st.lists(st.tuples(st.integers(0, 400), st.integers(0, 3)).map(lambda t: (t[0], t[0] + t[1])),
                min_size=20, max_size=120).map(IntervalSet)
few = st.lists(st.tuples(st.integers(0, 400), st.integers(0, 40)).map(lambda t: (t[0], t[0] + t[1])),
               min_size=1, max_size=3).map(IntervalSet)


@settings(max_examples=300)
@given(many, few)
def test_many_spans_against_a_few_take_the_binary_search_path_exactly(a, b):
    """A zone's thousands of addresses against one class's few: each small span is looked up, not merged."""
    expected = members(a) & members(b)
    for result in (a & b, b & a):
        assert members(result) == expected
        assert result == IntervalSet(list(result))
    assert a.isdisjoint(b) == (not expected)
