"""Control of Python's garbage collector during a run: the one place the program touches it.

An audit of many files keeps every journey's result until the end. The
automatic collector rescans everything kept so far each time allocations
pile up, which costs about a quarter of such a run. The garbage a file
leaves (networkx graphs and solver state refer to themselves) is young, so
the run switches the automatic collector off and collects the two young
generations after each file instead: the same memory is freed without
rescanning the results. While the finished run is rendered, the results are
frozen out of the collector's view for the same reason.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["collect_young", "collected_per_item", "frozen_results", "start_worker"]


def collect_young() -> None:
    """Collect the garbage of the last item (the two young generations only)."""
    gc.collect(1)


@contextmanager
def collected_per_item() -> Iterator[Callable[[], None]]:
    """Switch the automatic collector off; the caller collects after each item.

    Yields :func:`collect_young`, to call after each file. The collector's
    previous state is restored on leaving.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield collect_young
    finally:
        if enabled:
            gc.enable()


@contextmanager
def frozen_results() -> Iterator[None]:
    """Keep everything allocated so far out of the collector's scans (while rendering a run)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def start_worker() -> None:
    """In a worker process: the automatic collector off for good (it collects after each file)."""
    gc.disable()
