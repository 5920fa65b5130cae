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
- with strict_krm=False (the CLI's --allow-non-krm) a document without apiVersion or kind is
  skipped with a warning and kept untouched in its file; kpt, and strict_krm=True, stop with
  "input resource list must contain only KRM resources";
- a kustomization file without apiVersion/kind is kept untouched and not given to functions
  (kpt gives it to them; KRM functions then fail on their output);
- `include_meta=True` (what the CLI passes: kpt >= 1.0 gives the Kptfile and
  `config.kubernetes.io/local-config: "true"` resources to functions) gives them to functions;
  with False they are held back and written back untouched. `held_back_paths` holds back the
  resources of the named files whatever they are (eval's `--fn-config` file, kpt #4639).

Writing is runner.kpt.package_write (plan_writes, write_atomically, write_to_dir, output_stream);
rendering a tree is runner.kpt.render, which walks `Package.packages` (the one package walker).
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.errors import InputError, PackageError
from runner.kpt.krmignore import IgnoreRules, read_ignore_file
from runner.kpt.transaction import TRANSACTION_DIR, FileStamp, stamp_of
from runner.krm import annotations as ann
from runner.krm import text as textio
from runner.krm.resource import describe, is_local_config, missing_krm_field
from runner.krm.text import Document, YamlStream

__all__ = [
    "KPTFILE",
    "Package",
    "Resource",
    "is_kptfile",
    "read_package",
]

KPTFILE = "Kptfile"
_SUFFIXES = (".yaml", ".yml")
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
        held_back: resources functions do not see (the Kptfile and local-config ones unless
            include_meta=True, and those of held_back_paths); written back untouched.
        non_krm: documents that are not KRM (skipped, written back untouched).
        files: every file read, by posix path relative to root, with its parsed stream.
        warnings: human-readable notes (skipped documents, symlinked directories).
        subpackages: posix paths of the direct subpackages (whether or not included).
        packages: posix paths of every package whose files were read ("" is the root).
        ignore_rules: each read package's `.krmignore` rules.
        stamps: each file as it was read, so that a write can tell it changed since.
    """

    root: Path
    resources: list[Resource] = field(default_factory=list)
    held_back: list[Resource] = field(default_factory=list)
    non_krm: list[Resource] = field(default_factory=list)
    files: dict[str, YamlStream] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    subpackages: list[str] = field(default_factory=list)
    packages: list[str] = field(default_factory=list)
    ignore_rules: dict[str, IgnoreRules] = field(default_factory=dict)
    stamps: dict[str, FileStamp] = field(default_factory=dict)

    _known: set[str] = field(default_factory=set, init=False, repr=False, compare=False)

    def owner_of(self, relpath: str) -> str:
        """The read package a path belongs to (the deepest one holding it)."""
        if len(self._known) != len(self.packages):  # a set of them: a tree asks once a package
            self._known = set(self.packages)
        parts = relpath.split("/")
        for depth in range(len(parts) - 1, 0, -1):
            holder = "/".join(parts[:depth])
            if holder in self._known:
                return holder
        return ""


# --------------------------------------------------------------------------------------------
# Classification.


def is_kptfile(value: Any) -> bool:
    """True for a Kptfile resource (kind Kptfile, apiVersion kpt.dev/*)."""
    return (
        isinstance(value, Mapping)
        and value.get("kind") == KPTFILE
        and str(value.get("apiVersion", "")).startswith("kpt.dev/")
    )


def _is_kustomization(value: Mapping[str, Any], relpath: str) -> bool:
    # kpt's IsKRM exempts kustomization files (kpt issue #2388).
    if posixpath.basename(relpath) in _KUSTOMIZATION_FILES:
        return True
    api_version = value.get("apiVersion")
    if isinstance(api_version, str) and api_version.startswith("kustomize.config.k8s.io"):
        return True
    return not api_version and value.get("kind") == "Kustomization"


# --------------------------------------------------------------------------------------------
# Reading.


def read_package(
    root: Path,
    *,
    include_meta: bool = False,
    include_subpackages: bool = False,
    strict_krm: bool = False,
    held_back_paths: Collection[str] = (),
) -> Package:
    """Read the package at `root`.

    Args:
        root: package directory (it need not have a Kptfile, as kpt fn eval).
        include_meta: give the Kptfile and local-config resources to functions too.
        include_subpackages: also read subpackages (paths stay relative to root; each
            resource's `package` names the package it belongs to), as kpt fn eval does and
            as kpt render's final write sees the tree.
        strict_krm: fail on non-KRM documents like kpt instead of skipping them.
        held_back_paths: posix paths (relative to root) whose resources functions never see.

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
        path = root / relpath
        try:
            package.stamps[relpath] = stamp_of(os.lstat(path))
        except OSError as error:
            raise PackageError(f"{relpath}: cannot read: {error.strerror}") from None
        stream = textio.read_file(path, relpath)
        package.files[relpath] = stream
        index = 0
        for doc in stream.documents:
            if doc.original_value is None:
                continue  # empty document: kyaml skips it without counting it
            kind = _classify(doc, relpath, strict_krm)
            if kind == "kept":
                package.non_krm.append(Resource(doc.value, relpath, index, owner, doc))
            elif kind == "non-krm":
                package.warnings.append(
                    f"skipping {relpath}:{doc.line}: document {doc.index}: "
                    "not a KRM resource (needs apiVersion and kind)"
                )
                package.non_krm.append(Resource(doc.value, relpath, index, owner, doc))
            else:
                value = _annotated(doc, relpath, index, str(next_id))
                next_id += 1
                resource = Resource(value, relpath, index, owner, doc)
                meta = is_kptfile(doc.original_value) or is_local_config(doc.original_value)
                if (meta and not include_meta) or relpath in held_back_paths:
                    package.held_back.append(resource)
                else:
                    package.resources.append(resource)
            index += 1
    return package


def _classify(doc: Document, relpath: str, strict: bool) -> str:
    value = doc.original_value  # only read: the document's own copy is made if someone asks
    where = f"{relpath}:{doc.line}: document {doc.index}"
    missing = missing_krm_field(value)
    if isinstance(value, Mapping) and _is_kustomization(value, relpath):
        # kpt's IsKRM exempts kustomization files; one without apiVersion/kind would only make
        # a function fail on its output, blaming neither the file nor the problem. Kept as is.
        return "kept" if missing in ("apiVersion", "kind") else "resource"
    if missing in ("apiVersion", "kind"):
        if strict:
            raise InputError(
                f"input resource list must contain only KRM resources: "
                f"{where}: resource must have `{missing}`"
            )
        return "non-krm"
    assert isinstance(value, Mapping)
    metadata = value.get("metadata")
    if metadata is not None and not isinstance(metadata, Mapping):
        raise InputError(f"{where}: {describe(value)}: `metadata` must be a mapping")
    if missing:
        raise InputError(f"{where}: {value.get('kind')} resource must have `metadata.name`")
    return "resource"


def _annotated(doc: Document, relpath: str, index: int, rid: str) -> dict[str, Any]:
    # The one copy functions get (``doc.value`` would be a second: nothing here changes it).
    value: dict[str, Any] = textio.copy_value(dict(doc.original_value))
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
                try:
                    target = path.resolve()
                except (OSError, RuntimeError):  # a loop
                    raise PackageError(f"{relpath}: symlink loop") from None
                if not target.is_relative_to(real_root):
                    raise PackageError(
                        f"{relpath}: symlink points outside the package (to {target})"
                    )
                if target.is_dir():
                    package.warnings.append(f"skipping {relpath}: symlinked directory")
                    continue
            if entry.is_dir(follow_symlinks=False):
                if entry.name in (".git", TRANSACTION_DIR) or rules.ignored(in_pkg, is_dir=True):
                    continue
                if (path / KPTFILE).is_file():
                    if owner == "":
                        package.subpackages.append(relpath)
                    if include_subpackages:
                        package.packages.append(relpath)
                        package.ignore_rules[relpath] = read_ignore_file(path)
                        yield from walk(path, relpath, relpath, package.ignore_rules[relpath])
                    continue
                yield from walk(path, relpath, owner, rules)
            elif (entry.name == KPTFILE or entry.name.endswith(_SUFFIXES)) and not rules.ignored(
                in_pkg, is_dir=False
            ):
                yield relpath, owner

    package.ignore_rules[""] = read_ignore_file(root)
    yield from walk(root, "", "", package.ignore_rules[""])
