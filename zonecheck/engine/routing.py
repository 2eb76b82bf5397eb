"""Route tables: longest-prefix match of a packet set over a table's routes (plus implicit `local`)."""

from __future__ import annotations

from typing import Iterator, Optional, Protocol, Sequence, TypeVar

from zonecheck.engine.estate import Estate, RouteEntry
from zonecheck.engine.intervals import IntervalSet
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
    doubt = doubtful[0].doubt if doubtful else table_doubt
    remaining = addresses
    for entry in entries:
        if entry.doubt is not None:
            continue
        if not remaining:
            break
        part = remaining & entry.destinations
        if part:
            yield part, entry, doubt
            remaining = remaining - entry.destinations
    if remaining:
        yield remaining, None, doubt
    for entry in doubtful:
        yield addresses, entry, entry.doubt


def lpm_split(estate: Estate, table: RouteTable, addresses: IntervalSet
              ) -> Iterator[tuple[IntervalSet, Optional[RouteEntry], Optional[str]]]:
    """LPM over a VPC route table (its routes plus the implicit `local` ones)."""
    return longest_prefix_split(estate.routes(table), addresses)
