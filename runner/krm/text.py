"""The one place the runner turns text into values and back, through ``runner.fidelity``.

Values travel through functions; the text they were read from travels beside them (a fidelity
``Document``), so that what comes out is the user's text wherever no function changed a value.
Every error here names the source, document and line.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from runner import fidelity
from runner.errors import InputError, PackageError
from runner.fidelity import Document, Style, YamlStream, copy_value, written_texts
from runner.krm.resourcelist import API_VERSION, check_resource_list, detect_format

__all__ = [
    "MAX_FILE_BYTES",
    "Document",
    "ParsedResourceList",
    "Style",
    "YamlStream",
    "config_as_written",
    "copy_value",
    "edit",
    "join",
    "load_value",
    "parse_resource_list",
    "parse_stream",
    "read_bounded",
    "read_file",
    "render",
    "render_resource_list",
    "resource_list_text",
    "written_texts",
]


MAX_FILE_BYTES = 256 << 20  # no YAML file a person writes comes near; a bound for /dev/zero


def parse_stream(text: str, source: str) -> YamlStream:
    """A YAML stream's documents; a syntax error is an InputError naming source, line, document."""
    try:
        return fidelity.parse_yaml_stream(text, source)
    except fidelity.YamlSyntaxError as error:
        raise InputError(str(error)) from None


