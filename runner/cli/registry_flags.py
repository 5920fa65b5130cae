"""The registry flags: ``push``/``pull``'s grammar, and ``--image-pull-policy`` /
``--insecure-registry`` on ``eval`` and ``render`` (argparse only: parsing stays light)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runner.registry.policy import PullOptions

__all__ = ["REGISTRY_COMMANDS", "add_pull_flags", "add_registry_commands", "pull_options_of"]

REGISTRY_COMMANDS = ("push", "pull")


def _add_insecure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--insecure-registry",
        action="append",
        default=[],
        metavar="HOST[:PORT]",
        help="talk plain HTTP to this registry (repeatable; loopback hosts may without it)",
    )


def add_pull_flags(parser: argparse.ArgumentParser) -> None:
    """For commands that resolve images: kpt's pull policy, and plain-HTTP registries."""
    parser.add_argument(
        "--image-pull-policy",
        default="IfNotPresent",
        metavar="Always|IfNotPresent|Never",
        help="when to pull registry images into the store (default IfNotPresent, as kpt)",
    )
    _add_insecure(parser)


def pull_options_of(args: argparse.Namespace) -> PullOptions:
    # Imported here: the parser is built for every command, `run` and `exec` never pull.
    from runner.registry.policy import PullOptions, PullPolicy

    return PullOptions(
        policy=PullPolicy.parse(args.image_pull_policy),
        insecure_registries=tuple(args.insecure_registry),
    )


def add_registry_commands(commands: Any) -> None:
    """``push`` and ``pull`` (``commands``: argparse's subparsers action)."""
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
