"""``eval PKG_DIR|- (--image NAME | --exec FN.wasm)``: one function over a package (kpt fn eval)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from runner.cli.cmd_run import items_of, output_value, read_input, run_reported
from runner.errors import UsageError
from runner.fidelity import copy_value
from runner.kpt.kptfile import config_map_function_config, read_config_file
from runner.kpt.package import Package, read_package
from runner.kpt.package_write import output_stream, plan_writes, write_atomically, write_to_dir
from runner.kpt.steps import reference_step
from runner.krm import text as textio
from runner.krm.resourcelist import check_items, detect_format
from runner.pipeline.report import Reporter, write_results_dir
from runner.pipeline.run import Item, Step, StepOutcome, exit_code_of, run_pipeline, strip_added_ids
from runner.pipeline.selectors import Selector, selector_from_flags
from runner.wasm.engine import Engine
from runner.wasm.execute import Limits, Sandbox

__all__ = ["add_arguments", "eval_command", "finish"]

_SELECTOR_FIELDS = ("api-version", "kind", "name", "namespace", "label", "annotation")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s PKG_DIR|- (--image NAME | --exec FN.wasm) [flags] [-- KEY=VALUE ...]"
    parser.epilog = "KEY=VALUE pairs after -- become a ConfigMap functionConfig (string values)."
    parser.set_defaults(fn_args=[])  # filled by _cli.main from what follows ``--``
    parser.add_argument("package", metavar="PKG_DIR|-", help="package directory, or - for stdin")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--image", "-i", help="function name or image reference (NAME[@LANG])")
    which.add_argument("--exec", dest="exec_path", metavar="FN.wasm", help="path to a wasm file")
    parser.add_argument("--fn-config", type=Path, metavar="FILE", help="functionConfig file")
    parser.add_argument(
        "--include-meta-resources",
        "-m",
        action="store_true",
        help="give the Kptfile and local-config resources to the function too",
    )
    group = parser.add_argument_group("selectors (kpt's; --match-labels etc. also accepted)")
    for field in _SELECTOR_FIELDS:
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


def _selectors(args: argparse.Namespace, mode: str) -> list[Selector]:
    def one(field: str) -> str:
        values: list[str] = getattr(args, f"{mode}_{field}")
        if len(values) > 1:
            raise UsageError(f"--{mode}-{field.replace('_', '-')} may be given once")
        return values[0] if values else ""

    selector = selector_from_flags(
        api_version=one("api_version"),
        kind=one("kind"),
        name=one("name"),
        namespace=one("namespace"),
        labels=getattr(args, f"{mode}_label"),
        annotations=getattr(args, f"{mode}_annotation"),
        prefix=f"--{mode}",
    )
    return [] if selector.is_empty() else [selector]


def _function_config(args: argparse.Namespace) -> dict[str, Any] | None:
    if args.fn_config is not None and args.fn_args:
        raise UsageError("give the function config either with --fn-config or after --, not both")
    if args.fn_args:
        data = {}
        for pair in args.fn_args:
            key, sep, text = pair.partition("=")
            if not sep or not key:
                raise UsageError(f"function argument {pair!r}: expected KEY=VALUE after --")
            data[key] = text
        return config_map_function_config(data)
    if args.fn_config is None:
        return None
    try:
        return read_config_file(args.fn_config, str(args.fn_config))
    except ValueError as problem:
        raise UsageError(f"--fn-config: {problem}") from None


def eval_command(
    engine: Engine, args: argparse.Namespace, *, limits: Limits, sandbox: Sandbox
) -> int:
    reporter = Reporter(quiet=args.quiet)
    step = reference_step(
        engine,
        image=args.image,
        exec_path=args.exec_path,
        fn_paths=args.fn_path,
        config=_function_config(args),
        selectors=_selectors(args, "match"),
        exclude=_selectors(args, "exclude"),
    )
    if args.package == "-":
        return _eval_stdin(engine, step, args, limits=limits, sandbox=sandbox, reporter=reporter)
    root = Path(args.package)
    package = read_package(root, include_meta=args.include_meta_resources, include_subpackages=True)
    for warning in package.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    items = [Item(resource.value, resource.document) for resource in package.resources]
    items, outcomes = run_pipeline(
        engine,
        [step],
        items,
        limits=limits,
        sandbox=sandbox,
        on_start=reporter.start,
        on_done=reporter.done,
    )
    return finish(
        package,
        items,
        outcomes,
        output=args.output,
        results_dir=args.results_dir,
        reporter=reporter,
    )


def finish(
    package: Package,
    items: list[Item],
    outcomes: list[StepOutcome],
    *,
    output: str | None,
    results_dir: Path | None,
    reporter: Reporter,
) -> int:
    """Write the results, then the resources (only when every function succeeded)."""
    reporter.summary(outcomes)
    exit_code = exit_code_of(outcomes)
    _write_results(results_dir, outcomes, exit_code)
    if exit_code:
        return exit_code  # nothing is written: the package stays as it was
    values = [item.value for item in items]
    if output in ("stdout", "unwrap"):
        sys.stdout.write(output_stream(values, output, package))
        sys.stdout.flush()
        return 0
    plan = plan_writes(package, values)
    if output:
        write_to_dir(Path(output), plan)
    else:
        write_atomically(package.root, plan)
    return 0


def _write_results(results_dir: Path | None, outcomes: list[StepOutcome], exit_code: int) -> None:
    # Every eval/render output mode says where the results went, as kpt does.
    if results_dir is not None:
        path = write_results_dir(results_dir, outcomes, exit_code)
        print(f"For complete results, see {path}", file=sys.stderr)


def _eval_stdin(
    engine: Engine,
    step: Step,
    args: argparse.Namespace,
    *,
    limits: Limits,
    sandbox: Sandbox,
    reporter: Reporter,
) -> int:
    """``eval -``: a ResourceList or a stream of resources on stdin, the result on stdout."""
    text, source = read_input(None)
    if detect_format(text) == "json" or _is_resource_list_text(text):
        parsed = textio.parse_resource_list(text, source)
        if step.config is None and parsed.value.get("functionConfig") is not None:
            step = dataclasses.replace(step, config=parsed.value["functionConfig"])
        items, outcomes, exit_code = run_reported(
            engine, [step], items_of(parsed), limits=limits, sandbox=sandbox, reporter=reporter
        )
        _write_results(args.results_dir, outcomes, exit_code)
        if not exit_code:
            value = output_value(parsed, items, outcomes)
            sys.stdout.write(textio.render_resource_list(parsed, value, parsed.format))
        return exit_code
    stream = textio.parse_stream(text, source)
    docs = [doc for doc in stream.documents if doc.value is not None]
    check_items([doc.value for doc in docs], source)
    items = [Item(copy_value(doc.value), doc) for doc in docs]
    items, outcomes, exit_code = run_reported(
        engine, [step], items, limits=limits, sandbox=sandbox, reporter=reporter
    )
    _write_results(args.results_dir, outcomes, exit_code)
    if not exit_code:
        values = strip_added_ids(items)
        texts = [
            textio.with_value(item.source, value) if item.source else textio.render(value)
            for item, value in zip(items, values, strict=True)
        ]
        sys.stdout.write(textio.join(texts, stream.newline))
    return exit_code


def _is_resource_list_text(text: str) -> bool:
    # Cheap look before a full parse: a ResourceList names its kind at the top level.
    return any(line.rstrip() == "kind: ResourceList" for line in text.splitlines())
