"""The CNCF wasm OCI artifact, as pushed and accepted; kpt's alpha format, recognised and refused.

CNCF TAG Runtime's "Wasm OCI Artifact" layout: an OCI image manifest whose config has media type
``application/vnd.wasm.config.v0+json`` (``{"created", "architecture": "wasm", "os": "wasip1" |
"wasip2", "layerDigests": [...]}``) and whose one layer is the wasm binary,
``application/wasm``. The function's own metadata (the builder's ``krm-function`` section, name,
version, language, toolchain, input format) rides along as manifest annotations.

``kpt alpha wasm push`` (kpt's pkg/wasm) writes something else: an image index whose manifest has
platform ``os: js, architecture: wasm`` and one gzipped tar layer holding a ``GOOS=js`` module.
That is a different ABI (Go's JavaScript host glue), which this runner cannot run.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from runner.registry.errors import KptAlphaArtifact, UnsupportedArtifact
from runner.registry.store import sha256_digest
from runner.wasm.meta import FunctionMetadata, WasmKind

__all__ = [
    "ANNOTATION_PREFIX",
    "CONFIG_MEDIA_TYPE",
    "LAYER_MEDIA_TYPE",
    "MANIFEST_ACCEPT",
    "MANIFEST_MEDIA_TYPE",
    "Artifact",
    "WasmManifest",
    "build_artifact",
    "config_descriptor",
    "is_js_image_config",
    "parse_manifest",
]

MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json"
INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json"
CONFIG_MEDIA_TYPE = "application/vnd.wasm.config.v0+json"
LAYER_MEDIA_TYPE = "application/wasm"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MANIFEST_ACCEPT = (MANIFEST_MEDIA_TYPE, INDEX_MEDIA_TYPE, DOCKER_MANIFEST, DOCKER_LIST)
ANNOTATION_PREFIX = "dev.krm-wasm.function."
_TITLE = "org.opencontainers.image.title"
_VERSION = "org.opencontainers.image.version"
_CREATED = "org.opencontainers.image.created"


@dataclass(frozen=True)
class Artifact:
    """What a push uploads: the config and layer blobs, then the manifest."""

    config: bytes
    layer: bytes
    manifest: bytes

    @property
    def digest(self) -> str:
        return sha256_digest(self.manifest)


@dataclass(frozen=True)
class WasmManifest:
    """A parsed CNCF wasm manifest: the one wasm layer to fetch, and the annotations."""

    layer_digest: str
    layer_size: int
    config_digest: str
    annotations: dict[str, str]


def _descriptor(media_type: str, data: bytes) -> dict[str, Any]:
    return {"mediaType": media_type, "digest": sha256_digest(data), "size": len(data)}


def build_artifact(
    wasm: bytes,
    meta: FunctionMetadata,
    *,
    file_name: str,
    version: str | None = None,
    section: dict[str, Any] | None = None,
    component: dict[str, Any] | None = None,
    created: datetime | None = None,
) -> Artifact:
    """The config, layer and manifest for one built function (bytes exactly as pushed).

    ``created`` defaults to ``$SOURCE_DATE_EPOCH`` when set (reproducible digests), else now.
    """
    if created is None and os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        created = datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), UTC)
    when = (created or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    config: dict[str, Any] = {
        "created": when,
        "architecture": "wasm",
        "os": "wasip2" if meta.kind is WasmKind.COMPONENT else "wasip1",
        "layerDigests": [sha256_digest(wasm)],
    }
    if component is not None:
        config["component"] = component
    config_bytes = json.dumps(config, separators=(",", ":")).encode()
    annotations = {_TITLE: file_name, _CREATED: when}
    if version:
        annotations[_VERSION] = version
    fields = {
        "name": meta.name,
        "version": version,
        "lang": meta.lang,
        "toolchain": meta.toolchain,
        "input": meta.input_format,
        "abi": meta.kind.value,
    }
    annotations |= {ANNOTATION_PREFIX + k: v for k, v in fields.items() if v}
    if section is not None:
        annotations[ANNOTATION_PREFIX + "section"] = json.dumps(section, sort_keys=True)
    manifest = {
        "schemaVersion": 2,
        "mediaType": MANIFEST_MEDIA_TYPE,
        "config": _descriptor(CONFIG_MEDIA_TYPE, config_bytes),
        "layers": [{**_descriptor(LAYER_MEDIA_TYPE, wasm), "annotations": {_TITLE: file_name}}],
        "annotations": annotations,
    }
    return Artifact(config_bytes, wasm, json.dumps(manifest, indent=2).encode())


def _is_kpt_alpha_index(manifest: dict[str, Any]) -> bool:
    entries = manifest.get("manifests")
    return isinstance(entries, list) and any(
        isinstance(e, dict)
        and isinstance(e.get("platform"), dict)
        and e["platform"].get("os") == "js"
        and e["platform"].get("architecture") == "wasm"
        for e in entries
    )


def parse_manifest(data: bytes, where: str, *, js_config: bool = False) -> WasmManifest:
    """The wasm layer of a CNCF wasm manifest; UnsupportedArtifact for anything else.

    ``js_config`` says the caller already found an image config with ``os: js`` (kpt's alpha
    format pushed as a single image rather than an index).
    """
    try:
        manifest = json.loads(data)
    except (ValueError, RecursionError):
        raise UnsupportedArtifact(f"{where}: the manifest is not JSON") from None
    if not isinstance(manifest, dict):
        raise UnsupportedArtifact(f"{where}: the manifest is not a JSON object")
    if js_config or _is_kpt_alpha_index(manifest):
        raise KptAlphaArtifact(
            f"{where} is in kpt's alpha wasm format (`kpt alpha wasm push`: platform js/wasm,"
            " a GOOS=js module in a gzipped tar layer); that is Go's JavaScript ABI, not WASI,"
            " and cannot run here"
        )
    media_type = manifest.get("mediaType")
    if media_type in (INDEX_MEDIA_TYPE, DOCKER_LIST) or "manifests" in manifest:
        raise UnsupportedArtifact(
            f"{where} is an image index (a multi-platform container image), not a wasm artifact"
        )
    raw_config, raw_layers = manifest.get("config"), manifest.get("layers")
    config: dict[str, Any] = raw_config if isinstance(raw_config, dict) else {}
    layers: list[Any] = raw_layers if isinstance(raw_layers, list) else []
    if config.get("mediaType") != CONFIG_MEDIA_TYPE:
        raise UnsupportedArtifact(
            f"{where}: config media type {config.get('mediaType')!r} is not {CONFIG_MEDIA_TYPE!r}"
            " (the CNCF wasm artifact); is it a container image?"
        )
    wasm_layers = [
        layer
        for layer in layers
        if isinstance(layer, dict) and layer.get("mediaType") == LAYER_MEDIA_TYPE
    ]
    if len(wasm_layers) != 1:
        raise UnsupportedArtifact(
            f"{where}: want exactly one {LAYER_MEDIA_TYPE!r} layer, found {len(wasm_layers)}"
        )
    layer = wasm_layers[0]
    digest, size = layer.get("digest"), layer.get("size")
    if not isinstance(digest, str) or not digest.startswith("sha256:") or not isinstance(size, int):
        raise UnsupportedArtifact(f"{where}: the wasm layer needs a sha256 digest and a size")
    raw_annotations = manifest.get("annotations")
    annotations = (
        {str(k): str(v) for k, v in raw_annotations.items()}
        if isinstance(raw_annotations, dict)
        else {}
    )
    return WasmManifest(digest, size, str(config.get("digest", "")), annotations)


IMAGE_CONFIG_TYPES = (
    "application/vnd.oci.image.config.v1+json",
    "application/vnd.docker.container.image.v1+json",
)


def config_descriptor(data: bytes) -> tuple[str, str, int] | None:
    """``(mediaType, digest, size)`` of a manifest's config, when it has a well-formed one."""
    try:
        manifest = json.loads(data)
        config = manifest["config"]
        media_type, digest, size = config["mediaType"], config["digest"], config["size"]
    except (ValueError, KeyError, TypeError, RecursionError):
        return None
    if isinstance(media_type, str) and isinstance(digest, str) and isinstance(size, int):
        return media_type, digest, size
    return None


def is_js_image_config(data: bytes) -> bool:
    """An OCI/Docker image config for ``os: js, architecture: wasm`` (kpt's alpha format)."""
    try:
        config = json.loads(data)
    except (ValueError, RecursionError):
        return False
    return (
        isinstance(config, dict)
        and config.get("os") == "js"
        and config.get("architecture") == "wasm"
    )
