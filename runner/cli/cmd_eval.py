"""``eval PKG_DIR|- (--image NAME | --exec FN.wasm)``: one function over a package (kpt fn eval).

Stages: flags to a step (function, config, selectors) → read the package (or stdin) → run →
results → write the resources, only when the function succeeded (a failure changes nothing).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from runner.cli.input import read_input
from runner.cli.options import (
    Reporting,
    Runtime,
    engine_for,
    reporting_of,
    runtime_of,
    to_stderr,
)
from runner.cli.parser import SELECTOR_FLAGS
from runner.cli.registry_flags import pull_options_of
from runner.errors import PackageError, UsageError
from runner.kpt.kptfile import config_map_function_config, read_config_file
from runner.kpt.output import write_output
from runner.kpt.package import read_package
from runner.kpt.resource_stream import as_resource_list, package_plan, read_items, unwrapped
from runner.kpt.save_function import function_entry, save_function
from runner.kpt.steps import reference_step
from runner.kpt.transaction import package_lock, recover, write_to_dir
from runner.krm import text as textio
from runner.pipeline.on_text import (
    TextRun,
    is_resource_list,
    run_on_resource_list,
    run_on_stream,
    run_reported,
)
from runner.pipeline.report import Reporter, save_results
from runner.pipeline.run import Item, Step
from runner.pipeline.selectors import Selector, selector_from_flags
from runner.wasm.engine import Engine

__all__ = ["main"]


def main(args: argparse.Namespace) -> int:
    runtime, reporting = runtime_of(args), reporting_of(args)
    reporter = Reporter(quiet=reporting.quiet, count_resources=True)
    engine = engine_for(runtime, reporting)
    step = reference_step(
        engine,
        image=args.image,
        exec_path=args.exec_path,
        fn_paths=args.fn_path,
        pull=pull_options_of(args),
        config=_function_config(args.fn_config, args.fn_args),
        selectors=_selectors(args, "match"),
        exclude=_selectors(args, "exclude"),
    )
    limits, sandbox = runtime.limits, runtime.sandbox
    if args.package == "-":
        text, source = read_input(None)
        done: TextRun
        listed = is_resource_list(text)
        if listed:
            parsed = textio.parse_resource_list(text, source)
            done = run_on_resource_list(
                engine, parsed, [step], limits=limits, sandbox=sandbox, reporter=reporter
            )
        else:
            done = run_on_stream(
                engine, text, source, [step], limits=limits, sandbox=sandbox, reporter=reporter
            )
        save_results(reporting.results_dir, done.outcomes, done.exit_code)
        if not done.exit_code:  # kpt fn eval writes nothing when the function failed
            _write_piped(done.output, listed, args.output)
        return done.exit_code

    root = Path(args.package)
    if not root.is_dir():
        raise PackageError(f"{root}: not a directory")
    with package_lock(root, notify=to_stderr):
        return _eval_package(root, args, engine, step, runtime, reporting, reporter)


def _eval_package(
    root: Path,
    args: argparse.Namespace,
    engine: Engine,
    step: Step,
    runtime: Runtime,
    reporting: Reporting,
    reporter: Reporter,
) -> int:
    if note := recover(root):
        print(note, file=sys.stderr)
    limits, sandbox = runtime.limits, runtime.sandbox
    package = read_package(
        root,
        include_meta=True,  # kpt >= 1.0: the Kptfile and local-config resources too
        include_subpackages=True,
        strict_krm=not args.allow_non_krm,
        held_back_paths=_inside(root, args.fn_config),
    )
    for warning in package.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    items = [Item(resource.value, resource.document) for resource in package.resources]
    items, outcomes, exit_code = run_reported(engine, [step], items, limits, sandbox, reporter)
    save_results(reporting.results_dir, outcomes, exit_code)
    if not exit_code:
        write_output(package, items, args.output)
        if args.save:
            print(save_function(root, _saved_entry(root, args), args.fn_type), file=sys.stderr)
    return exit_code


def _inside(root: Path, fn_config: Path | None) -> tuple[str, ...]:
    """The ``--fn-config`` file's path in the package, if it is in it: kpt does not give the
    function its own config as a resource too (kpt #4639)."""
    if fn_config is None:
        return ()
    try:
        return (fn_config.resolve().relative_to(root.resolve()).as_posix(),)
    except ValueError:
        return ()


def _write_piped(output: str, was_resource_list: bool, destination: str | None) -> None:
    """``eval -``'s output as kpt's WriteFnOutput: a ResourceList (default, ``stdout``), the
    resources (``unwrap``), or a new package directory (``DIR``)."""
    if destination in (None, "stdout") and was_resource_list:
        sys.stdout.write(output)  # the input's own ResourceList text, edited
        return
    items = read_items(output, "the function's output")
    if destination in (None, "stdout"):
        sys.stdout.write(as_resource_list(items))
    elif destination == "unwrap":
        sys.stdout.write(unwrapped(items))
    else:
        write_to_dir(Path(destination), package_plan(items))


def _saved_entry(root: Path, args: argparse.Namespace) -> dict[str, Any]:
    return function_entry(
        root,
        image=args.image,
        exec_path=args.exec_path,
        fn_config=args.fn_config,
        config_map=_key_values(args.fn_args)[1],
        selectors=_selectors(args, "match"),
        exclude=_selectors(args, "exclude"),
    )


def _selectors(args: argparse.Namespace, mode: str) -> list[Selector]:
    """``--match-*`` (mode "match") or ``--exclude-*`` flags as at most one selector."""
    values = {field: getattr(args, f"{mode}_{field.replace('-', '_')}") for field in SELECTOR_FLAGS}
    for field in ("api-version", "kind", "name", "namespace"):
        if len(values[field]) > 1:
            raise UsageError(f"--{mode}-{field} may be given once")

    def one(field: str) -> str:
        return values[field][0] if values[field] else ""

    selector = selector_from_flags(
        api_version=one("api-version"),
        kind=one("kind"),
        name=one("name"),
        namespace=one("namespace"),
        labels=values["label"],
        annotations=values["annotation"],
        prefix=f"--{mode}",
    )
    return [] if selector.is_empty() else [selector]


def _key_values(fn_args: list[str]) -> tuple[str, dict[str, str]]:
    """``-- [KIND] KEY=VALUE...``: a first word without ``=`` is the config's kind (as kpt)."""
    kind, data = "ConfigMap", {}
    for position, pair in enumerate(fn_args):
        key, sep, text = pair.partition("=")
        if not sep and position == 0 and key:
            kind = key
            continue
        if not sep or not key:
            raise UsageError(f"function argument {pair!r}: expected KEY=VALUE after --")
        data[key] = text
    return kind, data


def _function_config(fn_config: Path | None, fn_args: list[str]) -> dict[str, Any] | None:
    """``--fn-config FILE`` or ``-- KEY=VALUE...`` (a ConfigMap, as kpt builds it)."""
    if fn_config is not None and fn_args:
        raise UsageError("give the function config either with --fn-config or after --, not both")
    if fn_args:
        kind, data = _key_values(fn_args)
        config = config_map_function_config(data)
        config["kind"] = kind
        return config
    if fn_config is None:
        return None
    try:
        return read_config_file(fn_config, str(fn_config))
    except ValueError as problem:
        raise UsageError(f"--fn-config: {problem}") from None
