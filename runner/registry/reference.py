"""Registry references: ``HOST[:PORT]/PATH/NAME[:TAG][@sha256:HEX]``.

Mirrors the grammar of the distribution project's ``reference`` package (what kpt and Docker parse
with): the first path component is a registry host when it contains ``.`` or ``:`` or is
``localhost``. A reference without a host (``set-namespace``, ``set-namespace@go``), or with a
language instead of a digest after ``@`` (``ghcr.io/acme/fns/set-namespace:v1@go``), is not a
registry reference here: such names resolve in the local catalog only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from runner.errors import UsageError

__all__ = ["Reference", "is_loopback", "parse_reference"]

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPOSITORY = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
_HOST = re.compile(
    r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?\.?)+(?::[0-9]+)?|\[[0-9a-fA-F:]+\](?::[0-9]+)?"
)
_TAG = re.compile(r"[\w][\w.-]{0,127}")
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_LOOPBACK = {"localhost", "127.0.0.1", "[::1]"}


@dataclass(frozen=True)
class Reference:
    host: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    @property
    def name(self) -> str:
        """The last path element: the function's name (``set-namespace``)."""
        return self.repository.rsplit("/", 1)[-1]

    @property
    def manifest_ref(self) -> str:
        """What to ask the registry for: the pinned digest, else the tag (``latest`` by default)."""
        return self.digest or self.tag or "latest"

    def __str__(self) -> str:
        text = f"{self.host}/{self.repository}"
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def is_loopback(host: str) -> bool:
    """``localhost``, ``127.0.0.1`` or ``[::1]``, with any port."""
    hostname = host[: host.index("]") + 1] if host.startswith("[") else host.partition(":")[0]
    return hostname in _LOOPBACK


def _has_host(first: str) -> bool:
    return "." in first or ":" in first or first == "localhost" or first.startswith("[")


def parse_reference(text: str) -> Reference | None:
    """The parts of a registry reference; None for a bare name (no registry host)."""
    ref = text.strip()
    first, slash, rest = ref.partition("/")
    if not slash or not _has_host(first):
        return None
    if not _HOST.fullmatch(first):
        raise UsageError(f"image {text!r}: {first!r} is not a registry host")
    digest = None
    if "@" in rest:
        rest, _, digest = rest.partition("@")
        if not digest.startswith("sha256:"):
            return None  # REF@LANG picks a language in the local catalog (catalog.local)
        if not _DIGEST.fullmatch(digest):
            raise UsageError(f"image {text!r}: {digest!r} is not a digest (want 64 hex digits)")
    repository, colon, tag = rest.partition(":")
    if not _REPOSITORY.fullmatch(repository):
        raise UsageError(
            f"image {text!r}: repository {repository!r} is not valid (lowercase letters, digits,"
            " and . _ - between them, / between components)"
        )
    if colon and not _TAG.fullmatch(tag):
        raise UsageError(f"image {text!r}: tag {tag!r} is not valid")
    return Reference(host=first, repository=repository, tag=tag or None, digest=digest)
