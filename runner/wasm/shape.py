"""How many linear memories and tables a wasm file defines: the store limits share the budget by it.

wasmtime's store limits bound each memory (and each table) separately, not their sum. Counting the
definitions in the binary, every core module nested in a component included, and allowing that
many lets each get an equal share of ``--memory-limit``: the instance as a whole stays within it.
A file that creates more than it defines (a module instantiated twice) exceeds the count and fails
to instantiate, so a miscount can only refuse a function, never let one use more.
"""

from __future__ import annotations

from typing import NamedTuple

from runner.wasm.binary import read_leb128, sections

__all__ = ["Shape", "shape_of"]

_CORE_TABLE, _CORE_MEMORY = 4, 5  # core module section ids
_COMPONENT_CORE_MODULE, _COMPONENT_COMPONENT = 1, 4  # component section ids
_MAX_NESTING = 16


class Shape(NamedTuple):
    """Memories and tables a wasm file defines (at least 1 each, so a share is never 0)."""

    memories: int = 1
    tables: int = 1


def _count(data: memoryview, depth: int) -> tuple[int, int]:
    if depth > _MAX_NESTING:
        raise ValueError("components nested too deeply")
    component = bytes(data[6:8]) == b"\x01\x00" and bytes(data[4:6]) != b"\x01\x00"
    memories = tables = 0
    for section_id, start, end in sections(data):
        body = data[start:end]
        if component and section_id in (_COMPONENT_CORE_MODULE, _COMPONENT_COMPONENT):
            inner_memories, inner_tables = _count(body, depth + 1)
            memories += inner_memories
            tables += inner_tables
        elif not component and section_id in (_CORE_MEMORY, _CORE_TABLE):
            count, _ = read_leb128(body, 0)
            if section_id == _CORE_MEMORY:
                memories += count
            else:
                tables += count
    return memories, tables


def shape_of(data: bytes) -> Shape | None:
    """The definitions counted in ``data``; None if the binary cannot be walked."""
    try:
        memories, tables = _count(memoryview(data), 0)
    except (ValueError, IndexError):
        return None
    return Shape(max(memories, 1), max(tables, 1))
