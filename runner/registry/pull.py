"""Pull a wasm function into the store, following kpt's image pull policies.

``Always``: ask the registry every time. ``IfNotPresent`` (kpt's default): use the stored copy of a
digest, or of a tag pulled before, else pull. ``Never``: the store only. A reference with both a
tag and a digest (``NAME:TAG@sha256:...``) asks the registry for the tag and requires it to still
point to the pinned digest; a digest alone is fetched by digest and checked against its bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from runner.registry.artifact import (
    IMAGE_CONFIG_TYPES,
    WasmManifest,
    config_descriptor,
    is_js_image_config,
    parse_manifest,
)
from runner.registry.client import RegistryClient
from runner.registry.errors import DigestMismatch, NotInStore
from runner.registry.policy import PullPolicy
from runner.registry.reference import Reference
from runner.registry.store import Store, sha256_digest

__all__ = ["Pulled", "pull"]

_MAX_CONFIG_BYTES = 1 << 20


@dataclass(frozen=True)
class Pulled:
    path: Path  # the verified wasm layer in the store
    digest: str  # the manifest's digest
    annotations: dict[str, str]
    from_store: bool


def _from_store(reference: Reference, store: Store) -> Pulled | None:
    digest = reference.digest or store.tag_digest(reference)
    if digest is None or not store.has(digest):
        return None
    manifest = parse_manifest(store.read(digest), f"stored {reference}")
    if not store.has(manifest.layer_digest):
        return None
    return Pulled(store.verified_path(manifest.layer_digest), digest, manifest.annotations, True)


def _parse(client: RegistryClient, reference: Reference, data: bytes) -> WasmManifest:
    config = config_descriptor(data)
    js = False
    if config is not None and config[0] in IMAGE_CONFIG_TYPES and config[2] <= _MAX_CONFIG_BYTES:
        js = is_js_image_config(client.get_blob(reference, config[1], config[2]))
    return parse_manifest(data, str(reference), js_config=js)


def pull(
    reference: Reference,
    *,
    store: Store,
    policy: PullPolicy = PullPolicy.ALWAYS,
    insecure_registries: Iterable[str] = (),
) -> Pulled:
    """The function ``reference`` names, verified and stored (or found in the store)."""
    if policy is not PullPolicy.ALWAYS:
        stored = _from_store(reference, store)
        if stored is not None:
            return stored
        if policy is PullPolicy.NEVER:
            raise NotInStore(
                f"{reference} is not in the function store {store.root} and"
                " --image-pull-policy is Never; pull it first (`python -m runner pull"
                f" {reference}`) or use --image-pull-policy IfNotPresent"
            )
    client = RegistryClient(reference.host, insecure_registries)
    if reference.tag and reference.digest:
        by_tag = Reference(reference.host, reference.repository, tag=reference.tag)
        data = client.get_manifest(by_tag)
        served = sha256_digest(data)
        if served != reference.digest:
            raise DigestMismatch(
                f"{reference}: the registry's {by_tag} is {served}, not the pinned"
                f" {reference.digest} (the tag moved, or the pin is wrong)"
            )
    else:
        data = client.get_manifest(reference)
    digest = sha256_digest(data)
    manifest = _parse(client, reference, data)
    if not store.has(manifest.layer_digest):
        wasm = client.get_blob(reference, manifest.layer_digest, manifest.layer_size)
        store.write(manifest.layer_digest, wasm)
    store.write(digest, data)
    if reference.digest is None:
        store.record_tag(reference, digest)
    return Pulled(store.verified_path(manifest.layer_digest), digest, manifest.annotations, False)
