"""Memory management every stage shares: pausing Python's cyclic garbage collector while long-lived,
acyclic objects are built in bulk (a loaded topology, a hub's route sets, an intent's evaluation)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector off while the block runs.

    Loading and routing allocate millions of containers that all stay alive (the parsed document,
    the model, route rows), so every collection the allocations trigger walks an ever larger heap
    and finds nothing to free: a quarter of the load time of a 100,000-endpoint estate. Nothing
    these blocks build is cyclic, so pausing frees nothing later than it would have been freed; the
    previous state is restored on the way out (nested pauses leave it off until the outermost ends)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def kept_until_exit() -> Iterator[None]:
    """The collector paused while the block runs, and everything alive at its end out of the
    collector's reach for the rest of the process.

    A command loads one topology (two for `diff`) and keeps it to the end. Objects allocated while
    the collector is paused all stay in its youngest generation: the first collection after the
    load would walk every one of them (100,000 endpoints: 0.02-0.04 s, and more in the older
    generations later) and free nothing. They leave its reach before it resumes (gc.freeze), so
    that collection never comes; reference counting still frees them, only a cycle among them would
    outlive its use, and the model holds none."""
    with paused_gc():
        yield
        gc.freeze()
