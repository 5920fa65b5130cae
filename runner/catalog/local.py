"""Resolving function references (``--image``, ``--exec``, Kptfile entries) to wasm files.

An image reference such as ``gcr.io/kpt-fn/set-namespace:v0.4.1`` names a function by its last path
element (``set-namespace``). A tag that is a language, ``NAME:LANG`` (``set-namespace:go``;
``go``, ``rust``, ``py``, or ``kpt`` for kpt's own catalog build), picks that implementation
where several implement a name: it is a valid image reference, so a Kptfile naming it is one kpt
can read too. ``NAME@LANG`` means the same on the command line only (after ``@`` an image
reference has a digest; Kptfiles refuse it, runner.kpt.kptfile).

Versioned builds (``index.json`` entries with a ``version``, such as kpt's catalog functions that
``nox -s build`` compiles) answer to tags as kpt's images do (``tags.select_version``): a kpt
image (``gcr.io/kpt-fn/...``, ``ghcr.io/kptdev/krm-functions-catalog/...``) or any tagged
reference runs the version its tag names, and a tag that names none of the versions built is an
error listing them. Unversioned builds (this project's own functions) answer to a bare name
first, Rust, then Go, then Python; a tagged reference runs one of them only when no build of that
name has a version (the tag cannot be checked then: docs/commands.md says so).

The search path is ``--fn-path`` directories, then ``$KRM_FN_PATH`` (``:``-separated), then this
project's ``dist/functions``. A directory is read through its ``index.json`` when it has one, else
by file names ``<name>.<lang>-<version>.wasm``, ``<name>.<lang>.wasm`` or ``<name>.wasm``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from runner.catalog.tags import select_version
from runner.errors import FunctionNotFound, UsageError
from runner.krm.text import read_bounded

_MAX_INDEX_BYTES = 16 << 20  # a catalog of thousands of functions is well under a MiB

__all__ = [
    "DEFAULT_LANGUAGES",
    "KPT_IMAGE_PREFIXES",
    "CatalogEntry",
    "ImageRef",
    "catalog",
    "language_tag",
    "parse_image",
    "resolve_exec",
    "resolve_image",
    "search_path",
]

# Rust first: smallest and fastest to start; Python components are the slowest to instantiate.
DEFAULT_LANGUAGES = ("rust", "go", "py", "kpt")
# The registries kpt's catalog publishes to (the old one and the one it moved to).
KPT_IMAGE_PREFIXES = ("gcr.io/kpt-fn/", "ghcr.io/kptdev/krm-functions-catalog/")
PROJECT_DIST = Path(__file__).resolve().parents[2] / "dist" / "functions"


@dataclass(frozen=True)
class ImageRef:
    name: str
    lang: str | None = None
    tag: str | None = None
    repository: str = ""  # what came before the name: "gcr.io/kpt-fn/", or "" for a bare name

    @property
    def is_kpt_image(self) -> bool:
        return self.repository in KPT_IMAGE_PREFIXES


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    lang: str | None
    path: Path
    version: str | None = None


def parse_image(reference: str) -> ImageRef:
    """``registry/path/name:tag``, ``name@lang`` or ``name`` → its parts (digests are ignored)."""
    if not reference.strip():
        raise UsageError("empty function image reference")
    lang = None
    ref = reference.strip()
    if "@" in ref:
        ref, _, suffix = ref.partition("@")
        if not suffix.startswith("sha256:"):
            lang = suffix
    repository, slash, last = ref.rpartition("/")
    name, _, tag = last.partition(":")
    return ImageRef(name=name, lang=lang, tag=tag or None, repository=repository + slash)


def search_path(fn_paths: Sequence[Path] = ()) -> list[Path]:
    paths = list(fn_paths)
    paths += [Path(p) for p in os.environ.get("KRM_FN_PATH", "").split(":") if p]
    paths.append(PROJECT_DIST)
    return paths


def catalog(directories: Sequence[Path]) -> list[CatalogEntry]:
    """Every function found in ``directories``, in search-path order."""
    entries: list[CatalogEntry] = []
    for directory in directories:
        index = directory / "index.json"
        if index.is_file():
            entries += _read_index(index)
            continue
        entries += [_entry_from_file_name(path) for path in sorted(directory.glob("*.wasm"))]
    return entries


# NAME.LANG-VERSION.wasm (a versioned build, e.g. set-namespace.kpt-v0.4.1.wasm), NAME.LANG.wasm
_VERSIONED_FILE = re.compile(r"(?P<name>.+)\.(?P<lang>[a-z]+)-(?P<version>v?\d[^/]*)\.wasm")


def _entry_from_file_name(path: Path) -> CatalogEntry:
    versioned = _VERSIONED_FILE.fullmatch(path.name)
    if versioned:
        return CatalogEntry(versioned["name"], versioned["lang"], path, versioned["version"])
    stem = path.name[: -len(".wasm")]
    name, dot, lang = stem.rpartition(".")
    return CatalogEntry(name, lang, path) if dot else CatalogEntry(stem, None, path)


def _read_index(index: Path) -> list[CatalogEntry]:
    """The entries of an ``index.json`` whose files exist (FunctionNotFound if it is malformed)."""
    try:
        document = json.loads(read_bounded(index, str(index), _MAX_INDEX_BYTES).decode("utf-8"))
        raws = document.get("functions", []) if isinstance(document, dict) else None
        if not isinstance(raws, list):
            raise ValueError('want {"functions": [...]}')
        entries = []
        for number, raw in enumerate(raws):
            if (
                not isinstance(raw, dict)
                or not isinstance(raw.get("name"), str)
                or not isinstance(raw.get("file"), str)
            ):
                raise ValueError(f"functions[{number}] needs string fields name and file")
            if not isinstance(raw.get("version") or "", str):
                raise ValueError(f"functions[{number}].version must be a string")
            path = index.parent / raw["file"]
            if path.is_file():
                entries.append(CatalogEntry(raw["name"], raw.get("lang"), path, raw.get("version")))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        problem = "nested too deeply" if isinstance(error, RecursionError) else error
        raise FunctionNotFound(f"{index}: not a usable function index: {problem}") from None
    return entries


def _pick(candidates: list[CatalogEntry]) -> Path:
    """Earlier search-path directories win; within one, the first of ``DEFAULT_LANGUAGES``."""
    order = {lang: rank for rank, lang in enumerate(DEFAULT_LANGUAGES)}
    first_dir = candidates[0].path.parent
    same_dir = [e for e in candidates if e.path.parent == first_dir]
    return min(same_dir, key=lambda e: order.get(e.lang or "", len(order))).path


def _label(entry: CatalogEntry) -> str:
    return f"{entry.name}@{entry.lang}" if entry.lang else entry.name


def language_tag(ref: ImageRef, entries: Sequence[CatalogEntry]) -> ImageRef:
    """``NAME:LANG`` as ``NAME@LANG`` when LANG is the language of a build of NAME (a tag that
    is a language is never a version: versions start with a digit or ``v`` and a digit)."""
    if ref.lang is not None or ref.tag is None:
        return ref
    languages = {e.lang for e in entries if e.name == ref.name and e.lang}
    if ref.tag not in languages:
        return ref
    return ImageRef(name=ref.name, lang=ref.tag, tag=None, repository=ref.repository)


def resolve_image(reference: str, directories: Sequence[Path]) -> Path:
    """The wasm file for an image reference; FunctionNotFound lists what is available."""
    entries = catalog(directories)
    ref = language_tag(parse_image(reference), entries)
    named = [e for e in entries if e.name == ref.name]
    if ref.lang is not None:
        named = [e for e in named if e.lang == ref.lang]
    versioned = [e for e in named if e.version is not None]
    unversioned = [e for e in named if e.version is None]
    where = ", ".join(str(d) for d in directories)
    wants_version = ref.tag is not None or ref.is_kpt_image or not unversioned
    if versioned and wants_version:
        versions = sorted({e.version for e in versioned if e.version is not None})
        version = select_version(ref.tag, versions)
        if version is None:
            builds = ", ".join(sorted({f"{_label(e)} {e.version}" for e in versioned}))
            raise FunctionNotFound(
                f"no wasm function for image {reference!r}: tag {ref.tag!r} names none of the "
                f"versions built ({builds}) in {where}"
            )
        return _pick([e for e in versioned if e.version == version])
    if unversioned:
        return _pick(unversioned)
    available = sorted({_label(e) for e in entries})
    hint = (
        f"available: {', '.join(available)}"
        if available
        else "no functions found (build them with `nox -s build`, or pass --fn-path)"
    )
    raise FunctionNotFound(f"no wasm function for image {reference!r} in {where}; {hint}")


def resolve_exec(path: str, base: Path | None = None) -> Path:
    """A ``--exec`` / Kptfile ``exec:`` path (relative to ``base`` when given) that must exist."""
    candidate = Path(path)
    if base is not None and not candidate.is_absolute():
        candidate = base / candidate
    if not candidate.is_file():
        raise FunctionNotFound(f"exec function {path!r} not found (looked for {candidate})")
    return candidate
