"""``render PKG_DIR``: a package's Kptfile pipeline, subpackages first, like ``kpt fn render``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from runner.cli.cmd_eval import finish
from runner.errors import PackageError
from runner.kpt.kptfile import read_kptfile
from runner.kpt.package import KPTFILE, Package, find_subpackages, read_package, rebase_paths
from runner.kpt.steps import kptfile_step
from runner.pipeline.report import Reporter
from runner.pipeline.run import Item, StepOutcome, run_pipeline
from runner.wasm.engine import Engine
from runner.wasm.execute import Limits, Sandbox

__all__ = ["add_arguments", "render_command"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("package", metavar="PKG_DIR", nargs="?", default=".")


def _rebase(items: list[Item], prefix: str, *, add: bool) -> None:
    """Move path annotations between root-relative and package-relative (kpt shows functions the
    latter)."""
    if not prefix:
        return
    values = rebase_paths([item.value for item in items], prefix, add=add)
    for item, value in zip(items, values, strict=True):
        item.value = value


class _Renderer:
    """Hydrates one package tree: each package's pipeline after its subpackages', depth-first."""

    def __init__(
        self,
        engine: Engine,
        package: Package,
        args: argparse.Namespace,
        limits: Limits,
        sandbox: Sandbox,
        reporter: Reporter,
    ) -> None:
        self.engine, self.package, self.args = engine, package, args
        self.limits, self.sandbox, self.reporter = limits, sandbox, reporter
        self.outcomes: list[StepOutcome] = []
        self.packages_run = 0

    @property
    def failed(self) -> bool:
        return any(outcome.failed for outcome in self.outcomes)

    def hydrate(self, relpath: str) -> list[Item]:
        directory = self.package.root / relpath if relpath else self.package.root
        items: list[Item] = []
        for sub in find_subpackages(directory):
            items += self.hydrate(sub.relative_to(self.package.root).as_posix())
            if self.failed:
                return items
        items += [Item(r.value, r.document) for r in self.package.resources if r.package == relpath]
        kptfile = read_kptfile(directory)
        steps = [
            *(
                kptfile_step(self.engine, f, directory, self.args.fn_path, is_validator=False)
                for f in kptfile.pipeline.mutators
            ),
            *(
                kptfile_step(self.engine, f, directory, self.args.fn_path, is_validator=True)
                for f in kptfile.pipeline.validators
            ),
        ]
        self.reporter.package(relpath or kptfile.name or directory.name)
        self.packages_run += 1
        if not steps:
            return items
        _rebase(items, relpath, add=False)
        items, outcomes = run_pipeline(
            self.engine,
            steps,
            items,
            limits=self.limits,
            sandbox=self.sandbox,
            on_start=self.reporter.start,
            on_done=self.reporter.done,
        )
        _rebase(items, relpath, add=True)
        self.outcomes += outcomes
        return items


def render_command(
    engine: Engine, args: argparse.Namespace, *, limits: Limits, sandbox: Sandbox
) -> int:
    root = Path(args.package)
    if not (root / KPTFILE).is_file():
        raise PackageError(f"{root}: not a kpt package (no {KPTFILE})")
    reporter = Reporter(quiet=args.quiet)
    package = read_package(root, include_subpackages=True)
    for warning in package.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    renderer = _Renderer(engine, package, args, limits, sandbox, reporter)
    items = renderer.hydrate("")
    exit_code = finish(
        package,
        items,
        renderer.outcomes,
        output=args.output,
        results_dir=args.results_dir,
        reporter=reporter,
    )
    if exit_code == 0 and not args.quiet:
        print(
            f"Successfully executed {len(renderer.outcomes)} function(s) in "
            f"{renderer.packages_run} package(s).",
            file=sys.stderr,
        )
    return exit_code
