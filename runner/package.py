"""Reading and writing kpt packages: files <-> resources, following kyaml's kio conventions.

Reading (kyaml's LocalPackageReader as kpt configures it):
- files named `Kptfile`, `*.yaml`, `*.yml`, walked in Go's filepath.Walk order (names sorted in
  each directory), skipping what `.krmignore` ignores (per package, see runner.krmignore),
  `.git`, and subpackages (directories holding a Kptfile) unless asked to include them;
- every non-empty YAML document becomes one item; the index annotation counts the non-empty
  documents of its file from 0 (empty documents do not count, as in kyaml's ByteReader);
- items get `internal.config.kubernetes.io/path|index|id` and the legacy
  `config.kubernetes.io/path|index` annotations.

Where we differ from kpt on purpose (see the README of the runner / report):
- a document without apiVersion or kind is skipped with a warning and kept untouched in its
  file (kpt stops with "input resource list must contain only KRM resources");
  `read_package(strict_krm=True)` gives kpt's error instead;
- the Kptfile and `config.kubernetes.io/local-config: "true"` resources are held back from
  functions unless `include_meta=True` (kpt >= 1.0 render passes both to functions).

Writing (kyaml's LocalPackageWriter + kpt's render prune): resources go back to the file and
position named by their path/index annotations (a changed path moves the resource), new
resources without a path go to `<namespace>/<kind>_<name>.yaml` (kioutil.CreatePathAnnotationValue),
files that lose all their documents are deleted. Unlike kyaml, unchanged documents keep their
exact text and changed ones are edited minimally (runner.fidelity).

How the commands use it:
- eval PKG_DIR: pkg = read_package(dir, include_subpackages=True) (kpt fn eval sees the whole
  tree); run on pkg.values(); then write_atomically(dir, plan_writes(pkg, outputs)), or
  output_stream(outputs, "stdout" | "unwrap", pkg), or write_to_dir(out, plan_writes(...)).
- render PKG_DIR: one read_package(root, include_subpackages=True); each package's own items
  are pkg.values(p) for p in pkg.packages (read_kptfile(root / p) for its pipeline); run
  depth-first (a package's pipeline gets its subpackages' outputs plus its own items); write
  the root's final output as above. Paths stay root-relative throughout (kpt shows a
  subpackage's functions package-relative paths: rebase_paths converts if needed).
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from runner import annotations as ann
from runner.errors import InputError, PackageError
from runner.fidelity import (
    Document,
    Style,
    YamlStream,
    YamlSyntaxError,
    copy_value,
    join_documents,
    load_yaml_value,
    parse_yaml_stream,
    render_document,
    resource_list_yaml,
    same_value,
    update_document,
)
from runner.krmignore import IgnoreRules, read_ignore_file

__all__ = [
    "KPTFILE",
    "RESOURCE_LIST_API_VERSION",
    "Package",
    "Resource",
    "default_path",
    "find_subpackages",
    "format_resource_list",
    "format_unwrapped",
    "is_kptfile",
    "is_local_config",
    "output_stream",
    "parse_file",
    "plan_writes",
    "read_package",
    "rebase_paths",
    "strip_internal_annotations",
    "write_atomically",
    "write_to_dir",
]

KPTFILE = "Kptfile"
RESOURCE_LIST_API_VERSION = "config.kubernetes.io/v1"
_SUFFIXES = (".yaml", ".yml")
_INTERNAL_PREFIX = "internal.config.kubernetes.io/"
_LEGACY_ID = "config.k8s.io/id"
_KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


@dataclass
class Resource:
    """One document of a package file.

    `value` is what functions see (a deep copy of the parsed document plus the path/index/id
    annotations); `document` is the untouched parsed document, kept for text fidelity.
    """

    value: dict[str, Any]
    path: str
    index: int
    package: str
    document: Document

    @property
    def display(self) -> str:
        """`Kind/name` for messages."""
        return _describe(self.document.value)


@dataclass
class Package:
    """A package as read from disk.

    Attributes:
        root: the package directory.
        resources: items given to functions, in kpt's read order.
        held_back: the Kptfile and local-config resources (empty when include_meta=True).
        non_krm: documents that are not KRM (skipped, written back untouched).
        files: every file read, by posix path relative to root, with its parsed stream.
        warnings: human-readable notes (skipped documents, symlinked directories).
        subpackages: posix paths of the direct subpackages (whether or not included).
        packages: posix paths of every package whose files were read ("" is the root).
    """

    root: Path
    resources: list[Resource] = field(default_factory=list)
    held_back: list[Resource] = field(default_factory=list)
    non_krm: list[Resource] = field(default_factory=list)
    files: dict[str, YamlStream] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    subpackages: list[str] = field(default_factory=list)
    packages: list[str] = field(default_factory=list)

    def values(self, package: str | None = None) -> list[dict[str, Any]]:
        """Deep copies of the function-visible items (of one package when `package` is given)."""
        return [
            copy_value(r.value)
            for r in self.resources
            if package is None or r.package == package
        ]


# --------------------------------------------------------------------------------------------
# The text-fidelity library, used only through these three functions.


def parse_file(path: Path, relpath: str) -> YamlStream:
    """Read and parse one YAML file; errors name the file, document index and line.

    Raises:
        InputError: the file is not UTF-8 or not valid YAML.
        PackageError: the file cannot be read.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PackageError(f"{relpath}: cannot read: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{relpath}: not UTF-8 text (byte {exc.start})") from exc
    return parse_text(text, relpath)


