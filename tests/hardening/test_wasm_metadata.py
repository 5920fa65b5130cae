"""A hostile ``krm-function`` section or wasm file: a clear WasmLoadError, never a traceback."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from buildtools.common import METADATA_SECTION, append_custom_section
from tests import wat_modules
from tests.hardening.conftest import refused, run_cli

Wat = Callable[[str, str], Path]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b"[" * 10_000, "nested more than"),
        (b'{"name": 5}', "name must be a string"),
        (b'{"input": "xml"}', "input must be yaml or json"),
        (b"\xff\xfe", "not UTF-8"),
        (b"not json", "is not JSON"),
        (b"[1]", "not a JSON object"),
        (b" " * (70 << 10), "more than 65536"),
    ],
)
def test_bad_section(wat: Wat, tmp_path: Path, body: bytes, needle: str) -> None:
    wasm = wat("hostile", wat_modules.exit_with(0, ""))
    append_custom_section(wasm, METADATA_SECTION, body)
    refused(run_cli("exec", wasm, cache=tmp_path / "c"), "WasmLoadError", "hostile", needle)


def test_section_sizes_that_lie(tmp_path: Path) -> None:
    header = b"\0asm\x01\0\0\0"
    cases = {
        "overlong-leb": header + b"\0" + b"\xff" * 20,
        "past-the-end": header + b"\0\x10\x02ab",
        "name-past-section": header + b"\0\x02\x7fa",
    }
    for name, data in cases.items():
        wasm = tmp_path / f"{name}.wasm"
        wasm.write_bytes(data)
        refused(run_cli("exec", wasm, cache=tmp_path / "c"), "WasmLoadError", name)


def test_a_fifo_as_the_wasm_file(tmp_path: Path) -> None:
    fifo = tmp_path / "fn.wasm"
    os.mkfifo(fifo)
    refused(run_cli("exec", fifo, cache=tmp_path / "c"), "WasmLoadError", "not a regular file")
