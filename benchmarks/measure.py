"""Timing commands: wall time and peak RSS of a process or a shell pipe, summarised as medians.

Peak RSS is /usr/bin/time's ``%M`` (the largest resident set of the process; for a pipe, of its
largest process, since the stages run at the same time only while data flows).
"""

from __future__ import annotations

import shlex
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["Sample", "cpu_seconds", "pipe", "repeat", "script", "summary", "timed"]

Sample = tuple[float, int]  # wall seconds, peak RSS in KiB (0: not measured)


def timed(argv: Sequence[str], cwd: Path | None = None) -> Sample:
    """One command's wall time and peak RSS; its output is discarded, a failure raises."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        started = time.perf_counter()
        subprocess.run(
            ["/usr/bin/time", "-o", rss.name, "-f", "%M", *argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            cwd=cwd,
            check=True,
        )
        elapsed = time.perf_counter() - started
        return elapsed, int(rss.read().split()[-1])


def cpu_seconds(argv: Sequence[str]) -> tuple[float, float]:
    """One command's CPU time: (user, kernel) seconds, its waited-for children's included."""
    with tempfile.NamedTemporaryFile("r", suffix=".cpu") as cpu:
        subprocess.run(
            ["/usr/bin/time", "-o", cpu.name, "-f", "%U %S", *argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            check=True,
        )
        user, kernel = cpu.read().split()[-2:]
        return float(user), float(kernel)


def _stage(command: Sequence[str], rss_file: str) -> str:
    return f"/usr/bin/time -o {shlex.quote(rss_file)} -f %M {shlex.join(command)}"


def pipe(commands: Sequence[Sequence[str]], stdin_path: Path) -> Sample:
    """A shell pipe of `commands` fed `stdin_path`; the largest process's peak RSS."""
    with tempfile.TemporaryDirectory() as tmp:
        parts = [_stage(c, f"{tmp}/{n}") for n, c in enumerate(commands)]
        parts[0] += f" < {shlex.quote(str(stdin_path))}"
        text = " | ".join(parts) + " > /dev/null"
        started = time.perf_counter()
        # pipefail: a failing stage must not pass for a fast one
        subprocess.run(["bash", "-o", "pipefail", "-c", text], check=True)
        elapsed = time.perf_counter() - started
        peak = max(int(Path(f"{tmp}/{n}").read_text().split()[-1]) for n in range(len(commands)))
    return elapsed, peak


def script(text: str) -> Sample:
    """A bash script's wall time (no RSS: it runs many processes); read from a file, as it may
    be longer than one argument can be."""
    with tempfile.NamedTemporaryFile("w", suffix=".sh") as file:
        file.write(text)
        file.flush()
        started = time.perf_counter()
        subprocess.run(
            ["bash", "-e", "-o", "pipefail", file.name], check=True, stdout=subprocess.DEVNULL
        )
        return time.perf_counter() - started, 0


def repeat(action: Callable[[], Sample], times: int) -> list[Sample]:
    return [action() for _ in range(times)]


def summary(samples: Sequence[Sample]) -> dict[str, Any]:
    """Median, min and max in ms, each run's time, and the largest peak RSS in MiB."""
    times = [s[0] * 1000 for s in samples]
    return {
        "median_ms": statistics.median(times),
        "min_ms": min(times),
        "max_ms": max(times),
        "runs": len(times),
        "times_ms": times,  # in the order run: ratios pair them (report.ratio)
        "peak_rss_mib": max(s[1] for s in samples) / 1024,
    }
