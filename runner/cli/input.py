"""Reading the text a command was given: a file, or stdin."""

from __future__ import annotations

import sys
from pathlib import Path

from runner.errors import InputError

__all__ = ["read_input"]


def read_input(path: str | None) -> tuple[str, str]:
    """The input text and a name for messages: ``path``, or stdin when ``path`` is None or ``-``."""
    if path is None or path == "-":
        data = sys.stdin.buffer.read()
        source = "<stdin>"
    else:
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise InputError(f"{path}: cannot read: {error.strerror}") from None
        source = path
    try:
        return data.decode("utf-8"), source
    except UnicodeDecodeError as error:
        raise InputError(f"{source}: not UTF-8 text (byte {error.start})") from None
