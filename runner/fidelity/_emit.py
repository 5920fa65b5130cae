"""Write values as YAML in kpt/kyaml's style (2-space indent, compact sequences) or a user's."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ._model import Style
from ._schema import resolves_as_non_string

__all__ = [
    "block_lines",
    "double_quoted",
    "inline_scalar",
    "render_document",
    "single_quoted",
]

# Conservative plain-scalar alphabet: anything else gets double quotes (always valid YAML).
_PLAIN_RE = re.compile(r"[\w/.$][\w./@$=+~()-]*(?:(?: +|:)[\w./@$=+~()-]+)*")
# Characters libyaml would read as line breaks or that are not printable: escape them.
_ESCAPE_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")


def double_quoted(s: str) -> str:
    """A YAML double-quoted scalar (JSON escapes are valid YAML escapes)."""
    out = json.dumps(s, ensure_ascii=False)
    return _ESCAPE_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", out)


def single_quoted(s: str) -> str | None:
    """A single-quoted scalar, or None when the string needs escapes."""
    if _ESCAPE_RE.search(s) or "\n" in s:
        return None
    return "'" + s.replace("'", "''") + "'"


def plain_ok(s: str) -> bool:
    """True if s can be written plain and reads back as the same string everywhere."""
    # A leading `-` is fine when a non-space follows (`--port=80`), but not `---` (doc marker).
    body = s.lstrip("-")
    if s.startswith("---") or not body:
        return False
    return _PLAIN_RE.fullmatch(body) is not None and not resolves_as_non_string(s)


def inline_scalar(value: Any, quote: str | None = None) -> str | None:
    """One-line text for a scalar or empty collection; None for values that need block style.

    quote is the old scalar's style ('"', "'" or None) to keep for a changed string.
    """
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value)
        return text if any(c in text for c in ".en") else text + ".0"
    if isinstance(value, str):
        if quote == "'":
            sq = single_quoted(value)
            if sq is not None:
                return sq
        if quote is None and plain_ok(value):
            return value
        return double_quoted(value)
    if isinstance(value, dict) and not value:
        return "{}"
    if isinstance(value, list) and not value:
        return "[]"
    return None


def _key_text(key: Any) -> str:
    text = inline_scalar(key)
    if text is None or "\n" in text:
        return double_quoted(str(key))
    return text


def _needs_block(value: Any) -> bool:
    return (isinstance(value, dict | list) and bool(value)) or (
        isinstance(value, str) and "\n" in value
    )


def _literal(value: str, indent: int) -> list[str]:
    """`|` block scalar lines (header first) for a multi-line string, or [] if not safe."""
    if _ESCAPE_RE.search(value.replace("\n", "")) or value[:1] in (" ", "\t"):
        return []
    if any(line != line.rstrip(" \t") for line in value.split("\n")):
        return []  # trailing spaces read fine but editors strip them; quote instead
    if value.endswith("\n\n") or value == "\n":
        chomp, body = "+", value[:-1]
    elif value.endswith("\n"):
        chomp, body = "", value[:-1]
    else:
        chomp, body = "-", value
    pad = " " * indent
    lines = ["|" + chomp]
    lines += [pad + line if line else "" for line in body.split("\n")]
    return lines


def _value_lines(value: Any, indent: int, style: Style, in_sequence: bool) -> list[str]:
    """Lines for `value` placed after `key:` or `- `: first element is the inline remainder."""
    text = None if _needs_block(value) else inline_scalar(value)
    if text is not None:
        return [" " + text]
    if isinstance(value, str):
        lit = _literal(value, indent + style.indent)
        return [" " + lit[0], *lit[1:]] if lit else [" " + double_quoted(value)]
    if isinstance(value, dict):
        return ["", *block_lines(value, indent + style.indent, style)]
    offset = 0 if in_sequence else style.sequence_indent
    return ["", *block_lines(value, indent + offset, style)]


def block_lines(value: Any, indent: int, style: Style) -> list[str]:
    """Lines (no line breaks) writing a non-empty dict or list in block style at `indent`."""
    pad = " " * indent
    out: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            first, *rest = _value_lines(v, indent, style, False)
            out.append(f"{pad}{_key_text(k)}:{first}")
            out.extend(rest)
        return out
    assert isinstance(value, list)
    for item in value:
        if (isinstance(item, dict) and item) or (isinstance(item, list) and item):
            inner = block_lines(item, indent + 2, style)
            out.append(pad + "- " + inner[0][indent + 2 :])
            out.extend(inner[1:])
        else:
            first, *rest = _value_lines(item, indent, style, True)
            out.append(f"{pad}-{first}")
            out.extend(rest)
    return out


def render_document(value: Any, style: Style | None = None, newline: str = "\n") -> str:
    """A new document in kpt's style (2 spaces, compact sequences unless style says otherwise).

    No `---` separator; ends with a newline. Scalars that a YAML 1.1 or 1.2 reader would type
    differently from their string value are double-quoted.
    """
    style = style or Style()
    if _needs_block(value) and not isinstance(value, str):
        lines = block_lines(value, 0, style)
    else:
        first, *rest = _value_lines(value, -style.indent, style, False)
        lines = [first.lstrip(" "), *rest]
    return newline.join(lines) + newline
