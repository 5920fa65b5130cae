"""What every language's builder shares: function discovery, metadata, stamps, the manifest.

A function is a directory holding a ``metadata.yaml``::

    name: set-namespace                # the function's name (the catalog key)
    description: Sets metadata.namespace on every resource
    input: json              # what it wants on stdin: yaml (default, the KRM spec) or json
    usage: |                  # optional: how to call it (`fn doc` prints it)
      ... -- namespace=prod

The builder compiles it to ``dist/functions/<name>.<lang>.wasm`` and appends a custom section
``krm-function`` (JSON: name, lang, input, toolchain) so that a wasm file describes itself
(see ``runner/wasm/meta.py``, which reads it).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from runner.wasm.meta import METADATA_SECTION  # what the runner reads is what the builder writes

__all__ = [
    "MANIFEST_NAME",
    "METADATA_SECTION",
    "Artifact",
    "BuildError",
    "BuildReport",
    "FunctionSource",
    "Toolchain",
    "append_custom_section",
    "artifact_for",
    "build_all",
    "discover",
    "fingerprint",
    "is_up_to_date",
    "metadata_payload",
    "read_manifest",
    "record_stamp",
    "remove_artifacts",
    "sha256_file",
    "write_manifest",
]

MANIFEST_NAME = "index.json"
STAMP_DIR = ".stamps"


class BuildError(Exception):
    """A function failed to build; the message holds the compiler's own output."""

    def __init__(self, function: str, message: str) -> None:
        super().__init__(f"{function}: {message}")
        self.function = function
        self.message = message


@dataclass(frozen=True)
class FunctionSource:
    """One function's source directory and what it declares in ``metadata.yaml``."""

    name: str
    lang: str  # "go" | "rust" | "py"
    directory: Path
    description: str = ""
    input_format: str = "yaml"
    usage: str | None = None  # how to call it, shown by `fn doc`

    @property
    def artifact_name(self) -> str:
        return f"{self.name}.{self.lang}.wasm"


@dataclass(frozen=True)
class Toolchain:
    """The compiler a language builder uses, as recorded in the manifest."""

    name: str  # e.g. "go", "tinygo", "rustc", "componentize-py"
    version: str
    abi: str  # "wasip1-command" | "component:krm:function/krm-function@0.1.0"
    # What identifies the build beyond name and version (executable path, target, full version
    # lines); part of every build stamp. Not environment variables.
    details: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Artifact:
    """A built function, as listed in ``dist/functions/index.json``."""

    name: str
    lang: str
    file: str
    toolchain: str
    toolchain_version: str
    abi: str
    input: str
    sha256: str
    size: int
    description: str = ""
    usage: str | None = None
    # Set for builds of someone else's published function (kpt's catalog): which release it is,
    # the Go module it came from, the image references it answers to, and whose it is.
    version: str | None = None
    module: str | None = None
    images: list[str] | None = None
    origin: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        """One manifest entry per name, language (implementation) and version."""
        return (self.name, self.lang, self.version or "")


def discover(root: Path, lang: str) -> list[FunctionSource]:
    """Every function directory (one holding ``metadata.yaml``) directly under ``root``."""
    sources = []
    for meta_path in sorted(root.glob("*/metadata.yaml")):
        meta = yaml.safe_load(meta_path.read_text(encoding="utf-8")) or {}
        if not isinstance(meta, dict) or not isinstance(meta.get("name"), str):
            raise BuildError(str(meta_path.parent), f"{meta_path}: needs a string field 'name'")
        input_format = meta.get("input", "yaml")
        if input_format not in ("yaml", "json"):
            raise BuildError(meta["name"], f"{meta_path}: input must be yaml or json")
        sources.append(
            FunctionSource(
                name=meta["name"],
                lang=lang,
                directory=meta_path.parent,
                description=str(meta.get("description", "")),
                input_format=input_format,
                usage=str(meta["usage"]) if meta.get("usage") else None,
            )
        )
    return sources


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(files: Iterable[Path], *extra: str, root: Path | None = None) -> str:
    """A hash of the files' paths (relative to ``root``, so a moved checkout stays up to date)
    and contents, plus ``extra`` (toolchain version, flags)."""
    digest = hashlib.sha256()
    for item in extra:
        digest.update(item.encode() + b"\0")
    for path in sorted(set(files)):
        name = os.path.relpath(path, root) if root is not None else str(path)
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _stamp_path(out: Path) -> Path:
    return out.parent / STAMP_DIR / (out.name + ".json")


def is_up_to_date(out: Path, stamp: str) -> bool:
    """True when ``out`` exists and was built from inputs with this fingerprint."""
    stamp_path = _stamp_path(out)
    if not out.exists() or not stamp_path.exists():
        return False
    recorded = json.loads(stamp_path.read_text())
    return bool(recorded.get("fingerprint") == stamp and recorded.get("sha256") == sha256_file(out))


