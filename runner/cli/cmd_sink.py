"""``fn sink DIR``: a ResourceList on stdin written as a new package (kpt's cmdsink).

Each item goes to the file its ``path`` annotation names, in ``index`` order; an item without
one to ``[<namespace>/]<kind>_<name>.yaml``. ``DIR`` must not exist or be empty, as kpt
requires. Stages: read stdin → plan the files → write them all or none.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from runner.cli.input import read_input
from runner.kpt.resource_stream import package_plan, read_items, write_new_package

__all__ = ["main"]


def main(args: argparse.Namespace) -> int:
    text, source = read_input(None)
    write_new_package(Path(args.directory), package_plan(read_items(text, source)))
    return 0
