"""Fallback edits through ruamel.yaml's round trip (keeps most comments, re-indents)."""

from __future__ import annotations

import io
from typing import Any

from ._model import Style
from ._schema import same_value

__all__ = ["ruamel_update"]


def ruamel_update(text: str, old_value: Any, new_value: Any, style: Style | None) -> str | None:
    """Load `text` round-trip, apply the changes from old_value to new_value, dump.

    old_value is the text's value as we type it (go-yaml v3); only the places where it differs
    from new_value are assigned, so ruamel's own (YAML 1.2) typing of untouched scalars (`0777`,
    `~`, dates) never counts as a change. None if ruamel fails.
    """
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1 << 30
    st = style or Style()
    yaml.indent(mapping=st.indent, sequence=st.sequence_indent + 2, offset=st.sequence_indent)
    try:
        tree = yaml.load(text)
        tree = _apply(tree, old_value, new_value)
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


class _Mismatch(Exception):
    """ruamel's tree does not have the shape of the old value."""


def _apply(tree: Any, old: Any, new: Any) -> Any:
    if same_value(old, new):
        return tree
    if isinstance(tree, dict) and isinstance(old, dict) and isinstance(new, dict):
        if len(tree) != len(old) or any(k not in tree for k in old):
            raise _Mismatch  # merge keys or keys ruamel types differently
        for k in [k for k in old if k not in new]:
            del tree[k]
        prev_pos = -1
        for k, v in new.items():
            if k in old:
                tree[k] = _apply(tree[k], old[k], v)
                prev_pos = list(tree).index(k)
            else:
                prev_pos += 1
                tree.insert(prev_pos, k, v)  # type: ignore[attr-defined]  # CommentedMap
        return tree
    if isinstance(tree, list) and isinstance(old, list) and isinstance(new, list):
        if len(tree) != len(old):
            raise _Mismatch
        for i, v in enumerate(new):
            if i < len(tree):
                tree[i] = _apply(tree[i], old[i], v)
            else:
                tree.append(v)
        del tree[len(new) :]
        return tree
    return new
