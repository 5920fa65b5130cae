"""The command line's grammar: every command, its flags and their help (argparse only).

Kept apart from the commands so that parsing imports nothing heavy: ``main`` imports just the
command it runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, NoReturn

from runner.cli.kpt_flags import add_kpt_flags
from runner.cli.registry_flags import REGISTRY_COMMANDS, add_pull_flags, add_registry_commands

__all__ = ["COMMANDS", "FN_COMMANDS", "SELECTOR_FLAGS", "build_parser"]

FN_COMMANDS = ("eval", "render", "source", "sink", "doc")  # kpt fn's, also under `fn`
COMMANDS = ("run", "exec", *FN_COMMANDS, "fn", *REGISTRY_COMMANDS)
SELECTOR_FLAGS = ("api-version", "kind", "name", "namespace", "label", "annotation")


class _Parser(argparse.ArgumentParser):
    """A usage error exits 1, as kpt's (cobra's) do; subcommands inherit the class."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


def build_parser(
    prog: str = "python -m runner", command: str | None = None
) -> argparse.ArgumentParser:
    """The whole grammar; for ``run`` or ``exec`` (``command``) only that command's part.

    In a new process every command's flags take 5.7 ms of a 100 ms start and `run`'s alone
    3.3 ms (most of the rest is argparse's own first use); `run` and `exec` are the commands run
    many times over small inputs, and their usage and help are the same either way.
    """
    parser = _Parser(
        prog=prog,
        description="Run KRM functions compiled to WebAssembly, with kpt's conventions.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    if command in ("run", "exec"):
        (_add_run if command == "run" else _add_exec)(commands)
        return parser
    _add_run(commands)
    _add_exec(commands)
    _add_fn_commands(commands)
    fn = commands.add_parser("fn", help="kpt fn's commands: eval, render, source, sink, doc")
    _add_fn_commands(fn.add_subparsers(dest="fn_command", required=True, metavar="COMMAND"))
    add_registry_commands(commands)
    return parser


def _add_run(commands: Any) -> None:
    run = commands.add_parser("run", help="pipe a ResourceList through wasm functions")
    run.add_argument("functions", nargs="+", type=Path, metavar="FN.wasm")
    run.add_argument("--input", "-i", metavar="FILE", help="ResourceList file (default: stdin)")
    run.add_argument("--output-format", choices=("json", "yaml"), help="default: the input's")
    _add_report_flags(run, output=False)
    _add_runtime_flags(run)


def _add_exec(commands: Any) -> None:
    execute = commands.add_parser("exec", help="behave as one KRM function binary")
    execute.add_argument("function", type=Path, metavar="FN.wasm")
    _add_runtime_flags(execute)


def _add_fn_commands(commands: Any) -> None:
    """eval, render, source, sink, doc (top-level and under ``fn``, as kpt fn has them)."""
    evaluate = commands.add_parser("eval", help="run one function on a package")
    _add_eval_arguments(evaluate)
    render = commands.add_parser("render", help="run a package's Kptfile pipeline")
    render.add_argument("package", metavar="PKG_DIR", nargs="?", default=".")
    render.add_argument(
        "--allow-exec",
        action="store_true",
        help="let Kptfile exec: entries name wasm files outside the package",
    )
    for package_command in (evaluate, render):
        package_command.add_argument(
            "--allow-non-krm",
            action="store_true",
            help="skip documents without apiVersion/kind with a warning (kpt: an error)",
        )
        _add_report_flags(package_command, output=True)
        _add_function_lookup(package_command)
        _add_runtime_flags(package_command)
        add_kpt_flags(package_command, eval_only=package_command is evaluate)

    source = commands.add_parser("source", help="a package as a ResourceList on stdout")
    source.add_argument("package", metavar="DIR", nargs="?", default=".")
    source.add_argument("--fn-config", type=Path, metavar="FILE", help="the functionConfig")
    source.add_argument("--output", "-o", choices=("unwrap",), help="unwrap: a resource stream")
    _add_include_meta(source)
    sink = commands.add_parser("sink", help="a ResourceList on stdin written as a new package")
    sink.add_argument("directory", metavar="DIR", help="must not exist, or be empty")
    doc = commands.add_parser("doc", help="show a function's description and usage")
    doc.add_argument("--image", "-i", required=True, help="function name or image reference")
    _add_function_lookup(doc)


def _add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    parser.usage = (
        "%(prog)s [PKG_DIR|-] (--image NAME | --exec FN.wasm) [flags] [-- [KIND] KEY=VALUE ...]"
    )
    parser.epilog = (
        "KEY=VALUE pairs after -- become a ConfigMap functionConfig (string values); a first"
        " word without = sets its kind instead of ConfigMap."
    )
    parser.set_defaults(fn_args=[])  # filled by main from what follows ``--``
    parser.add_argument(
        "package", metavar="PKG_DIR|-", nargs="?", default=".", help="default . ; - for stdin"
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--image", "-i", help="function name or image reference (NAME[:LANG] or NAME@LANG)"
    )
    which.add_argument("--exec", dest="exec_path", metavar="FN.wasm", help="path to a wasm file")
    parser.add_argument("--fn-config", type=Path, metavar="FILE", help="functionConfig file")
    _add_include_meta(parser)
    group = parser.add_argument_group("selectors (kpt's; --match-labels etc. also accepted)")
    for field in SELECTOR_FLAGS:
        for mode in ("match", "exclude"):
            flags = [f"--{mode}-{field}"]
            if field in ("label", "annotation"):
                flags.append(f"--{mode}-{field}s")  # kpt's spelling
            group.add_argument(
                *flags,
                action="append",
                default=[],
                dest=f"{mode}_{field.replace('-', '_')}",
                metavar="KEY=VALUE" if field in ("label", "annotation") else "VALUE",
            )


def _add_include_meta(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--include-meta-resources",
        "-m",
        action="store_true",
        help="deprecated, as in kpt: the Kptfile and local-config resources are always included",
    )


def _add_runtime_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("sandbox and limits")
    group.add_argument("--timeout", default="60s", help="time limit per function (default 60s)")
    group.add_argument(
        "--memory-limit", default="1Gi", help="linear memory limit per function (default 1Gi)"
    )
    group.add_argument(
        "--max-output", default="256Mi", help="stdout size limit per function (default 256Mi)"
    )
    group.add_argument(
        "--mount",
        action="append",
        default=[],
        metavar="SPEC",
        help="grant a host directory: type=bind,src=DIR,dst=PATH[,rw=true] or DIR:PATH[:rw]"
        " (read-only unless rw)",
    )
    group.add_argument(
        "--env",
        "-e",
        action="append",
        default=[],
        metavar="KEY[=VALUE]",
        help="grant an environment variable (KEY alone passes the runner's own value)",
    )
    group.add_argument(
        "--no-cache", action="store_true", help="do not read or write the compiled-code cache"
    )


def _add_report_flags(parser: argparse.ArgumentParser, *, output: bool) -> None:
    """Where results (and, for package commands, the resources) go."""
    if output:
        parser.add_argument(
            "--output",
            "-o",
            metavar="stdout|unwrap|DIR",
            help="where the result goes (default: back into the package)",
        )
    parser.add_argument("--results-dir", type=Path, metavar="DIR", help="write results.yaml here")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress lines on stderr")


def _add_function_lookup(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--fn-path",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="directory of wasm functions for --image names (repeatable; before $KRM_FN_PATH)",
    )
    add_pull_flags(parser)
