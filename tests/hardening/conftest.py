"""Helpers of the hardening tests: the CLI as a subprocess with a short timeout (a hang fails)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, CliResult

# No hostile case may take longer than this: a hang fails the test instead of stalling the suite.
HANG_SECONDS = 60

STREAM = (
    "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"
    "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: settings\n"
)


def run_cli(*args: str | Path, cache: Path, stdin: str = STREAM) -> CliResult:
    """``python -m runner ARGS`` with its own compile cache, failing on a hang."""
    env = {**os.environ, "KRM_WASM_CACHE": str(cache)}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run(
        [sys.executable, "-m", "runner", *map(str, args)],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=HANG_SECONDS,
    )
    return CliResult(done.returncode, done.stdout, done.stderr)


def refused(result: CliResult, *needles: str) -> None:
    """A clear refusal: non-zero exit, no traceback, every needle in stderr."""
    assert result.returncode != 0, result
    assert "Traceback" not in result.stderr, result.stderr
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)


def eval_command(package: Path, functions: dict[str, Path]) -> list[str]:
    """`eval PKG` with the Rust set-namespace (a whole-package write), as the write tests run it."""
    return [
        sys.executable,
        "-m",
        "runner",
        "eval",
        str(package),
        "--exec",
        str(functions["set-namespace@rust"]),
        "--",
        "namespace=changed",
    ]


def eval_env(shared_cache: Path) -> dict[str, str]:
    """The environment of those runs: the shared compile cache, this checkout's runner."""
    return {**os.environ, "KRM_WASM_CACHE": str(shared_cache), "PYTHONPATH": str(ROOT)}