def parse_text(text: str, source: str) -> YamlStream:
    """Parse a YAML stream, turning syntax errors into InputError naming source/line/document."""
    try:
        return parse_yaml_stream(text, source)
    except YamlSyntaxError as exc:
        # The message reads "<source>:<line>:<column>: document <n>: invalid YAML: <why>".
        raise InputError(str(exc)) from exc


def _edit(document: Document, value: dict[str, Any], style: Style | None = None) -> str:
    text = update_document(document, value, style)
    # Safety net: never write a document that does not read back as the value (a minimal
    # edit that went wrong costs that document its comments, not its content).
    if text != document.text and not same_value(load_yaml_value(text), value):
        newline = "\r\n" if "\r\n" in document.text else "\n"
        text = render_document(value, style, newline)
    return text


def _render(value: Mapping[str, Any], style: Style | None = None, newline: str = "\n") -> str:
    return render_document(dict(value), style, newline)


def _join(texts: Sequence[str], newline: str) -> str:
    texts = list(texts)
    # A document that moved to the top keeps its `---` line; at the top it is noise.
    if texts and texts[0].startswith(("---\n", "---\r\n")):
        texts[0] = texts[0].split("\n", 1)[1]
    return join_documents(texts, newline=newline)


# --------------------------------------------------------------------------------------------
# Classification helpers.


def is_kptfile(value: Any) -> bool:
    """True for a Kptfile resource (kind Kptfile, apiVersion kpt.dev/*)."""
    return (
        isinstance(value, Mapping)
        and value.get("kind") == KPTFILE
        and str(value.get("apiVersion", "")).startswith("kpt.dev/")
    )


def is_local_config(value: Any) -> bool:
    """True when annotated `config.kubernetes.io/local-config: "true"`."""
    annotations = _annotations_of(value)
    flag = annotations.get(ann.LOCAL_CONFIG)
    return flag is True or (isinstance(flag, str) and flag.strip().lower() == "true")


def _is_kustomization(value: Mapping[str, Any], relpath: str) -> bool:
    # kpt's IsKRM exempts kustomization files (kpt issue #2388).
    if posixpath.basename(relpath) in _KUSTOMIZATION_FILES:
        return True
    api_version = value.get("apiVersion")
    if isinstance(api_version, str) and api_version.startswith("kustomize.config.k8s.io"):
        return True
    return not api_version and value.get("kind") == "Kustomization"


