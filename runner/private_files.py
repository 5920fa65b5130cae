"""Files only the user may change: the compile cache and the store of pulled functions.

Both hold code the runner will trust, so both need the same checks: every level owned by the user
and not writable by others, and entries replaced whole (a temporary file in the same directory,
then a rename), never seen half-written.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

__all__ = ["cache_home", "is_ours_and_private", "replace_file"]


def cache_home() -> Path:
    """``$XDG_CACHE_HOME/krm-wasm``, ``~/.cache/krm-wasm`` by default."""
    return Path(os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")) / "krm-wasm"


def is_ours_and_private(info: os.stat_result, *, others_may_read: bool) -> bool:
    """A directory or regular file owned by the user that others cannot write (nor read, unless
    ``others_may_read``)."""
    closed = stat.S_IWGRP | stat.S_IWOTH if others_may_read else 0o077
    return (
        (stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode))
        and info.st_uid == os.getuid()
        and not info.st_mode & closed
    )


def replace_file(target: Path, data: bytes, *, fsync: bool = False) -> None:
    """Write ``data`` to a temporary file next to ``target``, then rename it over ``target``.

    Raises:
        OSError: the temporary file could not be written or renamed (it is removed).
    """
    import tempfile  # here: a run that writes nothing does not import it (and random, 2 ms)

    # Named .partial-*.partial: a leftover is recognisable whichever end one looks at.
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".partial-", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            if fsync:
                out.flush()
                os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
