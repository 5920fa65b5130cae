"""The builder: a broken function is named with the compiler's message, the others still build;
a second build skips what is up to date; the manifest describes each artifact."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from buildtools import common, golang
from runner.wasm.meta import WasmKind, inspect_wasm
from tests.conftest import ROOT

BROKEN_MAIN = "package main\n\nfunc main() {\n\tthis is not go\n}\n"


@pytest.fixture
def go_module(tmp_path: Path) -> Path:
    """A copy of functions-go with one more function that does not compile."""
    module = tmp_path / "functions-go"
    shutil.copytree(ROOT / "functions-go", module, ignore=shutil.ignore_patterns("testdata"))
    broken = module / "broken"
    broken.mkdir()
    (broken / "metadata.yaml").write_text("name: broken\ninput: json\n")
    (broken / "main.go").write_text(BROKEN_MAIN)
    return module


def _build(module: Path, dist: Path, toolchain: common.Toolchain) -> common.BuildReport:
    sources = [s for s in common.discover(module, "go") if s.name in ("broken", "set-namespace")]
    return common.build_all(sources, dist, toolchain, golang.inputs, golang.compile, log=print)


def test_failure_is_named_and_others_build_then_nothing_rebuilds(
    go_module: Path, tmp_path: Path, go_toolchain: common.Toolchain
) -> None:
    dist = tmp_path / "dist"
    report = _build(go_module, dist, go_toolchain)
    [failure] = report.failed
    assert failure.function == "broken"
    assert "syntax error" in failure.message  # the compiler's own words
    assert [a.name for a in report.built] == ["set-namespace"]

    wasm = dist / "set-namespace.go.wasm"
    meta = inspect_wasm(wasm.read_bytes(), str(wasm))
    assert (meta.kind, meta.name, meta.lang, meta.input_format) == (
        WasmKind.CORE_MODULE,
        "set-namespace",
        "go",
        "json",
    )
    [entry] = json.loads((dist / "index.json").read_text())["functions"]
    assert entry["file"] == "set-namespace.go.wasm"
    assert entry["toolchain"] == "go" and entry["toolchain_version"]
    assert entry["abi"] == "wasip1-command"
    assert entry["sha256"] == common.sha256_file(wasm)
    assert entry["size"] == wasm.stat().st_size

    again = _build(go_module, dist, go_toolchain)
    assert [a.name for a in again.skipped] == ["set-namespace"]
    assert not again.built

    # A change to the shared library rebuilds the function.
    touch = go_module / "internal" / "golden" / "zz_touch.go"
    touch.write_text("package golden\n\nconst touched = 1\n")
    third = _build(go_module, dist, go_toolchain)
    assert [a.name for a in third.built] == ["set-namespace"]


def test_go_builds_are_reproducible(
    go_module: Path, tmp_path: Path, go_toolchain: common.Toolchain
) -> None:
    shutil.rmtree(go_module / "broken")
    first = _build(go_module, tmp_path / "one", go_toolchain)
    moved = tmp_path / "elsewhere" / "functions-go"
    shutil.copytree(go_module, moved)
    second = _build(moved, tmp_path / "two", go_toolchain)
    assert [a.sha256 for a in first.built] == [a.sha256 for a in second.built]
