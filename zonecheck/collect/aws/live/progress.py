"""A progress display on stderr for long collections (rich), quiet when stderr is not a terminal."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any, Optional


class Progress:
    """`step(text)` once per family read; thread-safe; does nothing when not `enabled`."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled = enabled
        self.total = total
        self._lock = threading.Lock()
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> "Progress":
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn

            self._bar = Bar(TextColumn("[bold]zonecheck[/] reading AWS"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), TextColumn("{task.description}"),
                            console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("", total=self.total)
        return self

    def step(self, text: str) -> None:
        if self._bar is None:
            return
        with self._lock:
            self._bar.update(self._task, advance=1, description=text)

    def __exit__(self, kind: Optional[type[BaseException]], error: Optional[BaseException],
                 trace: Optional[TracebackType]) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


__all__ = ["Progress"]