def _annotations_of(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        return {}
    metadata = value.get("metadata")
    if not isinstance(metadata, Mapping):
        return {}
    annotations = metadata.get("annotations")
    return annotations if isinstance(annotations, Mapping) else {}


def _describe(value: Any) -> str:
    if not isinstance(value, Mapping):
        return "document"
    kind = value.get("kind") or "?"
    metadata = value.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    return f"{kind}/{name or '?'}"


def default_path(value: Mapping[str, Any]) -> str:
    """kyaml's kioutil.CreatePathAnnotationValue("", meta): `[<namespace>/]<kind>_<name>.yaml`."""
    metadata = value.get("metadata")
    meta = metadata if isinstance(metadata, Mapping) else {}
    name = str(meta.get("name") or "")
    namespace = str(meta.get("namespace") or "")
    filename = f"{str(value.get('kind') or '').lower()}_{name}.yaml"
    return posixpath.join(namespace, filename) if namespace else filename


# --------------------------------------------------------------------------------------------
# Reading.


def find_subpackages(root: Path, *, recursive: bool = False) -> list[Path]:
    """Subpackages of `root`: directories holding a Kptfile, in walk order.

    With recursive=False only the direct ones (not inside another subpackage), like kpt's
    Pkg.DirectSubpackages; with recursive=True every nested package, parents before children.
    Symlinked directories and `.git` are not entered (as kpt's pkg.Subpackages).
    """
    found: list[Path] = []

    def walk(directory: Path) -> None:
        for entry in _sorted_entries(directory):
            if entry.is_symlink() or not entry.is_dir() or entry.name == ".git":
                continue
            child = Path(entry.path)
            if (child / KPTFILE).is_file():
                found.append(child)
                if not recursive:
                    continue
            walk(child)

    walk(root)
    return found


def read_package(
    root: Path,
    *,
    include_meta: bool = False,
    include_subpackages: bool = False,
    strict_krm: bool = False,
) -> Package:
    """Read the package at `root`.

    Args:
        root: package directory (it need not have a Kptfile, as kpt fn eval).
        include_meta: give the Kptfile and local-config resources to functions too.
        include_subpackages: also read subpackages (paths stay relative to root; each
            resource's `package` names the package it belongs to), as kpt fn eval does and
            as kpt render's final write sees the tree.
        strict_krm: fail on non-KRM documents like kpt instead of skipping them.

    Raises:
        PackageError: missing directory, unreadable file, symlink leaving the package.
        InputError: invalid YAML, a KRM document without metadata.name, a non-KRM
            document with strict_krm (each message names file, document index and line).
    """
    root = Path(root)
    if not root.is_dir():
        raise PackageError(f"{root}: not a directory")
    package = Package(root=root)
    next_id = 0
    for relpath, owner in _package_files(root, package, include_subpackages):
        stream = parse_file(root / relpath, relpath)
        package.files[relpath] = stream
        index = 0
        for doc in stream.documents:
            if doc.value is None:
                continue  # empty document: kyaml skips it without counting it
            kind = _classify(doc, relpath, strict_krm)
            if kind == "non-krm":
                package.warnings.append(
                    f"skipping {relpath}:{doc.line}: document {doc.index}: "
                    "not a KRM resource (needs apiVersion and kind)"
                )
                package.non_krm.append(Resource(doc.value, relpath, index, owner, doc))
            else:
                value = _annotated(doc, relpath, index, str(next_id))
                next_id += 1
                resource = Resource(value, relpath, index, owner, doc)
                meta = is_kptfile(doc.value) or is_local_config(doc.value)
                if meta and not include_meta:
                    package.held_back.append(resource)
                else:
                    package.resources.append(resource)
            index += 1
    return package


def _classify(doc: Document, relpath: str, strict: bool) -> str:
    value = doc.value
    where = f"{relpath}:{doc.line}: document {doc.index}"
    if isinstance(value, Mapping) and _is_kustomization(value, relpath):
        return "resource"
    if not isinstance(value, Mapping) or not value.get("apiVersion") or not value.get("kind"):
        if strict:
            missing = (
                "apiVersion"
                if not isinstance(value, Mapping)
                else ("apiVersion" if not value.get("apiVersion") else "kind")
            )
            raise InputError(
                f"input resource list must contain only KRM resources: "
                f"{where}: resource must have `{missing}`"
            )
        return "non-krm"
    metadata = value.get("metadata")
    if metadata is not None and not isinstance(metadata, Mapping):
        raise InputError(f"{where}: {_describe(value)}: `metadata` must be a mapping")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    if not isinstance(name, str) or not name:
        raise InputError(f"{where}: {value.get('kind')} resource must have `metadata.name`")
    return "resource"


def _annotated(doc: Document, relpath: str, index: int, rid: str) -> dict[str, Any]:
    value: dict[str, Any] = copy_value(dict(doc.value))
    metadata = value.get("metadata")
    if not isinstance(metadata, dict):
        metadata = {}
        value["metadata"] = metadata
    annotations = metadata.get("annotations")
    if not isinstance(annotations, dict):
        if annotations is not None:
            raise InputError(
                f"{relpath}:{doc.line}: document {doc.index}: {_describe(value)}: "
                "`metadata.annotations` must be a mapping"
            )
        annotations = {}
        metadata["annotations"] = annotations
    annotations[ann.PATH] = relpath
    annotations[ann.INDEX] = str(index)
    annotations[ann.ID] = rid
    annotations[ann.LEGACY_PATH] = relpath
    annotations[ann.LEGACY_INDEX] = str(index)
    return value


def _sorted_entries(directory: Path) -> list[os.DirEntry[str]]:
    # Go's filepath.Walk visits names in lexical (byte) order.
    with os.scandir(directory) as it:
        return sorted(it, key=lambda e: e.name.encode("utf-8", "surrogateescape"))


def _package_files(
    root: Path, package: Package, include_subpackages: bool
) -> Iterator[tuple[str, str]]:
    """Yield (relpath, owning package relpath) for every file to read, in walk order."""
    real_root = root.resolve()
    package.packages.append("")

    def walk(
        directory: Path, rel: str, owner: str, rules: IgnoreRules
    ) -> Iterator[tuple[str, str]]:
        for entry in _sorted_entries(directory):
            relpath = f"{rel}/{entry.name}" if rel else entry.name
            in_pkg = relpath[len(owner) + 1 :] if owner else relpath
            path = Path(entry.path)
            if entry.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(real_root):
                    raise PackageError(
                        f"{relpath}: symlink points outside the package (to {target})"
                    )
                if target.is_dir():
                    package.warnings.append(f"skipping {relpath}: symlinked directory")
                    continue
            if entry.is_dir(follow_symlinks=False):
                if entry.name == ".git" or rules.ignored(in_pkg, is_dir=True):
                    continue
                if (path / KPTFILE).is_file():
                    if owner == "":
                        package.subpackages.append(relpath)
                    if include_subpackages:
                        package.packages.append(relpath)
                        yield from walk(path, relpath, relpath, read_ignore_file(path))
                    continue
                yield from walk(path, relpath, owner, rules)
            elif (entry.name == KPTFILE or entry.name.endswith(_SUFFIXES)) and not rules.ignored(
                in_pkg, is_dir=False
            ):
                yield relpath, owner

    yield from walk(root, "", "", read_ignore_file(root))


# --------------------------------------------------------------------------------------------
# Annotations on the way out.


def strip_internal_annotations(
    value: Mapping[str, Any],
    *,
    keep: Iterable[str] = (),
    original: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A copy of `value` without the runner's annotations (`internal.config.kubernetes.io/*`,
    legacy path/index/id), except those in `keep`.

    An `annotations` map (or `metadata` map) left empty is removed unless the `original`
    document had that key, so an untouched resource compares equal to its original (kyaml's
    ClearEmptyAnnotations always removes them).
    """
    result: dict[str, Any] = copy_value(dict(value))
    metadata = result.get("metadata")
    if not isinstance(metadata, dict):
        return result
    annotations = metadata.get("annotations")
    if not isinstance(annotations, dict):
        return result
    keep_set = set(keep)
    for key in list(annotations):
        if key in keep_set:
            continue
        if key.startswith(_INTERNAL_PREFIX) or key in (
            ann.LEGACY_PATH,
            ann.LEGACY_INDEX,
            _LEGACY_ID,
        ):
            del annotations[key]
    original_metadata = original.get("metadata") if original is not None else None
    if not isinstance(original_metadata, Mapping):
        original_metadata = None
    if not annotations and (original_metadata is None or "annotations" not in original_metadata):
        del metadata["annotations"]
        if not metadata and original is not None and "metadata" not in original:
            del result["metadata"]
    return result


def rebase_paths(
    values: Iterable[Mapping[str, Any]], prefix: str, *, add: bool
) -> list[dict[str, Any]]:
    """Copies of `values` with `prefix/` added to (or removed from) their path annotations.

    kpt render shows a package's functions paths relative to that package; use this to move
    between root-relative paths (as read_package gives) and package-relative ones.
    """
    prefix = prefix.strip("/")
    out: list[dict[str, Any]] = []
    for value in values:
        copied: dict[str, Any] = copy_value(dict(value))
        annotations = _annotations_of(copied)
        if prefix and isinstance(annotations, dict):
            for key in (ann.PATH, ann.LEGACY_PATH):
                path = annotations.get(key)
                if not isinstance(path, str):
                    continue
                if add:
                    annotations[key] = f"{prefix}/{path}"
                elif path.startswith(prefix + "/"):
                    annotations[key] = path[len(prefix) + 1 :]
        out.append(copied)
    return out


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


def _check_relpath(path: str, what: str) -> str:
    if "\\" in path or path.startswith("/") or PurePosixPath(path).is_absolute():
        raise PackageError(
            f"{what}: path {path!r} must be a relative posix path inside the package"
        )
    normal = posixpath.normpath(path)
    if normal == "." or normal.startswith("../") or normal == ".." or "/../" in f"/{normal}/":
        raise PackageError(f"{what}: path {path!r} leaves the package")
    return normal


def _place_outputs(package: Package, output_values: Sequence[Mapping[str, Any]]) -> list[_Placed]:
    by_id = {r.value["metadata"]["annotations"][ann.ID]: r for r in package.resources}
    by_location = {(r.path, r.index): r for r in package.resources}
    claimed: set[int] = set()
    placed: list[_Placed] = []
    for seq, value in enumerate(output_values):
        label = f"output resource #{seq} ({_describe(value)})"
        if not isinstance(value, Mapping) or not isinstance(value.get("metadata", {}), Mapping):
            raise InputError(f"{label}: not a KRM object (a mapping with a metadata mapping)")
        annotations = _annotations_of(value)
        path = _get_annotation(annotations, ann.PATH, ann.LEGACY_PATH)
        raw_index = _get_annotation(annotations, ann.INDEX, ann.LEGACY_INDEX)
        rid = _get_annotation(annotations, ann.ID, _LEGACY_ID)
        original = by_id.get(rid) if rid is not None else None
        if original is None and rid is None and path is not None and raw_index is not None:
            with_index = _parse_index(raw_index, label)
            original = by_location.get((path, with_index))
        if original is not None and id(original) in claimed:
            original = None  # a copy of a resource already placed: a new resource
        if original is not None:
            claimed.add(id(original))
        cleaned = strip_internal_annotations(
            value, original=original.document.value if original is not None else None
        )
        if path is None:
            path, index = default_path(cleaned), None
        else:
            index = _parse_index(raw_index, label) if raw_index is not None else None
        path = _check_relpath(path, label)
        placed.append(_Placed(seq, cleaned, path, index, original, label))
    return placed


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
            if doc.value is None:
                entries.setdefault(relpath, []).append(
                    _Entry(position + 0.25, 0, 0, doc.text, False)
                )
                continue
            position = float(index)
            if id(doc) in kept:
                entries.setdefault(relpath, []).append(_Entry(position, 0, 0, doc.text, True))
                occupied[(relpath, index)] = f"{relpath} document {index} ({_describe(doc.value)})"
            index += 1

    for item in placed:
        if item.path not in package.files:
            target = package.root / item.path
            if target.exists() or target.is_symlink():
                raise PackageError(
                    f"{item.label}: path {item.path!r} names an existing file that is not part "
                    "of the package (ignored, not YAML, or a directory)"
                )
        if item.index is not None:
            key = (item.path, item.index)
            if key in occupied:
                raise PackageError(
                    f"{occupied[key]} and {item.label} have the same path and index "
                    f"({item.path}, {item.index})"
                )
            occupied[key] = item.label
        if item.original is not None:
            text = _edit(item.original.document, item.value, _style(package, item.original.path))
        else:
            into = package.files.get(item.path)
            if into is None:
                text = _render(item.value)
            else:
                text = _render(item.value, into.style, into.newline)
        position = float(item.index) if item.index is not None else float("inf")
        entries.setdefault(item.path, []).append(_Entry(position, 1, item.seq, text, True))

    plan: dict[str, str | None] = {}
    for relpath in sorted(set(package.files) | set(entries)):
        existing = package.files.get(relpath)
        file_entries = sorted(entries.get(relpath, []), key=lambda e: (e.position, e.group, e.seq))
        texts = [e.text for e in file_entries]
        if existing is not None:
            originally_had = any(d.value is not None for d in existing.documents)
            if texts == [d.text for d in existing.documents]:
                # fidelity's invariant: the documents' texts plus the trailer are the file.
                plan[relpath] = "".join(texts) + existing.trailer
                continue
            if originally_had and not any(e.non_empty for e in file_entries):
                plan[relpath] = None
                continue
            plan[relpath] = _join(texts, existing.newline) + existing.trailer
        else:
            plan[relpath] = _join(texts, "\n")
    return plan


def _style(package: Package, relpath: str) -> Style | None:
    stream = package.files.get(relpath)
    return stream.style if stream is not None else None


# --------------------------------------------------------------------------------------------
# Output streams (-o stdout / -o unwrap).


_POSITION = (ann.PATH, ann.INDEX, ann.LEGACY_PATH, ann.LEGACY_INDEX)


def _stream_texts(
    values: Sequence[Mapping[str, Any]], package: Package | None, keep: Sequence[str]
) -> list[str]:
    """Each resource's text, in file order (path, then index), held-back ones included.

    Resources read from the package keep their document's text (comments, quoting), edited
    minimally; ``keep`` names the runner annotations left on (path/index for ``-o stdout``).
    """
    if package is None:
        return [_render(strip_internal_annotations(v, keep=keep, original=v)) for v in values]
    entries: list[tuple[str, float, int, str]] = []
    for item, value in zip(_place_outputs(package, values), values, strict=True):
        original = item.original.document.value if item.original is not None else None
        shown = strip_internal_annotations(value, keep=keep, original=original)
        text = _edit(item.original.document, shown) if item.original else _render(shown)
        index = float("inf") if item.index is None else float(item.index)
        entries.append((item.path, index, item.seq, text))
    for held in package.held_back:
        shown = strip_internal_annotations(held.value, keep=keep, original=held.document.value)
        entries.append((held.path, float(held.index), -1, _edit(held.document, shown)))
    return [text for *_, text in sorted(entries)]


def format_resource_list(
    values: Sequence[Mapping[str, Any]], package: Package | None = None
) -> str:
    """kpt's `-o stdout`: a ResourceList whose items keep their path and index annotations
    (and, with the package they came from, their comments)."""
    texts = _stream_texts(values, package, _POSITION)
    return resource_list_yaml(texts, None, api_version=RESOURCE_LIST_API_VERSION)


def format_unwrapped(values: Sequence[Mapping[str, Any]], package: Package | None = None) -> str:
    """kpt's `-o unwrap`: the resources as a multi-document stream, runner annotations removed.

    With the package they came from, resources that have an original document keep its text
    (comments, quoting) with minimal edits.
    """
    texts = _stream_texts(values, package, ())
    return _join(texts, "\n") if texts else ""


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


# --------------------------------------------------------------------------------------------
# Writing files.


def _target(root: Path, relpath: str) -> Path:
    normal = _check_relpath(relpath, "write plan")
    target = root / normal
    real_root = root.resolve()
    # Write through a symlink that stays inside the package, never one that leaves it.
    resolved = target.resolve()
    if not resolved.is_relative_to(real_root):
        raise PackageError(f"{relpath}: resolves outside the package (to {resolved})")
    return resolved if target.is_symlink() else target


def write_atomically(root: Path, plan: Mapping[str, str | None]) -> list[str]:
    """Apply a plan: every changed file is first written to a temporary file next to it,
    then all are renamed into place, then deleted files are removed.

    If anything fails before the renames (bad path, full disk, permissions), every temporary
    file and created directory is removed and the package is unchanged. The residual window is
    the rename phase itself: renames are atomic one by one, but a crash between two of them
    leaves some files new and some old (there is no multi-file transaction on POSIX).

    Returns:
        the relpaths actually written or deleted (unchanged files are not touched).

    Raises:
        PackageError: naming the file that could not be prepared or written.
    """
    root = Path(root)
    writes: list[tuple[str, Path, bytes]] = []
    deletes: list[tuple[str, Path]] = []
    seen: dict[Path, tuple[str, str | None]] = {}
    for relpath in sorted(plan):
        target = _target(root, relpath)
        text = plan[relpath]
        # Two paths can be one file through a symlink: allow it only when they agree.
        real = target.resolve()
        if real in seen:
            other, other_text = seen[real]
            if other_text != text:
                raise PackageError(
                    f"{relpath} and {other} are the same file (a symlink) but would get "
                    "different contents"
                )
            continue
        seen[real] = (relpath, text)
        if text is None:
            # Remove a symlink itself, not the file it points to (as kpt's os.Remove).
            link = root / posixpath.normpath(relpath)
            if link.is_symlink() or target.exists():
                deletes.append((relpath, link if link.is_symlink() else target))
            continue
        data = text.encode("utf-8")
        if target.is_dir():
            raise PackageError(f"{relpath}: is a directory, cannot write a file there")
        if target.is_file() and target.read_bytes() == data:
            continue
        writes.append((relpath, target, data))

    temps: list[tuple[Path, Path]] = []
    created_dirs: list[Path] = []
    try:
        for relpath, target, data in writes:
            created_dirs.extend(_make_parents(target.parent))
            temps.append((_write_temp(target, data, relpath), target))
    except BaseException:
        for temp, _ in temps:
            temp.unlink(missing_ok=True)
        _remove_dirs(created_dirs)
        raise

    changed: list[str] = []
    for (temp, target), (relpath, _, _) in zip(temps, writes, strict=True):
        try:
            os.replace(temp, target)
        except OSError as exc:
            temp.unlink(missing_ok=True)
            raise PackageError(f"{relpath}: cannot replace file: {exc.strerror or exc}") from exc
        changed.append(relpath)
    for relpath, target in deletes:
        try:
            target.unlink()
        except OSError as exc:
            raise PackageError(f"{relpath}: cannot delete file: {exc.strerror or exc}") from exc
        changed.append(relpath)
    return changed


def _make_parents(directory: Path) -> list[Path]:
    missing: list[Path] = []
    probe = directory
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    if probe.is_file():
        raise PackageError(f"{probe}: is a file, cannot create a directory under it")
    made: list[Path] = []
    for path in reversed(missing):
        try:
            path.mkdir()
        except OSError as exc:
            _remove_dirs(made)
            raise PackageError(f"{path}: cannot create directory: {exc.strerror or exc}") from exc
        made.append(path)
    return made


def _remove_dirs(created: list[Path]) -> None:
    """Remove directories we created (listed parents first), if they are still empty."""
    for directory in reversed(created):
        with contextlib.suppress(OSError):
            directory.rmdir()


def _write_temp(target: Path, data: bytes, relpath: str) -> Path:
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".krm-tmp", dir=target.parent)
    except OSError as exc:
        raise PackageError(
            f"{relpath}: cannot create a temporary file: {exc.strerror or exc}"
        ) from exc
    temp = Path(name)
    try:
        # No fsync: the promise is "a failed render changes nothing", not power-loss durability
        # (kpt makes neither); an fsync per file cost 2.6 s of a 1,000-file render.
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        mode = target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask()
        os.chmod(temp, mode)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise PackageError(f"{relpath}: cannot write: {exc.strerror or exc}") from exc
    return temp


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_to_dir(
    out_dir: Path, plan: Mapping[str, str | None], *, exist_ok: bool = False
) -> list[str]:
    """Write a plan's files under `out_dir` (kpt's `-o DIR`); deletions are simply skipped.

    Like kpt (cmdutil.CheckDirectoryNotPresent) an existing `out_dir` is an error unless
    exist_ok. The directory is built under a temporary name next to `out_dir` and renamed,
    so a failure leaves nothing behind.
    """
    out_dir = Path(out_dir)
    files = {path: text for path, text in plan.items() if text is not None}
    if out_dir.exists() or out_dir.is_symlink():
        if not exist_ok:
            raise PackageError(f"{out_dir}: directory already exists, delete it and retry")
        if not out_dir.is_dir():
            raise PackageError(f"{out_dir}: exists and is not a directory")
        return write_atomically(out_dir, files)
    parent = out_dir.parent
    created = _make_parents(parent)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".krm-tmp", dir=parent))
    except OSError as exc:
        raise PackageError(f"{out_dir}: cannot create: {exc.strerror or exc}") from exc
    try:
        written = write_atomically(staging, files)
        os.replace(staging, out_dir)
    except BaseException:
        _remove_tree(staging)
        _remove_dirs(created)
        raise
    return written


def _remove_tree(path: Path) -> None:
    if not path.exists():
        return
    for dirpath, dirnames, filenames in os.walk(path, topdown=False):
        for name in filenames:
            Path(dirpath, name).unlink(missing_ok=True)
        for name in dirnames:
            Path(dirpath, name).rmdir()
    path.rmdir()
