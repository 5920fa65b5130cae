"""Loading wasm functions: one wasmtime engine, and a private on-disk cache of compiled code.

Compiling is the slow part (a Go module ~1 s, a Python component ~3 s); ``serialize()`` /
``deserialize_file()`` bring a second load down to milliseconds. The cache is keyed by the wasm's
sha256, the wasmtime version and the engine settings. A deserialized file is trusted native code, so
the cache (``runner/wasm/cache.py``) must be private and checks each entry's digest on load.
The engine also holds the two linkers (core WASI and component WASI p2), built once: they do not
depend on a store.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import wasmtime
import wasmtime.component

from runner.errors import WasmLoadError
from runner.wasm.cache import CompileCache, default_cache_dir
from runner.wasm.meta import FunctionMetadata, WasmKind, inspect_wasm
from runner.wasm.shape import Shape, shape_of

__all__ = ["Engine", "LoadedFunction", "default_cache_dir"]  # default_cache_dir: re-exported

# Part of the cache key: serialized code is only valid for the same engine settings.
_ENGINE_SETTINGS = "epoch=1,component-model=1"


@dataclass(frozen=True)
class LoadedFunction:
    """A compiled function, ready to instantiate."""

    path: Path
    sha256: str
    meta: FunctionMetadata
    code: wasmtime.Module | wasmtime.component.Component
    from_cache: bool
    shape: Shape  # the memories and tables it defines: the store limits share the budget by it

    @property
    def label(self) -> str:
        return self.meta.name or self.path.name


# When a binary cannot be walked (wasmtime compiled it, so this is unlikely): generous counts.
_FALLBACK_SHAPE = {WasmKind.CORE_MODULE: Shape(1, 16), WasmKind.COMPONENT: Shape(16, 64)}

_MAX_WASM_BYTES = 512 << 20  # our largest function (a Python component) is ~20 MiB


def _read_wasm(path: Path) -> bytes:
    """The file's bytes: a regular file only (a FIFO must not hang us), bounded in size."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        raise WasmLoadError(f"{path}: cannot read wasm file: {error.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise WasmLoadError(f"{path}: not a regular file")
        if info.st_size > _MAX_WASM_BYTES:
            raise WasmLoadError(
                f"{path}: {info.st_size} bytes is more than the {_MAX_WASM_BYTES >> 20} MiB "
                "a wasm function may have"
            )
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(_MAX_WASM_BYTES + 1)
    except OSError as error:
        raise WasmLoadError(f"{path}: cannot read wasm file: {error.strerror}") from None
    finally:
        os.close(fd)


def _wasmtime_version() -> str:
    """wasmtime-py's version: the dist-info's name, or importlib.metadata (20 ms of imports)."""
    found = list(Path(wasmtime.__file__).parent.parent.glob("wasmtime-*.dist-info"))
    if len(found) == 1:
        return found[0].name.removeprefix("wasmtime-").removesuffix(".dist-info")
    from importlib.metadata import version

    return version("wasmtime")


class Engine:
    """One wasmtime engine for the whole run; functions run one after another on it."""

    def __init__(
        self,
        cache_dir: Path | None = None,
        *,
        use_cache: bool = True,
        notify: Callable[[str], object] = lambda message: None,
    ) -> None:
        config = wasmtime.Config()
        config.epoch_interruption = True  # lets a watchdog thread stop a running function
        config.wasm_component_model = True
        self.wasm = wasmtime.Engine(config)
        self.wasmtime_version = _wasmtime_version()
        self._cache = (
            CompileCache(
                cache_dir or default_cache_dir(),
                (f"wasmtime-{self.wasmtime_version}", _ENGINE_SETTINGS),
            )
            if use_cache
            else None
        )
        self._core_linker: wasmtime.Linker | None = None
        self._component_linker: wasmtime.component.Linker | None = None
        self._loaded: dict[str, LoadedFunction] = {}
        self._notify = notify  # tells the user why the first run of a function pauses

    def load(self, path: Path) -> LoadedFunction:
        """Read, identify and compile (or fetch from the cache) the wasm file at ``path``."""
        data = _read_wasm(path)
        sha256 = hashlib.sha256(data).hexdigest()
        if sha256 in self._loaded:
            return self._loaded[sha256]
        meta = inspect_wasm(data, str(path))
        code = self._from_cache(sha256, meta.kind)
        from_cache = code is not None
        if code is None:
            self._notify(f"compiling {path.name} (once: the result is cached)")
            code = self._compile(data, meta.kind, path)
            if self._cache is not None:
                self._cache.store(sha256, bytes(code.serialize()))
        shape = shape_of(data) or _FALLBACK_SHAPE[meta.kind]
        loaded = LoadedFunction(path, sha256, meta, code, from_cache, shape)
        self._loaded[sha256] = loaded
        return loaded

    def _compile(
        self, data: bytes, kind: WasmKind, path: Path
    ) -> wasmtime.Module | wasmtime.component.Component:
        try:
            if kind is WasmKind.COMPONENT:
                return wasmtime.component.Component(self.wasm, data)
            return wasmtime.Module(self.wasm, data)
        except wasmtime.WasmtimeError as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else "invalid"
            raise WasmLoadError(f"{path}: cannot compile wasm: {first_line}") from None

    def _from_cache(
        self, sha256: str, kind: WasmKind
    ) -> wasmtime.Module | wasmtime.component.Component | None:
        if self._cache is None:
            return None

        def deserialize(path: str) -> wasmtime.Module | wasmtime.component.Component | None:
            try:
                if kind is WasmKind.COMPONENT:
                    return wasmtime.component.Component.deserialize_file(self.wasm, path)
                return wasmtime.Module.deserialize_file(self.wasm, path)
            except wasmtime.WasmtimeError:
                return None  # written by another wasmtime build: compile again (and overwrite)

        return self._cache.load(sha256, deserialize)

    def core_linker(self, define: Callable[[wasmtime.Linker], None]) -> wasmtime.Linker:
        """The engine's one core-module linker; ``define`` adds WASI (and overrides) once."""
        if self._core_linker is None:
            linker = wasmtime.Linker(self.wasm)
            define(linker)
            self._core_linker = linker
        return self._core_linker

    def component_linker(self) -> wasmtime.component.Linker:
        """The engine's one component linker, with WASI p2."""
        if self._component_linker is None:
            linker = wasmtime.component.Linker(self.wasm)
            linker.add_wasip2()
            self._component_linker = linker
        return self._component_linker
