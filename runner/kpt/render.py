"""Hydrating a package tree (kpt fn render).

Default (kpt's hydrate): depth-first, a package's pipeline after its subpackages', on their
outputs plus its own resources. With `kpt.dev/bfs-rendering: "true"` on the root Kptfile (kpt's
hydrateBfsOrder): top-down, root first, each package's pipeline on its own resources and its
descendants' as they are at that moment, so a parent can change its subpackages but not the
reverse. A failure stops the walk either way.

The packages are those `read_package` walked (one walker: a subpackage that `.krmignore` hides is
neither read nor rendered). Paths stay root-relative between packages; a package's functions see
them relative to that package, as in kpt. Before each mutator with a `configPath`, its config is
taken from the pipeline's current resources when the file is among them (kpt's SetFnConfig
refresh), so an earlier function can change a later one's config.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from runner.errors import PackageError
from runner.kpt.kptfile import read_kptfile
from runner.kpt.package import KPTFILE, Package, Resource
from runner.kpt.paths import inside_package
from runner.kpt.steps import StepCache, kptfile_step
from runner.krm import annotations as ann
from runner.krm import text as textio
from runner.krm.annotations import without_runner_annotations
from runner.krm.resource import annotation_is_true, annotations_of
from runner.pipeline.report import Reporter
from runner.pipeline.run import Item, Step, StepOutcome, run_pipeline
from runner.registry.policy import PullOptions
from runner.wasm.engine import Engine
from runner.wasm.execute import Limits, Sandbox

__all__ = [
    "BFS_ANNOTATION",
    "SAVE_ON_FAILURE_ANNOTATION",
    "Rendered",
    "render_package",
    "root_annotation",
]

BFS_ANNOTATION = "kpt.dev/bfs-rendering"
SAVE_ON_FAILURE_ANNOTATION = "kpt.dev/save-on-render-failure"


@dataclass
class Rendered:
    """What a render produced.

    ``items`` are every package's resources as the render left them (on a failure: as they were
    when it stopped, packages not reached untouched), ``outcomes`` every step's, in order.
    """

    items: list[Item]
    outcomes: list[StepOutcome] = field(default_factory=list)
    packages_run: int = 0

    @property
    def failed(self) -> bool:
        # A failure stops the render: when there is one, it is the last outcome (checked after
        # every package of a tree, so not a scan of them all).
        return bool(self.outcomes) and self.outcomes[-1].failed

    @property
    def error(self) -> str | None:
        return next((o.error for o in self.outcomes if o.error), None)


@dataclass(frozen=True)
class _Run:
    engine: Engine
    package: Package
    fn_paths: Sequence[Path]
    allow_exec: bool
    limits: Limits
    sandbox: Sandbox
    reporter: Reporter
    pull: PullOptions | None = None
    cache: StepCache = field(default_factory=StepCache)
    own: dict[str, list[Resource]] = field(default_factory=dict)  # each package's, as read


def root_annotation(package: Package, name: str) -> bool:
    """True when the root Kptfile has annotation ``name`` set to "true"."""
    kptfile = package.files.get(KPTFILE)
    value = kptfile.documents[0].value if kptfile and kptfile.documents else None
    return annotation_is_true(value, name)


def render_package(
    engine: Engine,
    package: Package,
    *,
    fn_paths: Sequence[Path],
    allow_exec: bool = False,
    limits: Limits,
    sandbox: Sandbox,
    reporter: Reporter,
    pull: PullOptions | None = None,
) -> Rendered:
    """Run every package's Kptfile pipeline in ``package`` (read with include_subpackages)."""
    run = _Run(engine, package, fn_paths, allow_exec, limits, sandbox, reporter, pull)
    for resource in package.resources:  # grouped once: a tree's walk would scan them per package
        run.own.setdefault(resource.package, []).append(resource)
    if root_annotation(package, BFS_ANNOTATION):
        return _top_down(run)
    return _depth_first(run)


def _depth_first(run: _Run) -> Rendered:
    package = run.package
    rendered = Rendered(items=[])
    children = _children(package)
    reached: set[str] = set()

    def hydrate(relpath: str) -> list[Item]:
        items: list[Item] = []
        for child in children.get(relpath, ()):
            items += hydrate(child)
            if rendered.failed:
                return items
        reached.add(relpath)
        items += _own_items(run, relpath)
        return _run_package(run, rendered, relpath, items)

    rendered.items = hydrate("")
    if rendered.failed:  # what was not reached stays as it was read
        rendered.items += [
            item
            for relpath in package.packages
            if relpath not in reached
            for item in _own_items(run, relpath)
        ]
    return rendered


