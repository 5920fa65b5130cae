"""``push`` and ``pull``, and the pull flags of ``eval``/``render`` (kpt's ``--image-pull-policy``).

``python -m runner push FN.wasm HOST/PATH/NAME:TAG`` uploads a built function as a CNCF wasm OCI
artifact and prints ``REF@sha256:...``; ``python -m runner pull REF`` fetches one into the private
store (verified by digest) and prints the same. kpt has ``kpt alpha wasm push/pull`` for its own
js/wasm format; these read and write the CNCF format instead (see runner.registry.artifact).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

from runner.errors import UsageError
from runner.registry.errors import KptAlphaArtifact
from runner.registry.pull import PullPolicy, pull
from runner.registry.push import push
from runner.registry.reference import Reference, parse_reference
from runner.registry.resolve import PullOptions, wasi_build_hint
from runner.registry.store import Store

__all__ = ["COMMANDS", "add_commands", "add_pull_flags", "pull_options_from", "run"]

COMMANDS = ("push", "pull")


def _add_insecure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--insecure-registry",
        action="append",
        default=[],
        metavar="HOST[:PORT]",
        help="talk plain HTTP to this registry (repeatable; loopback hosts may without it)",
    )


def add_pull_flags(parser: argparse.ArgumentParser) -> None:
    """``--image-pull-policy`` and ``--insecure-registry`` for commands that resolve images."""
    parser.add_argument(
        "--image-pull-policy",
        default="IfNotPresent",
        metavar="Always|IfNotPresent|Never",
        help="when to pull registry images into the store (default IfNotPresent, as kpt)",
    )
    _add_insecure(parser)


def pull_options_from(args: argparse.Namespace) -> PullOptions:
    return PullOptions(
        policy=PullPolicy.parse(args.image_pull_policy),
        insecure_registries=tuple(args.insecure_registry),
    )


def add_commands(commands: Any) -> None:
    """The ``push`` and ``pull`` subcommands (``commands``: argparse's subparsers action)."""
    to_push = commands.add_parser("push", help="push a wasm function to an OCI registry")
    to_push.add_argument("function", type=Path, metavar="FN.wasm")
    to_push.add_argument("reference", metavar="HOST/PATH/NAME[:TAG]")
    to_push.add_argument(
        "--tag", action="append", default=[], metavar="TAG", help="also tag it TAG (repeatable)"
    )
    to_push.add_argument(
        "--version", metavar="VERSION", help="the version annotation (default: a v* tag)"
    )
    _add_insecure(to_push)

    to_pull = commands.add_parser("pull", help="pull a wasm function into the local store")
    to_pull.add_argument("reference", metavar="HOST/PATH/NAME[:TAG][@sha256:DIGEST]")
    to_pull.add_argument(
        "--image-pull-policy",
        default="Always",
        metavar="Always|IfNotPresent|Never",
        help="Always (default) asks the registry; IfNotPresent uses a stored copy",
    )
    to_pull.add_argument(
        "--output", "-o", type=Path, metavar="FILE", help="also copy the wasm here"
    )
    _add_insecure(to_pull)


def _reference(text: str) -> Reference:
    reference = parse_reference(text)
    if reference is None:
        raise UsageError(
            f"{text!r} names no registry: want HOST[:PORT]/PATH/NAME[:TAG]"
            " (e.g. localhost:5000/fns/set-namespace:v1)"
        )
    return reference


def _push(args: argparse.Namespace) -> int:
    reference = _reference(args.reference)
    digest = push(
        args.function,
        reference,
        version=args.version,
        extra_tags=args.tag,
        insecure_registries=args.insecure_registry,
    )
    print(f"{reference.host}/{reference.repository}@{digest}")
    return 0


def _pull(args: argparse.Namespace) -> int:
    reference = _reference(args.reference)
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


def run(args: argparse.Namespace) -> int:
    return _push(args) if args.command == "push" else _pull(args)
