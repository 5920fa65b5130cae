"""Image tags to versions, as kpt's catalog images are tagged.

A catalog release is a git tag ``functions/go/NAME/vX.Y.Z`` (the catalog's RELEASING.md) pushed
as image ``NAME:vX.Y.Z``; kpt's documentation and Kptfiles also name the moving tags ``vX.Y``
(the newest patch of that minor), ``latest`` and ``unstable`` (the catalog's own examples). So
``:v0.4.1`` is that release, ``:v0.2`` the newest v0.2.x, ``:v0`` the newest v0.x, ``:latest``,
``:unstable`` and no tag the newest. "Newest" is the newest of the versions that are built. A
tag without a ``v`` (``0.4.1``) is read the same way. A tag that is not a version
(``sha-1234``, ``v1.0.0-rc.1``) matches only a version spelled exactly so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["FLOATING_TAGS", "newest", "parse_version", "select_version"]

FLOATING_TAGS = frozenset({"latest", "unstable"})
_VERSION = re.compile(r"v?(\d+)(?:\.(\d+))?(?:\.(\d+))?")


def parse_version(text: str) -> tuple[int, ...] | None:
    """``v0.4.1`` -> (0, 4, 1), ``v0.2`` -> (0, 2), ``0`` -> (0,); None if not such a version."""
    match = _VERSION.fullmatch(text.strip())
    if match is None:
        return None
    return tuple(int(part) for part in match.groups() if part is not None)


def newest(versions: Iterable[str]) -> str | None:
    """The highest release version (``vX.Y.Z``) of ``versions``; others only if there is none."""
    candidates = list(versions)
    releases = [v for v in candidates if (parsed := parse_version(v)) and len(parsed) == 3]
    if releases:
        return max(releases, key=lambda v: parse_version(v) or ())
    return max(candidates) if candidates else None


def select_version(tag: str | None, versions: Iterable[str]) -> str | None:
    """The version of ``versions`` that image tag ``tag`` names, or None if it names none."""
    available = list(versions)
    if tag is None or tag in FLOATING_TAGS:
        return newest(available)
    wanted = parse_version(tag)
    if wanted is None:
        return tag if tag in available else None
    matching = [
        v
        for v in available
        if (parsed := parse_version(v)) is not None
        and len(parsed) == 3
        and parsed[: len(wanted)] == wanted
    ]
    return newest(matching)
