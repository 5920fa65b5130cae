"""The command line: parse arguments, build the engine, run one command, map errors to exits.

Commands: ``run`` (ResourceList through wasm functions), ``exec`` (act as one KRM function binary),
``eval`` (one function over a kpt package, like ``kpt fn eval``), ``render`` (a package's Kptfile
pipeline, like ``kpt fn render``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from runner.cli import cmd_eval, cmd_exec, cmd_render, cmd_run
from runner.cli.options import limits_from, sandbox_from
from runner.errors import RunnerError, UsageError
from runner.pipeline.report import Reporter
from runner.wasm.engine import Engine

__all__ = ["build_parser", "main"]


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
    """Where results (and, for package commands, the resources) go; shared by run/eval/render."""
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m runner",
        description="Run KRM functions compiled to WebAssembly, with kpt's conventions.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="pipe a ResourceList through wasm functions")
    run.add_argument("functions", nargs="+", type=Path, metavar="FN.wasm")
    run.add_argument("--input", "-i", metavar="FILE", help="ResourceList file (default: stdin)")
    run.add_argument("--output-format", choices=("json", "yaml"), help="default: the input's")
    _add_report_flags(run, output=False)
    _add_runtime_flags(run)

    execute = commands.add_parser("exec", help="behave as one KRM function binary")
    execute.add_argument("function", type=Path, metavar="FN.wasm")
    _add_runtime_flags(execute)

    evaluate = commands.add_parser("eval", help="run one function on a package")
    cmd_eval.add_arguments(evaluate)
    render = commands.add_parser("render", help="run a package's Kptfile pipeline")
    cmd_render.add_arguments(render)
    for package_command in (evaluate, render):
        _add_report_flags(package_command, output=True)
        _add_function_lookup(package_command)
        _add_runtime_flags(package_command)
    return parser


def _silent(message: str) -> None:
    pass


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr)


def _dispatch(args: argparse.Namespace) -> int:
    limits = limits_from(args.timeout, args.memory_limit, args.max_output)
    sandbox = sandbox_from(args.mount, args.env)
    quiet = getattr(args, "quiet", True)  # exec stays silent: its stderr is the function's
    engine = Engine(use_cache=not args.no_cache, notify=_silent if quiet else _to_stderr)
    if args.command == "run":
        return cmd_run.run_command(
            engine,
            args.functions,
            input_path=args.input,
            output_format=args.output_format,
            limits=limits,
            sandbox=sandbox,
            results_dir=args.results_dir,
            reporter=Reporter(quiet=args.quiet),
        )
    if args.command == "exec":
        return cmd_exec.exec_command(engine, args.function, limits=limits, sandbox=sandbox)
    if args.command == "eval":
        return cmd_eval.eval_command(engine, args, limits=limits, sandbox=sandbox)
    if args.command == "render":
        return cmd_render.render_command(engine, args, limits=limits, sandbox=sandbox)
    raise UsageError(f"unknown command {args.command!r}")


def _split_function_args(argv: list[str]) -> tuple[list[str], list[str]]:
    """``eval PKG --image X -- k=v``: what follows the first ``--`` is the function's config.

    Split before argparse sees it: argparse would hand ``k=v`` to no positional (PKG came first).
    """
    if "--" not in argv:
        return argv, []
    cut = argv.index("--")
    return argv[:cut], argv[cut + 1 :]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    given, function_args = _split_function_args(list(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(given)
    if function_args:
        if args.command != "eval":
            parser.error(f"{args.command}: unexpected arguments after --: {function_args}")
        args.fn_args = function_args
    try:
        return _dispatch(args)
    except RunnerError as error:
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
