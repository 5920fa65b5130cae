"""kpt's catalog functions, compiled to wasm from their published Go modules.

The whole input is ``CATALOG``: (name, module, version) triples. For each, ``go mod download
-json MODULE@VERSION`` puts the module's source in Go's module cache; a writable copy of it is
built with its own ``go.mod`` and ``go.sum`` (``go install MODULE@VERSION`` would refuse modules
with ``replace`` lines) for ``GOOS=wasip1 GOARCH=wasm``, as the catalog's Dockerfiles build it
(``go build`` of the module root), into ``dist/functions/<name>.kpt-<version>.wasm``. No copy of
their source is kept in this repository.

Downloads are bounded in time (``$KRM_GO_DOWNLOAD_TIMEOUT``) and name the module when the proxy
cannot be reached; the compile is offline and read-only on go.sum. A function whose fingerprint
(module@version, Go version, flags) is unchanged is not downloaded or built again.

Functions the Go module proxy does not serve, or that do not compile for wasip1, are in
``NOT_BUILT`` with the reason (the README's catalog table shows them).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from buildtools import common, golang

__all__ = [
    "BUILDER_REVISION",
    "CATALOG",
    "GCR_PREFIX",
    "GHCR_PREFIX",
    "NOT_BUILT",
    "ORIGIN",
    "CatalogFunction",
    "NotBuilt",
    "build_catalog",
    "build_function",
    "image_refs",
    "prune",
]

GCR_PREFIX = "gcr.io/kpt-fn/"
GHCR_PREFIX = "ghcr.io/kptdev/krm-functions-catalog/"
ORIGIN = "kptdev/krm-functions-catalog"
LANG = "kpt"  # the implementation key: NAME@kpt, <name>.kpt-<version>.wasm
# Bump when the way a catalog function is built changes (flags, layout): everything rebuilds.
BUILDER_REVISION = "1"

_GCT = "github.com/GoogleContainerTools/kpt-functions-catalog/functions/go/"


@dataclass(frozen=True)
class CatalogFunction:
    """One catalog function at one version, as published on the Go module proxy."""

    name: str
    module: str
    version: str
    description: str = ""

    @property
    def module_version(self) -> str:
        return f"{self.module}@{self.version}"

    @property
    def artifact_name(self) -> str:
        return f"{self.name}.{LANG}-{self.version}.wasm"


@dataclass(frozen=True)
class NotBuilt:
    """A catalog function (and the versions tried) that is not built, and exactly why."""

    name: str
    versions: tuple[str, ...]
    reason: str


# The versions kpt's documentation pins and the Go module proxy serves. The proxy lists no
# versions for these modules, so "newest" is the newest of those tried that it serves: the newer
# tags tried (NOT_BUILT) answer 403.
CATALOG: tuple[CatalogFunction, ...] = (
    CatalogFunction("apply-replacements", _GCT + "apply-replacements", "v0.1.1",
                    "Apply kustomize replacements to resources"),
    CatalogFunction("apply-setters", _GCT + "apply-setters", "v0.2.0",
                    "Set field values marked with # kpt-set: comments"),
    CatalogFunction("list-setters", _GCT + "list-setters", "v0.1.0",
                    "List the setters (# kpt-set:) of a package"),
    CatalogFunction("set-namespace", _GCT + "set-namespace", "v0.4.1",
                    "Set the namespace of namespaced resources and references to it"),
    CatalogFunction("starlark", _GCT + "starlark", "v0.4.3",
                    "Run a Starlark script over the resources"),
)  # fmt: skip

_NOT_SERVED = (
    "not served: the Go module proxy answers `403 Forbidden: This module version is not "
    "available` for every version tried, under both module paths "
    "(github.com/GoogleContainerTools/kpt-functions-catalog/functions/go/NAME and "
    "github.com/kptdev/krm-functions-catalog/functions/go/NAME), and lists no versions"
)
_NO_TAG = (
    "; the catalog never tagged this module as functions/go/NAME/vX.Y.Z, so only a "
    "pseudo-version could name it"
)
NOT_BUILT: tuple[NotBuilt, ...] = (
    NotBuilt("apply-replacements", ("v0.1.2",), _NOT_SERVED),
    NotBuilt("apply-setters", ("v0.1.1", "v0.2.1"), _NOT_SERVED),
    NotBuilt("create-setters", ("v0.1.0",), _NOT_SERVED),
    NotBuilt("ensure-name-substring", ("v0.1.1", "v0.2.0"), _NOT_SERVED),
    NotBuilt("gatekeeper", ("v0.2.1",), _NOT_SERVED),
    NotBuilt("kubeconform", ("v0.1.1",), _NOT_SERVED),
    NotBuilt("remove-local-config-resources", ("v0.1.0",), _NOT_SERVED),
    NotBuilt("search-replace", ("v0.2.0",), _NOT_SERVED + _NO_TAG),
    NotBuilt("set-annotations", ("v0.1.4",), _NOT_SERVED + _NO_TAG),
    NotBuilt("set-enforcement-action", ("v0.1.0",), _NOT_SERVED),
    NotBuilt("set-image", ("v0.1.0", "v0.1.1"), _NOT_SERVED),
    NotBuilt("set-labels", ("v0.1.5", "v0.2.0", "v0.2.1"), _NOT_SERVED),
    NotBuilt("set-namespace", ("v0.4.0",), _NOT_SERVED),
    NotBuilt("starlark", ("v0.4.2", "v0.5.1"), _NOT_SERVED),
    NotBuilt("upsert-resource", ("v0.2.0",), _NOT_SERVED),
)


def image_refs(function: CatalogFunction) -> list[str]:
    """The image references kpt users write for this build (both registries kpt publishes to)."""
    return [f"{prefix}{function.name}:{function.version}" for prefix in (GCR_PREFIX, GHCR_PREFIX)]


def _fingerprint(function: CatalogFunction, toolchain: common.Toolchain) -> str:
    return common.fingerprint(
        [],
        BUILDER_REVISION,
        function.module_version,
        toolchain.name,
        toolchain.version,
        toolchain.abi,
    )


def _download(function: CatalogFunction, exe: str, repo: Path, scratch: Path) -> Path:
    """``go mod download -json MODULE@VERSION``: the module's directory in the module cache."""
    proc = golang.run_go(
        function.name,
        [exe, "mod", "download", "-json", function.module_version],
        scratch,  # outside any module: the command needs none
        golang.go_env(repo, online=True, wasm=False),
        timeout=golang.download_timeout(),
        fetching=function.module_version,
    )
    try:
        info = json.loads(proc.stdout)
    except ValueError as error:
        raise common.BuildError(
            function.name, f"`go mod download -json` printed no JSON: {error}: {proc.stdout!r}"
        ) from None
    if info.get("Error"):
        raise common.BuildError(function.name, f"{function.module_version}: {info['Error']}")
    directory = Path(str(info.get("Dir", "")))
    if not (directory / "go.mod").is_file():
        raise common.BuildError(
            function.name, f"{function.module_version}: no go.mod in {directory!s}"
        )
    return directory


