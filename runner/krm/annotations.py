"""The annotations kpt uses to carry a resource's file, position and identity through functions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "ID",
    "INDEX",
    "LEGACY_ID",
    "LEGACY_INDEX",
    "LEGACY_PATH",
    "LOCAL_CONFIG",
    "PATH",
    "POSITION",
    "without_runner_annotations",
]

PATH = "internal.config.kubernetes.io/path"
INDEX = "internal.config.kubernetes.io/index"
ID = "internal.config.kubernetes.io/id"
LEGACY_PATH = "config.kubernetes.io/path"
LEGACY_INDEX = "config.kubernetes.io/index"
LEGACY_ID = "config.k8s.io/id"
LOCAL_CONFIG = "config.kubernetes.io/local-config"
# Where a resource sits in its package: what kpt's `-o stdout` and `fn source` keep on items.
POSITION = (PATH, INDEX, LEGACY_PATH, LEGACY_INDEX)

_INTERNAL_PREFIX = "internal.config.kubernetes.io/"
_LEGACY = (LEGACY_PATH, LEGACY_INDEX, LEGACY_ID)


def without_runner_annotations(
    value: Mapping[str, Any],
    *,
    keep: Iterable[str] = (),
    original: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``value`` without the runner's annotations (``internal.config.kubernetes.io/*``, legacy
    path/index/id), except those in ``keep``.

    New maps along ``metadata.annotations``; the rest is shared with ``value`` (every caller
    only reads the result: writes it out or gives it to a function as JSON; a deep copy was 24 ms
    per 1,000 resources of a render). An ``annotations`` map (or ``metadata`` map) left empty is
    removed unless the ``original`` document had that key, so an untouched resource compares
    equal to its original (kyaml's ClearEmptyAnnotations always removes them).
    """
    result: dict[str, Any] = dict(value)
    metadata = result.get("metadata")
    if not isinstance(metadata, dict):
        return result
    annotations = metadata.get("annotations")
    if not isinstance(annotations, dict):
        return result
    metadata = result["metadata"] = dict(metadata)
    annotations = metadata["annotations"] = dict(annotations)
    keep_set = set(keep)
    for key in list(annotations):
        if key not in keep_set and (key.startswith(_INTERNAL_PREFIX) or key in _LEGACY):
            del annotations[key]
    original_metadata = original.get("metadata") if original is not None else None
    if not isinstance(original_metadata, Mapping):
        original_metadata = None
    if not annotations and (original_metadata is None or "annotations" not in original_metadata):
        del metadata["annotations"]
        if not metadata and original is not None and "metadata" not in original:
            del result["metadata"]
    return result
