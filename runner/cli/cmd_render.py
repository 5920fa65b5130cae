"""``render [PKG_DIR]``: a package's Kptfile pipelines, like ``kpt fn render``.

Stages: lock and recover the package → read the tree → render it (runner.kpt.render) →
results → write: in place, the resources only when every function succeeded (or the root
Kptfile asks `kpt.dev/save-on-render-failure`) and always the Rendered condition; with `-o`,
the output only on success.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from runner.cli.options import (
    Reporting,
    Runtime,
    engine_for,
    reporting_of,
    runtime_of,
    to_stderr,
)
from runner.cli.registry_flags import pull_options_of
from runner.errors import PackageError, RunnerError
from runner.kpt.output import write_output, write_render
from runner.kpt.package import KPTFILE, Package, read_package
from runner.kpt.render import SAVE_ON_FAILURE_ANNOTATION, render_package, root_annotation
from runner.kpt.transaction import package_lock, recover
from runner.pipeline.report import Reporter, save_results
from runner.pipeline.run import exit_code_of

__all__ = ["main"]


def main(args: argparse.Namespace) -> int:
    runtime, reporting = runtime_of(args), reporting_of(args)
    root = Path(args.package)
    if not (root / KPTFILE).is_file():
        raise PackageError(f"{root}: not a kpt package (no {KPTFILE})")
    with package_lock(root, notify=to_stderr):
        return _render(root, args, runtime, reporting)


def _render(root: Path, args: argparse.Namespace, runtime: Runtime, reporting: Reporting) -> int:
    if note := recover(root):
        print(note, file=sys.stderr)
    reporter = Reporter(quiet=reporting.quiet)
    package = read_package(
        root, include_meta=True, include_subpackages=True, strict_krm=not args.allow_non_krm
    )
    for warning in package.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    in_place = args.output is None
    pull = pull_options_of(args)  # a bad flag is not a render failure to record
    try:
        rendered = render_package(
            engine_for(runtime, reporting),
            package,
            fn_paths=args.fn_path,
            pull=pull,
            allow_exec=args.allow_exec,
            limits=runtime.limits,
            sandbox=runtime.sandbox,
            reporter=reporter,
        )
    except RunnerError as error:
        if in_place:
            _record_failure(package, str(error))
        raise
    exit_code = exit_code_of(rendered.outcomes)
    save_results(reporting.results_dir, rendered.outcomes, exit_code)
    if in_place:
        keep = not exit_code or root_annotation(package, SAVE_ON_FAILURE_ANNOTATION)
        write_render(package, rendered.items if keep else None, rendered.outcomes, rendered.error)
    elif not exit_code:
        write_output(package, rendered.items, args.output)
    if not reporting.quiet and in_place:
        print(_summary(len(rendered.outcomes), rendered.packages_run, exit_code), file=sys.stderr)
    return exit_code


def _record_failure(package: Package, message: str) -> None:
    """The Rendered condition of a render that stopped before any function ran to the end."""
    try:
        write_render(package, None, [], message)
    except RunnerError as error:
        print(f"warning: could not record the render status: {error}", file=sys.stderr)


def _summary(functions: int, packages: int, exit_code: int) -> str:
    """kpt's last line of a render."""
    if not exit_code:
        return f"Successfully executed {functions} function(s) in {packages} package(s)."
    if functions <= 1:
        return f"Failed to execute any functions in {packages} package(s)."
    return f"Partially executed {functions - 1} function(s) in {packages} package(s)."
