"""A disk that fills during a write: the package is exactly the old one or exactly the new one.

The package sits on a 1 MiB tmpfs mounted for the test (we run as root in CI; the test is skipped,
saying why, where mounting is impossible). A filler file leaves a different amount of space free in
each case, so the write runs out of space at a different step: the journal, the staged copies, a
new directory, or not at all.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from runner.kpt.transaction import TRANSACTION_DIR
from tests.hardening.conftest import eval_command, eval_env

KPTFILE = "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: pkg\n"
FILES = 24
PAYLOAD = "x" * 12_000  # each file about 12 KB: the staged copies need about 290 KB


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(disk)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a 1 MiB tmpfs here: {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _free(path: Path) -> int:
    info = os.statvfs(path)
    return info.f_bavail * info.f_frsize


@pytest.mark.parametrize(
    ("free_kib", "fits"),
    [(0, False), (4, False), (16, False), (64, False), (160, False), (280, False), (600, True)],
)
def test_a_full_disk_during_a_write_leaves_old_or_new(
    small_disk: Path, shared_cache: Path, functions: dict[str, Path], free_kib: int, fits: bool
) -> None:
    package = small_disk / "pkg"
    package.mkdir()
    (package / "Kptfile").write_text(KPTFILE)
    for number in range(FILES):
        (package / f"cm-{number:02}.yaml").write_text(
            f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{number}\n"
            f"data:\n  payload: {PAYLOAD}\n"
        )
    old = _tree(package)
    filler = small_disk / "filler"
    with filler.open("wb") as handle:  # leave about free_kib KiB
        handle.write(b"\0" * max(_free(small_disk) - free_kib * 1024, 0))
    done = subprocess.run(
        eval_command(package, functions),
        capture_output=True,
        text=True,
        env=eval_env(shared_cache),
        timeout=120,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert not (package / TRANSACTION_DIR).exists()  # committed or rolled back, never left
    now = _tree(package)
    assert (done.returncode == 0) == fits, done.stderr
    if fits:
        assert set(now) == set(old)
        assert all(b"namespace: changed" in now[name] for name in now if name != "Kptfile")
    else:
        assert done.returncode == 1
        assert "No space left on device; nothing was changed" in done.stderr, done.stderr
        assert now == old
