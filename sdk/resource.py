"""KubeObject: one KRM resource, a thin typed view over its (ordered) dict.

The object wraps the very dict that sits in the ResourceList's ``items``: changes are made in
place, and keys keep their input order, so fields a function does not touch are written back
unchanged.

Paths name nested fields either as a dotted string with list indexes (``"metadata.name"``,
``"spec.containers[0].image"``) or, for keys that hold dots or slashes, as a sequence of keys
and indexes (``["metadata", "annotations", "config.kubernetes.io/local-config"]``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

from sdk._kinds import CLUSTER_SCOPED

__all__ = [
    "ANNOTATION_INDEX",
    "ANNOTATION_LOCAL_CONFIG",
    "ANNOTATION_PATH",
    "KubeObject",
    "Path",
    "format_path",
    "parse_path",
]

Path: TypeAlias = str | Sequence[str | int]

# kpt's internal annotations: where a resource came from. The legacy names are still read.
ANNOTATION_PATH = "internal.config.kubernetes.io/path"
ANNOTATION_INDEX = "internal.config.kubernetes.io/index"
_LEGACY_PATH = "config.kubernetes.io/path"
_LEGACY_INDEX = "config.kubernetes.io/index"
ANNOTATION_LOCAL_CONFIG = "config.kubernetes.io/local-config"

_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]|(\.)")
_MISSING = object()


def parse_path(path: Path) -> list[str | int]:
    """Split a path into its keys (str) and list indexes (int).

    Args:
        path: ``"spec.containers[0].image"`` or an already split sequence.

    Returns:
        The keys and indexes, e.g. ``["spec", "containers", 0, "image"]``.

    Raises:
        ValueError: The path is empty or malformed.
    """
    if not isinstance(path, str):
        parts = list(path)
        if not parts:
            raise ValueError("empty field path")
        return parts
    parts = []
    position = 0
    expect_key = True
    for match in _SEGMENT.finditer(path):
        if match.start() != position:
            break
        position = match.end()
        key, index, dot = match.groups()
        if key is not None and expect_key:
            parts.append(key)
            expect_key = False
        elif index is not None and not expect_key:
            parts.append(int(index))
        elif dot is not None and not expect_key:
            expect_key = True
        else:
            break
    if not parts or position != len(path) or expect_key:
        raise ValueError(f"malformed field path {path!r}")
    return parts


def format_path(path: Path) -> str:
    """The dotted form of a path, as results show it (``spec.containers[0].image``)."""
    if isinstance(path, str):
        return path
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


class KubeObject:
    """One KRM resource.

    Args:
        data: The resource's dict; kept (not copied), so edits show in the ResourceList.

    Raises:
        TypeError: ``data`` is not a dict.
    """

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        if not isinstance(data, dict):
            raise TypeError(f"a KubeObject wraps a dict, not {type(data).__name__}")
        self._data = data

    # -- raw access ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The underlying dict (not a copy)."""
        return self._data

    def get(self, path: Path, default: Any = None) -> Any:
        """The value at ``path``, or ``default`` when any step is missing.

        Args:
            path: The field's path.
            default: What to return when the field is absent.
        """
        node: Any = self._data
        for part in parse_path(path):
            if isinstance(part, int):
                if not isinstance(node, list) or not -len(node) <= part < len(node):
                    return default
                node = node[part]
            else:
                if not isinstance(node, dict) or part not in node:
                    return default
                node = node[part]
        return node

    def get_str(self, path: Path, default: str = "") -> str:
        """The string at ``path``; ``default`` when absent.

        Raises:
            TypeError: The field holds something other than a string.
        """
        value = self.get(path, _MISSING)
        if value is _MISSING or value is None:
            return default
        if not isinstance(value, str):
            raise TypeError(
                f"{self.describe()}: field {format_path(path)} is a {type(value).__name__}, "
                "not a string"
            )
        return value

    def has(self, path: Path) -> bool:
        """Whether the field at ``path`` exists."""
        return self.get(path, _MISSING) is not _MISSING

    def set(self, path: Path, value: Any) -> None:
        """Set the field at ``path``, creating missing maps on the way.

        A new key is appended after the existing ones; an existing key keeps its place.

        Raises:
            TypeError: A step of the path is not a map (or not a list, for an index).
            IndexError: A list index is out of range.
        """
        parts = parse_path(path)
        node: Any = self._data
        for depth, part in enumerate(parts[:-1]):
            node = self._step(node, part, parts, depth)
        self._assign(node, parts[-1], value, parts)

    def remove(self, path: Path) -> bool:
        """Delete the field at ``path``.

        Returns:
            True when it existed.
        """
        parts = parse_path(path)
        parent = self.get(parts[:-1], _MISSING) if len(parts) > 1 else self._data
        last = parts[-1]
        if (
            isinstance(last, int)
            and isinstance(parent, list)
            and -len(parent) <= last < len(parent)
        ):
            del parent[last]
            return True
        if isinstance(last, str) and isinstance(parent, dict) and last in parent:
            del parent[last]
            return True
        return False

    def _step(self, node: Any, part: str | int, parts: list[str | int], depth: int) -> Any:
        where = format_path(parts[: depth + 1])
        if isinstance(part, int):
            if not isinstance(node, list):
                raise TypeError(f"{self.describe()}: {format_path(parts[:depth])} is not a list")
            if not -len(node) <= part < len(node):
                raise IndexError(f"{self.describe()}: {where} is out of range")
            return node[part]
        if not isinstance(node, dict):
            raise TypeError(
                f"{self.describe()}: {format_path(parts[:depth]) or 'the object'} is not a map"
            )
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        return child

    def _assign(self, node: Any, part: str | int, value: Any, parts: list[str | int]) -> None:
        if isinstance(part, int):
            if not isinstance(node, list):
                raise TypeError(f"{self.describe()}: {format_path(parts[:-1])} is not a list")
            if not -len(node) <= part < len(node):
                raise IndexError(f"{self.describe()}: {format_path(parts)} is out of range")
            node[part] = value
            return
        if not isinstance(node, dict):
            raise TypeError(f"{self.describe()}: {format_path(parts[:-1])} is not a map")
        node[part] = value

    # -- identity ---------------------------------------------------------------------------

    @property
    def api_version(self) -> str:
        """``apiVersion``, e.g. ``apps/v1`` ("" when absent)."""
        return self.get_str("apiVersion")

    @property
    def kind(self) -> str:
        """``kind`` ("" when absent)."""
        return self.get_str("kind")

    @property
    def group(self) -> str:
        """The API group: ``apps`` for ``apps/v1``, "" for the core group (``v1``)."""
        group, _, _ = self.api_version.rpartition("/")
        return group

    @property
    def version(self) -> str:
        """The API version without its group: ``v1`` for ``apps/v1``."""
        return self.api_version.rpartition("/")[2]

    def gvk(self) -> tuple[str, str, str]:
        """(group, version, kind)."""
        return (self.group, self.version, self.kind)

    @property
    def name(self) -> str:
        """``metadata.name`` ("" when absent)."""
        return self.get_str("metadata.name")

    @name.setter
    def name(self, value: str) -> None:
        self.set("metadata.name", value)

    @property
    def namespace(self) -> str:
        """``metadata.namespace`` ("" when absent)."""
        return self.get_str("metadata.namespace")

    @namespace.setter
    def namespace(self, value: str) -> None:
        self.set("metadata.namespace", value)

    def is_namespace_scoped(self) -> bool:
        """False for the built-in cluster-scoped kinds (Namespace, ClusterRole, ...), else True.

        Custom resources are taken as namespace-scoped: without their CRD the scope is unknown,
        and that is kpt's default too.
        """
        return (self.group, self.kind) not in CLUSTER_SCOPED

    def describe(self) -> str:
        """A short name for messages: ``Deployment default/web`` or ``Namespace prod``."""
        # Raw reads: describe() names the object in get_str()'s own errors.
        kind, name, namespace = (
            str(self.get(path) or "") for path in ("kind", "metadata.name", "metadata.namespace")
        )
        shown = f"{namespace}/{name}" if namespace and name else name
        return f"{kind or '<no kind>'} {shown or '<no name>'}"

    def resource_ref(self) -> dict[str, str]:
        """The ``resourceRef`` of a result about this object (empty fields left out)."""
        ref = {
            "apiVersion": self.api_version,
            "kind": self.kind,
            "name": self.name,
            "namespace": self.namespace,
        }
        return {key: value for key, value in ref.items() if value}

    # -- labels and annotations --------------------------------------------------------------

    @property
    def labels(self) -> dict[str, str]:
        """A copy of ``metadata.labels``; change them with :meth:`set_label`."""
        return _string_map(self.get("metadata.labels"))

    @property
    def annotations(self) -> dict[str, str]:
        """A copy of ``metadata.annotations``; change them with :meth:`set_annotation`."""
        return _string_map(self.get("metadata.annotations"))

    def set_label(self, key: str, value: str) -> None:
        """Set one label; the other labels keep their order."""
        self.set(["metadata", "labels", key], value)

    def remove_label(self, key: str) -> bool:
        """Remove one label; True when it existed."""
        return self.remove(["metadata", "labels", key])

    def set_annotation(self, key: str, value: str) -> None:
        """Set one annotation; the others (kpt's internal ones included) are kept."""
        self.set(["metadata", "annotations", key], value)

    def remove_annotation(self, key: str) -> bool:
        """Remove one annotation; True when it existed."""
        return self.remove(["metadata", "annotations", key])

    def is_local_config(self) -> bool:
        """Whether ``config.kubernetes.io/local-config`` is set (not for the cluster).

        kpt's rule (its Go SDK's ``IsLocalConfig``): any value but ``""`` and ``"false"``.
        """
        return self.annotations.get(ANNOTATION_LOCAL_CONFIG, "") not in ("", "false")

    @property
    def file_path(self) -> str:
        """The file the resource came from (kpt's path annotation), "" when unknown."""
        annotations = self.annotations
        return annotations.get(ANNOTATION_PATH) or annotations.get(_LEGACY_PATH, "")

    @property
    def file_index(self) -> int | None:
        """The resource's document index within :attr:`file_path`, None when unknown."""
        annotations = self.annotations
        raw = annotations.get(ANNOTATION_INDEX) or annotations.get(_LEGACY_INDEX)
        try:
            return int(raw) if raw is not None else None
        except ValueError:
            return None

    def __repr__(self) -> str:
        return f"KubeObject({self.api_version} {self.describe()})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, KubeObject) and self._data == other._data

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dict it wraps


def _string_map(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(key): item if isinstance(item, str) else str(item) for key, item in value.items()}
