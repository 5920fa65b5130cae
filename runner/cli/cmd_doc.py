"""``fn doc --image NAME``: what a function does and how to call it (kpt's cmddoc).

kpt runs the image with ``--help``; a wasm function is not run for this: its description and
usage come from the catalog's ``index.json`` entry (the function's metadata.yaml, copied by
the build) or the wasm's ``krm-function`` section. Stages: resolve → read the facts → print.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from runner.cli.registry_flags import pull_options_of
from runner.errors import WasmLoadError
from runner.registry.resolve import resolve_function
from runner.wasm.meta import inspect_wasm

__all__ = ["main"]


def main(args: argparse.Namespace) -> int:
    path = resolve_function(args.image, args.fn_path, pull_options_of(args))
    try:
        data = path.read_bytes()
    except OSError as error:
        raise WasmLoadError(f"{path}: cannot read: {error.strerror}") from None
    meta = inspect_wasm(data, str(path))
    entry = _index_entry(path)
    name = entry.get("name") or meta.name or path.name
    lines = [f"{name}: {entry.get('description') or '(no description: a third-party function)'}"]
    if entry.get("usage"):
        lines += ["", "Usage:", *(f"  {line}" for line in str(entry["usage"]).splitlines())]
    lines += [
        "",
        f"  file:      {path}",
        f"  kind:      {meta.kind.value}" + (f", {meta.lang}" if meta.lang else ""),
        f"  input:     {meta.input_format}",
    ]
    if meta.toolchain:
        lines.append(f"  toolchain: {meta.toolchain}")
    example = f"python -m runner fn eval PKG_DIR --image {args.image} -- KEY=VALUE"
    lines += ["", "Example:", f"  {example}"]
    print("\n".join(lines))
    sys.stdout.flush()
    return 0


def _index_entry(path: Path) -> dict[str, Any]:
    """The ``index.json`` entry next to the wasm file that names it, if any."""
    try:
        document = json.loads((path.parent / "index.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return {}
    for raw in document.get("functions", []) if isinstance(document, dict) else []:
        if isinstance(raw, dict) and raw.get("file") == path.name:
            return raw
    return {}
