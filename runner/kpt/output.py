"""Where a package command's resources go: back into the package, a new directory, or stdout."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from runner.kpt.package import Package
from runner.kpt.package_write import output_stream, plan_writes
from runner.kpt.transaction import write_atomically, write_to_dir
from runner.pipeline.run import Item

__all__ = ["write_output"]


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
        write_atomically(package.root, plan, package.stamps)
