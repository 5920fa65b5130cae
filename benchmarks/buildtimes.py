"""How long `nox -s build` takes: with nothing changed, and from clean in a copy of the tree.

The no-op rebuild runs in the repository itself with nox's venvs reused (``-R``: no pip step),
twice: the second, timed, finds everything up to date. The clean build copies the tracked
files into a temporary directory (no dist/, no .nox/, no cargo target/) and builds everything
there; Go's module cache is linked to the repository's, so nothing is downloaded (Go's build
cache starts empty), and pip's own cache stays warm: "clean" means every function compiled
again, not every byte fetched.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

__all__ = ["clean_build", "noop_rebuild"]


def _nox(nox: Sequence[str], cwd: Path, *args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run([*nox, *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stderr + done.stdout).strip().splitlines()[-5:])
        raise RuntimeError(f"`nox {' '.join(args)}` in {cwd} failed:\n{tail}")
    return time.perf_counter() - started


def noop_rebuild(nox: Sequence[str], root: Path) -> float:
    _nox(nox, root, "-R", "-s", "build")  # untimed: whatever changed is built first
    return _nox(nox, root, "-R", "-s", "build")


def clean_build(nox: Sequence[str], root: Path) -> float:
    files = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    with tempfile.TemporaryDirectory(prefix="krm-wasm-clean-") as tmp:
        copy = Path(tmp) / "repo"
        for name in filter(None, files):
            source = root / name
            if source.is_file():
                (copy / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, copy / name)
        modules = root / ".nox" / "go-cache" / "mod"
        if modules.is_dir():
            (copy / ".nox" / "go-cache").mkdir(parents=True)
            (copy / ".nox" / "go-cache" / "mod").symlink_to(modules)
        return _nox(nox, copy, "-s", "build")