def _top_down(run: _Run) -> Rendered:
    package = run.package
    rendered = Rendered(items=[])
    children = _children(package)
    order = [""]
    for relpath in order:  # breadth-first: the list grows while it is walked
        order += children.get(relpath, [])
    current = {relpath: _own_items(run, relpath) for relpath in package.packages}
    for relpath in order:
        scope = [p for p in order if p == relpath or _contains(relpath, p)]
        items = [item for p in scope for item in current[p]]
        items = _run_package(run, rendered, relpath, items)
        for p in scope:
            current[p] = []
        for item in items:  # each resource back to the package its path is in
            owner = _owner(package, item, scope, relpath)
            current[owner].append(item)
        if rendered.failed:
            break
    rendered.items = [item for relpath in order for item in current[relpath]]
    return rendered


def _run_package(run: _Run, rendered: Rendered, relpath: str, items: list[Item]) -> list[Item]:
    """One package's pipeline on ``items`` (root-relative paths in, root-relative paths out)."""
    package = run.package
    directory = package.root / relpath if relpath else package.root
    kptfile = read_kptfile(directory, package.files.get(_join(relpath, KPTFILE)))
    run.reporter.package(relpath or kptfile.name or directory.name)
    rendered.packages_run += 1
    entries = [(f, False) for f in kptfile.pipeline.mutators]
    entries += [(f, True) for f in kptfile.pipeline.validators]
    steps = [
        kptfile_step(
            run.engine,
            function,
            directory,
            run.fn_paths,
            is_validator=validator,
            allow_exec=run.allow_exec,
            tree_root=package.root,
            pull=run.pull,
            cache=run.cache,
        )
        for function, validator in entries
    ]
    if not steps:
        return items
    config_paths = {id(step): f.config_path for (f, _), step in zip(entries, steps, strict=True)}
    _rebase(items, relpath, add=False)
    items, outcomes = run_pipeline(
        run.engine,
        steps,
        items,
        limits=run.limits,
        sandbox=run.sandbox,
        on_start=run.reporter.start,
        on_done=run.reporter.done,
        prepare=lambda step, current: _refreshed(step, config_paths[id(step)], current),
    )
    rendered.outcomes += outcomes
    _rebase(items, relpath, add=True)
    return items


def _refreshed(step: Step, config_path: str | None, items: list[Item]) -> Step:
    """The step with its configPath resource as the pipeline now has it (kpt's refresh)."""
    if config_path is None:
        return step
    wanted = inside_package(config_path)
    for item in items:
        if annotations_of(item.value).get(ann.PATH) == wanted:
            config = without_runner_annotations(item.value, original=item.value)
            config = textio.config_as_written(config, item.source)
            return step._replace(config=config)
    return step


def _own_items(run: _Run, relpath: str) -> list[Item]:
    return [Item(r.value, r.document) for r in run.own.get(relpath, ())]


def _children(package: Package) -> dict[str, list[str]]:
    """Each package's direct subpackages, in walk order (``packages`` lists parents first)."""
    children: dict[str, list[str]] = {}
    for relpath in package.packages[1:]:  # every one but the root
        children.setdefault(package.owner_of(relpath), []).append(relpath)
    return children


def _contains(ancestor: str, relpath: str) -> bool:
    return ancestor == "" or relpath.startswith(ancestor + "/")


def _owner(package: Package, item: Item, scope: list[str], default: str) -> str:
    """The package of ``scope`` the item's path is in (``default`` when none is)."""
    path = annotations_of(item.value).get(ann.PATH)
    if not isinstance(path, str):
        return default
    owner = package.owner_of(path)
    return owner if owner in scope else default


def _join(relpath: str, name: str) -> str:
    return f"{relpath}/{name}" if relpath else name


def _rebase(items: list[Item], prefix: str, *, add: bool) -> None:
    """Move path annotations between root-relative and package-relative (``prefix/`` added or
    removed): kpt shows a subpackage's functions paths relative to that subpackage."""
    if not prefix:
        return
    for item in items:
        item.value = _rebased(item.value, prefix, add=add)


def _rebased(value: dict[str, object], prefix: str, *, add: bool) -> dict[str, object]:
    # New maps on the way to the annotations (the package's own values stay as they were read);
    # the rest is shared: nothing in a pipeline changes a value below its annotations in place.
    value = dict(value)
    metadata = value.get("metadata")
    if not isinstance(metadata, dict):
        return value
    metadata = value["metadata"] = dict(metadata)
    annotations = metadata.get("annotations")
    if not isinstance(annotations, dict):
        return value
    annotations = metadata["annotations"] = dict(annotations)
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
