"""Route tables: longest-prefix match of a packet set over a table's routes (plus implicit `local`)."""

from __future__ import annotations

from typing import Iterator, Optional, Protocol, Sequence, TypeVar

from zonecheck.engine.estate import Estate, RouteEntry
from zonecheck.engine.intervals import EMPTY, IntervalSet
from zonecheck.model import RouteTable


class _Entry(Protocol):
    destinations: IntervalSet
    doubt: Optional[str]


E = TypeVar("E", bound=_Entry)


def longest_prefix_split(entries: Sequence[E], addresses: IntervalSet, table_doubt: Optional[str] = None
                         ) -> Iterator[tuple[IntervalSet, Optional[E], Optional[str]]]:
    """Partition `addresses` by the entry each part takes: (part, entry or None for "no route", doubt).

    `entries` must be ordered longest prefix first, so each address lands on its most specific route.
    Entries whose destinations are unknown (a prefix list without entries) carry a doubt: every part is
    then doubtful (that entry might be more specific) and the whole set is also offered to that entry.
    """
    doubtful = [e for e in entries if e.doubt is not None]
    doubt_space = EMPTY
    for entry in doubtful:
        doubt_space = doubt_space | entry.destinations
    doubt = doubtful[0].doubt if doubtful else None

    def parts(part: IntervalSet, entry: Optional[E]) -> Iterator[tuple[IntervalSet, Optional[E], Optional[str]]]:
        # Only addresses an unknown route could cover are in doubt; `table_doubt` covers all of them.
        unsure = part & doubt_space
        sure = part - doubt_space
        if sure:
            yield sure, entry, table_doubt
        if unsure:
            yield unsure, entry, doubt or table_doubt

    remaining = addresses
    for entry in entries:
        if entry.doubt is not None:
            continue
        if not remaining:
            break
        part = remaining & entry.destinations
        if part:
            yield from parts(part, entry)
            remaining = remaining - entry.destinations
    if remaining:
        yield from parts(remaining, None)
    for entry in doubtful:
        offered = addresses & entry.destinations
        if offered:
            yield offered, entry, entry.doubt


def lpm_split(estate: Estate, table: RouteTable, addresses: IntervalSet
              ) -> Iterator[tuple[IntervalSet, Optional[RouteEntry], Optional[str]]]:
    """LPM over a VPC route table (its routes plus the implicit `local` ones); the same destinations meet
    the same table on many walks, so the split is cached."""
    key = ("vpc", table.id, addresses)
    cached = estate.lpm_cache.get(key)
    if cached is None:
        cached = estate.lpm_cache[key] = list(longest_prefix_split(estate.routes(table), addresses))
    return iter(cached)
