"""Fallback edits through ruamel.yaml's round trip (keeps most comments, re-indents)."""

from __future__ import annotations

import io
from typing import Any

from ._model import Style
from ._schema import same_value

__all__ = ["ruamel_update"]


def ruamel_update(text: str, new_value: Any, style: Style | None) -> str | None:
    """Load `text` round-trip, apply new_value onto the tree, dump; None if ruamel fails."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1 << 30
    st = style or Style()
    yaml.indent(mapping=st.indent, sequence=st.sequence_indent + 2, offset=st.sequence_indent)
    try:
        tree = yaml.load(text)
        tree = _apply(tree, new_value)
        out = io.StringIO()
        yaml.dump(tree, out)
    except Exception:  # ruamel internals raise assorted errors on odd trees; we fall back
        return None
    result = out.getvalue()
    nl = "\r\n" if "\r\n" in text else "\n"
    if nl != "\n":
        result = result.replace("\n", nl)
    head = text.lstrip()
    if head.startswith("---") and not result.startswith("---"):
        result = "---" + nl + result
    return result


def _apply(tree: Any, new: Any) -> Any:
    if same_value(_plain(tree), new):
        return tree
    if isinstance(tree, dict) and isinstance(new, dict):
        for k in [k for k in tree if k not in new]:
            del tree[k]
        prev_pos = -1
        for k, v in new.items():
            if k in tree:
                tree[k] = _apply(tree[k], v)
                prev_pos = list(tree).index(k)
            else:
                prev_pos += 1
                tree.insert(prev_pos, k, v)  # type: ignore[attr-defined]  # CommentedMap
        return tree
    if isinstance(tree, list) and isinstance(new, list):
        for i, v in enumerate(new):
            if i < len(tree):
                tree[i] = _apply(tree[i], v)
            else:
                tree.append(v)
        del tree[len(new) :]
        return tree
    return new


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value
