"""``pull HOST/PATH/NAME[:TAG][@sha256:...]``: a function into the private store, verified by
digest (kpt's ``alpha wasm pull``, for CNCF wasm artifacts). Prints ``HOST/PATH/NAME@sha256:...``.
"""

from __future__ import annotations

import argparse
import shutil

from runner.cli.cmd_push import registry_reference
from runner.registry.errors import KptAlphaArtifact
from runner.registry.policy import PullPolicy
from runner.registry.pull import pull
from runner.registry.resolve import wasi_build_hint
from runner.registry.store import Store

__all__ = ["main"]


def main(args: argparse.Namespace) -> int:
    reference = registry_reference(args.reference)
    try:
        pulled = pull(
            reference,
            store=Store(),
            policy=PullPolicy.parse(args.image_pull_policy),
            insecure_registries=args.insecure_registry,
        )
    except KptAlphaArtifact as refused:
        raise KptAlphaArtifact(f"{refused}{wasi_build_hint(reference.name)}") from None
    if args.output is not None:
        shutil.copyfile(pulled.path, args.output)
    print(f"{reference.host}/{reference.repository}@{pulled.digest}")
    return 0
