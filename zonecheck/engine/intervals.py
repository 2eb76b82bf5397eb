"""Sets of integers as sorted, disjoint, closed intervals.

Addresses, protocols and ports are all integer ranges; a CIDR is one interval.  Every operation returns a
new normalised set, so equal sets compare equal and hash alike.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Iterable, Iterator

Interval = tuple[int, int]


class IntervalSet:
    __slots__ = ("_spans", "_hash", "_bounds")

    def __init__(self, spans: Iterable[Interval] = ()) -> None:
        self._spans: tuple[Interval, ...] = _normalise(spans)
        self._hash: int | None = None
        self._bounds: tuple[list[int], list[int]] | None = None

    @classmethod
    def _raw(cls, spans: tuple[Interval, ...]) -> "IntervalSet":
        obj = cls.__new__(cls)
        obj._spans = spans
        obj._hash = None
        obj._bounds = None
        return obj

    @classmethod
    def single(cls, lo: int, hi: int) -> "IntervalSet":
        if lo > hi:
            raise ValueError(f"empty interval {lo}-{hi}")
        return cls._raw(((lo, hi),))

    @property
    def spans(self) -> tuple[Interval, ...]:
        return self._spans

    def __bool__(self) -> bool:
        return bool(self._spans)

    def __iter__(self) -> Iterator[Interval]:
        return iter(self._spans)

    def __len__(self) -> int:
        return len(self._spans)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IntervalSet) and self._spans == other._spans

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(self._spans)
        return self._hash

    def __repr__(self) -> str:
        return f"IntervalSet({list(self._spans)!r})"

    def size(self) -> int:
        return sum(hi - lo + 1 for lo, hi in self._spans)

    def first(self) -> int:
        return self._spans[0][0]

    def __contains__(self, value: int) -> bool:
        for lo, hi in self._spans:
            if value < lo:
                return False
            if value <= hi:
                return True
        return False

    def union(self, other: "IntervalSet") -> "IntervalSet":
        a, b = self._spans, other._spans
        if not b:
            return self
        if not a:
            return other
        # Apart and in order (a class's addresses, gathered one interface at a time): no sort needed.
        if a[-1][1] + 1 < b[0][0]:
            return IntervalSet._raw(a + b)
        if b[-1][1] + 1 < a[0][0]:
            return IntervalSet._raw(b + a)
        return IntervalSet(a + b)

    __or__ = union

    def intersection(self, other: "IntervalSet") -> "IntervalSet":
        a, b = self._spans, other._spans
        if not a or not b:
            return _EMPTY
        # fast path: one span each (the common case for ports and protocols)
        if len(a) == 1 and len(b) == 1:
            lo, hi = max(a[0][0], b[0][0]), min(a[0][1], b[0][1])
            return IntervalSet._raw(((lo, hi),)) if lo <= hi else _EMPTY
        # one span against many (a subnet or route against a zone's addresses): binary search, not a merge
        if len(b) == 1:
            return self._clip(b[0][0], b[0][1])
        if len(a) == 1:
            return other._clip(a[0][0], a[0][1])
        # a few spans against very many (a class's addresses against a zone's): binary search per span
        if len(a) > 16 * len(b):
            return self._clip_all(b)
        if len(b) > 16 * len(a):
            return other._clip_all(a)
        out: list[Interval] = []
        i = j = 0
        while i < len(a) and j < len(b):
            lo = max(a[i][0], b[j][0])
            hi = min(a[i][1], b[j][1])
            if lo <= hi:
                out.append((lo, hi))
            if a[i][1] < b[j][1]:
                i += 1
            else:
                j += 1
        return IntervalSet._raw(tuple(out)) if out else _EMPTY

    __and__ = intersection

    def difference(self, other: "IntervalSet") -> "IntervalSet":
        if not self._spans or not other._spans:
            return self
        a, b = self._spans, other._spans
        if a[-1][1] < b[0][0] or b[-1][1] < a[0][0]:
            return self  # apart
        if len(b) == 1 and b[0][0] <= a[0][0] and a[-1][1] <= b[0][1]:
            return _EMPTY  # one span covering all of it (a rule for every address, port or protocol)
        out: list[Interval] = []
        b = other._spans
        j = 0
        for lo, hi in self._spans:
            cur = lo
            while j < len(b) and b[j][1] < cur:
                j += 1
            k = j
            while k < len(b) and b[k][0] <= hi:
                if b[k][0] > cur:
                    out.append((cur, b[k][0] - 1))
                cur = max(cur, b[k][1] + 1)
                if cur > hi:
                    break
                k += 1
            if cur <= hi:
                out.append((cur, hi))
        return IntervalSet._raw(tuple(out)) if out else _EMPTY

    __sub__ = difference

    def issubset(self, other: "IntervalSet") -> bool:
        return not self.difference(other)

    def isdisjoint(self, other: "IntervalSet") -> bool:
        a, b = self._spans, other._spans
        if not a or not b:
            return True
        if a[-1][1] < b[0][0] or b[-1][1] < a[0][0]:
            return True
        # Each span of the smaller set looked up in the larger: stops at the first shared value, and never
        # builds the intersection (a zone's sources against a group's members: thousands of spans each).
        small, large = (self, other) if len(a) <= len(b) else (other, self)
        for lo, hi in small._spans:
            if large._first_within(lo, hi) is not None:
                return False
        return True

    def meets(self, lo: int, hi: int) -> bool:
        """Whether the set holds some value of [lo, hi]."""
        spans = self._spans
        if not spans or hi < spans[0][0] or spans[-1][1] < lo:
            return False
        return self._first_within(lo, hi) is not None

    def _index(self) -> tuple[list[int], list[int]]:
        if self._bounds is None:
            self._bounds = ([lo for lo, _ in self._spans], [hi for _, hi in self._spans])
        return self._bounds

    def _first_within(self, lo: int, hi: int) -> int | None:
        """The index of the first span meeting [lo, hi], if any."""
        _, his = self._index()
        i = bisect_left(his, lo)  # the first span that ends at or after lo
        if i < len(self._spans) and self._spans[i][0] <= hi:
            return i
        return None

    def _clip_all(self, spans: tuple[Interval, ...]) -> "IntervalSet":
        """This set within the (sorted, disjoint) `spans`."""
        out: list[Interval] = []
        for lo, hi in spans:
            out.extend(self._clip(lo, hi)._spans)
        return IntervalSet._raw(tuple(out)) if out else _EMPTY

    def _clip(self, lo: int, hi: int) -> "IntervalSet":
        """This set within [lo, hi]."""
        spans = self._spans
        if lo <= spans[0][0] and spans[-1][1] <= hi:
            return self
        los, his = self._index()
        i = bisect_left(his, lo)
        j = bisect_right(los, hi)
        if i >= j:
            return _EMPTY
        out = list(spans[i:j])
        if out[0][0] < lo:
            out[0] = (lo, out[0][1])
        if out[-1][1] > hi:
            out[-1] = (out[-1][0], hi)
        return IntervalSet._raw(tuple(out))


def _normalise(spans: Iterable[Interval]) -> tuple[Interval, ...]:
    # This runs for every set the engine builds: one sort, then one pass merging overlapping or adjacent spans.
    ordered = sorted(spans)
    if not ordered:
        return ()
    out: list[Interval] = []
    cur_lo, cur_hi = ordered[0]
    for lo, hi in ordered:
        if lo > hi:
            raise ValueError(f"empty interval {lo}-{hi}")
        if lo <= cur_hi + 1:
            if hi > cur_hi:
                cur_hi = hi
        else:
            out.append((cur_lo, cur_hi))
            cur_lo, cur_hi = lo, hi
    out.append((cur_lo, cur_hi))
    if type(cur_lo) is not int or type(out[0][0]) is not int:
        return tuple((int(lo), int(hi)) for lo, hi in out)
    return tuple(out)


_EMPTY = IntervalSet._raw(())
EMPTY = _EMPTY
