"""``eval --save --type mutator|validator``: the function just run, written into the Kptfile.

Mirrors kpt's EvalFnRunner.SaveFnToKptfile: an entry with the same ``image`` (or ``exec``) is
replaced, otherwise the entry is appended to ``pipeline.mutators`` / ``pipeline.validators``;
``--fn-config`` becomes ``configPath`` (relative to the package, so it must be inside it),
``-- k=v`` a ``configMap``. Unlike kpt (which re-marshals and copies comments back) the
Kptfile is edited minimally: every other line, comment and quote stays as it was.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from runner.errors import UsageError
from runner.kpt.package import KPTFILE
from runner.kpt.transaction import write_atomically
from runner.krm import text as textio
from runner.pipeline.selectors import Selector

__all__ = ["function_entry", "save_function"]


def _selector_value(selector: Selector) -> dict[str, Any]:
    fields = {
        "apiVersion": selector.api_version,
        "kind": selector.kind,
        "name": selector.name,
        "namespace": selector.namespace,
        "labels": dict(selector.labels),
        "annotations": dict(selector.annotations),
    }
    return {key: value for key, value in fields.items() if value}


def _kptfile_image(image: str) -> str:
    """The command line's ``NAME@LANG`` as the image reference a Kptfile takes, ``NAME:LANG``."""
    reference, at, lang = image.partition("@")
    if not at or lang.startswith("sha256:"):
        return image
    if ":" in reference.rsplit("/", 1)[-1]:
        raise UsageError(
            f"--save: {image!r} names both a tag and a language, which no image reference a "
            "Kptfile accepts can say; save it with one of them"
        )
    return f"{reference}:{lang}"


def function_entry(
    root: Path,
    *,
    image: str | None,
    exec_path: str | None,
    fn_config: Path | None,
    config_map: Mapping[str, str],
    selectors: Sequence[Selector],
    exclude: Sequence[Selector],
) -> dict[str, Any]:
    """The Kptfile pipeline entry for what eval ran (kpt's EvalFnRunner.NewFunction)."""
    if image is not None:
        image = _kptfile_image(image)
    entry: dict[str, Any] = {"image": image} if image is not None else {"exec": exec_path}
    if selectors:
        entry["selectors"] = [_selector_value(s) for s in selectors]
    if exclude:
        entry["exclude"] = [_selector_value(s) for s in exclude]
    if fn_config is not None:
        relative = os.path.relpath(fn_config.resolve(), root.resolve())
        if relative.startswith(".."):
            raise UsageError(f"--fn-config must be under {root} if saving functions to Kptfile")
        entry["configPath"] = Path(relative).as_posix()
    elif config_map:
        entry["configMap"] = dict(config_map)
    return entry


def save_function(root: Path, entry: Mapping[str, Any], fn_type: str) -> str:
    """Add or replace ``entry`` in the Kptfile; returns kpt's one-line message."""
    path = root / KPTFILE
    if not path.is_file():
        return "function not added: Kptfile not exists"
    stream = textio.read_file(path, KPTFILE)
    documents = [doc for doc in stream.documents if doc.value is not None]
    if len(documents) != 1 or not isinstance(documents[0].value, dict):
        return f"function not added: {path} is not one Kptfile document"
    document = documents[0]
    value = textio.copy_value(document.value)
    pipeline = value.get("pipeline")
    if not isinstance(pipeline, dict):
        pipeline = value["pipeline"] = {}
    key = "mutators" if fn_type == "mutator" else "validators"
    functions = pipeline.get(key)
    if not isinstance(functions, list):
        functions = pipeline[key] = []
    what = entry.get("image") or entry.get("exec")
    verb = "Added"
    for position, existing in enumerate(functions):
        if isinstance(existing, dict) and any(
            existing.get(field) is not None and existing.get(field) == entry.get(field)
            for field in ("image", "exec")
        ):
            functions[position] = dict(entry)
            verb = "Updated"
            break
    else:
        functions.append(dict(entry))
    texts = [textio.edit(doc, value) if doc is document else doc.text for doc in stream.documents]
    write_atomically(root, {KPTFILE: "".join(texts) + stream.trailer})
    return f'{verb} "{what}" as {fn_type} in the Kptfile.'
