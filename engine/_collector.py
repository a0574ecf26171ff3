"""The cyclic garbage collector kept off the data a run builds to keep.

A ledger and its items live to the end of a run and hold no reference
cycles, yet every full pass of the collector walks all of them: at 50k items
those passes were a sixth of the run (bench/RESULTS.md). Reference counting
still frees everything that dies; only the search for cycles is spared.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

__all__ = ["collector_paused", "existing_frozen"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cycle search inside the block (or the decorated function), for building data that is
    kept; the collector's state is restored on the way out. Threads may overlap: the collector
    ends enabled if it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def existing_frozen() -> Iterator[None]:
    """What exists when the block starts (the ledger, the pack) is left out of the collector's
    passes until it ends; the garbage made inside is collected as usual. A process that froze its
    own objects already (a pre-forking server, a worker of ours) keeps them frozen: unfreezing
    cannot tell its objects from ours, so only a freeze that started here is undone."""
    ours = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        yield
    finally:
        if ours:
            gc.unfreeze()
