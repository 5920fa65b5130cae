"""Keeping CPython's cyclic garbage collector off the values a run builds and keeps.

Parsing builds millions of acyclic objects (nodes, marks, dicts) that stay alive to the end of a
run. Each young-generation collection walks what is new, and a survivor is walked again by every
older generation's: a 10,000-resource `run` spent 2.2 s of 6 in the collector, freeing nothing.
So bulk parsing runs with the collector paused, and what survives it joins the oldest generation
directly (or the frozen heap of a pipeline), with no walk.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused", "heap_frozen"]

_frozen_depth = [0]


@contextmanager
def gc_paused() -> Iterator[None]:
    """No collection during the block; its survivors skip the young generations (re-entrant)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # freeze() moves every tracked object to the permanent generation and resets the young
        # count (two list splices, no walk); unfreeze() hands them to the oldest generation,
        # unless a pipeline's heap_frozen keeps them frozen to its end.
        gc.freeze()
        if _frozen_depth[0] == 0:
            gc.unfreeze()
        if was_enabled:
            gc.enable()


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
