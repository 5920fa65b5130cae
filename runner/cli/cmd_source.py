"""``fn source [DIR] [--fn-config FILE] [-o unwrap]``: a package as a ResourceList on stdout.

kpt's cmdsource: every resource (the Kptfile and local-config ones too, as kpt >= 1.0 reads
them) with its ``path``/``index`` annotations, ``--fn-config`` as the ResourceList's
functionConfig; ``-o unwrap`` prints the resources as a plain stream instead.
Stages: read the package → wrap → write.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from runner.errors import PackageError, UsageError
from runner.kpt.kptfile import read_config_file
from runner.kpt.package import read_package
from runner.kpt.resource_stream import as_resource_list, unwrapped
from runner.krm import annotations as ann
from runner.krm.annotations import without_runner_annotations
from runner.pipeline.run import Item

__all__ = ["main"]


def main(args: argparse.Namespace) -> int:
    root = Path(args.package)
    if not root.is_dir():
        raise PackageError(f"{root}: not a directory")
    config = None
    if args.fn_config is not None:
        try:
            config = read_config_file(args.fn_config, str(args.fn_config))
        except ValueError as problem:
            raise UsageError(f"--fn-config: {problem}") from None
    package = read_package(root, include_meta=True, include_subpackages=True, strict_krm=True)
    items = [
        Item(
            without_runner_annotations(
                r.value, keep=ann.POSITION, original=r.document.original_value
            ),
            r.document,
        )
        for r in package.resources
    ]
    text = unwrapped(items) if args.output == "unwrap" else as_resource_list(items, config)
    sys.stdout.write(text)
    sys.stdout.flush()
    return 0
