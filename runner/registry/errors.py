"""The registry layer's errors: ``RunnerError``s, so the CLI prints them without a traceback."""

from __future__ import annotations

from runner.errors import RunnerError

__all__ = [
    "DigestMismatch",
    "KptAlphaArtifact",
    "NotInStore",
    "RegistryError",
    "UnsupportedArtifact",
]


class RegistryError(RunnerError):
    """A registry that cannot be reached, refuses a request or serves something unusable."""


class DigestMismatch(RegistryError):
    """Content whose sha256 is not the digest it was asked for or pinned to (names both)."""


class UnsupportedArtifact(RegistryError):
    """A manifest that is not a CNCF wasm artifact (kpt's alpha js/wasm image, a container)."""


class KptAlphaArtifact(UnsupportedArtifact):
    """kpt's ``alpha wasm push`` format: a ``GOOS=js`` module, Go's JavaScript ABI, not WASI."""


class NotInStore(RegistryError):
    """``--image-pull-policy Never`` and the store has no copy of the reference."""