def record_stamp(out: Path, stamp: str) -> None:
    stamp_path = _stamp_path(out)
    stamp_path.parent.mkdir(parents=True, exist_ok=True)
    stamp_path.write_text(json.dumps({"fingerprint": stamp, "sha256": sha256_file(out)}))


def _leb128(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def append_custom_section(wasm: Path, name: str, payload: bytes) -> None:
    """Append a custom section (id 0) to a core module or a component; both allow it last."""
    encoded_name = name.encode()
    body = _leb128(len(encoded_name)) + encoded_name + payload
    with wasm.open("ab") as handle:
        handle.write(b"\x00" + _leb128(len(body)) + body)


def metadata_payload(source: FunctionSource, toolchain: Toolchain) -> bytes:
    """The JSON that the ``krm-function`` custom section carries."""
    meta = {
        "name": source.name,
        "lang": source.lang,
        "input": source.input_format,
        "toolchain": f"{toolchain.name} {toolchain.version}",
    }
    return json.dumps(meta, sort_keys=True).encode()


def artifact_for(source: FunctionSource, toolchain: Toolchain, out: Path) -> Artifact:
    return Artifact(
        name=source.name,
        lang=source.lang,
        file=out.name,
        toolchain=toolchain.name,
        toolchain_version=toolchain.version,
        abi=toolchain.abi,
        input=source.input_format,
        sha256=sha256_file(out),
        size=out.stat().st_size,
        description=source.description,
        usage=source.usage,
    )


def read_manifest(dist: Path) -> list[Artifact]:
    path = dist / MANIFEST_NAME
    if not path.exists():
        return []
    return [Artifact(**entry) for entry in json.loads(path.read_text())["functions"]]


def write_manifest(dist: Path, artifacts: Iterable[Artifact]) -> Path:
    """Merge ``artifacts`` into ``index.json`` (one entry per name, lang and version), written
    atomically; fields that are not set are left out."""
    merged = {a.key: a for a in read_manifest(dist)}
    merged.update({a.key: a for a in artifacts})
    entries = [
        {k: v for k, v in asdict(merged[key]).items() if v is not None} for key in sorted(merged)
    ]
    path = dist / MANIFEST_NAME
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"functions": entries}, indent=2) + "\n")
    os.replace(tmp, path)
    return path


def remove_artifacts(dist: Path, drop: Callable[[Artifact], bool]) -> list[Artifact]:
    """Delete the manifest entries ``drop`` selects, with their wasm files and stamps."""
    kept: list[Artifact] = []
    dropped: list[Artifact] = []
    for artifact in read_manifest(dist):
        (dropped if drop(artifact) else kept).append(artifact)
    for artifact in dropped:
        out = dist / artifact.file
        out.unlink(missing_ok=True)
        _stamp_path(out).unlink(missing_ok=True)
    if dropped:
        path = dist / MANIFEST_NAME
        path.unlink()
        write_manifest(dist, kept)
    return dropped


@dataclass
class BuildReport:
    built: list[Artifact] = field(default_factory=list)
    skipped: list[Artifact] = field(default_factory=list)
    failed: list[BuildError] = field(default_factory=list)


def build_all(
    sources: Iterable[FunctionSource],
    dist: Path,
    toolchain: Toolchain,
    inputs: Callable[[FunctionSource], list[Path]],
    compile_one: Callable[[FunctionSource, Path, Toolchain], None],
    log: Callable[[str], object] = print,
) -> BuildReport:
    """Build every source that is out of date; one failure does not stop the others."""
    dist.mkdir(parents=True, exist_ok=True)
    report = BuildReport()
    for source in sources:
        out = dist / source.artifact_name
        stamp = fingerprint(
            [*inputs(source), source.directory / "metadata.yaml"],
            toolchain.name,
            toolchain.version,
            toolchain.abi,
            json.dumps(toolchain.details, sort_keys=True),
            root=source.directory.parent.parent,  # the repository: functions-<lang>/<name>
        )
        if is_up_to_date(out, stamp):
            report.skipped.append(artifact_for(source, toolchain, out))
            log(f"up to date: {out.name}")
            continue
        tmp = out.with_name(out.name + ".partial")
        tmp.unlink(missing_ok=True)
        try:
            compile_one(source, tmp, toolchain)
        except BuildError as error:
            tmp.unlink(missing_ok=True)
            report.failed.append(error)
            log(f"FAILED: {source.lang} {source.name}\n{error.message}")
            continue
        append_custom_section(tmp, METADATA_SECTION, metadata_payload(source, toolchain))
        os.replace(tmp, out)
        record_stamp(out, stamp)
        artifact = artifact_for(source, toolchain, out)
        report.built.append(artifact)
        log(f"built: {out.name} ({artifact.size} bytes, sha256 {artifact.sha256[:12]})")
    write_manifest(dist, [*report.built, *report.skipped])
    return report
