"""The private on-disk cache of compiled code (wasmtime ``serialize()`` output).

A deserialized entry is trusted native code, so the cache is only used when every directory level
from the cache root down is ours and private (created 0700, checked on each use). Each entry is two
files: the payload, and a record naming the key it was written for (wasm sha256, wasmtime version,
engine settings), the sha256 of the payload and what the engine wants to know about the function
without reading it again (its "facts"). On load the record must match the key asked for and the
digest the payload; anything else (another function's entry copied over, truncation, a directory,
a FIFO or a symlink in its place) is ignored and the code compiled again. Fills are safe when two
processes race: each writes its own temp file and renames it over the entry.

Hashing is the slow part of a load (a 50 MiB payload: ~75 ms; mapping it: ~2 ms), so a digest,
once checked, is remembered with the file's identity (device, inode, size, mtime, ctime): while the
identity is unchanged the file is the one that was hashed. Any write or rename changes it, and the
kernel sets ctime on every change (no call can set it back). The identity is only remembered when
the file was last changed at least ``_SETTLED_NS`` before it was hashed, so that a change within
the same timestamp tick cannot go unseen (git's "racily clean" rule). The wasm files themselves get
the same treatment (``known_digest``/``remember_digest``): a run of unchanged files hashes nothing.

wasmtime's own ``Config.cache`` is not used: it keys by content but does not check privacy of each
level, and its files cannot be told apart from another function's.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from runner.private_files import cache_home, is_ours_and_private, replace_file

__all__ = ["CompileCache", "default_cache_dir", "digest_of"]

T = TypeVar("T")

# /2: the record has the payload's identity and the facts. Each format has its own directory level:
# a runner of another format sharing the cache keeps its own entries, rather than each taking the
# other's for damage and compiling (and rewriting) them again on every run.
_MAGIC = "krm-wasm-cache/2"
_FORMAT_DIR = "format-2"
_SOURCE_MAGIC = "krm-wasm-source/1"
_MAX_ENTRY_BYTES = 1 << 30  # a compiled function is tens of MiB; more is not ours
_MAX_RECORD_BYTES = 64 << 10  # a record is a few hundred bytes (the facts: the metadata section's)
_SETTLED_NS = 2_000_000_000  # coarser than any timestamp tick of a Linux file system


def _identity(info: os.stat_result) -> str:
    """What changes whenever the file's content may have: any write or rename sets ctime."""
    return f"{info.st_dev}:{info.st_ino}:{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}"


def _settled(before: os.stat_result, after: os.stat_result) -> bool:
    """Unchanged while it was hashed, and last changed long enough ago to trust its identity."""
    return (
        _identity(before) == _identity(after) and before.st_ctime_ns <= time.time_ns() - _SETTLED_NS
    )


def digest_of(data: bytes) -> str:
    """The sha256 the cache is keyed by (hex)."""
    import hashlib  # here: a run of cached, unchanged files hashes nothing (3 ms of imports)

    return hashlib.sha256(data).hexdigest()


def _sha256_of(fd: int) -> str:
    import hashlib  # here: as in digest_of

    digest = hashlib.sha256()
    with os.fdopen(os.dup(fd), "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


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
        self._subdirs = (_FORMAT_DIR, *subdirs)
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

    def _record(self, key: str, payload_digest: str, payload_identity: str, facts: str) -> bytes:
        identity = "/".join((*self._subdirs, key))
        return f"{_MAGIC}\n{identity}\n{payload_digest}\n{payload_identity}\n{facts}\n".encode()

    def _parse_record(self, key: str, raw: bytes | None) -> tuple[str, str, str] | None:
        """(payload digest, payload identity or ``-``, facts) of a record written for ``key``."""
        lines = raw.decode("utf-8", "replace").split("\n") if raw else []
        if len(lines) != 6 or lines[5] or lines[:2] != [_MAGIC, "/".join((*self._subdirs, key))]:
            return None
        return lines[2], lines[3], lines[4]

    def load(self, key: str, deserialize: Callable[[str, str], T | None]) -> T | None:
        """``deserialize(path, facts)`` of the entry for ``key``, when it is exactly as written.

        The payload is checked and deserialized through one open descriptor (``/proc/self/fd``),
        so a file renamed into place between check and use is not the one used.
        (``deserialize_file`` maps the file: ~2 ms against ~220 ms from bytes.) It is hashed
        unless its identity is the one recorded when it was last hashed and found right.
        """
        directory = self._ensure_directory()
        if directory is None:
            return None
        record_path = directory / f"{key}.digest"
        record = self._parse_record(key, _read_private(record_path, _MAX_RECORD_BYTES))
        if record is None:
            return None
        payload_digest, payload_identity, facts = record
        fd = _open_private(directory / f"{key}.cwasm")
        if fd is None:
            return None
        try:
            before = os.fstat(fd)
            if _identity(before) != payload_identity:
                if _sha256_of(fd) != payload_digest:
                    return None  # another key's entry, truncated or tampered: compile again
                if _settled(before, os.fstat(fd)):
                    self._remember(
                        record_path, self._record(key, payload_digest, _identity(before), facts)
                    )
            return deserialize(f"/proc/self/fd/{fd}", facts)
        except OSError:
            return None
        finally:
            os.close(fd)

    def store(self, key: str, payload: bytes, facts: str) -> None:
        """Write the payload, then its record: each whole to a temp file, then renamed.

        ``facts`` (one line of text) is given back to ``load``'s ``deserialize``.
        """
        directory = self._ensure_directory()
        if directory is None:
            return
        # No identity yet: the file is new, a change in the same tick would not show (_settled).
        record = self._record(key, digest_of(payload), "-", facts)
        for name, data in ((f"{key}.cwasm", payload), (f"{key}.digest", record)):
            if not self._replace(directory / name, data):
                return

    def _source_record(self, info: os.stat_result) -> Path | None:
        directory = self._ensure_directory()
        return None if directory is None else directory / f"source-{info.st_dev}-{info.st_ino}"

    def known_digest(self, info: os.stat_result) -> str | None:
        """The sha256 of the file ``info`` describes, if it was hashed and has not changed since."""
        path = self._source_record(info)
        raw = None if path is None else _read_private(path, _MAX_RECORD_BYTES)
        lines = raw.decode("utf-8", "replace").split("\n") if raw else []
        if len(lines) != 4 or lines[:2] != [_SOURCE_MAGIC, _identity(info)] or lines[3]:
            return None
        digest = lines[2]  # it names a cache entry's files: nothing but a sha256 will do
        return digest if len(digest) == 64 and not digest.strip("0123456789abcdef") else None

    def remember_digest(self, before: os.stat_result, after: os.stat_result, digest: str) -> None:
        """Remember ``digest`` of a file seen as ``before`` it was read and ``after``."""
        path = self._source_record(before)
        if path is not None and _settled(before, after):
            self._remember(path, f"{_SOURCE_MAGIC}\n{_identity(before)}\n{digest}\n".encode())

    @staticmethod
    def _remember(path: Path, data: bytes) -> None:
        """Best effort: a record not written only means hashing again next time."""
        with contextlib.suppress(OSError):
            if not path.is_dir() or path.is_symlink():
                replace_file(path, data)

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
