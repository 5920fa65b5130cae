"""Function limits: output and stderr at the byte, time inside host calls, whole-instance memory.

Each hostile function is inline WAT run through the CLI (``exec``) in a subprocess.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from tests import wat_modules
from tests.hardening.conftest import refused, run_cli

Wat = Callable[[str, str], Path]

_IMPORTS = """
 (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "poll_oneoff"
   (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
"""


def _write_exactly(fd: int, count: int) -> str:
    """Writes ``count`` bytes of 'a' to ``fd`` in one call, then exits 0 at once."""
    return f"""(module {_IMPORTS} (memory (export "memory") 64)
 (func (export "_start")
   (memory.fill (i32.const 1024) (i32.const 97) (i32.const {count}))
   (i32.store (i32.const 0) (i32.const 1024)) (i32.store (i32.const 4) (i32.const {count}))
   (drop (call $fd_write (i32.const {fd}) (i32.const 0) (i32.const 1) (i32.const 8)))))"""


def _sleep(seconds: int) -> str:
    """One poll_oneoff on a relative monotonic clock of ``seconds``, then exits 0."""
    return f"""(module {_IMPORTS} (memory (export "memory") 1)
 (func (export "_start")
   (i32.store8 (i32.const 8) (i32.const 0))
   (i32.store (i32.const 16) (i32.const 1))
   (i64.store (i32.const 24) (i64.const {seconds * 1_000_000_000}))
   (drop (call $poll_oneoff (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))"""


def test_output_one_byte_over_the_limit_fails_whatever_the_timing(wat: Wat, tmp_path: Path) -> None:
    # One write and an immediate exit: finished before any watchdog poll could see it.
    over = wat("over", _write_exactly(1, 1001))
    refused(
        run_cli("exec", "--max-output", "1000", over, cache=tmp_path / "c"),
        "over",
        "output limit of 1000 bytes",
    )
    exact = wat("exact", _write_exactly(1, 1000))
    result = run_cli("exec", "--max-output", "1000", exact, cache=tmp_path / "c")
    assert "output limit" not in result.stderr, result.stderr  # at the limit: allowed


def test_stderr_over_its_limit_fails(wat: Wat, tmp_path: Path) -> None:
    loud = wat("loud", _write_exactly(2, (1 << 20) + 1))
    refused(run_cli("exec", loud, cache=tmp_path / "c"), "loud", "stderr limit of 1 MiB")


def test_stderr_flood_is_stopped(wat: Wat, tmp_path: Path) -> None:
    flood = wat("flood", wat_modules.OUTPUT_FLOOD.replace("(i32.const 1)", "(i32.const 2)", 1))
    refused(run_cli("exec", flood, cache=tmp_path / "c"), "flood", "stderr limit")


def test_timeout_fires_inside_a_host_sleep(wat: Wat, tmp_path: Path) -> None:
    sleeper = wat("sleeper", _sleep(3600))
    started = time.monotonic()
    result = run_cli("exec", "--timeout", "1s", sleeper, cache=tmp_path / "c")
    took = time.monotonic() - started
    refused(result, "sleeper", "time limit of 1s")
    assert took < 15, took


def test_a_short_host_sleep_still_works(wat: Wat, tmp_path: Path) -> None:
    # The runner's own poll_oneoff must really sleep and return: the function then exits 0.
    result = run_cli("exec", wat("nap", _sleep(0)), cache=tmp_path / "c")
    assert "time limit" not in result.stderr and "trapped" not in result.stderr, result.stderr


def test_memory_is_bounded_for_the_instance_not_per_memory(wat: Wat, tmp_path: Path) -> None:
    # Two memories of 20 MiB each under a 32 MiB limit: each fits alone, together they do not.
    two = wat(
        "two-memories",
        """(module (memory 320) (memory 320) (func (export "_start")))""",
    )
    refused(run_cli("exec", "--memory-limit", "32Mi", two, cache=tmp_path / "c"), "two-memories")


def test_table_growth_is_bounded(wat: Wat, tmp_path: Path) -> None:
    # table.grow of 200 M entries (1.5 GiB) under 64 MiB is refused (-1): the module exits 3.
    grower = wat(
        "table-grower",
        f"""(module {_IMPORTS} (memory (export "memory") 1) (table 0 funcref)
 (func (export "_start")
   (if (i32.eq (table.grow (ref.null func) (i32.const 200000000)) (i32.const -1))
     (then (call $proc_exit (i32.const 3))))))""",
    )
    refused(
        run_cli("exec", "--memory-limit", "64Mi", grower, cache=tmp_path / "c"),
        "exited with code 3",
    )
