"""Facts about one KRM resource value: is it KRM, what to call it, its annotations, its file."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

from runner.krm import annotations as ann

__all__ = [
    "annotation_is_true",
    "annotations_of",
    "default_path",
    "describe",
    "is_local_config",
    "missing_krm_field",
    "scalar_text",
]


def missing_krm_field(value: Any) -> str | None:
    """The first of apiVersion, kind, metadata.name that ``value`` lacks (kpt's IsKRM), or None."""
    if not isinstance(value, Mapping):
        return "apiVersion"
    for key in ("apiVersion", "kind"):
        if not isinstance(value.get(key), str) or not value[key]:
            return key
    metadata = value.get("metadata")
    if not isinstance(metadata, Mapping):
        return "metadata.name"
    name = metadata.get("name")
    return None if isinstance(name, str) and name else "metadata.name"


def describe(value: Any) -> str:
    """``Kind/name`` for messages."""
    if not isinstance(value, Mapping):
        return "document"
    kind = value.get("kind") or "?"
    metadata = value.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    return f"{kind}/{name or '?'}"


def annotations_of(value: Any) -> Mapping[str, Any]:
    """``metadata.annotations``, or an empty mapping when there is none (or it is malformed)."""
    if not isinstance(value, Mapping):
        return {}
    metadata = value.get("metadata")
    if not isinstance(metadata, Mapping):
        return {}
    annotations = metadata.get("annotations")
    return annotations if isinstance(annotations, Mapping) else {}


def annotation_is_true(value: Any, name: str) -> bool:
    """True when annotation ``name`` is ``"true"`` (kpt's flags: local-config, bfs-rendering...)."""
    flag = annotations_of(value).get(name)
    return flag is True or (isinstance(flag, str) and flag.strip().lower() == "true")


def is_local_config(value: Any) -> bool:
    """True when annotated ``config.kubernetes.io/local-config: "true"``."""
    return annotation_is_true(value, ann.LOCAL_CONFIG)


def default_path(value: Mapping[str, Any]) -> str:
    """kyaml's kioutil.CreatePathAnnotationValue("", meta): ``[<namespace>/]<kind>_<name>.yaml``."""
    metadata = value.get("metadata")
    meta = metadata if isinstance(metadata, Mapping) else {}
    name = str(meta.get("name") or "")
    namespace = str(meta.get("namespace") or "")
    filename = f"{str(value.get('kind') or '').lower()}_{name}.yaml"
    return posixpath.join(namespace, filename) if namespace else filename


def scalar_text(value: Any) -> str:
    """A scalar as kyaml reads it into a string field (``true``, ``3``; nothing is ``""``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
