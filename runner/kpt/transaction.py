"""All-or-nothing writes of a package's files: a journal, a rollback, a lock.

A write goes through a transaction directory at the package root (``.krm-wasm-transaction/``):
every new file text is staged there first, every file to be replaced or deleted gets a hard link
there (its old content, for free), and a journal lists the operations. Only then are files renamed
into place and deleted; removing the journal is the commit. SIGINT, SIGTERM and SIGHUP are held
back for the whole write. A
failure midway rolls back at once; a run killed midway (SIGKILL, power off the process) leaves the
journal, and the next run on the package rolls back before reading it (``recover``). So after any
failure the package is exactly the old one or exactly the new one, and no temporary file is left.

kpt writes file by file (kyaml's LocalPackageWriter) and has neither; no fsync either: the promise
is about failures and signals, not about power loss (see docs/security.md).

``package_lock`` holds an exclusive ``flock`` on the package directory itself (no lock file left
behind) for a whole read-run-write; ``write_atomically`` refuses to overwrite a file that changed
on disk since it was read (its ``FileStamp`` differs).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import stat
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.errors import PackageError
from runner.kpt.paths import inside_package

__all__ = [
    "TRANSACTION_DIR",
    "FileStamp",
    "package_lock",
    "recover",
    "stamp_of",
    "write_atomically",
    "write_to_dir",
]

TRANSACTION_DIR = ".krm-wasm-transaction"
_JOURNAL = "journal.json"
_HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


@dataclass(frozen=True)
class FileStamp:
    """What identifies a file's content as read: inode, size, modification time."""

    inode: int
    size: int
    mtime_ns: int


def stamp_of(info: os.stat_result) -> FileStamp:
    return FileStamp(info.st_ino, info.st_size, info.st_mtime_ns)


# --------------------------------------------------------------------------------------------
# The lock.


@contextlib.contextmanager
def package_lock(
    root: Path, *, wait_seconds: float = 30.0, notify: Callable[[str], object] = print
) -> Iterator[None]:
    """Hold the package for one run; another run waits up to ``wait_seconds``, then refuses."""
    try:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as error:
        raise PackageError(f"{root}: cannot open the package: {error.strerror}") from None
    try:
        deadline = time.monotonic() + wait_seconds
        waiting = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise PackageError(
                        f"{root}: another run is using this package (still locked after "
                        f"{wait_seconds:.0f}s); try again when it has finished"
                    ) from None
                if not waiting:
                    notify(f"waiting for another run on {root} to finish...")
                    waiting = True
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the lock


# --------------------------------------------------------------------------------------------
# Recovery.


def recover(root: Path) -> str | None:
    """Roll back a write that was interrupted; returns a note for the user when it did."""
    txn = root / TRANSACTION_DIR
    if not txn.is_dir() or txn.is_symlink():
        return None
    journal = txn / _JOURNAL
    if not journal.is_file():
        _remove_tree(txn)  # the write had committed; only its leftovers remained
        return None
    try:
        entries = json.loads(journal.read_text(encoding="utf-8"))["operations"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise PackageError(
            f"{txn}: an interrupted write left a journal that cannot be read ({error}); "
            "restore the package from version control and delete that directory"
        ) from None
    _roll_back(root, txn, [_Operation.from_json(entry) for entry in entries])
    _remove_tree(txn)
    return f"recovered {root}: an interrupted write was rolled back (the package is as it was)"


# --------------------------------------------------------------------------------------------
# Writing.


@dataclass
class _Operation:
    relpath: str
    new: str | None  # staged file under the transaction dir, None to delete
    old: str | None  # hard link to the old content, None when the file is new
    made_dirs: list[str]
    done: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"path": self.relpath, "new": self.new, "old": self.old, "dirs": self.made_dirs}

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> _Operation:
        return cls(str(entry["path"]), entry.get("new"), entry.get("old"), list(entry["dirs"]))


def write_atomically(
    root: Path,
    plan: Mapping[str, str | None],
    stamps: Mapping[str, FileStamp] | None = None,
    as_read: Mapping[str, str] | None = None,
) -> list[str]:
    """Apply a plan ({relpath: new text, or None to delete}) all or nothing.

    ``stamps`` are the files as they were read: a file whose stamp changed since, or a new
    file that appeared since, is not overwritten (nothing is written). ``as_read`` are their
    texts then: a file whose stamp still matches is compared with it, not read a second time.

    Returns:
        the relpaths written or deleted (unchanged files are not touched).

    Raises:
        PackageError: naming the file that could not be checked, prepared or written.
    """
    root = Path(root)
    changes = _changes(root, plan, stamps, as_read or {})
    if not changes:
        return []
    txn = root / TRANSACTION_DIR
    if txn.exists() or txn.is_symlink():
        raise PackageError(f"{txn}: exists (another write in progress, or a leftover)")
    with _signals_held():
        _transact(root, txn, changes)
    return [change.relpath for change in changes]


