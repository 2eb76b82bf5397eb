"""The span index finds exactly the address sets that meet a query (brute force on a small universe)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from zonecheck.engine.intervals import IntervalSet
from zonecheck.engine.span_index import SpanIndex
from tests.engine.test_intervals import members, sets


@settings(max_examples=400)
@given(st.lists(sets, max_size=8), sets)
def test_meeting_is_every_item_whose_set_shares_an_address_in_item_order(keyed, query):
    index = SpanIndex([(addresses, i) for i, addresses in enumerate(keyed)])
    assert index.meeting(query) == [i for i, addresses in enumerate(keyed) if members(addresses) & members(query)]


def test_a_long_span_is_found_behind_many_short_ones():
    # The wide set starts first and ends last: only the running maximum of ends finds it from the right.
    keyed = [(IntervalSet([(0, 1000)]), "wide")] + [(IntervalSet([(i * 10, i * 10 + 1)]), i) for i in range(1, 50)]
    assert SpanIndex(keyed).meeting(IntervalSet([(995, 999)])) == ["wide"]
    assert SpanIndex(keyed).meeting(IntervalSet([(20, 20)])) == ["wide", 2]


@given(sets, st.integers(0, 39), st.integers(0, 8))
def test_meets_says_whether_the_set_holds_a_value_of_the_span(a, lo, width):
    hi = lo + width
    assert a.meets(lo, hi) == bool(members(a) & set(range(lo, hi + 1)))
