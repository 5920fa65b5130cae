"""Command-line values to typed options: limits and sandbox grants (``--memory-limit 512Mi``,
``--mount``), and the small option objects commands pass to their stages."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from runner.errors import UsageError
from runner.wasm.engine import Engine
from runner.wasm.execute import Limits, Mount, Sandbox

__all__ = [
    "Reporting",
    "Runtime",
    "engine_for",
    "limits_from",
    "parse_duration",
    "parse_env",
    "parse_mount",
    "parse_size",
    "reporting_of",
    "runtime_of",
    "sandbox_from",
    "to_stderr",
]


class Runtime(NamedTuple):
    """How functions run: limits, granted host resources, whether the compile cache is used."""

    limits: Limits
    sandbox: Sandbox
    use_cache: bool = True


class Reporting(NamedTuple):
    """What the user is told: progress lines on stderr (unless quiet), results.yaml (if a dir)."""

    quiet: bool = False
    results_dir: Path | None = None


# Ranges of the limit flags (docs/security.md). Memory: a wasm32 memory is at most 4 GiB and a
# component has a few; output is held in the runner's memory, so it stays well below RAM sizes.
_MAX_TIMEOUT_SECONDS = 24 * 3600.0
_MEMORY_RANGE = (1 << 20, 64 << 30)  # 1 MiB .. 64 GiB
_OUTPUT_RANGE = (1, 4 << 30)  # 1 byte .. 4 GiB

_UNITS = {"": 1, "k": 1000, "m": 1000**2, "g": 1000**3, "ki": 1 << 10, "mi": 1 << 20, "gi": 1 << 30}


def parse_size(text: str, flag: str) -> int:
    """``1Gi``, ``512Mi``, ``100M`` or plain bytes (Kubernetes quantity suffixes)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]i?)?[bB]?\s*", text)
    if not match:
        raise UsageError(f"{flag}: {text!r} is not a size (e.g. 512Mi, 1Gi, 100M)")
    number, unit = match.groups()
    size = float(number) * _UNITS[(unit or "").lower()]
    if not size < float(1 << 62):  # also catches inf from a very long number
        raise UsageError(f"{flag}: {text!r} is too large")
    return int(size)


def parse_duration(text: str, flag: str) -> float:
    """``60s``, ``2m``, ``500ms`` or plain seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*", text)
    if not match:
        raise UsageError(f"{flag}: {text!r} is not a duration (e.g. 30s, 2m)")
    number, unit = match.groups()
    seconds = float(number) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit or "s"]
    if seconds <= 0:
        raise UsageError(f"{flag}: must be more than zero")
    if seconds > _MAX_TIMEOUT_SECONDS:
        raise UsageError(f"{flag}: {text!r} is more than the maximum of 24h")
    return seconds


def parse_mount(text: str) -> Mount:
    """kpt's form ``type=bind,src=DIR,dst=PATH[,rw=true]``, or the short ``DIR:PATH[:rw]``."""
    if "=" in text:
        fields = dict(part.split("=", 1) for part in text.split(",") if "=" in part)
        if fields.get("type", "bind") != "bind":
            raise UsageError(f"--mount {text!r}: only type=bind is supported")
        source, target = (
            fields.get("src") or fields.get("source"),
            fields.get("dst") or fields.get("target"),
        )
        writable = fields.get("rw", "false").lower() == "true"
    else:
        parts = text.split(":")
        if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] not in ("ro", "rw")):
            raise UsageError(f"--mount {text!r}: expected DIR:PATH[:ro|rw] or type=bind,src=,dst=")
        source, target = parts[0], parts[1]
        writable = len(parts) == 3 and parts[2] == "rw"
    if not source or not target:
        raise UsageError(f"--mount {text!r}: needs both a source and a destination")
    host = Path(source).resolve()
    if not host.is_dir():
        raise UsageError(f"--mount {text!r}: {host} is not a directory")
    return Mount(host, target, writable)


def parse_env(text: str) -> tuple[str, str]:
    """``KEY=VALUE``, or ``KEY`` to pass the runner's own value (as kpt's ``--env``)."""
    key, sep, value = text.partition("=")
    if not key:
        raise UsageError(f"--env {text!r}: expected KEY=VALUE or KEY")
    if not sep:
        if key not in os.environ:
            raise UsageError(f"--env {key}: not set in the runner's environment")
        value = os.environ[key]
    return key, value


def _in_range(size: int, bounds: tuple[int, int], text: str, flag: str) -> int:
    low, high = bounds
    if not low <= size <= high:
        raise UsageError(
            f"{flag}: {text!r} is out of range (from {_size_text(low)} to {_size_text(high)})"
        )
    return size


def _size_text(size: int) -> str:
    for unit, factor in (("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor}{unit}"
    return f"{size} bytes" if size != 1 else "1 byte"


def limits_from(timeout: str, memory: str, output: str) -> Limits:
    """The three limit flags, each checked against its range (a usage error names the flag)."""
    return Limits(
        timeout_seconds=parse_duration(timeout, "--timeout"),
        memory_bytes=_in_range(
            parse_size(memory, "--memory-limit"), _MEMORY_RANGE, memory, "--memory-limit"
        ),
        output_bytes=_in_range(
            parse_size(output, "--max-output"), _OUTPUT_RANGE, output, "--max-output"
        ),
    )


def sandbox_from(mounts: Sequence[str], env: Sequence[str]) -> Sandbox:
    return Sandbox(
        mounts=tuple(parse_mount(m) for m in mounts), env=tuple(parse_env(e) for e in env)
    )


def runtime_of(args: argparse.Namespace) -> Runtime:
    """The runtime flags every command has (``--timeout``, ``--mount``, ``--no-cache``...)."""
    return Runtime(
        limits=limits_from(args.timeout, args.memory_limit, args.max_output),
        sandbox=sandbox_from(args.mount, args.env),
        use_cache=not args.no_cache,
    )


def reporting_of(args: argparse.Namespace) -> Reporting:
    """``--quiet`` and ``--results-dir`` (``exec`` has neither: its stderr is the function's)."""
    return Reporting(
        quiet=getattr(args, "quiet", True), results_dir=getattr(args, "results_dir", None)
    )


def engine_for(runtime: Runtime, reporting: Reporting) -> Engine:
    """The engine; unless quiet it says on stderr when it compiles (a first run is slower)."""
    return Engine(use_cache=runtime.use_cache, notify=_silent if reporting.quiet else to_stderr)


def _silent(message: str) -> None:
    pass


def to_stderr(message: str) -> None:
    """A notice on stderr (the lock's wait, the compile note)."""
    print(message, file=sys.stderr)