@dataclass
class _Change:
    relpath: str
    data: bytes | None  # None: delete
    info: os.stat_result | None  # the target as checked (lstat), None when it does not exist


def _transact(root: Path, txn: Path, changes: list[_Change]) -> None:
    try:
        txn.mkdir(mode=0o700)
    except OSError as error:
        raise PackageError(f"{root}: cannot prepare the write: {error.strerror}") from None
    operations: list[_Operation] = []
    missing: dict[str, list[str]] = {}  # each parent directory's missing ancestors
    umask = _umask()
    try:
        for number, change in enumerate(changes):
            try:
                operations.append(_prepare(root, txn, number, change, missing, umask))
            except OSError as error:  # keeping the old file (a copy where links fail)
                raise PackageError(
                    f"{change.relpath}: cannot keep the old file: {error.strerror or error}; "
                    "nothing was changed"
                ) from None
        # Whole or absent: a run killed while writing it has applied nothing yet.
        journal = json.dumps({"operations": [o.to_json() for o in operations]})
        try:
            _write_file(txn / "journal.partial", journal)
            os.rename(txn / "journal.partial", txn / _JOURNAL)
        except OSError as error:
            raise PackageError(
                f"{root}: cannot write the journal: {error.strerror or error}; nothing was changed"
            ) from None
    except BaseException:
        _remove_tree(txn)
        raise
    try:
        for operation in operations:
            _apply(root, txn, operation)
    except BaseException:
        _roll_back(root, txn, operations)
        _remove_tree(txn)
        raise
    (txn / _JOURNAL).unlink()  # the commit point
    _remove_tree(txn)


def _changes(
    root: Path,
    plan: Mapping[str, str | None],
    stamps: Mapping[str, FileStamp] | None,
    as_read: Mapping[str, str],
) -> list[_Change]:
    """The plan's real changes, each target checked; nothing is written yet."""
    changes: list[_Change] = []
    for relpath in sorted(plan):
        target = _target(root, relpath)
        text = plan[relpath]
        try:
            info: os.stat_result | None = target.lstat()
        except FileNotFoundError:
            info = None
        except OSError as error:
            raise PackageError(f"{relpath}: cannot check: {error.strerror}") from None
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise PackageError(f"{relpath}: is a directory, cannot write a file there")
        known = None  # the file's text, when it is known to be the one read
        if stamps is not None:
            before = stamps.get(relpath)
            known = as_read.get(relpath) if before is not None else None
            if before is None and info is not None:
                raise PackageError(f"{relpath}: appeared on disk since the package was read")
            if before is not None and (info is None or stamp_of(info) != before):
                raise PackageError(
                    f"{relpath}: changed on disk since the package was read; nothing was "
                    "written (run again to work on the new content)"
                )
        if text is None:
            if info is not None:
                changes.append(_Change(relpath, None, info))
            continue
        data = text.encode("utf-8")
        if info is not None and (text == known if known is not None else _content(target) == data):
            continue
        if info is not None and stat.S_ISLNK(info.st_mode):
            raise PackageError(f"{relpath}: is a symlink; the runner does not write through one")
        changes.append(_Change(relpath, data, info))
    return changes


