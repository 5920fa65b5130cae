"""Shared fixtures: the built functions (``nox -s build``), the CLI as a subprocess, WAT modules."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import wasmtime

from buildtools.common import read_manifest

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist" / "functions"
EXAMPLES = ROOT / "examples"


@dataclass(frozen=True)
class Built:
    name: str
    lang: str
    path: Path
    input: str


def built_functions() -> list[Built]:
    return [Built(a.name, a.lang, DIST / a.file, a.input) for a in read_manifest(DIST)]


@pytest.fixture(scope="session")
def functions() -> dict[str, Path]:
    """``{"set-namespace@go": path, ...}`` for every built function; fails when nothing is built."""
    found = {f"{b.name}@{b.lang}": b.path for b in built_functions() if b.path.exists()}
    if not found:
        pytest.fail("no built functions in dist/functions: run `nox -s build` first")
    return found


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    """A fresh, private compile cache (for tests of the cache itself)."""
    path = tmp_path / "cache"
    path.mkdir(mode=0o700)
    return path


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One compile cache for every CLI run, as a user's would be: each function compiles once."""
    path = tmp_path_factory.mktemp("cache")
    path.chmod(0o700)
    return path


@pytest.fixture
def cli(shared_cache: Path) -> Callable[..., CliResult]:
    """Run ``python -m runner ARGS`` in a subprocess, as a user would."""

    def run(
        *args: str | Path,
        stdin: str | None = None,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> CliResult:
        full_env = {**os.environ, "KRM_WASM_CACHE": str(shared_cache), **(env or {})}
        full_env["PYTHONPATH"] = str(ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
        done = subprocess.run(
            [sys.executable, "-m", "runner", *map(str, args)],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=cwd or ROOT,
            env=full_env,
            timeout=300,
        )
        return CliResult(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def wat(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a WAT module to ``<name>.wasm`` in a temp dir: misbehaving functions, inline."""

    def make(name: str, text: str) -> Path:
        path = tmp_path / f"{name}.wasm"
        path.write_bytes(wasmtime.wat2wasm(text))
        return path

    return make
