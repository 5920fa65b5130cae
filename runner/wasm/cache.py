"""The private on-disk cache of compiled code (wasmtime ``serialize()`` output).

A deserialized entry is trusted native code, so the cache is only used when every directory level
from the cache root down is ours and private (created 0700, checked on each use). Each entry is one
file: a header naming the key it was written for (wasm sha256, wasmtime version, engine settings)
and the sha256 of the payload, then the payload. On load the header must match the key asked for and
the digest the payload; anything else (another function's entry copied over, truncation, a
directory, a FIFO or a symlink in its place) is ignored and the code compiled again. Fills are safe
when two processes race: each writes its own temp file and renames it over the entry.

wasmtime's own ``Config.cache`` is not used: it keys by content but does not check privacy of each
level, and its files cannot be told apart from another function's.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from runner.private_files import cache_home, is_ours_and_private, replace_file

__all__ = ["CompileCache", "default_cache_dir"]

T = TypeVar("T")

_MAGIC = b"krm-wasm-cache/1\n"
_MAX_ENTRY_BYTES = 1 << 30  # a compiled function is tens of MiB; more is not ours


def default_cache_dir() -> Path:
    """``$KRM_WASM_CACHE``, else ``$XDG_CACHE_HOME/krm-wasm``, else ``~/.cache/krm-wasm``."""
    if explicit := os.environ.get("KRM_WASM_CACHE"):
        return Path(explicit)
    return cache_home()


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _is_private_dir(path: Path) -> bool:
    info = path.lstat()
    return stat.S_ISDIR(info.st_mode) and is_ours_and_private(info, others_may_read=True)


class CompileCache:
    """Entries under ``root/<subdir...>``; disabled (with one warning) when not private."""

    def __init__(self, root: Path, subdirs: tuple[str, ...]) -> None:
        self._root = root
        self._subdirs = subdirs
        self._directory: Path | None = None
        self._disabled = False

    def _ensure_directory(self) -> Path | None:
        if self._disabled:
            return None
        if self._directory is not None:
            return self._directory
        levels = [self._root]
        for name in self._subdirs:
            levels.append(levels[-1] / name)
        missing_parents = []
        parent = self._root.parent
        while not parent.exists() and parent != parent.parent:
            missing_parents.append(parent)
            parent = parent.parent
        try:
            for level in reversed(missing_parents):  # created 0700 too; only ours is checked
                with contextlib.suppress(FileExistsError):
                    os.mkdir(level, 0o700)
            for level in levels:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(level, 0o700)  # every level we create is private
                if not _is_private_dir(level):
                    _warn(
                        f"not using the compile cache {self._root}: {level} must be a directory "
                        "owned by you and not writable by others (chmod 700)"
                    )
                    self._disabled = True
                    return None
        except OSError as error:
            _warn(f"not using the compile cache {self._root}: {error.strerror or error}")
            self._disabled = True
            return None
        self._directory = levels[-1]
        return self._directory

    def _digest_record(self, key: str, payload_digest: str) -> bytes:
        identity = "/".join((*self._subdirs, key))
        return _MAGIC + f"{identity}\n{payload_digest}\n".encode()

    def load(self, key: str, deserialize: Callable[[str], T]) -> T | None:
        """``deserialize(path)`` of the entry for ``key``, when it is exactly what was written.

        The payload is hashed through one open descriptor and deserialized through the same one
        (``/proc/self/fd``), so a file renamed into place between check and use is not the one
        used. (``deserialize_file`` maps the file: ~12 ms against ~220 ms from bytes.)
        """
        directory = self._ensure_directory()
        if directory is None:
            return None
        record = _read_private(directory / f"{key}.digest", 4096)
        if record is None:
            return None
        fd = _open_private(directory / f"{key}.cwasm")
        if fd is None:
            return None
        try:
            digest = hashlib.sha256()
            with os.fdopen(os.dup(fd), "rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
            if record != self._digest_record(key, digest.hexdigest()):
                return None  # another key's entry, truncated or tampered: compile again
            return deserialize(f"/proc/self/fd/{fd}")
        except OSError:
            return None
        finally:
            os.close(fd)

    def store(self, key: str, payload: bytes) -> None:
        """Write the payload, then its digest record: each whole to a temp file, then renamed."""
        directory = self._ensure_directory()
        if directory is None:
            return
        record = self._digest_record(key, hashlib.sha256(payload).hexdigest())
        for name, data in ((f"{key}.cwasm", payload), (f"{key}.digest", record)):
            if not self._replace(directory / name, data):
                return

    @staticmethod
    def _replace(entry: Path, data: bytes) -> bool:
        if entry.is_dir() and not entry.is_symlink():
            _warn(f"cannot write compile cache {entry}: a directory is in its place")
            return False
        try:
            replace_file(entry, data)
            return True
        except OSError as error:
            _warn(f"cannot write compile cache {entry}: {error.strerror or error}")
            return False


def _open_private(path: Path) -> int | None:
    """A descriptor on ``path`` if it is a regular file of ours that others cannot write."""
    try:
        # O_NONBLOCK: a FIFO in its place must not hang us; O_NOFOLLOW: no symlinks.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    info = os.fstat(fd)
    if (
        not stat.S_ISREG(info.st_mode)
        or info.st_uid != os.getuid()
        or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        or info.st_size > _MAX_ENTRY_BYTES
    ):
        os.close(fd)
        return None
    return fd


def _read_private(path: Path, limit: int) -> bytes | None:
    fd = _open_private(path)
    if fd is None:
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            return handle.read(limit)
    except OSError:
        return None
