"""Resolving function references (``--image``, ``--exec``, Kptfile entries) to wasm files.

An image reference such as ``gcr.io/kpt-fn/set-namespace:v0.4.1`` names a function by its last path
element (``set-namespace``); ``NAME@LANG`` picks one language where several implement a name, and a
bare name takes the first of ``DEFAULT_LANGUAGES`` that exists. The search path is ``--fn-path``
directories, then ``$KRM_FN_PATH`` (``:``-separated), then this project's ``dist/functions``. A
directory is read through its ``index.json`` when it has one, else by file names
``<name>.<lang>.wasm`` or ``<name>.wasm``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from runner.errors import FunctionNotFound, UsageError

__all__ = [
    "DEFAULT_LANGUAGES",
    "CatalogEntry",
    "ImageRef",
    "catalog",
    "parse_image",
    "resolve_exec",
    "resolve_image",
    "search_path",
]

# Rust first: smallest and fastest to start; Python components are the slowest to instantiate.
DEFAULT_LANGUAGES = ("rust", "go", "py")
PROJECT_DIST = Path(__file__).resolve().parents[2] / "dist" / "functions"


@dataclass(frozen=True)
class ImageRef:
    name: str
    lang: str | None = None
    tag: str | None = None


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
    last = ref.rsplit("/", 1)[-1]
    name, _, tag = last.partition(":")
    return ImageRef(name=name, lang=lang, tag=tag or None)


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
        for path in sorted(directory.glob("*.wasm")):
            stem = path.name[: -len(".wasm")]
            name, dot, lang = stem.rpartition(".")
            entries.append(
                CatalogEntry(name, lang, path) if dot else CatalogEntry(stem, None, path)
            )
    return entries


def _read_index(index: Path) -> list[CatalogEntry]:
    """The entries of an ``index.json`` whose files exist (FunctionNotFound if it is malformed)."""
    try:
        document = json.loads(index.read_text(encoding="utf-8"))
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
            path = index.parent / raw["file"]
            if path.is_file():
                entries.append(CatalogEntry(raw["name"], raw.get("lang"), path, raw.get("version")))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise FunctionNotFound(f"{index}: not a usable function index: {error}") from None
    return entries


def _version_matches(entry: CatalogEntry, tag: str | None) -> bool:
    if tag is None or entry.version is None or tag == "latest":
        return True
    return entry.version.lstrip("v") == tag.lstrip("v")


def resolve_image(reference: str, directories: Sequence[Path]) -> Path:
    """The wasm file for an image reference; FunctionNotFound lists what is available."""
    ref = parse_image(reference)
    entries = catalog(directories)
    candidates = [e for e in entries if e.name == ref.name and _version_matches(e, ref.tag)]
    if ref.lang is not None:
        candidates = [e for e in candidates if e.lang == ref.lang]
    if candidates:
        order = {lang: rank for rank, lang in enumerate(DEFAULT_LANGUAGES)}
        first_dir = candidates[0].path.parent  # earlier search-path directories win
        same_dir = [e for e in candidates if e.path.parent == first_dir]
        return min(same_dir, key=lambda e: order.get(e.lang or "", len(order))).path
    available = sorted({f"{e.name}@{e.lang}" if e.lang else e.name for e in entries})
    where = ", ".join(str(d) for d in directories)
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
