"""The compile cache holds trusted native code: only exactly what was written for a key is used."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import wasmtime

from tests import wat_modules
from tests.conftest import ROOT
from tests.hardening.conftest import STREAM, run_cli

Wat = Callable[[str, str], Path]


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.rglob("*.cwasm"))


def _fill(wat: Wat, cache: Path) -> tuple[Path, Path, Path, Path]:
    """Cache two functions that say different things; returns (wasm a, wasm b, entry a, entry b)."""
    first = wat("first", wat_modules.exit_with(3, "first"))
    run_cli("exec", first, cache=cache)
    (entry_a,) = _entries(cache)
    second = wat("second", wat_modules.exit_with(4, "second"))
    run_cli("exec", second, cache=cache)
    (entry_b,) = [e for e in _entries(cache) if e != entry_a]
    return first, second, entry_a, entry_b


def test_another_functions_valid_entry_is_not_run(wat: Wat, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, _second, entry_a, entry_b = _fill(wat, cache)
    entry_a.write_bytes(entry_b.read_bytes())  # a valid entry, for the wrong function
    result = run_cli("exec", first, cache=cache)
    assert "exited with code 3" in result.stderr, result.stderr
    assert "second" not in result.stderr


def test_another_functions_entry_and_digest_together_are_not_run(wat: Wat, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, _second, entry_a, entry_b = _fill(wat, cache)
    entry_a.write_bytes(entry_b.read_bytes())
    digest_a, digest_b = entry_a.with_suffix(".digest"), entry_b.with_suffix(".digest")
    digest_a.write_bytes(digest_b.read_bytes())  # its record names the other key
    result = run_cli("exec", first, cache=cache)
    assert "exited with code 3" in result.stderr, result.stderr


def test_a_truncated_entry_is_compiled_again(wat: Wat, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, _second, entry_a, _entry_b = _fill(wat, cache)
    entry_a.write_bytes(entry_a.read_bytes()[:-100])
    result = run_cli("exec", first, cache=cache)
    assert "exited with code 3" in result.stderr and "Traceback" not in result.stderr


def test_a_payload_byte_flipped_is_compiled_again(wat: Wat, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, _second, entry_a, _entry_b = _fill(wat, cache)
    data = bytearray(entry_a.read_bytes())
    data[-200] ^= 0xFF
    entry_a.write_bytes(bytes(data))
    result = run_cli("exec", first, cache=cache)
    assert "exited with code 3" in result.stderr and "Traceback" not in result.stderr
    assert entry_a.read_bytes() != bytes(data)  # rewritten by the new compile


def test_a_fifo_or_directory_in_place_of_an_entry_is_ignored(wat: Wat, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, second, entry_a, entry_b = _fill(wat, cache)
    entry_a.unlink()
    os.mkfifo(entry_a)
    entry_b.unlink()
    entry_b.mkdir()
    for wasm, code in ((first, 3), (second, 4)):
        result = run_cli("exec", wasm, cache=cache)  # a hang fails here (subprocess timeout)
        assert f"exited with code {code}" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_every_level_it_creates_is_private(wat: Wat, tmp_path: Path) -> None:
    cache = tmp_path / "a" / "b" / "cache"
    run_cli("exec", wat("first", wat_modules.exit_with(3, "first")), cache=cache)
    (entry,) = _entries(cache)
    level = entry.parent
    while level != tmp_path:
        assert stat.S_IMODE(level.stat().st_mode) == 0o700, level
        level = level.parent


def test_a_level_writable_by_others_disables_the_cache(wat: Wat, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, _second, entry_a, entry_b = _fill(wat, cache)
    entry_a.parent.chmod(0o777)  # an inner level, not the root
    entry_a.write_bytes(entry_b.read_bytes())
    result = run_cli("exec", first, cache=cache)
    assert "not using the compile cache" in result.stderr
    assert "exited with code 3" in result.stderr


def test_two_processes_filling_one_entry_at_once(wat: Wat, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    wasm = wat("first", wat_modules.exit_with(3, "first"))
    env = {**os.environ, "KRM_WASM_CACHE": str(cache), "PYTHONPATH": str(ROOT)}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "runner", "exec", str(wasm)],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        for _ in range(4)
    ]
    for process in runs:
        _out, err = process.communicate(STREAM, timeout=60)
        assert "exited with code 3" in err and "Traceback" not in err, err
    assert len(_entries(cache)) == 1
    assert not list(cache.rglob("*.partial"))
    result = run_cli("exec", wasm, cache=cache)
    assert "exited with code 3" in result.stderr and "compiling" not in result.stderr


# A digest is remembered with a file's identity only once the file is this old (cache._SETTLED_NS).
SETTLE_SECONDS = 2.1


def _rewrite_in_place(path: Path, data: bytes) -> None:
    """New content of the same size, written into the same inode, its mtime put back."""
    before = path.stat()
    assert len(data) == before.st_size
    with path.open("r+b") as handle:
        handle.write(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    )


def test_a_wasm_file_rewritten_with_its_size_and_mtime_is_hashed_again(
    wat: Wat, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = wat("first", wat_modules.exit_with(3, "first"))
    other = wasmtime.wat2wasm(wat_modules.exit_with(4, "other"))  # the same size
    time.sleep(SETTLE_SECONDS)
    run_cli("exec", first, cache=cache)
    assert list(cache.rglob("source-*")), "the settled file's digest is remembered"
    _rewrite_in_place(first, other)
    result = run_cli("exec", first, cache=cache)
    assert "exited with code 4" in result.stderr, result.stderr


def test_a_payload_rewritten_after_its_identity_was_remembered_is_compiled_again(
    wat: Wat, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first, _second, entry_a, _entry_b = _fill(wat, cache)
    time.sleep(SETTLE_SECONDS)
    result = run_cli("exec", first, cache=cache)  # hashed, found right: its identity is recorded
    assert "exited with code 3" in result.stderr, result.stderr
    record = entry_a.with_suffix(".digest").read_text().splitlines()
    assert record[3] != "-", record
    data = bytearray(entry_a.read_bytes())
    data[-200] ^= 0xFF
    _rewrite_in_place(entry_a, bytes(data))
    result = run_cli("exec", first, cache=cache)
    assert "exited with code 3" in result.stderr and "Traceback" not in result.stderr
    assert entry_a.read_bytes() != bytes(data)  # rewritten by the new compile


def test_another_files_remembered_digest_copied_over_is_not_used(wat: Wat, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = wat("first", wat_modules.exit_with(3, "first"))
    second = wat("second", wat_modules.exit_with(4, "second"))
    time.sleep(SETTLE_SECONDS)
    run_cli("exec", first, cache=cache)
    (record_a,) = cache.rglob("source-*")
    run_cli("exec", second, cache=cache)
    (record_b,) = [r for r in cache.rglob("source-*") if r != record_a]
    record_a.write_bytes(record_b.read_bytes())  # it names the second file's digest
    result = run_cli("exec", first, cache=cache)
    assert "exited with code 3" in result.stderr, result.stderr


def test_a_record_with_unreadable_facts_is_compiled_again(wat: Wat, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, _second, entry_a, _entry_b = _fill(wat, cache)
    record = entry_a.with_suffix(".digest")
    lines = record.read_text().splitlines()
    record.write_text("\n".join([*lines[:4], '{"kind": "no such kind"}']) + "\n")
    result = run_cli("exec", first, cache=cache)
    assert "exited with code 3" in result.stderr and "Traceback" not in result.stderr
    assert record.read_text().splitlines()[4] == lines[4]  # rewritten by the new compile
