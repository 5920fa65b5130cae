"""Whole-tree golden comparisons for the CLI tests.

Input packages live in ``tests/packages/<name>/``; what a command should leave behind lives in
``tests/packages/expected/<case>/`` (every file, byte for byte) and what it should print in
``tests/packages/expected/<case>.out`` (stdout). ``KRM_UPDATE_GOLDEN=1`` rewrites the expected
side from what the runner does now (then review the diff before committing).
"""

from __future__ import annotations

import difflib
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import pytest

from tests.conftest import ROOT

__all__ = [
    "EXPECTED",
    "PACKAGES",
    "UPDATE",
    "assert_output",
    "assert_tree",
    "assert_unchanged",
    "copy_package",
    "read_tree",
]

UPDATE = os.environ.get("KRM_UPDATE_GOLDEN") == "1"
PACKAGES = ROOT / "tests" / "packages"
EXPECTED = PACKAGES / "expected"


def copy_package(name: str, destination: Path) -> Path:
    """A private copy of ``tests/packages/<name>`` at ``destination`` (commands write in place)."""
    shutil.copytree(PACKAGES / name, destination)
    return destination


def read_tree(root: Path, ignore: Iterable[str] = ()) -> dict[str, bytes]:
    """Every file under ``root`` by POSIX relative path (directories are not compared)."""
    skipped = set(ignore)
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.relative_to(root).as_posix() not in skipped
    }


def _diff(want: dict[str, bytes], got: dict[str, bytes], want_name: str, got_name: str) -> str:
    lines: list[str] = []
    for name in sorted(want.keys() - got.keys()):
        lines.append(f"missing file: {name}")
    for name in sorted(got.keys() - want.keys()):
        lines.append(f"unexpected file: {name}")
        lines += ["  " + line for line in got[name].decode("utf-8", "replace").splitlines()[:20]]
    for name in sorted(want.keys() & got.keys()):
        if want[name] == got[name]:
            continue
        before = want[name].decode("utf-8", "replace").splitlines(keepends=True)
        after = got[name].decode("utf-8", "replace").splitlines(keepends=True)
        diff = list(
            difflib.unified_diff(before, after, f"{want_name}/{name}", f"{got_name}/{name}")
        )
        if not diff or all(line.startswith(("---", "+++", "@@")) for line in diff):
            diff = [f"{name}: differs in bytes only (line endings or a final newline)\n"]
        lines += [line.rstrip("\n") for line in diff]
    return "\n".join(lines)


def _fail(message: str) -> None:
    pytest.fail(message + "\n(KRM_UPDATE_GOLDEN=1 rewrites the expected files)", pytrace=False)


def assert_tree(actual: Path, case: str, *, ignore: Iterable[str] = ()) -> None:
    """``actual`` holds exactly the files of ``expected/<case>/``, byte for byte."""
    expected = EXPECTED / case
    got = read_tree(actual, ignore)
    if UPDATE:
        shutil.rmtree(expected, ignore_errors=True)
        for name, data in got.items():
            (expected / name).parent.mkdir(parents=True, exist_ok=True)
            (expected / name).write_bytes(data)
        return
    if not expected.is_dir():
        _fail(f"no expected tree {expected.relative_to(ROOT)}")
    want = read_tree(expected)
    if want != got:
        where = expected.relative_to(ROOT)
        _fail(f"{actual} differs from {where}:\n" + _diff(want, got, "want", "got"))


def assert_unchanged(actual: Path, package: str, *, ignore: Iterable[str] = ()) -> None:
    """``actual`` (a copy of ``tests/packages/<package>``) was left exactly as it was."""
    want = read_tree(PACKAGES / package, ignore)
    got = read_tree(actual, ignore)
    if want != got:
        _fail(f"{actual} was changed:\n" + _diff(want, got, "before", "after"))


def assert_output(stdout: str, case: str) -> None:
    """The command printed exactly ``expected/<case>.out``."""
    expected = EXPECTED / f"{case}.out"
    if UPDATE:
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_text(stdout, encoding="utf-8", newline="")
        return
    if not expected.is_file():
        _fail(f"no expected output {expected.relative_to(ROOT)}")
    want = expected.read_bytes().decode("utf-8")
    if want != stdout:
        diff = difflib.unified_diff(
            want.splitlines(keepends=True), stdout.splitlines(keepends=True), "want", "got"
        )
        _fail(f"stdout differs from {expected.relative_to(ROOT)}:\n" + "".join(diff))
