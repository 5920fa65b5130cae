"""Loading wasm: kind detection, the krm-function section, the private compile cache."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from runner.errors import WasmLoadError
from runner.wasm.engine import Engine
from runner.wasm.execute import execute
from runner.wasm.meta import WasmKind, inspect_wasm
from tests import wat_modules


@pytest.mark.parametrize(
    ("function", "kind", "input_format"),
    [
        ("set-namespace@go", WasmKind.CORE_MODULE, "json"),
        ("set-namespace@rust", WasmKind.CORE_MODULE, "json"),
        ("set-namespace@py", WasmKind.COMPONENT, "json"),
    ],
)
def test_built_functions_describe_themselves(
    functions: dict[str, Path], function: str, kind: WasmKind, input_format: str
) -> None:
    meta = inspect_wasm(functions[function].read_bytes(), function)
    assert meta.kind is kind
    assert meta.name == "set-namespace"
    assert meta.lang == function.split("@")[1]
    assert meta.input_format == input_format
    assert meta.toolchain


def test_undeclared_module_wants_yaml(wat: Callable[[str, str], Path]) -> None:
    path = wat("plain", wat_modules.TRAP)
    meta = inspect_wasm(path.read_bytes(), str(path))
    assert (meta.kind, meta.name, meta.input_format) == (WasmKind.CORE_MODULE, None, "yaml")


def test_rejects_files_that_are_not_wasm() -> None:
    with pytest.raises(WasmLoadError, match=r"x\.wasm: not a WebAssembly binary"):
        inspect_wasm(b"#!/bin/sh\n", "x.wasm")


@pytest.mark.parametrize("function", ["set-namespace@go", "set-namespace@py"])
def test_second_load_comes_from_the_cache_and_still_runs(
    functions: dict[str, Path], cache_dir: Path, function: str
) -> None:
    first = Engine(cache_dir).load(functions[function])
    assert not first.from_cache
    cached = list(cache_dir.rglob("*.cwasm"))
    assert [p.name for p in cached] == [f"{first.sha256}.cwasm"]
    assert oct(cached[0].parent.stat().st_mode & 0o777) == "0o700"

    engine = Engine(cache_dir)
    second = engine.load(functions[function])
    assert second.from_cache
    # The built file is old and unchanged: its digest and facts came from the cache, unread.
    assert list(cache_dir.rglob("source-*"))
    assert (second.sha256, second.meta, second.shape) == (first.sha256, first.meta, first.shape)
    rl = (
        b'{"apiVersion":"config.kubernetes.io/v1","kind":"ResourceList","items":[],'
        b'"functionConfig":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},'
        b'"data":{"namespace":"x"}}}'
    )
    assert execute(engine, second, rl).exit_code == 0


def test_a_cache_others_can_write_to_is_not_used(
    functions: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    loaded = Engine(shared).load(functions["set-namespace@rust"])
    assert not loaded.from_cache
    assert not list(shared.rglob("*.cwasm"))
    assert "not using the compile cache" in capsys.readouterr().err


def test_a_damaged_cache_entry_is_compiled_again(
    functions: dict[str, Path], cache_dir: Path
) -> None:
    first = Engine(cache_dir).load(functions["set-namespace@rust"])
    [entry] = list(cache_dir.rglob("*.cwasm"))
    entry.write_bytes(b"garbage")
    again = Engine(cache_dir).load(functions["set-namespace@rust"])
    assert not again.from_cache
    assert again.sha256 == first.sha256
    assert entry.read_bytes() != b"garbage"
