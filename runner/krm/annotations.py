"""The annotations kpt uses to carry a resource's file, position and identity through functions."""

from __future__ import annotations

__all__ = [
    "ID",
    "INDEX",
    "INTERNAL",
    "LEGACY_INDEX",
    "LEGACY_PATH",
    "LOCAL_CONFIG",
    "PATH",
    "SEQUENCE_ANNOTATIONS",
]

PATH = "internal.config.kubernetes.io/path"
INDEX = "internal.config.kubernetes.io/index"
ID = "internal.config.kubernetes.io/id"
LEGACY_PATH = "config.kubernetes.io/path"
LEGACY_INDEX = "config.kubernetes.io/index"
LOCAL_CONFIG = "config.kubernetes.io/local-config"

# Set on every item before a function runs and stripped before anything is written.
INTERNAL = (PATH, INDEX, ID, LEGACY_PATH, LEGACY_INDEX)
SEQUENCE_ANNOTATIONS = (PATH, INDEX, LEGACY_PATH, LEGACY_INDEX)
