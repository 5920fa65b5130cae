"""Function references to pipeline steps: resolve the wasm file, load it, attach config."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.catalog.local import (
    KPT_IMAGE_PREFIXES,
    catalog,
    parse_image,
    resolve_exec,
    search_path,
)
from runner.catalog.tags import is_constraint, select_version
from runner.errors import FunctionNotFound, PackageError
from runner.kpt.kptfile import Function
from runner.kpt.paths import resolves_inside
from runner.pipeline.run import Step
from runner.pipeline.selectors import Selector
from runner.registry.policy import PullOptions
from runner.registry.reference import parse_reference
from runner.registry.resolve import resolve_function
from runner.wasm.engine import Engine, LoadedFunction

__all__ = ["StepCache", "kptfile_step", "reference_step"]


@dataclass
class StepCache:
    """What one command already resolved and loaded, so that a tree of packages naming the same
    functions reads the catalog and each wasm file once (a 500-package render: 4 of its 11 s).

    Only local images are remembered: a registry reference is resolved (pulled, per the pull
    policy) at every step, as without the cache.
    """

    images: dict[tuple[str, tuple[Path, ...]], Path] = field(default_factory=dict)
    loaded: dict[Path, LoadedFunction] = field(default_factory=dict)

    def resolve(self, image: str, fn_paths: Sequence[Path], pull: PullOptions | None) -> Path:
        key = (image, tuple(fn_paths))
        path = self.images.get(key)
        if path is None:
            path = resolve_function(image, fn_paths, pull)
            if parse_reference(image) is None or image.strip().startswith(KPT_IMAGE_PREFIXES):
                self.images[key] = path
        return path

    def load(self, engine: Engine, path: Path) -> LoadedFunction:
        function = self.loaded.get(path)
        if function is None:
            function = self.loaded[path] = engine.load(path)
        return function


def reference_step(
    engine: Engine,
    *,
    image: str | None,
    exec_path: str | None,
    fn_paths: Sequence[Path],
    config: dict[str, Any] | None,
    selectors: Sequence[Selector] = (),
    exclude: Sequence[Selector] = (),
    base: Path | None = None,
    is_validator: bool = False,
    pull: PullOptions | None = None,
    cache: StepCache | None = None,
) -> Step:
    """A step for ``--image NAME`` or ``--exec FILE`` (``base`` anchors a relative exec path;
    ``pull`` says how registry images are fetched, see runner.registry.resolve; ``cache``
    remembers resolutions and loads across calls)."""
    cache = cache or StepCache()
    if image is not None:
        path, label, kind = cache.resolve(image, fn_paths, pull), image, "image"
    else:
        assert exec_path is not None
        path, label, kind = resolve_exec(exec_path, base), exec_path, "exec"
    return Step(
        cache.load(engine, path),
        label=label,
        config=config,
        selectors=tuple(selectors),
        exclude=tuple(exclude),
        is_validator=is_validator,
        kind=kind,
    )


def kptfile_step(
    engine: Engine,
    function: Function,
    package_dir: Path,
    fn_paths: Sequence[Path],
    *,
    is_validator: bool,
    allow_exec: bool = False,
    tree_root: Path | None = None,
    pull: PullOptions | None = None,
    cache: StepCache | None = None,
) -> Step:
    """A step for one Kptfile pipeline entry; ``exec:`` is relative to the package.

    An ``exec:`` outside the package tree (``tree_root``, else ``package_dir``: absolute,
    ``../``, or through a symlink) needs
    ``allow_exec`` (``render --allow-exec``): a package from elsewhere must not pick any file
    on the machine to run.
    """
    if function.exec is not None and not allow_exec:
        path = resolve_exec(function.exec, package_dir)
        if not resolves_inside(path, tree_root or package_dir):
            raise PackageError(
                f"{package_dir / 'Kptfile'}: {function.field}.exec: {function.exec!r} is outside "
                "the package; run with --allow-exec to allow it"
            )
    return reference_step(
        engine,
        image=_resolved_tag(function, fn_paths),
        exec_path=function.exec,
        fn_paths=fn_paths,
        config=function.config,
        selectors=function.selectors,
        exclude=function.exclude,
        base=package_dir,
        is_validator=is_validator,
        pull=pull,
        cache=cache,
    )


def _resolved_tag(function: Function, fn_paths: Sequence[Path]) -> str | None:
    """The image with the entry's ``tag:``; a version constraint becomes the newest version built
    that matches it (kpt's TagResolver lists the registry's tags; here the builds are the tags)."""
    image = function.tagged_image
    if image is None or function.tag is None or not is_constraint(function.tag):
        return image
    name = parse_image(image).name
    versions = {e.version for e in catalog(search_path(fn_paths)) if e.name == name and e.version}
    version = select_version(function.tag, versions)
    if version is None:
        raise FunctionNotFound(
            f"{function.field}.tag: no tag could be found matching the version constraint "
            f"{function.tag!r} (versions of {name} built: {', '.join(sorted(versions)) or 'none'})"
        )
    return image[: -len(function.tag)] + version
