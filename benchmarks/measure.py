"""Timing commands: wall time and peak RSS of a process or a shell pipe, summarised as medians.

Peak RSS is /usr/bin/time's ``%M`` (the largest resident set of the process; for a pipe, of its
largest process, since the stages run at the same time only while data flows). A process's or a
script's user and kernel CPU are its ``%U`` and ``%S`` (waited-for children included).
"""

from __future__ import annotations

import shlex
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

__all__ = ["Sample", "pipe", "repeat", "script", "summary", "timed"]


class Sample(NamedTuple):
    seconds: float  # wall
    rss_kib: int  # peak RSS (0: not measured)
    user_s: float | None = None  # CPU (None: not measured)
    kernel_s: float | None = None


def _under_time(
    argv: Sequence[str], fields: str, cwd: Path | None = None
) -> tuple[float, list[str]]:
    """Wall seconds of ``argv`` under /usr/bin/time, and the ``fields`` it reported; the
    command's output is discarded, a failure raises."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        started = time.perf_counter()
        subprocess.run(
            ["/usr/bin/time", "-o", report.name, "-f", fields, *argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            cwd=cwd,
            check=True,
        )
        elapsed = time.perf_counter() - started
        return elapsed, report.read().split()[-len(fields.split()) :]


def timed(argv: Sequence[str], cwd: Path | None = None) -> Sample:
    """One command's wall time, peak RSS and CPU."""
    elapsed, (peak, user, kernel) = _under_time(argv, "%M %U %S", cwd)
    return Sample(elapsed, int(peak), float(user), float(kernel))


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
    return Sample(elapsed, peak)


def script(text: str) -> Sample:
    """A bash script's wall time and CPU (no RSS: it runs many processes); read from a file, as
    it may be longer than one argument can be."""
    with tempfile.NamedTemporaryFile("w", suffix=".sh") as file:
        file.write(text)
        file.flush()
        elapsed, (user, kernel) = _under_time(["bash", "-e", "-o", "pipefail", file.name], "%U %S")
        return Sample(elapsed, 0, float(user), float(kernel))


def repeat(action: Callable[[], Sample], times: int) -> list[Sample]:
    return [action() for _ in range(times)]


def summary(samples: Sequence[Sample]) -> dict[str, Any]:
    """Median, min and max in ms, each run's time, and the largest peak RSS in MiB."""
    times = [s.seconds * 1000 for s in samples]
    out: dict[str, Any] = {
        "median_ms": statistics.median(times),
        "min_ms": min(times),
        "max_ms": max(times),
        "runs": len(times),
        "times_ms": times,  # in the order run: ratios pair them (report.ratio)
        "peak_rss_mib": max(s.rss_kib for s in samples) / 1024,
    }
    cpu = [
        (s.user_s, s.kernel_s) for s in samples if s.user_s is not None and s.kernel_s is not None
    ]
    if len(cpu) == len(samples):
        out["user_ms"] = statistics.median(user for user, _ in cpu) * 1000
        out["kernel_ms"] = statistics.median(kernel for _, kernel in cpu) * 1000
    return out
