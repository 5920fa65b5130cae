"""Image tags to versions, as kpt's catalog images are tagged.

A catalog release is a git tag ``functions/go/NAME/vX.Y.Z`` (the catalog's RELEASING.md) pushed
as image ``NAME:vX.Y.Z``; kpt's documentation and Kptfiles also name the moving tags ``vX.Y``
(the newest patch of that minor), ``latest`` and ``unstable`` (the catalog's own examples). So
``:v0.4.1`` is that release, ``:v0.2`` the newest v0.2.x, ``:v0`` the newest v0.x, ``:latest``,
``:unstable`` and no tag the newest. "Newest" is the newest of the versions that are built. A
tag without a ``v`` (``0.4.1``) is read the same way. A semantic-version constraint, as a
Kptfile's ``tag:`` may give one (kpt's tag_resolution.go, Masterminds/semver: ``~0.4``,
``^0.4.1``, ``>=0.2, <0.5``, ``0.2 || 0.4``), names the newest release matching it. Any other
tag (``sha-1234``, ``v1.0.0-rc.1``) matches only a version spelled exactly so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["FLOATING_TAGS", "is_constraint", "newest", "parse_version", "select_version"]

FLOATING_TAGS = frozenset({"latest", "unstable"})
_VERSION = re.compile(r"v?(\d+)(?:\.(\d+))?(?:\.(\d+))?")
_TERM = re.compile(r"(>=|=<|<=|>|<|!=|=|~>|~|\^)?\s*(v?\d+(?:\.(?:\d+|[xX*]))*)")
_Release = tuple[int, int, int]


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
    if wanted is None and is_constraint(tag):
        releases = [v for v in available if (p := parse_version(v)) is not None and len(p) == 3]
        return newest(v for v in releases if _satisfies(_release(v), tag))
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


def is_constraint(tag: str) -> bool:
    """Whether ``tag`` is a version constraint (``~0.4``, ``>=0.2, <0.5``), not a plain tag."""
    alternatives = [part.strip() for part in tag.split("||")]
    return all(_terms(part) is not None for part in alternatives) and any(
        c in tag for c in "<>=~^|, *xX"
    )


def _release(version: str) -> _Release:
    major, minor, patch, *_ = (*(parse_version(version) or ()), 0, 0, 0)
    return major, minor, patch


def _terms(text: str) -> list[tuple[str, list[int]]] | None:
    """``>=0.2, <0.5`` -> [(">=", [0, 2]), ("<", [0, 5])]; None if it is not a constraint."""
    terms = []
    for word in (w for w in re.split(r"[,\s]+(?=[<>=!~^v\d])", text.strip()) if w.strip()):
        match = _TERM.fullmatch(word.strip().rstrip(","))
        if match is None:
            return None
        parts = match[2].lstrip("v").split(".")
        numbers = [int(p) for p in parts if p.isdigit()]
        if len(numbers) < len(parts) and any(p.isdigit() for p in parts[len(numbers) :]):
            return None  # a wildcard followed by a number (1.x.3)
        terms.append((match[1] or "=", numbers))
    return terms or None


def _satisfies(version: _Release, constraint: str) -> bool:
    return any(
        all(_term_holds(version, op, numbers) for op, numbers in _terms(part) or [])
        for part in constraint.split("||")
    )


def _term_holds(version: _Release, op: str, numbers: list[int]) -> bool:
    """One term, with Masterminds' meaning of partial versions (``0.4`` is ``0.4.x``)."""
    major, minor, patch, *_ = (*numbers, 0, 0, 0)
    low: _Release = (major, minor, patch)
    size = len(numbers)
    high: _Release
    if op in ("~", "~>"):
        high = (low[0] + 1, 0, 0) if size == 1 else (low[0], low[1] + 1, 0)
    elif op == "^":
        if low[0] > 0 or size == 1:
            high = (low[0] + 1, 0, 0)
        elif low[1] > 0 or size == 2:
            high = (0, low[1] + 1, 0)
        else:
            high = (0, 0, low[2] + 1)
    else:
        high = (low[0] + 1, 0, 0) if size == 1 else (low[0], low[1] + 1, 0) if size == 2 else low
        exact = size >= 3
        inside = version == low if exact else low <= version < high
        if op == "=":
            return inside
        if op == "!=":
            return not inside
        if op == ">":
            return version > low if exact else version >= high
        if op == ">=":
            return version >= low
        if op == "<":
            return version < low
        return version <= low if exact else version < high  # <= and =<
    return low <= version < high
