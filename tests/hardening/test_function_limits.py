"""Function limits: output and stderr at the byte, time inside host calls, whole-instance memory.

Each hostile function is inline WAT run through the CLI (``exec``) in a subprocess.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from tests import wat_modules
from tests.hardening.conftest import STREAM, refused, run_cli

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


def _grows(*steps: tuple[int, int]) -> str:
    """Two memories; each step grows memory ``index`` by ``pages`` and exits with the step's
    number if refused (-1); all granted: exits 0. A page is 64 KiB."""
    body = "".join(
        f"(if (i32.eq (memory.grow {index} (i32.const {pages})) (i32.const -1))"
        f" (then (call $proc_exit (i32.const {number}))))"
        for number, (index, pages) in enumerate(steps, start=1)
    )
    return f"""(module {_IMPORTS} (memory (export "memory") 1) (memory $second 1)
 (func (export "_start") {body}))"""


def test_memories_together_stay_within_the_limit(wat: Wat, tmp_path: Path) -> None:
    # 32 MiB: the two memories share 30 MiB, 15 each. 14 + 14 fit; one more MiB on either
    # would make its share 16: refused, whichever memory asks.
    ok = wat("shared", _grows((0, 14 * 16 - 1), (1, 14 * 16 - 1)))
    result = run_cli("exec", "--memory-limit", "32Mi", ok, cache=tmp_path / "c")
    assert "exited with code" not in result.stderr, result.stderr
    over = wat("over", _grows((0, 14 * 16 - 1), (1, 14 * 16 - 1), (1, 2 * 16)))
    refused(run_cli("exec", "--memory-limit", "32Mi", over, cache=tmp_path / "c"), "code 3")


def test_one_memory_may_use_all_but_the_table_share(wat: Wat, tmp_path: Path) -> None:
    # The whole instance, not a per-memory fraction: one memory grows to 59 of 64 MiB (60 is
    # the 15/16), and not to 61.
    grow = """(module {imports} (memory (export "memory") 1)
 (func (export "_start")
   (if (i32.eq (memory.grow (i32.const {pages})) (i32.const -1))
     (then (call $proc_exit (i32.const 4))))))"""
    fits = wat("fits", grow.format(imports=_IMPORTS, pages=59 * 16 - 1))
    result = run_cli("exec", "--memory-limit", "64Mi", fits, cache=tmp_path / "c")
    assert "exited with code" not in result.stderr, result.stderr
    big = wat("big", grow.format(imports=_IMPORTS, pages=61 * 16 - 1))
    refused(run_cli("exec", "--memory-limit", "64Mi", big, cache=tmp_path / "c"), "code 4")


def _component(*memory_pages: int, instantiate_first_twice: bool = False) -> str:
    modules = "".join(
        f'(core module $m{n} (memory (export "memory") {pages}))'
        for n, pages in enumerate(memory_pages)
    )
    instances = "".join(f"(core instance (instantiate $m{n}))" for n in range(len(memory_pages)))
    if instantiate_first_twice:
        instances += "(core instance (instantiate $m0))"
    return f"(component {modules} {instances})"


def test_a_components_memories_share_the_limit(wat: Wat, tmp_path: Path) -> None:
    # Two core modules of 300 pages (18.75 MiB) each: under 64 MiB both fit (the component then
    # lacks `process`, which is how far it gets); under 32 MiB each alone would, both do not.
    two = wat("two", _component(300, 300))
    refused(
        run_cli("exec", "--memory-limit", "64Mi", two, cache=tmp_path / "c"),
        "without the krm-function world's `process` export",
    )
    refused(
        run_cli("exec", "--memory-limit", "32Mi", two, cache=tmp_path / "c"),
        "does not fit in --memory-limit 32 MiB",
    )


def test_a_component_creating_more_memories_than_it_defines_is_refused(
    wat: Wat, tmp_path: Path
) -> None:
    twice = wat("twice", _component(1, instantiate_first_twice=True))
    refused(
        run_cli("exec", twice, cache=tmp_path / "c"),
        "does not fit in --memory-limit 1 GiB",
        "memory count",
    )


def test_a_python_component_runs_in_a_small_limit(
    functions: dict[str, Path], tmp_path: Path
) -> None:
    # Its one memory starts at 12.6 MiB: with the limit split 17 ways it needed 256 MiB.
    config = "functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n"
    result = run_cli(
        "exec",
        "--memory-limit",
        "32Mi",
        functions["set-namespace@py"],
        cache=tmp_path / "c",
        stdin=STREAM + config + "  data: {namespace: small}\n",
    )
    assert result.returncode == 0, result.stderr
    assert "namespace: small" in result.stdout


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
