"""Scalars as written: what go-yaml v3 puts in a string field (`1.10`, not the float 1.1).

kpt decodes a Kptfile into Go structs; a `map[string]string` field (configMap, selector labels)
takes each scalar's text as written, whatever it would resolve to, and a null as "".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ._model import Document
from ._schema import _NULL
from ._stream import compose_only

__all__ = ["written_texts"]


def written_texts(doc: Document, path: Sequence[str | int] = ()) -> Any:
    """The value at ``path`` in doc with every scalar as its written text (a null as None), or
    None if nothing is there; `<<` stays a key."""
    body = doc.text.removeprefix("\ufeff")
    # The kept tree has its merges applied by construction; the written one has them as keys.
    node: Node | None = compose_only(body) if doc._node is None or "<<" in body else doc._node
    for step in path:
        node = _child(node, step)
    return None if node is None else _texts(node)


def _child(node: Node | None, step: str | int) -> Node | None:
    if isinstance(step, int):
        items = node.value if isinstance(node, SequenceNode) else []
        return items[step] if 0 <= step < len(items) else None
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == step:
                return value  # type: ignore[no-any-return]
    return None


def _texts(node: Node) -> Any:
    # Recursion is safe: the document's parse bounded its depth, aliases expanded included.
    if isinstance(node, ScalarNode):
        return None if node.tag == _NULL else node.value
    if isinstance(node, SequenceNode):
        return [_texts(item) for item in node.value]
    if isinstance(node, MappingNode):
        return {
            key.value: _texts(value) for key, value in node.value if isinstance(key, ScalarNode)
        }
    return None
