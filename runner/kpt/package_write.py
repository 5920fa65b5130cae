"""Writing kpt packages back: where each resource goes and the files' new text.

kyaml's LocalPackageWriter + kpt's render prune: resources go back to the file and position named
by their path/index annotations (a changed path moves the resource), new resources without a path
go to `<namespace>/<kind>_<name>.yaml` (kioutil.CreatePathAnnotationValue), files that lose all
their documents are deleted. Unlike kyaml, unchanged documents keep their exact text and changed
ones are edited minimally (runner.fidelity). Also kpt's `-o stdout` / `-o unwrap` streams.
Putting the plan on disk is runner.kpt.transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.errors import InputError, PackageError
from runner.kpt.package import KPTFILE, Package, Resource, is_kptfile
from runner.kpt.paths import inside_package
from runner.kpt.transaction import TRANSACTION_DIR
from runner.krm import annotations as ann
from runner.krm import text as textio
from runner.krm.annotations import without_runner_annotations
from runner.krm.resource import annotations_of, default_path, describe
from runner.krm.text import Style

__all__ = [
    "format_resource_list",
    "format_unwrapped",
    "output_stream",
    "plan_writes",
]


# --------------------------------------------------------------------------------------------
# Planning writes.


@dataclass
class _Entry:
    position: float  # kyaml index; +inf for appended resources
    group: int  # 0: document already in the file, 1: output resource
    seq: int
    text: str
    non_empty: bool


@dataclass
class _Placed:
    seq: int
    value: dict[str, Any]  # cleaned (no internal annotations)
    path: str
    index: int | None
    original: Resource | None
    label: str


def _get_annotation(annotations: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        found = annotations.get(key)
        if found is not None and str(found) != "":
            return str(found)
    return None


# Linux's NAME_MAX and PATH_MAX: a longer name fails in the middle of a write, so refuse it first.
_NAME_MAX = 255
_PATH_MAX = 4095


def _check_relpath(path: str, what: str, root: Path) -> str:
    if "\0" in path:
        raise PackageError(f"{what}: path {path!r} contains a NUL byte")
    try:
        relpath = inside_package(path)
    except ValueError as problem:
        raise PackageError(f"{what}: {problem}") from None
    encoded = relpath.encode("utf-8", errors="surrogateescape")
    if any(len(part) > _NAME_MAX for part in encoded.split(b"/")):
        raise PackageError(f"{what}: path {path!r} has a name longer than {_NAME_MAX} bytes")
    if len(bytes(root)) + 1 + len(encoded) > _PATH_MAX:
        raise PackageError(f"{what}: path {path!r} is longer than the file system allows")
    return relpath


def _place_outputs(package: Package, output_values: Sequence[Mapping[str, Any]]) -> list[_Placed]:
    by_id = {r.value["metadata"]["annotations"][ann.ID]: r for r in package.resources}
    by_location = {(r.path, r.index): r for r in package.resources}
    claimed: set[int] = set()
    placed: list[_Placed] = []
    for seq, value in enumerate(output_values):
        label = f"output resource #{seq} ({describe(value)})"
        if not isinstance(value, Mapping) or not isinstance(value.get("metadata", {}), Mapping):
            raise InputError(f"{label}: not a KRM object (a mapping with a metadata mapping)")
        annotations = annotations_of(value)
        path = _get_annotation(annotations, ann.PATH, ann.LEGACY_PATH)
        raw_index = _get_annotation(annotations, ann.INDEX, ann.LEGACY_INDEX)
        rid = _get_annotation(annotations, ann.ID, ann.LEGACY_ID)
        original = by_id.get(rid) if rid is not None else None
        if original is None and rid is None and path is not None and raw_index is not None:
            with_index = _parse_index(raw_index, label)
            original = by_location.get((path, with_index))
        if original is not None and id(original) in claimed:
            original = None  # a copy of a resource already placed: a new resource
        if original is not None:
            claimed.add(id(original))
        cleaned = without_runner_annotations(
            value, original=original.document.original_value if original is not None else None
        )
        if path is None:
            path, index = default_path(cleaned), None
        else:
            index = _parse_index(raw_index, label) if raw_index is not None else None
        path = _check_relpath(path, label, package.root)
        placed.append(_Placed(seq, cleaned, path, index, original, label))
    return placed


def _check_destination(package: Package, item: _Placed) -> None:
    """A function's output may only create or change the package's own resource files.

    Never the Kptfile by appending to it, never a file under `.git/`, a `.krmignore`d or unread
    directory, never a file the reader did not read (not YAML, a directory, ignored).
    """
    where = f"{item.label}: path {item.path!r}"
    parts = item.path.split("/")
    if ".git" in parts[:-1] or TRANSACTION_DIR in parts[:-1]:
        raise PackageError(f"{where} is inside {parts[0]}/, which is not part of the package")
    original = item.original
    was_kptfile = original is not None and is_kptfile(original.value)
    if parts[-1] == KPTFILE and (original is None or original.path != item.path or not was_kptfile):
        raise PackageError(f"{where} names a Kptfile: functions cannot add resources to one")
    if was_kptfile:
        assert original is not None
        if item.path != original.path:
            raise PackageError(f"{where}: the Kptfile resource of {original.path} cannot move")
        if not is_kptfile(item.value):
            raise PackageError(
                f"{item.label}: the Kptfile resource of {original.path} must stay a Kptfile "
                "(apiVersion kpt.dev/..., kind Kptfile)"
            )
        return
    if is_kptfile(item.value):
        raise PackageError(f"{item.label}: functions cannot create a Kptfile resource")
    if item.path in package.files:
        return
    target = package.root / item.path
    if target.exists() or target.is_symlink():
        raise PackageError(
            f"{where} names an existing file that is not part of the package "
            "(ignored, not YAML, or a directory)"
        )
    if not item.path.endswith((".yaml", ".yml")):
        raise PackageError(f"{where}: a new resource file must end in .yaml or .yml")
    owner = package.owner_of(item.path)
    in_package = item.path[len(owner) + 1 :] if owner else item.path
    rules = package.ignore_rules.get(owner)
    directory = package.root / owner if owner else package.root
    steps = in_package.split("/")
    for depth in range(1, len(steps)):
        directory = directory / steps[depth - 1]
        if (directory / KPTFILE).exists():
            raise PackageError(f"{where} is inside a package that was not read ({directory})")
        if rules is not None and rules.ignored("/".join(steps[:depth]), is_dir=True):
            raise PackageError(f"{where} is in a directory .krmignore hides")
    if rules is not None and rules.ignored(in_package, is_dir=False):
        raise PackageError(f"{where} is a file .krmignore hides")


def _check_kptfiles_kept(package: Package, placed: Sequence[_Placed]) -> None:
    """Functions get the Kptfiles (kpt >= 1.0) and may edit them, never delete one."""
    kept = {id(item.original) for item in placed if item.original is not None}
    for resource in package.resources:
        if is_kptfile(resource.value) and id(resource) not in kept:
            raise PackageError(
                f"{resource.path}: the functions' output lacks this Kptfile resource; "
                "a function may edit a Kptfile, not delete it"
            )


def _parse_index(raw: str, label: str) -> int:
    try:
        index = int(raw)
    except ValueError:
        raise PackageError(f"{label}: index annotation {raw!r} is not a number") from None
    if index < 0:
        raise PackageError(f"{label}: index annotation {raw!r} is negative")
    return index


def plan_writes(
    package: Package, output_values: Sequence[Mapping[str, Any]]
) -> dict[str, str | None]:
    """Compute the new text of every package file after a function run.

    Args:
        package: the package the values were read from (read_package).
        output_values: the resources the functions returned (they replace
            package.resources; held-back and non-KRM documents stay as they are).

    Returns:
        {posix relpath: new text, or None to delete the file} for every file read plus any
        new file; unchanged files map to their current text.

    Raises:
        PackageError: a path leaving the package, two resources at one path+index, a
            resource aimed at an existing file that is not part of the package.
        InputError: an output value that is not a KRM object.
    """
    placed = _place_outputs(package, output_values)
    entries: dict[str, list[_Entry]] = {}
    occupied: dict[tuple[str, int], str] = {}

    # Documents that stay where they are: held back, non-KRM, empty ones.
    kept = {id(r.document) for r in (*package.held_back, *package.non_krm)}
    for relpath, stream in package.files.items():
        index, position = 0, -0.5
        for doc in stream.documents:
            if doc.original_value is None:
                entries.setdefault(relpath, []).append(
                    _Entry(position + 0.25, 0, 0, doc.text, False)
                )
                continue
            position = float(index)
            if id(doc) in kept:
                entries.setdefault(relpath, []).append(_Entry(position, 0, 0, doc.text, True))
                occupied[(relpath, index)] = (
                    f"{relpath} document {index} ({describe(doc.original_value)})"
                )
            index += 1

    for item in placed:
        _check_destination(package, item)
    _check_kptfiles_kept(package, placed)  # after: a bad destination is the clearer error
    for item in placed:
        if item.index is not None:
            key = (item.path, item.index)
            if key in occupied:
                raise PackageError(
                    f"{occupied[key]} and {item.label} have the same path and index "
                    f"({item.path}, {item.index})"
                )
            occupied[key] = item.label
        if item.original is not None:
            style = _style(package, item.original.path)
            text = textio.edit(item.original.document, item.value, style)
        else:
            into = package.files.get(item.path)
            if into is None:
                text = textio.render(item.value)
            else:
                text = textio.render(item.value, into.style, into.newline)
        position = float(item.index) if item.index is not None else float("inf")
        entries.setdefault(item.path, []).append(_Entry(position, 1, item.seq, text, True))

    plan: dict[str, str | None] = {}
    for relpath in sorted(set(package.files) | set(entries)):
        existing = package.files.get(relpath)
        file_entries = sorted(entries.get(relpath, []), key=lambda e: (e.position, e.group, e.seq))
        texts = [e.text for e in file_entries]
        if existing is not None:
            originally_had = any(d.original_value is not None for d in existing.documents)
            if texts == [d.text for d in existing.documents]:
                plan[relpath] = existing.text
                continue
            if originally_had and not any(e.non_empty for e in file_entries):
                plan[relpath] = None
                continue
            plan[relpath] = textio.join(texts, existing.newline) + existing.trailer
        else:
            plan[relpath] = textio.join(texts, "\n")
    return plan


def _style(package: Package, relpath: str) -> Style | None:
    stream = package.files.get(relpath)
    return stream.style if stream is not None else None


# --------------------------------------------------------------------------------------------
# Output streams (-o stdout / -o unwrap).


def _stream_texts(
    values: Sequence[Mapping[str, Any]], package: Package | None, keep: Sequence[str]
) -> list[str]:
    """Each resource's text, in file order (path, then index), held-back ones included.

    Resources read from the package keep their document's text (comments, quoting), edited
    minimally; ``keep`` names the runner annotations left on (path/index for ``-o stdout``).
    """
    if package is None:
        return [textio.render(without_runner_annotations(v, keep=keep, original=v)) for v in values]
    entries: list[tuple[str, float, int, str]] = []
    for item, value in zip(_place_outputs(package, values), values, strict=True):
        original = item.original.document.original_value if item.original is not None else None
        shown = without_runner_annotations(value, keep=keep, original=original)
        text = textio.edit(item.original.document, shown) if item.original else textio.render(shown)
        index = float("inf") if item.index is None else float(item.index)
        entries.append((item.path, index, item.seq, text))
    for held in package.held_back:
        shown = without_runner_annotations(
            held.value, keep=keep, original=held.document.original_value
        )
        entries.append((held.path, float(held.index), -1, textio.edit(held.document, shown)))
    return [text for *_, text in sorted(entries)]


def format_resource_list(
    values: Sequence[Mapping[str, Any]], package: Package | None = None
) -> str:
    """kpt's `-o stdout`: a ResourceList whose items keep their path and index annotations
    (and, with the package they came from, their comments)."""
    texts = _stream_texts(values, package, ann.POSITION)
    return textio.resource_list_text(texts, None)


def format_unwrapped(values: Sequence[Mapping[str, Any]], package: Package | None = None) -> str:
    """kpt's `-o unwrap`: the resources as a multi-document stream, runner annotations removed.

    With the package they came from, resources that have an original document keep its text
    (comments, quoting) with minimal edits.
    """
    texts = _stream_texts(values, package, ())
    return textio.join(texts, "\n") if texts else ""


def output_stream(
    values: Sequence[Mapping[str, Any]], mode: str, package: Package | None = None
) -> str:
    """The text for `-o stdout` (mode "stdout") or `-o unwrap` (mode "unwrap"), in file order,
    the Kptfile and local-config resources included (as kpt writes them)."""
    if mode == "stdout":
        return format_resource_list(values, package)
    if mode == "unwrap":
        return format_unwrapped(values, package)
    raise ValueError(f"unknown output mode {mode!r} (expected 'stdout' or 'unwrap')")
