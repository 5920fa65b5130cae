"""What a wasm file says about itself: core module or component, and its ``krm-function`` section.

The builder (``buildtools/common.py``) appends a custom section ``krm-function`` holding JSON:
``{"name": "set-namespace", "lang": "go", "input": "json", "toolchain": "go 1.27.3"}``. A wasm file
without it (a third-party function) is taken to want YAML, as the KRM spec requires.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from typing import Any

from runner.errors import WasmLoadError

__all__ = ["METADATA_SECTION", "FunctionMetadata", "WasmKind", "inspect_wasm"]

METADATA_SECTION = "krm-function"
_MAGIC = b"\0asm"
_CORE_VERSION = b"\x01\x00\x00\x00"
_COMPONENT_LAYER = b"\x01\x00"  # bytes 6..8 of a component's preamble (layer 1)


class WasmKind(Enum):
    CORE_MODULE = "wasip1-command"
    COMPONENT = "component"


@dataclass(frozen=True)
class FunctionMetadata:
    """Declared by the ``krm-function`` section; defaults describe an undeclared function."""

    kind: WasmKind
    name: str | None = None
    lang: str | None = None
    input_format: str = "yaml"
    toolchain: str | None = None


def _read_leb128(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated LEB128")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _custom_sections(data: bytes) -> dict[str, bytes]:
    sections: dict[str, bytes] = {}
    pos = 8
    while pos < len(data):
        section_id = data[pos]
        size, body_start = _read_leb128(data, pos + 1)
        end = body_start + size
        if end > len(data):
            raise ValueError("section runs past the end of the file")
        if section_id == 0:
            name_len, name_start = _read_leb128(data, body_start)
            name = data[name_start : name_start + name_len].decode("utf-8", "replace")
            sections.setdefault(name, data[name_start + name_len : end])
        pos = end
    return sections


def inspect_wasm(data: bytes, source: str) -> FunctionMetadata:
    """Tell a core module from a component and read the ``krm-function`` section, if any."""
    if data[:4] != _MAGIC:
        raise WasmLoadError(f"{source}: not a WebAssembly binary (no \\0asm header)")
    if data[4:8] == _CORE_VERSION:
        kind = WasmKind.CORE_MODULE
    elif data[6:8] == _COMPONENT_LAYER:
        kind = WasmKind.COMPONENT
    else:
        raise WasmLoadError(f"{source}: unknown WebAssembly version/layer {data[4:8].hex()}")
    try:
        raw = _custom_sections(data).get(METADATA_SECTION)
    except ValueError as error:
        raise WasmLoadError(f"{source}: malformed WebAssembly binary: {error}") from None
    if raw is None:
        return FunctionMetadata(kind=kind)
    try:
        meta: Any = json.loads(raw)
    except ValueError:
        raise WasmLoadError(f"{source}: section {METADATA_SECTION!r} is not JSON") from None
    if not isinstance(meta, dict):
        raise WasmLoadError(f"{source}: section {METADATA_SECTION!r} is not a JSON object")
    input_format = meta.get("input", "yaml")
    if input_format not in ("yaml", "json"):
        raise WasmLoadError(f"{source}: section {METADATA_SECTION!r}: input must be yaml or json")
    return FunctionMetadata(
        kind=kind,
        name=meta.get("name"),
        lang=meta.get("lang"),
        input_format=input_format,
        toolchain=meta.get("toolchain"),
    )
