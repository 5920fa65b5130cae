"""Image references to wasm files: the local catalog, else the registry through the store.

The order, for one ``--image`` or Kptfile ``image:``:

1. A bare name (``set-namespace``, ``set-namespace@go``: no registry host) resolves in the local
   catalog only (``--fn-path``, ``$KRM_FN_PATH``, ``dist/functions``; see catalog.local).
2. A registry reference (``HOST/PATH/NAME[:TAG][@sha256:...]``) found in a ``--fn-path`` or
   ``$KRM_FN_PATH`` directory runs that file: directories you name are your override, offline.
3. kpt's own catalog (``gcr.io/kpt-fn/...``, ``ghcr.io/kptdev/krm-functions-catalog/...``) names
   container images that cannot run here; the locally built function of that name stands in.
4. Any other registry reference is pulled through the store, per ``--image-pull-policy``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from runner.catalog.local import (
    KPT_IMAGE_PREFIXES,
    PROJECT_DIST,
    catalog,
    resolve_image,
    search_path,
)
from runner.errors import FunctionNotFound
from runner.registry.errors import KptAlphaArtifact
from runner.registry.policy import PullOptions
from runner.registry.reference import parse_reference
from runner.registry.store import Store

__all__ = ["resolve_function", "wasi_build_hint"]


def wasi_build_hint(name: str, fn_paths: Sequence[Path] = ()) -> str:
    """Where a WASI build of ``name`` is, for the kpt-alpha refusal (empty if none is known)."""
    known = sorted(
        {
            f"{e.name}@{e.lang}" if e.lang else e.name
            for e in catalog(search_path(fn_paths))
            if e.name == name
        }
    )
    if not known:
        return ""
    return (
        f"; a WASI build of {name} is available locally ({', '.join(known)}): name it as"
        f" `{name}`, or push it as a CNCF wasm artifact with `python -m runner push`"
    )


def resolve_function(
    image: str, fn_paths: Sequence[Path], options: PullOptions | None = None
) -> Path:
    """The wasm file to run for ``image`` (see the module docstring for the order)."""
    options = options or PullOptions()
    reference = parse_reference(image)
    directories = search_path(fn_paths)
    if reference is None or image.strip().startswith(KPT_IMAGE_PREFIXES):
        return resolve_image(image, directories)
    explicit = [d for d in directories if d != PROJECT_DIST]
    if explicit:
        try:
            return resolve_image(image, explicit)
        except FunctionNotFound:
            pass
    from runner.registry.pull import pull  # the HTTP client, only when a registry is needed

    try:
        pulled = pull(
            reference,
            store=Store(options.store_dir),
            policy=options.policy,
            insecure_registries=options.insecure_registries,
        )
    except KptAlphaArtifact as refused:
        raise KptAlphaArtifact(f"{refused}{wasi_build_hint(reference.name, fn_paths)}") from None
    return pulled.path
