"""Where a package command's resources go: back into the package, a new directory, or stdout."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from runner.kpt.package import KPTFILE, Package
from runner.kpt.package_write import output_stream, plan_writes
from runner.kpt.render_status import with_render_status
from runner.kpt.transaction import write_atomically, write_to_dir
from runner.pipeline.run import Item, StepOutcome

__all__ = ["write_output", "write_render"]


def write_output(package: Package, items: Sequence[Item], output: str | None) -> None:
    """kpt's ``--output``: None writes the package in place (all files or none), ``stdout`` and
    ``unwrap`` print a stream, anything else is a new directory."""
    values = [item.value for item in items]
    if output in ("stdout", "unwrap"):
        sys.stdout.write(output_stream(values, output, package))
        sys.stdout.flush()
        return
    plan = plan_writes(package, values)
    if output:
        write_to_dir(Path(output), plan)
    else:
        write_atomically(package.root, _changed(package, plan), package.stamps, _as_read(package))


def write_render(
    package: Package,
    items: Sequence[Item] | None,
    outcomes: Sequence[StepOutcome],
    error: str | None,
) -> None:
    """An in-place render: the resources (None: leave them) and, in the same all-or-nothing
    write, the root Kptfile's Rendered condition and step list."""
    plan = plan_writes(package, [item.value for item in items]) if items is not None else {}
    kptfile = plan.get(KPTFILE)
    if kptfile is None and KPTFILE in package.files:
        kptfile = package.files[KPTFILE].text
    if kptfile is not None:
        plan[KPTFILE] = with_render_status(kptfile, str(package.root / KPTFILE), outcomes, error)
    write_atomically(package.root, _changed(package, plan), package.stamps, _as_read(package))


def _as_read(package: Package) -> dict[str, str]:
    """Every file's text as read (write_atomically compares with it instead of reading again)."""
    return {relpath: stream.text for relpath, stream in package.files.items()}


def _changed(package: Package, plan: dict[str, str | None]) -> dict[str, str | None]:
    """The plan without the files it leaves as they were read: those need no second read."""
    return {
        relpath: text
        for relpath, text in plan.items()
        if relpath not in package.files or text != package.files[relpath].text
    }