def _writable_copy(source: Path, target: Path) -> None:
    """Copy a module out of the (read-only) module cache, so Go may write in it."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    for path in [target, *target.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode | stat.S_IWUSR)


def build_function(
    function: CatalogFunction, out: Path, toolchain: common.Toolchain, repo: Path, work: Path
) -> None:
    """Download ``function``'s module and compile it to ``out`` (BuildError on any failure)."""
    exe = toolchain.details.get("KRM_GO_EXE") or shutil.which("go")
    if exe is None:
        raise common.BuildError(function.name, "no `go` compiler found")
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work) as scratch:
        cached = _download(function, exe, repo, Path(scratch))
    copy = work / f"{function.name}@{function.version}"
    _writable_copy(cached, copy)
    golang.run_go(
        function.name,
        [exe, "mod", "download"],
        copy,
        golang.go_env(repo, online=True),
        timeout=golang.download_timeout(),
        fetching=f"the modules {function.module_version} requires (its go.mod)",
    )
    command = [exe, "build", "-trimpath", "-buildvcs=false", "-o", str(out), "."]
    golang.run_go(function.name, command, copy, golang.go_env(repo, online=False), timeout=1800)
    if not out.exists():
        raise common.BuildError(function.name, f"{' '.join(command)} wrote no {out}")


def _metadata(function: CatalogFunction, toolchain: common.Toolchain) -> bytes:
    meta = {
        "name": function.name,
        "lang": LANG,
        "input": "yaml",
        "toolchain": f"{toolchain.name} {toolchain.version}",
        "version": function.version,
        "module": function.module_version,
    }
    return json.dumps(meta, sort_keys=True).encode()


def _artifact(function: CatalogFunction, toolchain: common.Toolchain, out: Path) -> common.Artifact:
    return common.Artifact(
        name=function.name,
        lang=LANG,
        file=out.name,
        toolchain=toolchain.name,
        toolchain_version=toolchain.version,
        abi=toolchain.abi,
        input="yaml",
        sha256=common.sha256_file(out),
        size=out.stat().st_size,
        description=function.description,
        version=function.version,
        module=function.module_version,
        images=image_refs(function),
        origin=ORIGIN,
    )


def prune(dist: Path, functions: tuple[CatalogFunction, ...] | list[CatalogFunction]) -> list[str]:
    """Remove kpt builds that ``functions`` no longer pins, so that no tag resolves to them."""
    pinned = {(f.name, f.version) for f in functions}
    dropped = common.remove_artifacts(
        dist, lambda a: a.lang == LANG and (a.name, a.version) not in pinned
    )
    return [a.file for a in dropped]


def build_catalog(
    functions: tuple[CatalogFunction, ...] | list[CatalogFunction],
    dist: Path,
    toolchain: common.Toolchain,
    repo: Path,
    log: Callable[[str], object] = print,
) -> common.BuildReport:
    """Build every function that is out of date; one failure does not stop the others."""
    dist.mkdir(parents=True, exist_ok=True)
    work = Path(golang.cache_env(repo)["GOCACHE"]).parent / "catalog-src"
    report = common.BuildReport()
    for function in functions:
        out = dist / function.artifact_name
        stamp = _fingerprint(function, toolchain)
        if common.is_up_to_date(out, stamp):
            report.skipped.append(_artifact(function, toolchain, out))
            log(f"up to date: {out.name}")
            continue
        tmp = out.with_name(out.name + ".partial")
        tmp.unlink(missing_ok=True)
        started = time.monotonic()
        try:
            build_function(function, tmp, toolchain, repo, work)
        except common.BuildError as error:
            tmp.unlink(missing_ok=True)
            report.failed.append(error)
            log(f"FAILED: {function.module_version}\n{error.message}")
            continue
        common.append_custom_section(tmp, common.METADATA_SECTION, _metadata(function, toolchain))
        os.replace(tmp, out)
        common.record_stamp(out, stamp)
        artifact = _artifact(function, toolchain, out)
        report.built.append(artifact)
        log(
            f"built: {out.name} from {function.module_version} in "
            f"{time.monotonic() - started:.1f} s ({artifact.size} bytes, "
            f"sha256 {artifact.sha256[:12]})"
        )
    common.write_manifest(dist, [*report.built, *report.skipped])
    return report
