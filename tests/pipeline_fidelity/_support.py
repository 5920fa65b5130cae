"""Helpers for the end-to-end fidelity tests: corpus packages, byte snapshots, tee functions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import wasmtime

from buildtools.common import METADATA_SECTION, append_custom_section
from tests import wat_modules
from tests.conftest import ROOT

__all__ = [
    "CORPUS",
    "ECHO",
    "TEE",
    "copy_corpus",
    "snapshot",
    "write_module",
]

CORPUS = ROOT / "tests" / "fidelity" / "corpus"
ECHO = wat_modules.ECHO

# Copies stdin to stdout and to stderr: the runner puts a step's stderr in results.yaml, so a
# test can read back exactly the bytes the function was given.
TEE = wat_modules.copy_stdin_to(1, 2)


def write_module(path: Path, wat: str, input_format: str | None = None) -> Path:
    """Compile `wat` to `path`; with input_format, declare it in a krm-function section."""
    path.write_bytes(wasmtime.wat2wasm(wat))
    if input_format is not None:
        meta = {"name": path.stem, "lang": "wat", "input": input_format, "toolchain": "wat"}
        append_custom_section(path, METADATA_SECTION, json.dumps(meta).encode())
    return path


def copy_corpus(package: Path) -> list[str]:
    """Copy every corpus file (exact bytes) into `package`; returns their names."""
    package.mkdir(parents=True, exist_ok=True)
    names = sorted(p.name for p in CORPUS.iterdir() if p.suffix == ".yaml")
    for name in names:
        shutil.copyfile(CORPUS / name, package / name)
    return names


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` (relative path -> bytes)."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }
