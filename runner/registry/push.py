"""Push a built wasm function to a registry as a CNCF wasm artifact (mirrors ``kpt alpha wasm push``
in purpose, not in format: see ``artifact``)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import wasmtime

from runner.errors import UsageError, WasmLoadError
from runner.registry.artifact import CONFIG_MEDIA_TYPE, LAYER_MEDIA_TYPE, build_artifact
from runner.registry.client import RegistryClient
from runner.registry.reference import Reference
from runner.wasm.engine import Engine
from runner.wasm.meta import METADATA_SECTION, WasmKind, _custom_sections, inspect_wasm

__all__ = ["push"]


def _section(data: bytes) -> dict[str, Any] | None:
    """The ``krm-function`` section as JSON (inspect_wasm has already checked it parses)."""
    raw = _custom_sections(data).get(METADATA_SECTION)
    value = json.loads(raw) if raw is not None else None
    return value if isinstance(value, dict) else None


def _component_world(wasm_path: Path) -> dict[str, Any]:
    """The config's ``component`` field (CNCF: required for wasip2): the WIT imports and exports,
    read from wasmtime's view of the component (compiled once, through the compile cache)."""
    engine = Engine(notify=lambda message: print(message, file=sys.stderr))
    loaded = engine.load(wasm_path)
    assert isinstance(loaded.code, wasmtime.component.Component)
    world = loaded.code.type
    return {
        "exports": sorted(world.exports(engine.wasm)),
        "imports": sorted(world.imports(engine.wasm)),
        "target": None,
    }


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
        component=_component_world(wasm_path) if meta.kind is WasmKind.COMPONENT else None,
    )
    client = RegistryClient(reference.host, insecure_registries)
    client.push_blob(reference, artifact.layer, LAYER_MEDIA_TYPE)
    client.push_blob(reference, artifact.config, CONFIG_MEDIA_TYPE)
    digest = ""
    for tag in dict.fromkeys([reference.tag or "latest", *extra_tags]):
        digest = client.put_manifest(reference, tag, artifact.manifest)
    return digest
