"""Progress bars on stderr for long runs, only when stderr is a terminal.

A bar appears once the work has run for `DELAY` seconds (short runs print nothing), and never when
stderr is redirected (CI logs, pipes, tests). rich is imported only when a bar is actually drawn:
importing it costs more than the rest of azroute's start-up (README, "Dependencies").
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

DELAY = 2.0


class Progress:
    """Counts units of work; draws a rich bar on stderr after DELAY seconds on a terminal."""

    def __init__(self, label: str, total: int | None, enabled: bool) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.enabled = enabled
        self.started = time.monotonic()
        self._bar: Any = None
        self._task: Any = None
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        if enabled:
            # a timer too, so that one long step (loading a large export) still shows a bar
            self._timer = threading.Timer(DELAY, self._show)
            self._timer.daemon = True
            self._timer.start()

    def _show(self) -> None:
        with self._lock:
            if self._bar is not None or not self.enabled:
                return
            from rich.console import Console  # noqa: PLC0415 - lazy: rich is slow to import
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn  # noqa: PLC0415
            from rich.progress import Progress as RichProgress  # noqa: PLC0415

            columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
            self._bar = RichProgress(*columns, console=Console(file=sys.stderr), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=self.total, completed=self.done)

    def advance(self, units: int = 1) -> None:
        self.done += units
        if not self.enabled:
            return
        if self._bar is None and time.monotonic() - self.started >= DELAY:
            self._show()
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done)

    def close(self) -> None:
        with self._lock:
            self.enabled = False
            if self._timer is not None:
                self._timer.cancel()
            if self._bar is not None:
                self._bar.stop()
                self._bar = None


def stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def progress(label: str, total: int | None = None, enabled: bool | None = None) -> Iterator[Progress]:
    """`with progress("checking intents", n) as bar: ... bar.advance()`; silent unless stderr is a
    terminal (or `enabled` forces it) and the work outlasts DELAY."""
    bar = Progress(label, total, stderr_is_terminal() if enabled is None else enabled)
    try:
        yield bar
    finally:
        bar.close()
