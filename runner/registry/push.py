"""Push a built wasm function to a registry as a CNCF wasm artifact (mirrors ``kpt alpha wasm push``
in purpose, not in format: see ``artifact``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from runner.errors import UsageError, WasmLoadError
from runner.registry.artifact import CONFIG_MEDIA_TYPE, LAYER_MEDIA_TYPE, build_artifact
from runner.registry.client import RegistryClient
from runner.registry.reference import Reference
from runner.wasm.meta import METADATA_SECTION, _custom_sections, inspect_wasm

__all__ = ["push"]


def _section(data: bytes) -> dict[str, Any] | None:
    """The ``krm-function`` section as JSON (inspect_wasm has already checked it parses)."""
    raw = _custom_sections(data).get(METADATA_SECTION)
    value = json.loads(raw) if raw is not None else None
    return value if isinstance(value, dict) else None


def push(
    wasm_path: Path,
    reference: Reference,
    *,
    version: str | None = None,
    extra_tags: Sequence[str] = (),
    insecure_registries: Iterable[str] = (),
) -> str:
    """Upload ``wasm_path`` and tag it ``reference``'s tag (and ``extra_tags``); the digest."""
    if reference.digest is not None:
        raise UsageError(f"push {reference}: name a tag, not a digest (the digest is the result)")
    try:
        data = wasm_path.read_bytes()
    except OSError as error:
        raise WasmLoadError(f"{wasm_path}: cannot read: {error.strerror}") from None
    meta = inspect_wasm(data, str(wasm_path))
    artifact = build_artifact(
        data,
        meta,
        file_name=wasm_path.name,
        version=version or (reference.tag if reference.tag and reference.tag[:1] == "v" else None),
        section=_section(data),
    )
    client = RegistryClient(reference.host, insecure_registries)
    client.push_blob(reference, artifact.layer, LAYER_MEDIA_TYPE)
    client.push_blob(reference, artifact.config, CONFIG_MEDIA_TYPE)
    digest = ""
    for tag in dict.fromkeys([reference.tag or "latest", *extra_tags]):
        digest = client.put_manifest(reference, tag, artifact.manifest)
    return digest
