"""Sets of integers as sorted, disjoint, closed intervals.

Addresses, protocols and ports are all integer ranges; a CIDR is one interval.  Every operation returns a
new normalised set, so equal sets compare equal and hash alike.
"""

from __future__ import annotations

from typing import Iterable, Iterator

Interval = tuple[int, int]


class IntervalSet:
    __slots__ = ("_spans", "_hash")

    def __init__(self, spans: Iterable[Interval] = ()) -> None:
        self._spans: tuple[Interval, ...] = _normalise(spans)
        self._hash: int | None = None

    @classmethod
    def _raw(cls, spans: tuple[Interval, ...]) -> "IntervalSet":
        obj = cls.__new__(cls)
        obj._spans = spans
        obj._hash = None
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
        if not other._spans:
            return self
        if not self._spans:
            return other
        return IntervalSet(self._spans + other._spans)

    __or__ = union

    def intersection(self, other: "IntervalSet") -> "IntervalSet":
        a, b = self._spans, other._spans
        if not a or not b:
            return _EMPTY
        # fast path: one span each (the common case for ports and protocols)
        if len(a) == 1 and len(b) == 1:
            lo, hi = max(a[0][0], b[0][0]), min(a[0][1], b[0][1])
            return IntervalSet._raw(((lo, hi),)) if lo <= hi else _EMPTY
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
        return not self.intersection(other)


def _normalise(spans: Iterable[Interval]) -> tuple[Interval, ...]:
    ordered = sorted((int(lo), int(hi)) for lo, hi in spans)
    out: list[list[int]] = []
    for lo, hi in ordered:
        if lo > hi:
            raise ValueError(f"empty interval {lo}-{hi}")
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1][1] = hi
        else:
            out.append([lo, hi])
    return tuple((lo, hi) for lo, hi in out)


_EMPTY = IntervalSet._raw(())
EMPTY = _EMPTY
