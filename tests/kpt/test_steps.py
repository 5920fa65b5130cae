"""kpt.steps: a StepCache resolves each local image and loads each wasm file once per command."""

from __future__ import annotations

from pathlib import Path

import pytest
import wasmtime

from runner.kpt.steps import StepCache, reference_step
from runner.wasm.engine import Engine
from tests import wat_modules


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(use_cache=False)


@pytest.fixture
def fn_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "fns"
    directory.mkdir()
    (directory / "echo.wasm").write_bytes(wasmtime.wat2wasm(wat_modules.ECHO))
    return directory


def test_a_local_image_is_resolved_and_loaded_once(engine: Engine, fn_dir: Path) -> None:
    cache = StepCache()
    first = reference_step(
        engine, image="echo", exec_path=None, fn_paths=[fn_dir], config=None, cache=cache
    )
    (fn_dir / "echo.wasm").unlink()  # a second resolution would now fail
    second = reference_step(
        engine, image="echo", exec_path=None, fn_paths=[fn_dir], config={"a": 1}, cache=cache
    )
    assert second.function is first.function
    assert second.config == {"a": 1}  # the step is new; only the resolution and load are kept
    assert cache.images == {("echo", (fn_dir,)): fn_dir / "echo.wasm"}


def test_a_registry_reference_is_resolved_at_every_step(engine: Engine, fn_dir: Path) -> None:
    cache = StepCache()
    image = "ghcr.io/acme/fns/echo:v1"  # found in --fn-path: a local override, not remembered
    step = reference_step(
        engine, image=image, exec_path=None, fn_paths=[fn_dir], config=None, cache=cache
    )
    assert step.label == image
    assert cache.images == {}
    assert list(cache.loaded) == [fn_dir / "echo.wasm"]  # the file itself is loaded once


def test_without_a_cache_each_step_resolves_again(engine: Engine, fn_dir: Path) -> None:
    reference_step(engine, image="echo", exec_path=None, fn_paths=[fn_dir], config=None)
    (fn_dir / "echo.wasm").unlink()
    with pytest.raises(Exception, match="echo"):
        reference_step(engine, image="echo", exec_path=None, fn_paths=[fn_dir], config=None)
