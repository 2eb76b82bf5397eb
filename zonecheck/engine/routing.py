"""Route tables: longest-prefix match of a packet set over a table's routes (plus implicit `local`)."""

from __future__ import annotations

from typing import Iterator, Optional

from zonecheck.engine.estate import Estate, RouteEntry
from zonecheck.engine.intervals import IntervalSet
from zonecheck.model import RouteTable


def lpm_split(estate: Estate, table: RouteTable, addresses: IntervalSet
              ) -> Iterator[tuple[IntervalSet, Optional[RouteEntry], Optional[str]]]:
    """Partition `addresses` by the route each part takes: (part, entry or None for "no route", doubt).

    Entries are visited longest prefix first, so each address lands on its most specific route.  When
    the table holds a route whose destinations are unknown (a prefix list without entries), every part
    carries a doubt (that route might be more specific) and the whole set is also offered to that route.
    """
    entries = estate.routes(table)
    doubtful = [e for e in entries if e.doubt is not None]
    doubt = doubtful[0].doubt if doubtful else None
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
