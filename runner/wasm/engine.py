"""Loading wasm functions: one wasmtime engine, and a private on-disk cache of compiled code.

Compiling is the slow part (a Go module ~1 s, a Python component ~3 s); ``serialize()`` /
``deserialize_file()`` bring a second load down to milliseconds. The cache is keyed by the wasm's
sha256, the wasmtime version and the engine settings. A deserialized file is trusted native code, so
the cache directory must be private (owned by us, mode 0700) or it is not used.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import wasmtime
import wasmtime.component

from runner.errors import WasmLoadError
from runner.wasm.meta import FunctionMetadata, WasmKind, inspect_wasm

__all__ = ["Engine", "LoadedFunction", "default_cache_dir"]

# Part of the cache key: serialized code is only valid for the same engine settings.
_ENGINE_SETTINGS = "epoch=1,component-model=1"


def default_cache_dir() -> Path:
    """``$KRM_WASM_CACHE``, else ``$XDG_CACHE_HOME/krm-wasm``, else ``~/.cache/krm-wasm``."""
    if explicit := os.environ.get("KRM_WASM_CACHE"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "krm-wasm"


@dataclass(frozen=True)
class LoadedFunction:
    """A compiled function, ready to instantiate."""

    path: Path
    sha256: str
    meta: FunctionMetadata
    code: wasmtime.Module | wasmtime.component.Component
    from_cache: bool

    @property
    def label(self) -> str:
        return self.meta.name or self.path.name


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
        self.wasmtime_version = version("wasmtime")
        self._cache_dir = (cache_dir or default_cache_dir()) if use_cache else None
        self._loaded: dict[str, LoadedFunction] = {}
        self._notify = notify  # tells the user why the first run of a function pauses

    def load(self, path: Path) -> LoadedFunction:
        """Read, identify and compile (or fetch from the cache) the wasm file at ``path``."""
        try:
            data = path.read_bytes()
        except OSError as error:
            raise WasmLoadError(f"{path}: cannot read wasm file: {error.strerror}") from None
        sha256 = hashlib.sha256(data).hexdigest()
        if sha256 in self._loaded:
            return self._loaded[sha256]
        meta = inspect_wasm(data, str(path))
        cache_file = self._cache_file(sha256)
        code = self._from_cache(cache_file, meta.kind)
        from_cache = code is not None
        if code is None:
            self._notify(f"compiling {path.name} (once: the result is cached)")
            code = self._compile(data, meta.kind, path)
            if cache_file is not None:
                self._store(cache_file, code)
        loaded = LoadedFunction(path, sha256, meta, code, from_cache)
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

    def _cache_file(self, sha256: str) -> Path | None:
        if self._cache_dir is None:
            return None
        directory = self._cache_dir / f"wasmtime-{self.wasmtime_version}" / _ENGINE_SETTINGS
        try:
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not _is_private(self._cache_dir) or not _is_private(directory):
                print(
                    f"warning: not using the compile cache {self._cache_dir}: it must be owned by "
                    "you and not writable by others (chmod 700)",
                    file=sys.stderr,
                )
                self._cache_dir = None
                return None
        except OSError:
            self._cache_dir = None
            return None
        return directory / f"{sha256}.cwasm"

    def _from_cache(
        self, cache_file: Path | None, kind: WasmKind
    ) -> wasmtime.Module | wasmtime.component.Component | None:
        if cache_file is None or not cache_file.exists() or not _is_private(cache_file):
            return None
        try:
            if kind is WasmKind.COMPONENT:
                return wasmtime.component.Component.deserialize_file(self.wasm, str(cache_file))
            return wasmtime.Module.deserialize_file(self.wasm, str(cache_file))
        except wasmtime.WasmtimeError:
            cache_file.unlink(missing_ok=True)  # stale or damaged: compile again
            return None

    def _store(
        self, cache_file: Path, code: wasmtime.Module | wasmtime.component.Component
    ) -> None:
        # Written whole to a temp file then renamed, so a reader never sees half a file.
        try:
            fd, tmp = tempfile.mkstemp(dir=cache_file.parent, suffix=".partial")
            with os.fdopen(fd, "wb") as handle:
                handle.write(code.serialize())
            os.replace(tmp, cache_file)
        except OSError as error:
            print(f"warning: cannot write compile cache {cache_file}: {error}", file=sys.stderr)


def _is_private(path: Path) -> bool:
    info = path.lstat()
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
