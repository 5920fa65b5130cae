"""The wasm binary format's framing: LEB128 numbers and the section list."""

from __future__ import annotations

from collections.abc import Iterator

__all__ = ["read_leb128", "sections"]

Bytes = bytes | memoryview


def read_leb128(data: Bytes, pos: int) -> tuple[int, int]:
    """A u32 in LEB128 at ``pos`` (at most 5 bytes) and the offset after it."""
    result = shift = 0
    for _ in range(5):
        if pos >= len(data):
            raise ValueError("truncated LEB128")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
    raise ValueError(f"LEB128 number longer than 5 bytes at offset {pos - 5}")


def sections(data: Bytes) -> Iterator[tuple[int, int, int]]:
    """``(section id, body start, body end)`` of each section after the 8-byte header."""
    pos = 8
    while pos < len(data):
        size, start = read_leb128(data, pos + 1)
        end = start + size
        if end > len(data):
            raise ValueError(f"section at offset {pos} runs past the end of the file")
        yield data[pos], start, end
        pos = end
