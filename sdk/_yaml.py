"""Round-trip YAML (ruamel.yaml): the parser behind ``input: yaml`` functions.

ruamel.yaml is pure Python, so componentize-py can bundle it: the builder does so for a function
whose metadata.yaml says ``input: yaml`` (buildtools/python.py), and natively it is a dependency
of the project. Its round-trip mode keeps what the SDK's dict view hides: comments (``.ca`` of
each mapping and sequence), the quoting of strings (``preserve_quotes``), flow or block style.
The import is lazy so that JSON functions, which are built without the library, never need it.
"""

from __future__ import annotations

import functools
import io
from typing import Any

from sdk.errors import InputError

__all__ = ["available", "dump", "load", "warm_up"]


@functools.cache
def _yaml() -> Any:
    from ruamel.yaml import YAML  # optional: bundled only into `input: yaml` functions

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1 << 16  # never fold a long string: the runner compares values, not lines
    return yaml


def available() -> bool:
    """True when ruamel.yaml can be imported (an ``input: yaml`` component, or natively)."""
    try:
        _yaml()
    except ImportError:
        return False
    return True


def warm_up() -> bool:
    """Import and exercise the whole library once, if it is there (for a build-time snapshot)."""
    if not available():
        return False
    dump(load("a: [1, 'b'] # c\nd:\n- |\n  e\n"))
    return True


def load(text: str) -> Any:
    """Parse one YAML document, keeping comments and styles.

    Raises:
        InputError: The text is not valid YAML (the parser's message names line and column).
    """
    from ruamel.yaml.error import YAMLError

    try:
        return _yaml().load(text)
    except YAMLError as error:
        raise InputError(f"input is neither JSON nor valid YAML: {error}") from None


def dump(data: Any) -> str:
    """Write ``data`` (as :func:`load` returned it, edited) back as YAML text."""
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()
