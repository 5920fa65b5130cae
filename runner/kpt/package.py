"""Reading and writing kpt packages: files <-> resources, following kyaml's kio conventions.

Reading (kyaml's LocalPackageReader as kpt configures it):
- files named `Kptfile`, `*.yaml`, `*.yml`, walked in Go's filepath.Walk order (names sorted in
  each directory), skipping what `.krmignore` ignores (per package, see runner.kpt.krmignore),
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

Writing is runner.kpt.package_write (plan_writes, write_atomically, write_to_dir, output_stream).

How the commands use it:
- eval PKG_DIR: pkg = read_package(dir, include_subpackages=True) (kpt fn eval sees the whole
  tree); run on pkg.values(); then (runner.kpt.package_write) write_atomically(dir,
  plan_writes(pkg, outputs)), or output_stream(outputs, "stdout" | "unwrap", pkg), or
  write_to_dir(out, plan_writes(...)).
- render PKG_DIR: one read_package(root, include_subpackages=True); each package's own items
  are pkg.values(p) for p in pkg.packages (read_kptfile(root / p) for its pipeline); run
  depth-first (a package's pipeline gets its subpackages' outputs plus its own items); write
  the root's final output as above. Paths stay root-relative throughout (kpt shows a
  subpackage's functions package-relative paths: rebase_paths converts if needed).
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    same_value,
    update_document,
)
from runner.kpt.krmignore import IgnoreRules, read_ignore_file
from runner.krm import annotations as ann

__all__ = [
    "KPTFILE",
    "LEGACY_ID",
    "RESOURCE_LIST_API_VERSION",
    "Package",
    "Resource",
    "annotations_of",
    "default_path",
    "describe",
    "edit_text",
    "find_subpackages",
    "is_kptfile",
    "is_local_config",
    "join_texts",
    "parse_file",
    "read_package",
    "rebase_paths",
    "render_text",
    "strip_internal_annotations",
]

KPTFILE = "Kptfile"
RESOURCE_LIST_API_VERSION = "config.kubernetes.io/v1"
_SUFFIXES = (".yaml", ".yml")
_INTERNAL_PREFIX = "internal.config.kubernetes.io/"
LEGACY_ID = "config.k8s.io/id"
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
        return describe(self.document.value)


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


def edit_text(document: Document, value: dict[str, Any], style: Style | None = None) -> str:
    text = update_document(document, value, style)
    # Safety net: never write a document that does not read back as the value (a minimal
    # edit that went wrong costs that document its comments, not its content).
    if text != document.text and not same_value(load_yaml_value(text), value):
        newline = "\r\n" if "\r\n" in document.text else "\n"
        text = render_document(value, style, newline)
    return text


def render_text(value: Mapping[str, Any], style: Style | None = None, newline: str = "\n") -> str:
    return render_document(dict(value), style, newline)


def join_texts(texts: Sequence[str], newline: str) -> str:
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
    annotations = annotations_of(value)
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


def annotations_of(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        return {}
    metadata = value.get("metadata")
    if not isinstance(metadata, Mapping):
        return {}
    annotations = metadata.get("annotations")
    return annotations if isinstance(annotations, Mapping) else {}


def describe(value: Any) -> str:
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
        raise InputError(f"{where}: {describe(value)}: `metadata` must be a mapping")
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
                f"{relpath}:{doc.line}: document {doc.index}: {describe(value)}: "
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
            LEGACY_ID,
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
        annotations = annotations_of(copied)
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
