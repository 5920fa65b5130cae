"""The runner's own memory stays within the multiple of its input that docs/security.md states.

A 2 MB package through a pass-through WAT function (the output is as large as the input and is
parsed again): the CLI subprocess's peak RSS, its VmHWM, must stay under the start-up cost
plus 100 times the YAML (docs/security.md measures about 70).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests import wat_modules
from tests.conftest import ROOT

KPTFILE = "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: pkg\n"
MULTIPLE = 100
START_UP = 64 << 20  # Python, PyYAML, wasmtime and its engine before any input: about 35


def _package(root: Path, files: int = 16, per_file: int = 80) -> int:
    root.mkdir()
    (root / "Kptfile").write_text(KPTFILE)
    data = "".join(f"  key{k}: value-{k}-{'y' * 20}\n" for k in range(40))
    for number in range(files):
        docs = [
            f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{number}-{i}\ndata:\n{data}"
            for i in range(per_file)
        ]
        (root / f"f{number:02}.yaml").write_text("---\n".join(docs))
    return sum(path.stat().st_size for path in root.iterdir())


def _peak_rss(command: list[str], env: dict[str, str]) -> tuple[int, int]:
    """The exit code and the command's own peak RSS (VmHWM of its memory, read until it exits).

    Not ``wait4``'s ``ru_maxrss``: that keeps the high-water mark from before ``exec``, which for
    a child forked from a large pytest process is pytest's own size.
    """
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    status = Path(f"/proc/{process.pid}/status")
    peak = 0
    while process.poll() is None:
        try:
            lines = status.read_text().splitlines()
        except OSError:  # exited between poll() and the read
            break
        for line in lines:
            if line.startswith("VmHWM:"):  # kB; monotonic per exec, so the last reading is the peak
                peak = int(line.split()[1]) * 1024
        time.sleep(0.01)
    process.wait()
    return process.returncode, peak


def test_runner_memory_is_a_bounded_multiple_of_the_input(
    wat: Callable[[str, str], Path], tmp_path: Path
) -> None:
    package = tmp_path / "pkg"
    size = _package(package)
    assert size > 1 << 20
    echo = wat("echo", wat_modules.ECHO)
    env = {**os.environ, "KRM_WASM_CACHE": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "runner", "eval", str(package), "-o", "stdout"]
    code, peak = _peak_rss([*command, "--exec", str(echo)], env)
    assert code == 0
    assert peak > 0, "the run ended before its memory could be read"
    assert peak < START_UP + MULTIPLE * size, f"{peak >> 20} MiB for {size} bytes of YAML"
