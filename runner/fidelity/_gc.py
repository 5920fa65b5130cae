"""Pausing CPython's cyclic garbage collector around bulk parsing.

Parsing builds millions of acyclic objects (nodes, marks, dicts); each young-generation collection
walks them again, which made a 10,000-resource load superlinear. Nothing is freed by the collector
here (no cycles are made), so pausing it changes no result, only the time. (The CLI runs a whole
command without the collector; this is for the library called in a longer-lived process.)
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


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
