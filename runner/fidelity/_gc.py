"""Pausing CPython's cyclic garbage collector around bulk parsing.

Parsing builds millions of acyclic objects (nodes, marks, dicts); each young-generation collection
walks them again, which made a 10,000-resource load superlinear. Nothing is freed by the collector
here (no cycles are made), so pausing it changes no result, only the time.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused", "heap_frozen"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic collector for the block (re-entrant: restores the state it found)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_frozen_depth = [0]


@contextmanager
def heap_frozen() -> Iterator[None]:
    """Leave every object alive now out of the collector's walks for the block (re-entrant).

    A pipeline keeps its input's trees and values (millions of objects) alive throughout and
    allocates a new value per step: each full collection walked all of them again (a third of
    a 5-step run's CPU time). They are unfrozen afterwards, so a long-lived process loses
    nothing.
    """
    _frozen_depth[0] += 1
    if _frozen_depth[0] == 1:
        gc.freeze()
    try:
        yield
    finally:
        _frozen_depth[0] -= 1
        if _frozen_depth[0] == 0:
            gc.unfreeze()
