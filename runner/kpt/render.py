"""Hydrating a package tree (kpt fn render): each package's pipeline after its subpackages'.

kpt's hydrate: depth-first, a package's pipeline gets its subpackages' outputs plus its own
resources; a failure stops the walk. The packages are those `read_package` walked (one walker:
a subpackage that `.krmignore` hides is neither read nor rendered). Paths stay root-relative
between packages; a package's functions see them relative to that package, as in kpt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.errors import PackageError
from runner.kpt.kptfile import read_kptfile
from runner.kpt.package import KPTFILE, Package
from runner.kpt.paths import inside_package
from runner.kpt.steps import kptfile_step
from runner.krm import annotations as ann
from runner.krm import text as textio
from runner.krm.resource import annotations_of
from runner.pipeline.report import Reporter
from runner.pipeline.run import Item, StepOutcome, run_pipeline
from runner.wasm.engine import Engine
from runner.wasm.execute import Limits, Sandbox

__all__ = ["Rendered", "render_package"]


@dataclass
class Rendered:
    """What a render produced: the root's final items, every step's outcome, packages run."""

    items: list[Item]
    outcomes: list[StepOutcome] = field(default_factory=list)
    packages_run: int = 0

    @property
    def failed(self) -> bool:
        return any(outcome.failed for outcome in self.outcomes)


def render_package(
    engine: Engine,
    package: Package,
    *,
    fn_paths: Sequence[Path],
    allow_exec: bool = False,
    limits: Limits,
    sandbox: Sandbox,
    reporter: Reporter,
) -> Rendered:
    """Run every package's Kptfile pipeline in ``package`` (read with include_subpackages)."""
    rendered = Rendered(items=[])
    children = _children(package.packages)
    exec_rule: dict[str, Any] = {"allow_exec": allow_exec, "tree_root": package.root}

    def hydrate(relpath: str) -> list[Item]:
        items: list[Item] = []
        for child in children.get(relpath, ()):
            items += hydrate(child)
            if rendered.failed:
                return items
        items += [Item(r.value, r.document) for r in package.resources if r.package == relpath]
        directory = package.root / relpath if relpath else package.root
        kptfile = read_kptfile(directory, package.files.get(_join(relpath, KPTFILE)))
        steps = [
            *(
                kptfile_step(engine, f, directory, fn_paths, is_validator=False, **exec_rule)
                for f in kptfile.pipeline.mutators
            ),
            *(
                kptfile_step(engine, f, directory, fn_paths, is_validator=True, **exec_rule)
                for f in kptfile.pipeline.validators
            ),
        ]
        reporter.package(relpath or kptfile.name or directory.name)
        rendered.packages_run += 1
        if not steps:
            return items
        _rebase(items, relpath, add=False)
        items, outcomes = run_pipeline(
            engine,
            steps,
            items,
            limits=limits,
            sandbox=sandbox,
            on_start=reporter.start,
            on_done=reporter.done,
        )
        _rebase(items, relpath, add=True)
        rendered.outcomes += outcomes
        return items

    rendered.items = hydrate("")
    return rendered


def _children(packages: Sequence[str]) -> dict[str, list[str]]:
    """Each package's direct subpackages, in walk order (``packages`` lists parents first)."""
    children: dict[str, list[str]] = {}
    for relpath in packages:
        if not relpath:
            continue
        parent = max((p for p in packages if p == "" or relpath.startswith(p + "/")), key=len)
        children.setdefault(parent, []).append(relpath)
    return children


def _join(relpath: str, name: str) -> str:
    return f"{relpath}/{name}" if relpath else name


def _rebase(items: list[Item], prefix: str, *, add: bool) -> None:
    """Move path annotations between root-relative and package-relative (``prefix/`` added or
    removed): kpt shows a subpackage's functions paths relative to that subpackage."""
    if not prefix:
        return
    for item in items:
        item.value = _rebased(item.value, prefix, add=add)


def _rebased(value: dict[str, Any], prefix: str, *, add: bool) -> dict[str, Any]:
    value = textio.copy_value(value)  # the package's own values stay as they were read
    annotations = annotations_of(value)
    if not isinstance(annotations, dict):
        return value
    for key in (ann.PATH, ann.LEGACY_PATH):
        path = annotations.get(key)
        if not isinstance(path, str):
            continue
        if add:
            try:
                inside_package(path)
            except ValueError as problem:
                raise PackageError(
                    f"{prefix}: a function's output names {problem} (of package {prefix})"
                ) from None
            annotations[key] = f"{prefix}/{path}"
        elif path.startswith(prefix + "/"):
            annotations[key] = path[len(prefix) + 1 :]
    return value
