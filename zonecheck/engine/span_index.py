"""Which of many address sets meet a given one, without testing each (an interval index)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import accumulate
from typing import Generic, Sequence, TypeVar

from zonecheck.engine.intervals import IntervalSet

T = TypeVar("T")


class SpanIndex(Generic[T]):
    """Items keyed by address sets (which may overlap); `meeting(query)` gives, in the items' order, those
    whose set shares an address with `query`.

    Spans are sorted by start with the running maximum of their ends: the spans that may reach a query span
    start after the first position where that maximum reaches it, and before its end.
    """

    def __init__(self, items: Sequence[tuple[IntervalSet, T]]) -> None:
        rows = sorted((lo, hi, i) for i, (addresses, _) in enumerate(items) for lo, hi in addresses.spans)
        self._items = [item for _, item in items]
        self._los = [r[0] for r in rows]
        self._his = [r[1] for r in rows]
        self._owners = [r[2] for r in rows]
        self._reach = list(accumulate(self._his, max))

    def __len__(self) -> int:
        return len(self._items)

    def meeting(self, query: IntervalSet) -> list[T]:
        found: set[int] = set()
        los, his, owners, reach = self._los, self._his, self._owners, self._reach
        if len(query) > len(los):
            # A query of more spans than the index holds (the sources of many subnets): ask the query instead.
            for i in range(len(los)):
                if owners[i] not in found and query.meets(los[i], his[i]):
                    found.add(owners[i])
        else:
            for lo, hi in query.spans:
                end = bisect_right(los, hi)
                for i in range(bisect_left(reach, lo), end):
                    if his[i] >= lo:
                        found.add(owners[i])
        return [self._items[i] for i in sorted(found)]
