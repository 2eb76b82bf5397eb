"""Process-level settings shared by the pipeline's stages."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Callable, Iterator


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Loading, resolving and checking a large estate allocate millions of objects without reference cycles
    (frozen models, interval sets, packet boxes); CPython's cyclic collector would rescan all of them again
    and again to free nothing (a third to a half of the time on 100,000 interfaces).  Reference counting
    still frees everything; the collector's previous state is restored on the way out."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_for_good(load: Callable[[], object]) -> None:
    """Run `load` (the imports a command needs) with the cyclic collector paused, then freeze everything the
    process holds (`gc.freeze`).

    What a command imports lives as long as the process: ~10⁵ objects, pydantic's compiled validators among them,
    which the collector is slow to scan.  Imported with the collector running, they are scanned by every full
    collection during the imports and after (the one before a snapshot is read, the one after the engine runs:
    0.05 s or more of `zonecheck check` on the synthetic estate S); frozen, never again.  The few objects the imports
    leave as cyclic garbage are frozen with them, the price of not scanning everything once more to find them.
    Once per process.
    """
    global _imported_for_good
    if _imported_for_good:
        return
    _imported_for_good = True
    with cyclic_gc_paused():
        load()
        gc.freeze()


_imported_for_good = False