def _content(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError:
        return None


def _target(root: Path, relpath: str) -> Path:
    """``root/relpath``, refusing paths that leave the package or pass through a symlink."""
    try:
        normal = inside_package(relpath)
    except ValueError as problem:
        raise PackageError(f"write plan: {problem}") from None
    if normal.split("/")[0] == TRANSACTION_DIR:
        raise PackageError(f"{relpath}: is inside the runner's transaction directory")
    probe = root
    for part in normal.split("/")[:-1]:
        probe = probe / part
        if probe.is_symlink():
            raise PackageError(f"{relpath}: {probe.relative_to(root)} is a symlink")
        if probe.exists() and not probe.is_dir():
            raise PackageError(f"{relpath}: {probe.relative_to(root)} is not a directory")
    return root / normal


def _prepare(
    root: Path,
    txn: Path,
    number: int,
    change: _Change,
    missing: dict[str, list[str]],
    umask: int,
) -> _Operation:
    relpath, data, info = change.relpath, change.data, change.info
    target = os.path.join(root, relpath)  # strings, as in _apply
    old = None
    if info is not None:  # it exists (as _changes saw it: the package is locked)
        old = f"old-{number}"
        kept = os.path.join(txn, old)
        try:
            os.link(target, kept, follow_symlinks=False)
        except OSError:
            shutil.copy2(target, kept, follow_symlinks=False)  # a file system without links
    new = None
    if data is not None:
        new = f"new-{number}"
        # Never a symlink here (_changes refuses writing through one): lstat's mode is the file's.
        mode = info.st_mode & 0o7777 if info is not None else 0o666 & ~umask
        try:
            _write_file(os.path.join(txn, new), data, mode)
        except OSError as error:
            raise PackageError(
                f"{relpath}: cannot stage the new file: {error.strerror or error}; "
                "nothing was changed"
            ) from None
    directory = os.path.dirname(relpath)
    if directory not in missing:  # nothing is created before _apply: one look per directory
        parent = root / directory if directory else root
        missing[directory] = [
            str(path.relative_to(root)) for path in _missing_parents(root, parent)
        ]
    return _Operation(relpath, new, old, list(missing[directory]))


def _apply(root: Path, txn: Path, operation: _Operation) -> None:
    # Strings, not Paths, for the per-file joins: pathlib's cost a file was more than the calls'.
    target = os.path.join(root, operation.relpath)
    try:
        for directory in operation.made_dirs:
            (root / directory).mkdir(exist_ok=True)
        if operation.new is not None:
            os.replace(os.path.join(txn, operation.new), target)
        else:
            os.unlink(target)
    except OSError as error:
        verb = "replace" if operation.new is not None else "delete"
        raise PackageError(
            f"{operation.relpath}: cannot {verb} file: {error.strerror or error}; "
            "every file was restored"
        ) from None
    operation.done = True


def _roll_back(root: Path, txn: Path, operations: list[_Operation]) -> None:
    """Put every file back as it was: old content from its hard link, new files removed."""
    for operation in reversed(operations):
        target = root / operation.relpath
        with contextlib.suppress(FileNotFoundError):
            if operation.old is not None and (txn / operation.old).exists():
                os.replace(txn / operation.old, target)
            elif operation.old is None:
                target.unlink()
        for directory in reversed(operation.made_dirs):
            with contextlib.suppress(OSError):
                (root / directory).rmdir()


def _missing_parents(root: Path, directory: Path) -> list[Path]:
    missing: list[Path] = []
    while directory != root and not directory.exists():
        missing.append(directory)
        directory = directory.parent
    return list(reversed(missing))


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold back Ctrl-C and SIGTERM during a write: they arrive once it is committed or undone.

    A Python handler records them (a blocked mask would not do: wasmtime's threads would take a
    process-directed signal); the first one is raised again afterwards.
    """
    caught: list[int] = []
    previous: dict[signal.Signals, Any] = {}
    try:
        for held in _HELD_SIGNALS:
            previous[held] = signal.signal(held, lambda signum, frame: caught.append(signum))
    except ValueError:  # not the main thread: nothing to hold
        pass
    try:
        yield
    finally:
        for held, handler in previous.items():
            signal.signal(held, handler)
        if caught:
            signal.raise_signal(caught[0])


def _write_file(path: Path | str, data: str | bytes, mode: int = 0o600) -> None:
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:  # the bare descriptor: a file object would add three system calls a file
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view) :]
        os.fchmod(fd, mode)
    finally:
        os.close(fd)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# A new directory (kpt's -o DIR).


def write_to_dir(out_dir: Path, plan: Mapping[str, str | None]) -> list[str]:
    """Write a plan's files into the new directory ``out_dir``; deletions are skipped.

    Like kpt (cmdutil.CheckDirectoryNotPresent) an existing ``out_dir`` is an error. The
    directory is built under a temporary name next to it and renamed: a failure leaves nothing.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() or out_dir.is_symlink():
        raise PackageError(f"{out_dir}: directory already exists, delete it and retry")
    parent = out_dir.parent
    made = _missing_parents(Path(parent.anchor), parent)
    try:
        for directory in made:
            directory.mkdir()
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".krm-tmp", dir=parent))
    except OSError as error:
        for directory in reversed(made):
            with contextlib.suppress(OSError):
                directory.rmdir()
        raise PackageError(f"{out_dir}: cannot create: {error.strerror or error}") from None
    written = []
    try:
        for relpath, text in sorted(plan.items()):
            if text is None:
                continue
            target = _target(staging, relpath)
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_file(target, text, 0o666 & ~_umask())
            written.append(relpath)
        staging.chmod(0o777 & ~_umask())
        os.replace(staging, out_dir)
    except OSError as error:
        _remove_tree(staging)
        raise PackageError(f"{out_dir}: cannot write: {error.strerror or error}") from None
    except BaseException:
        _remove_tree(staging)
        raise
    return written
