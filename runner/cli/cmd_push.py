"""``push FN.wasm HOST/PATH/NAME[:TAG]``: a built function to an OCI registry (kpt's
``alpha wasm push``, in the CNCF wasm artifact format: see runner.registry.artifact).

Prints ``HOST/PATH/NAME@sha256:...``, the manifest digest to pin with.
"""

from __future__ import annotations

import argparse

from runner.errors import UsageError
from runner.registry.push import push
from runner.registry.reference import Reference, parse_reference

__all__ = ["main", "registry_reference"]


def registry_reference(text: str) -> Reference:
    reference = parse_reference(text)
    if reference is None:
        raise UsageError(
            f"{text!r} names no registry: want HOST[:PORT]/PATH/NAME[:TAG]"
            " (e.g. localhost:5000/fns/set-namespace:v1)"
        )
    return reference


def main(args: argparse.Namespace) -> int:
    reference = registry_reference(args.reference)
    digest = push(
        args.function,
        reference,
        version=args.version,
        extra_tags=args.tag,
        insecure_registries=args.insecure_registry,
    )
    print(f"{reference.host}/{reference.repository}@{digest}")
    return 0
