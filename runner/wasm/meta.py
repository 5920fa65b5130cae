"""What a wasm file says about itself: core module or component, and its ``krm-function`` section.

The builder (``buildtools/common.py``) appends a custom section ``krm-function`` holding JSON:
``{"name": "set-namespace", "lang": "go", "input": "json", "toolchain": "go 1.27.3"}``. A wasm file
without it (a third-party function) is taken to want YAML, as the KRM spec requires.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Any, NamedTuple

from runner.errors import WasmLoadError
from runner.wasm.binary import read_leb128, sections

__all__ = ["METADATA_SECTION", "FunctionMetadata", "WasmKind", "inspect_wasm"]

METADATA_SECTION = "krm-function"
_MAGIC = b"\0asm"
_CORE_VERSION = b"\x01\x00\x00\x00"
_COMPONENT_LAYER = b"\x01\x00"  # bytes 6..8 of a component's preamble (layer 1)


class WasmKind(Enum):
    CORE_MODULE = "wasip1-command"
    COMPONENT = "component"


class FunctionMetadata(NamedTuple):
    """Declared by the ``krm-function`` section; defaults describe an undeclared function."""

    kind: WasmKind
    name: str | None = None
    lang: str | None = None
    input_format: str = "yaml"
    toolchain: str | None = None


_MAX_SECTION_BYTES = 64 << 10  # the builder writes ~100 bytes
_MAX_JSON_DEPTH = 8
_FIELDS = ("name", "lang", "input", "toolchain")


def _depth(text: str) -> int:
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _custom_sections(data: bytes) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for section_id, start, end in sections(data):
        if section_id == 0:
            name_len, name_start = read_leb128(data, start)
            if name_start + name_len > end:
                raise ValueError(f"custom section name runs past its section at offset {start}")
            name = data[name_start : name_start + name_len].decode("utf-8", "replace")
            found.setdefault(name, data[name_start + name_len : end])
    return found


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
    where = f"{source}: section {METADATA_SECTION!r}"
    if len(raw) > _MAX_SECTION_BYTES:
        raise WasmLoadError(f"{where}: {len(raw)} bytes is more than {_MAX_SECTION_BYTES}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise WasmLoadError(f"{where}: not UTF-8 (byte {error.start})") from None
    if _depth(text) > _MAX_JSON_DEPTH:
        raise WasmLoadError(f"{where}: nested more than {_MAX_JSON_DEPTH} levels")
    try:
        meta: Any = json.loads(text)
    except ValueError as error:
        raise WasmLoadError(f"{where}: is not JSON: {error}") from None
    if not isinstance(meta, dict):
        raise WasmLoadError(f"{where}: is not a JSON object")
    for field in _FIELDS:
        if field in meta and not isinstance(meta[field], str):
            raise WasmLoadError(f"{where}: {field} must be a string")
    input_format = meta.get("input", "yaml")
    if input_format not in ("yaml", "json"):
        raise WasmLoadError(f"{where}: input must be yaml or json, not {input_format!r}")
    return FunctionMetadata(
        kind=kind,
        name=meta.get("name"),
        lang=meta.get("lang"),
        input_format=input_format,
        toolchain=meta.get("toolchain"),
    )
