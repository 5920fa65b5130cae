"""Comments and scalar styles of resources read from YAML (an ``input: yaml`` function).

When the runner sends YAML, :class:`~sdk.ResourceList` parses it with ruamel.yaml's round-trip
mode: every mapping and sequence is a ``dict``/``list`` that also carries its comments, and
quoted strings remember their quotes. :class:`~sdk.KubeObject` works on them as on JSON; this
module reads and writes what JSON has no room for. On values parsed from JSON every comment is
``""``.

A *line comment* is the comment at the end of a field's line, as kyaml (kpt's YAML library)
calls it: ``image: nginx  # kpt-set: ${image}`` for a scalar; for a block sequence or mapping,
the one after the key (``args:  # kpt-set: ${args}``); for a flow collection, the one after it
(``env: [a, b]  # kpt-set: ${env}``). It is returned with its ``#``, without the newline.

    for field in sdk.comments.walk(item):
        if field.comment.startswith("# kpt-set: "):
            field.set(...)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sdk.resource import KubeObject

__all__ = ["Field", "line_comment", "plain_scalar", "set_line_comment", "walk"]

# The slot of a line comment in ruamel.yaml's ``ca.items[key]``: a mapping value's comment sits
# at index 2 (after the value), a sequence element's at index 0.
_MAPPING_SLOT = 2
_SEQUENCE_SLOT = 0


def line_comment(parent: Any, key: str | int) -> str:
    """The line comment of ``parent[key]`` (``"# ..."``), or ``""`` when it has none."""
    items = getattr(getattr(parent, "ca", None), "items", None)
    if not items or key not in items:
        return ""
    slot = _SEQUENCE_SLOT if isinstance(parent, list) else _MAPPING_SLOT
    token = items[key][slot] if len(items[key]) > slot else None
    value = getattr(token, "value", None)
    if not isinstance(value, str):
        return ""
    # A token also holds the whole-line comments that follow, up to the next field.
    first = value.split("\n", 1)[0].strip()
    return first if first.startswith("#") else ""


def set_line_comment(parent: Any, key: str | int, comment: str) -> None:
    """Put ``comment`` (``"# ..."``) at the end of ``parent[key]``'s line.

    Raises:
        TypeError: ``parent`` was not read from YAML (it has no room for comments).
    """
    if not hasattr(parent, "yaml_add_eol_comment"):
        raise TypeError(f"a {type(parent).__name__} read from JSON cannot hold comments")
    parent.yaml_add_eol_comment(comment, key)


def plain_scalar(text: str, like: Any = None) -> Any:
    """The value ``text`` has as a YAML scalar written in ``like``'s style.

    A quoted or block string (``"1.7"``, ``'x'``, ``|``) stays a string with the same quotes; a
    plain one takes the type YAML 1.2's core schema gives the text, as kyaml resolves an
    untagged plain scalar (``5`` is an int, ``true`` a bool, ``""`` an empty string in double
    quotes, ``nginx:1.9`` a string).
    """
    style = type(like) if isinstance(like, str) and type(like) is not str else None
    if style is not None:
        return style(text)
    if text == "":
        from ruamel.yaml.scalarstring import DoubleQuotedScalarString

        return DoubleQuotedScalarString("")
    return _resolve_plain(text)


_NULL = re.compile(r"~|null|Null|NULL")
_TRUE, _FALSE = re.compile(r"true|True|TRUE"), re.compile(r"false|False|FALSE")
_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_SPECIAL_FLOATS = {
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), float("inf")),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), float("-inf")),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), float("nan")),
}


def _resolve_plain(text: str) -> Any:
    """YAML 1.2 core schema resolution of a plain scalar (the tag a parser would give it)."""
    if _NULL.fullmatch(text):
        return None
    if _TRUE.fullmatch(text):
        return True
    if _FALSE.fullmatch(text):
        return False
    if _INT.fullmatch(text):
        return int(text, 0) if text[:2] in ("0o", "0x") else int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    return text


@dataclass(frozen=True)
class Field:
    """One value in a resource: ``parent[key]``, at ``path`` (``spec.containers[0].image``)."""

    parent: Any  # the dict or list holding it
    key: str | int
    path: str

    @property
    def value(self) -> Any:
        return self.parent[self.key]

    @property
    def comment(self) -> str:
        """Its line comment (see :func:`line_comment`)."""
        return line_comment(self.parent, self.key)

    def set(self, value: Any) -> None:
        """Replace the value; its line comment stays."""
        self.parent[self.key] = value


def walk(node: KubeObject | dict[str, Any] | list[Any], path: str = "") -> Iterator[Field]:
    """Every field and sequence element under ``node``, depth first, in document order.

    A field comes before what is inside it: ``metadata``, ``metadata.name``, ``spec``,
    ``spec.containers``, ``spec.containers[0]``... Paths join keys with ``.`` as kpt's
    field paths do (a key holding a dot is not escaped). Replacing the current field's value
    is safe: the walk then goes into the new value.
    """
    yield from _walk(node.to_dict() if isinstance(node, KubeObject) else node, path)


def _walk(data: Any, path: str) -> Iterator[Field]:
    entries: list[tuple[str | int, str]]
    if isinstance(data, dict):
        entries = [(key, f"{path}.{key}" if path else key) for key in data if isinstance(key, str)]
    elif isinstance(data, list):
        entries = [(index, f"{path}[{index}]") for index in range(len(data))]
    else:
        return
    for key, here in entries:
        yield Field(data, key, here)
        yield from _walk(data[key], here)
