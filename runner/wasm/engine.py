"""Loading wasm functions: one wasmtime engine, and a private on-disk cache of compiled code.

Compiling is the slow part (a Go module ~1 s, a Python component ~3 s); ``serialize()`` /
``deserialize_file()`` bring a second load down to milliseconds. The cache is keyed by the wasm's
sha256, the wasmtime version and the engine settings. A deserialized file is trusted native code, so
the cache (``runner/wasm/cache.py``) must be private and checks each entry's digest on load.
A load of an unchanged, cached file reads neither it nor its payload: the cache knows both digests
by the files' identities, and keeps the function's metadata and shape beside the compiled code.
The engine also holds the two linkers (core WASI and component WASI p2), built once: they do not
depend on a store.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import wasmtime

from runner.errors import WasmLoadError
from runner.wasm.cache import CompileCache, default_cache_dir, digest_of
from runner.wasm.meta import FunctionMetadata, WasmKind, inspect_wasm
from runner.wasm.shape import Shape, shape_of

if TYPE_CHECKING:
    from typing import TypeAlias

    import wasmtime.component  # imported where a component is loaded: ~8 ms a core run saves

    Code: TypeAlias = wasmtime.Module | wasmtime.component.Component

__all__ = ["Engine", "LoadedFunction", "default_cache_dir"]  # default_cache_dir: re-exported

# Part of the cache key: serialized code is only valid for the same engine settings.
_ENGINE_SETTINGS = "epoch=1,component-model=1"


class LoadedFunction(NamedTuple):
    """A compiled function, ready to instantiate."""

    path: Path
    sha256: str
    meta: FunctionMetadata
    code: Code
    from_cache: bool
    shape: Shape  # the memories and tables it defines: the store limits share the budget by it

    @property
    def label(self) -> str:
        return self.meta.name or self.path.name


# When a binary cannot be walked (wasmtime compiled it, so this is unlikely): generous counts.
_FALLBACK_SHAPE = {WasmKind.CORE_MODULE: Shape(1, 16), WasmKind.COMPONENT: Shape(16, 64)}

_MAX_WASM_BYTES = 512 << 20  # our largest function (a Python component) is ~20 MiB


def _open_wasm(path: Path) -> tuple[int, os.stat_result]:
    """A descriptor on a regular file (a FIFO must not hang us) of bounded size, and its stat."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        raise WasmLoadError(f"{path}: cannot read wasm file: {error.strerror}") from None
    try:
        info = os.fstat(fd)
    except OSError as error:
        os.close(fd)
        raise WasmLoadError(f"{path}: cannot read wasm file: {error.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise WasmLoadError(f"{path}: not a regular file")
    if info.st_size > _MAX_WASM_BYTES:
        os.close(fd)
        raise WasmLoadError(
            f"{path}: {info.st_size} bytes is more than the {_MAX_WASM_BYTES >> 20} MiB "
            "a wasm function may have"
        )
    return fd, info


def _read_wasm(fd: int, path: Path) -> bytes:
    try:
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(_MAX_WASM_BYTES + 1)
    except OSError as error:
        raise WasmLoadError(f"{path}: cannot read wasm file: {error.strerror}") from None


def _facts(meta: FunctionMetadata, shape: Shape) -> str:
    """What the cache keeps beside the compiled code, so a cached load need not read the wasm."""
    return json.dumps({**meta._asdict(), "kind": meta.kind.value, **shape._asdict()})


def _from_facts(text: str) -> tuple[FunctionMetadata, Shape] | None:
    try:
        facts = json.loads(text)
        shape = Shape(facts.pop("memories"), facts.pop("tables"))
        meta = FunctionMetadata(**{**facts, "kind": WasmKind(facts["kind"])})
    except (ValueError, KeyError, TypeError):
        return None  # written by another version of the runner: load as if uncached
    return meta, shape


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
        fd, before = _open_wasm(path)
        try:
            known = self._cache.known_digest(before) if self._cache is not None else None
            if known is not None:  # unchanged since it was hashed: nothing to read
                if known in self._loaded:
                    return self._loaded[known]
                if (cached := self._from_cache(known)) is not None:
                    code, meta, shape = cached
                    return self._keep(LoadedFunction(path, known, meta, code, True, shape))
            data = _read_wasm(fd, path)
            sha256 = digest_of(data)
            if self._cache is not None and known is None:
                self._cache.remember_digest(before, os.fstat(fd), sha256)
        finally:
            os.close(fd)
        if sha256 in self._loaded:
            return self._loaded[sha256]
        meta = inspect_wasm(data, str(path))
        shape = shape_of(data) or _FALLBACK_SHAPE[meta.kind]
        cached = self._from_cache(sha256)
        if cached is not None and cached[1:] == (meta, shape):
            return self._keep(LoadedFunction(path, sha256, meta, cached[0], True, shape))
        # Not cached, or its facts are another runner version's: compile (and overwrite).
        self._notify(f"compiling {path.name} (once: the result is cached)")
        code = self._compile(data, meta.kind, path)
        if self._cache is not None:
            self._cache.store(sha256, bytes(code.serialize()), _facts(meta, shape))
        return self._keep(LoadedFunction(path, sha256, meta, code, False, shape))

    def _keep(self, loaded: LoadedFunction) -> LoadedFunction:
        self._loaded[loaded.sha256] = loaded
        return loaded

    def _compile(self, data: bytes, kind: WasmKind, path: Path) -> Code:
        try:
            if kind is WasmKind.COMPONENT:
                from wasmtime.component import Component  # here: a core module needs none of it

                return Component(self.wasm, data)
            return wasmtime.Module(self.wasm, data)
        except wasmtime.WasmtimeError as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else "invalid"
            raise WasmLoadError(f"{path}: cannot compile wasm: {first_line}") from None

    def _from_cache(self, sha256: str) -> tuple[Code, FunctionMetadata, Shape] | None:
        """The cached code for ``sha256`` with the metadata and shape stored beside it."""
        if self._cache is None:
            return None

        def deserialize(path: str, text: str) -> tuple[Code, FunctionMetadata, Shape] | None:
            facts = _from_facts(text)
            if facts is None:
                return None
            meta, shape = facts
            try:
                if meta.kind is WasmKind.COMPONENT:
                    from wasmtime.component import Component  # here: a core module needs none of it

                    return Component.deserialize_file(self.wasm, path), meta, shape
                return wasmtime.Module.deserialize_file(self.wasm, path), meta, shape
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
            from wasmtime.component import Linker  # here: a core module needs none of it

            linker = Linker(self.wasm)
            linker.add_wasip2()
            self._component_linker = linker
        return self._component_linker