def read_file(path: Path, name: str) -> YamlStream:
    """Read and parse one YAML file; ``name`` is how messages call it (a package-relative path).

    Only a regular file of at most MAX_FILE_BYTES is read (a FIFO or device would hang or never
    end).

    Raises:
        PackageError: the file cannot be read, is not a regular file, or is too large.
        InputError: the file is not UTF-8 or not valid YAML.
    """
    data = read_bounded(path, name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{name}: not UTF-8 text (byte {error.start})") from None
    return parse_stream(text, name)


def read_bounded(path: Path, name: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes, at most ``limit`` of them (PackageError otherwise)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not block the open
    except OSError as error:
        raise PackageError(f"{name}: cannot read: {error.strerror or error}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):  # checked on the fd: fdopen refuses a directory itself
        os.close(fd)
        raise PackageError(f"{name}: not a regular file")
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > limit:
            raise PackageError(f"{name}: {info.st_size} bytes, more than the {limit} read")
        try:
            # read(limit + 1) would allocate (and map) a buffer of the limit for every file.
            data = handle.read(info.st_size + 1)
            if len(data) > info.st_size:  # it grew since the stat: read on, to the bound
                data += handle.read(limit + 1 - len(data))
        except OSError as error:
            raise PackageError(f"{name}: cannot read: {error.strerror or error}") from None
    if len(data) > limit:
        raise PackageError(f"{name}: more than the {limit} bytes read")
    return data


def load_value(text: str, source: str) -> Any:
    """One YAML (or JSON) document's value, typed as kpt's go-yaml v3 types it.

    Raises:
        ValueError: invalid, too deep, a duplicate key, an alias bomb (names source and line).
    """
    if detect_format(text) == "json":
        try:
            return fidelity.load_json(text)
        except ValueError as error:  # the syntax (with its line), a duplicate key, NaN
            raise ValueError(f"{source}: not valid JSON: {error}") from None
    return fidelity.load_yaml_document(text, source)


def render(value: Mapping[str, Any], style: Style | None = None, newline: str = "\n") -> str:
    """A new document's text, in kpt's style (or the file's ``style``)."""
    return fidelity.render_document(dict(value), style, newline)


def edit(document: Document, value: Any, style: Style | None = None) -> str:
    """``document``'s text edited to hold ``value``: the same text when the value is the same.

    The one safety rule is fidelity's own: an edit it does not trust is read back, and one that
    does not read back as ``value`` becomes a fresh rendering (the document loses its comments,
    never its content).
    """
    return fidelity.update_document(document, value, style)


def join(texts: Sequence[str], newline: str) -> str:
    """Documents joined into one stream, ``---`` between them."""
    texts = list(texts)
    # A document that moved to the top keeps its `---` line; at the top it is noise.
    if texts and texts[0].startswith(("---\n", "---\r\n")):
        texts[0] = texts[0].split("\n", 1)[1]
    return fidelity.join_documents(texts, newline)


def resource_list_text(item_texts: Sequence[str], config: Mapping[str, Any] | None) -> str:
    """A YAML ResourceList whose items keep their comments (for functions that read them)."""
    config_text = None if config is None else render(config)
    return fidelity.resource_list_yaml(list(item_texts), config_text, api_version=API_VERSION)


class ParsedResourceList(NamedTuple):
    """A ResourceList read from text, remembering that text so the output can keep its form."""

    value: dict[str, Any]
    format: str  # "json" | "yaml"
    yaml_stream: YamlStream | None = None
    yaml_document: Document | None = None
    json_original: fidelity.JsonResourceList | None = None

    def item_sources(self) -> list[Document | None]:
        """Each item's own text, for functions that read comments and for writing items out.

        Cut from the document when asked (22 ms per 1,000 items): a pipeline of JSON
        functions whose output is the edited ResourceList never needs them.
        """
        if self.yaml_document is None:
            return [None] * len(self.value["items"])
        split = fidelity.split_resource_list_items(self.yaml_document)
        return list(split) if split is not None else [None] * len(self.value["items"])


def parse_resource_list(text: str, source: str) -> ParsedResourceList:
    """Parse a JSON or YAML ResourceList (its items' texts are cut out on demand)."""
    with fidelity.gc_paused():  # one collection afterwards, not one per stage of the parse
        return _parse_resource_list(text, source)


def _parse_resource_list(text: str, source: str) -> ParsedResourceList:
    if detect_format(text) == "json":
        try:
            original = fidelity.parse_json_resource_list(text)
        except ValueError as error:
            raise InputError(f"{source}: not valid JSON: {error}") from None
        value = check_resource_list(original.value, source)
        return ParsedResourceList(value, "json", json_original=original)
    stream = parse_stream(text, source)
    documents = [doc for doc in stream.documents if doc.value is not None]
    if len(documents) != 1:
        raise InputError(f"{source}: expected one ResourceList document, got {len(documents)}")
    [document] = documents
    value = check_resource_list(document.value, source)
    return ParsedResourceList(value, "yaml", stream, document)


def render_resource_list(parsed: ParsedResourceList, value: dict[str, Any], fmt: str) -> str:
    """The output ResourceList: the input's own text edited where values changed."""
    if fmt == "json":
        if parsed.json_original is not None:
            return fidelity.render_json_resource_list(parsed.json_original, value)
        return json.dumps(value, indent=2, ensure_ascii=False) + "\n"
    if parsed.yaml_stream is None or parsed.yaml_document is None:
        return render(value)
    # Every other document of the input (empty ones, comments) stays as it was.
    texts = [
        edit(doc, value, parsed.yaml_stream.style) if doc is parsed.yaml_document else doc.text
        for doc in parsed.yaml_stream.documents
    ]
    return "".join(texts) + parsed.yaml_stream.trailer


def config_as_written(
    value: dict[str, Any], doc: Document | None, path: Sequence[str] = ()
) -> dict[str, Any]:
    """A ConfigMap functionConfig with its ``data`` values as written: ``1.10``, not 1.1.

    kpt hands a function the config's YAML text, and a function reads a ConfigMap's data as
    ``map[string]string`` (so ``tag: 1.10`` is "1.10"); a JSON function would get the number.
    ``doc`` holds the config at ``path``; a value that no longer matches it is left as it is.
    """
    data = value.get("data")
    if (
        doc is None
        or value.get("kind") != "ConfigMap"
        or not isinstance(data, dict)
        or all(isinstance(item, str | dict | list) or item is None for item in data.values())
    ):
        return value
    original: Any = doc.original_value
    for key in (*path, "data"):
        original = original.get(key) if isinstance(original, dict) else None
    if not fidelity.same_value(original, data):
        return value  # changed since it was read (a function rewrote it): its text is not it
    texts = written_texts(doc, (*path, "data"))
    if not isinstance(texts, dict):
        return value
    written = {
        key: texts[key]
        if isinstance(key, str) and isinstance(texts.get(key), str) and _typed_scalar(item)
        else item
        for key, item in data.items()
    }
    return {**value, "data": written}


def _typed_scalar(value: Any) -> bool:
    return isinstance(value, bool | int | float)
