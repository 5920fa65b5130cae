"""kpt fn's flags that CI jobs pass, on ``eval`` and ``render`` (kpt's cmdeval / cmdrender).

None of them may fail as an unknown flag. Each does what it means for wasm functions run
in-process, or is refused with a reason (``--network``: a wasm function has no sockets to
grant), or is accepted with a one-line notice saying why it has no effect here.
"""

from __future__ import annotations

import argparse
import os
import sys

from runner.errors import UsageError

__all__ = ["IMAGE_PREFIX_ENV", "add_kpt_flags", "apply_kpt_flags"]

IMAGE_PREFIX_ENV = "KPT_IMAGE_PREFIX"

# flag -> why it changes nothing for a wasm function run in-process
_NO_EFFECT = {
    "as_current_user": (
        "--as-current-user",
        "wasm functions run inside the runner, not in a container with a uid/gid",
    ),
    "truncate_output": ("--truncate-output", "results and stderr are printed in full"),
    "allow_alpha_wasm": (
        "--allow-alpha-wasm",
        "every function here is wasm; no opt-in is needed",
    ),
    "keywords": ("--keywords", "it only filters kpt's shell completion of --image"),
}


def add_kpt_flags(parser: argparse.ArgumentParser, *, eval_only: bool) -> None:
    """kpt's flags; ``eval_only`` adds eval's own (``--save``, ``--type``, ``--tag``...)."""
    group = parser.add_argument_group("kpt flags (accepted so kpt's scripts run unchanged)")
    group.add_argument(
        "--network",
        "--allow-network",
        action="store_true",
        help="refused: wasm functions cannot be given network access",
    )
    group.add_argument("--as-current-user", action="store_true", help="no effect (no container)")
    group.add_argument(
        "--truncate-output",
        nargs="?",
        const="true",
        metavar="BOOL",
        help="no effect (output is printed in full)",
    )
    group.add_argument("--allow-alpha-wasm", action="store_true", help="no effect (always wasm)")
    group.add_argument(
        "--image-prefix",
        metavar="PREFIX",
        help=f"no effect: short names are local functions (also ${IMAGE_PREFIX_ENV})",
    )
    if not eval_only:
        return
    group.add_argument(
        "--allow-exec", action="store_true", help="no effect on eval: --exec names the file"
    )
    group.add_argument("--tag", metavar="TAG", help="the --image's tag when it names none")
    group.add_argument(
        "--save", "-s", action="store_true", help="add the function to the Kptfile's pipeline"
    )
    group.add_argument(
        "--type", "-t", dest="fn_type", metavar="mutator|validator", help="for --save"
    )
    group.add_argument("--keywords", "-k", action="append", metavar="WORD", help="no effect")


def apply_kpt_flags(args: argparse.Namespace) -> None:
    """Refuse what cannot be done, fold ``--tag`` into ``--image``, print the notices."""
    if getattr(args, "include_meta_resources", False) and not getattr(args, "quiet", False):
        # cobra's MarkDeprecated line, as kpt >= 1.0 prints it
        print(
            "Flag --include-meta-resources has been deprecated, meta resources (the Kptfile and"
            ' config.kubernetes.io/local-config: "true" resources) are included by default',
            file=sys.stderr,
        )
    if getattr(args, "network", None) is None:
        return  # a command without kpt's flags
    if args.network:
        raise UsageError(
            "--network: wasm functions cannot be given network access (WASI preview 1 has no "
            "sockets and components are granted none); run without --network"
        )
    notices = [
        f"{flag} has no effect: {why}"
        for attribute, (flag, why) in _NO_EFFECT.items()
        if getattr(args, attribute, None)
    ]
    prefix = args.image_prefix or os.environ.get(IMAGE_PREFIX_ENV)
    if prefix:
        notices.append(
            f"image prefix {prefix!r} has no effect: a name without a registry is a local "
            "function (--fn-path, $KRM_FN_PATH, dist/functions), never a registry path"
        )
    if getattr(args, "allow_exec", False) and args.command == "eval":
        notices.append("--allow-exec has no effect on eval: --exec already names the wasm file")
    if getattr(args, "tag", None):
        args.image = _with_tag(args.image, args.tag)
    if getattr(args, "save", False):
        if args.fn_type not in ("mutator", "validator"):
            raise UsageError("--save needs --type mutator or --type validator")
        if args.package == "-":
            raise UsageError("--save needs a package directory, not -")
    elif getattr(args, "fn_type", None) not in (None, "mutator", "validator"):
        raise UsageError("--type must be either mutator or validator")
    if not getattr(args, "quiet", False):
        for notice in notices:
            print(f"notice: {notice}", file=sys.stderr)


def _with_tag(image: str | None, tag: str) -> str:
    """``--image NAME --tag T`` is ``NAME:T`` (before a ``@LANG``); a tagged image is an error."""
    if image is None:
        raise UsageError("--tag needs --image")
    name, at, suffix = image.partition("@")
    if ":" in name.rsplit("/", 1)[-1]:
        raise UsageError(f"--tag {tag}: --image {image} already has a tag")
    return f"{name}:{tag}{at}{suffix}"
