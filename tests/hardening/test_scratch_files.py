"""A function's stdin, stdout and stderr files have no names: a killed run leaves nothing behind.

The runner is SIGKILLed while a WAT function sleeps in a host call, its scratch files open; then no
``krm-wasm-*`` entry may be left in ``/dev/shm`` or the temp directory. A full ``/dev/shm`` (a tiny
tmpfs mounted over it in a private mount namespace) does not stop a run.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import wat_modules
from tests.conftest import ROOT
from tests.hardening.conftest import STREAM
from tests.hardening.test_function_limits import _sleep

Wat = Callable[[str, str], Path]


def _leftovers(*directories: Path) -> set[str]:
    return {
        str(entry)
        for directory in directories
        if directory.is_dir()
        for entry in directory.iterdir()
        if entry.name.startswith("krm-wasm-")
    }


def _env(tmp_path: Path) -> dict[str, str]:
    tmp = tmp_path / "tmp"
    tmp.mkdir(exist_ok=True)
    return {
        **os.environ,
        "KRM_WASM_CACHE": str(tmp_path / "cache"),
        "PYTHONPATH": str(ROOT),
        "TMPDIR": str(tmp),
    }


def _scratch_fds(pid: int) -> list[str]:
    fd_dir = Path(f"/proc/{pid}/fd")
    found = []
    for fd in fd_dir.iterdir() if fd_dir.is_dir() else []:
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if "krm-wasm-" in target:
            found.append(target)
    return found


def test_a_run_killed_mid_call_leaves_no_scratch_file(wat: Wat, tmp_path: Path) -> None:
    sleeper = wat("sleeper", _sleep(3600))
    env = _env(tmp_path)
    shm = Path("/dev/shm")
    before = _leftovers(shm, Path(env["TMPDIR"]))
    process = subprocess.Popen(
        [sys.executable, "-m", "runner", "exec", str(sleeper)],
        stdin=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        env=env,
        cwd=ROOT,
    )
    assert process.stdin is not None
    process.stdin.write(STREAM.encode())
    process.stdin.close()
    deadline = time.monotonic() + 60
    open_files: list[str] = []
    while process.poll() is None and time.monotonic() < deadline and len(open_files) < 6:
        time.sleep(0.02)
        open_files = _scratch_fds(process.pid)
    try:
        # stdin, stdout and stderr, each open twice: the runner's fd and the guest's
        assert len(open_files) == 6, "the function never started"
        assert all("memfd:" in target or "(deleted)" in target for target in open_files)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert _leftovers(shm, Path(env["TMPDIR"])) == before


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare(1)")
def test_a_full_dev_shm_does_not_stop_a_run(wat: Wat, tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs over /dev/shm needs root")
    echo = wat("echo", wat_modules.ECHO)
    script = (
        "mount -t tmpfs -o size=4k tmpfs /dev/shm"
        " && (head -c 65536 /dev/zero > /dev/shm/filler 2>/dev/null; true)"
        f' && exec "{sys.executable}" -m runner exec "{echo}"'
    )
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script],
        input=STREAM,
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    if "mount:" in done.stderr:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    assert "name: settings" in done.stdout
