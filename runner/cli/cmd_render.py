"""``render PKG_DIR``: a package's Kptfile pipeline, subpackages first, like ``kpt fn render``.

Stages: read the package tree → render it (runner.kpt.render) → results → write the resources,
only when every function succeeded (a failure changes nothing).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from runner.cli.options import Reporting, Runtime, engine_for, reporting_of, runtime_of
from runner.errors import PackageError
from runner.kpt.output import write_output
from runner.kpt.package import KPTFILE, read_package
from runner.kpt.render import render_package
from runner.kpt.transaction import package_lock, recover
from runner.pipeline.report import Reporter, save_results
from runner.pipeline.run import exit_code_of

__all__ = ["main"]


def main(args: argparse.Namespace) -> int:
    runtime, reporting = runtime_of(args), reporting_of(args)
    root = Path(args.package)
    if not (root / KPTFILE).is_file():
        raise PackageError(f"{root}: not a kpt package (no {KPTFILE})")
    with package_lock(root, notify=_to_stderr):
        return _render(root, args, runtime, reporting)


def _render(root: Path, args: argparse.Namespace, runtime: Runtime, reporting: Reporting) -> int:
    if note := recover(root):
        print(note, file=sys.stderr)
    reporter = Reporter(quiet=reporting.quiet)
    package = read_package(root, include_subpackages=True)
    for warning in package.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    rendered = render_package(
        engine_for(runtime, reporting),
        package,
        fn_paths=args.fn_path,
        allow_exec=args.allow_exec,
        limits=runtime.limits,
        sandbox=runtime.sandbox,
        reporter=reporter,
    )
    reporter.summary(rendered.outcomes)
    exit_code = exit_code_of(rendered.outcomes)
    save_results(reporting.results_dir, rendered.outcomes, exit_code)
    if exit_code:
        return exit_code
    write_output(package, rendered.items, args.output)
    if not reporting.quiet:
        print(
            f"Successfully executed {len(rendered.outcomes)} function(s) in "
            f"{rendered.packages_run} package(s).",
            file=sys.stderr,
        )
    return 0


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr)
