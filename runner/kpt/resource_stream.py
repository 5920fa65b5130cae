"""Resources on a pipe: kpt's ``fn source`` / ``fn sink`` and ``eval -``'s output modes.

Mirrors kpt's cmdsource / cmdsink and cmdutil.WriteFnOutput: on a pipe, resources travel as one
ResourceList whose items carry their ``path``/``index`` annotations; ``-o unwrap`` is a plain
multi-document stream without them; a directory gets one file per path annotation (kyaml's
LocalPackageWriter), resources without one at ``[<namespace>/]<kind>_<name>.yaml``.
Items keep their text (comments, quoting) where the input had it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from runner.errors import InputError, PackageError
from runner.kpt.paths import inside_package
from runner.kpt.transaction import write_to_dir
from runner.krm import annotations as ann
from runner.krm import text as textio
from runner.krm.annotations import without_runner_annotations
from runner.krm.resource import annotations_of, default_path
from runner.pipeline.on_text import is_resource_list, stream_items
from runner.pipeline.run import Item

__all__ = [
    "as_resource_list",
    "package_plan",
    "read_items",
    "unwrapped",
    "write_new_package",
]


def read_items(text: str, source: str) -> list[Item]:
    """A ResourceList (YAML or JSON) or a multi-document stream of resources, as items."""
    if is_resource_list(text):
        parsed = textio.parse_resource_list(text, source)
        return [
            Item(value, doc)
            for value, doc in zip(parsed.value["items"], parsed.item_sources(), strict=True)
        ]
    return stream_items(text, source)[0]


def _text(item: Item, value: Mapping[str, Any]) -> str:
    return textio.edit(item.source, value) if item.source is not None else textio.render(value)


def as_resource_list(items: Sequence[Item], config: Mapping[str, Any] | None = None) -> str:
    """A YAML ResourceList of the items, annotations as they are (kpt's ``-o stdout``)."""
    return textio.resource_list_text([_text(item, item.value) for item in items], config)


def unwrapped(items: Sequence[Item]) -> str:
    """kpt's ``-o unwrap``: the items as a stream, the runner's annotations removed."""
    texts = [_text(item, without_runner_annotations(item.value)) for item in items]
    return textio.join(texts, "\n") if texts else ""


def package_plan(items: Sequence[Item]) -> dict[str, str | None]:
    """Each file of a new package: items grouped by path annotation, ordered by index."""
    files: dict[str, list[tuple[float, int, str]]] = {}
    for seq, item in enumerate(items):
        annotations = annotations_of(item.value)
        path = annotations.get(ann.PATH) or annotations.get(ann.LEGACY_PATH)
        raw_index = annotations.get(ann.INDEX) or annotations.get(ann.LEGACY_INDEX)
        where = f"item {seq}"
        try:
            relpath = inside_package(str(path)) if path else default_path(item.value)
        except ValueError as problem:
            raise InputError(f"{where}: path annotation: {problem}") from None
        try:
            index = float(int(str(raw_index))) if raw_index is not None else float("inf")
        except ValueError:
            raise InputError(f"{where}: index annotation {raw_index!r} is not a number") from None
        cleaned = without_runner_annotations(item.value)  # an emptied map goes, as in kyaml
        files.setdefault(relpath, []).append((index, seq, _text(item, cleaned)))
    return {
        relpath: textio.join([text for *_, text in sorted(entries)], "\n")
        for relpath, entries in files.items()
    }


def write_new_package(directory: Path, plan: Mapping[str, str | None]) -> None:
    """Write ``plan`` as a new package; ``directory`` must not exist or be empty (as kpt)."""
    if directory.is_dir() and not directory.is_symlink():
        if any(directory.iterdir()):
            raise PackageError(f"{directory}: directory is not empty (kpt fn sink needs a new one)")
        directory.rmdir()
    elif directory.exists() or directory.is_symlink():
        raise PackageError(f"{directory}: exists and is not a directory")
    write_to_dir(directory, plan)
