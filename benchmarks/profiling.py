"""A command of the runner under cProfile: the functions' own compute, and where the rest goes.

The functions' compute is the cumulative time of wasmtime-py's ``Func.__call__`` (core modules'
``_start``, components' ``process``): the guest runs inside those calls, start-up of its own
runtime included, and nothing of the runner does. The runner calls wasm on its main thread, the
only one cProfile sees. Wall time is taken from unprofiled runs: the profiler slows Python code,
not the wasm inside a call, so the runner-owned share is (wall - compute) / wall.
"""

from __future__ import annotations

import pstats
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

__all__ = ["Profile", "profile"]

_WASM_CALLS = (
    ("wasmtime/_func.py", "__call__"),
    ("wasmtime/component/_func.py", "__call__"),
)


class Profile:
    def __init__(self, stats: pstats.Stats, root: Path) -> None:
        self._entries = stats.stats  # type: ignore[attr-defined]  # (file, line, fn) -> counts
        self._root = str(root)

    def wasm_call_seconds(self) -> float:
        total = 0.0
        for (filename, _line, function), (
            _cc,
            _nc,
            _tt,
            cumulative,
            _callers,
        ) in self._entries.items():
            if any(filename.endswith(f) and function == fn for f, fn in _WASM_CALLS):
                total += cumulative
        return float(total)

    def top_runner(self, count: int) -> list[dict[str, object]]:
        """The runner's functions with the most cumulative time (the entry point left out)."""
        rows = []
        for (filename, line, function), (
            _cc,
            calls,
            own,
            cumulative,
            _callers,
        ) in self._entries.items():
            if not filename.startswith(self._root + "/runner/") or function == "<module>":
                continue
            where = f"{Path(filename).relative_to(self._root)}:{line}"
            rows.append(
                {
                    "function": f"{where}({function})",
                    "calls": calls,
                    "own_ms": own * 1000,
                    "cumulative_ms": cumulative * 1000,
                }
            )
        rows.sort(key=lambda row: -float(str(row["cumulative_ms"])))
        return rows[:count]


def profile(args: Sequence[str], root: Path, cwd: Path | None = None) -> Profile:
    """``python -m cProfile -m runner ARGS``; its output discarded, a failure raises."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "prof"
        command = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "runner", *args]
        subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
        return Profile(pstats.Stats(str(out)), root)
