"""The one place the runner turns text into values and back, through ``runner.fidelity``.

Values travel through functions; the text they were read from travels beside them (a fidelity
``Document``), so that what comes out is the user's text wherever no function changed a value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from runner import fidelity
from runner.errors import InputError
from runner.krm.resourcelist import check_resource_list, detect_format

__all__ = [
    "ParsedResourceList",
    "Source",
    "join",
    "load_value",
    "parse_resource_list",
    "parse_stream",
    "render",
    "render_resource_list",
    "resource_list_text",
    "with_value",
]

Source = fidelity.Document


def load_value(text: str) -> Any:
    """One YAML (or JSON) document's value, typed as kpt's go-yaml v3 types it."""
    return fidelity.load_yaml_value(text)


def render(value: Any) -> str:
    """A new document's text, in kpt's style."""
    return fidelity.render_document(value)


def with_value(source: Source, value: Any) -> str:
    """``source``'s text edited to hold ``value``: the same text when the value is the same."""
    return fidelity.update_document(source, value)


def resource_list_text(item_texts: list[str], config: dict[str, Any] | None) -> str:
    """A YAML ResourceList whose items keep their comments (for functions that read them)."""
    config_text = None if config is None else render(config)
    return fidelity.resource_list_yaml(item_texts, config_text)


def parse_stream(text: str, source: str) -> fidelity.YamlStream:
    try:
        return fidelity.parse_yaml_stream(text, source)
    except fidelity.YamlSyntaxError as error:
        raise InputError(str(error)) from None


def join(texts: list[str], newline: str) -> str:
    return fidelity.join_documents(texts, newline)


@dataclass
class ParsedResourceList:
    """A ResourceList read from text, remembering that text so the output can keep its form."""

    value: dict[str, Any]
    format: str  # "json" | "yaml"
    item_sources: list[Source | None]
    yaml_stream: fidelity.YamlStream | None = None
    yaml_document: fidelity.Document | None = None
    json_original: fidelity.JsonResourceList | None = None


def parse_resource_list(text: str, source: str) -> ParsedResourceList:
    """Parse a JSON or YAML ResourceList, keeping each item's text for comment fidelity."""
    if detect_format(text) == "json":
        try:
            original = fidelity.parse_json_resource_list(text)
        except ValueError as error:
            raise InputError(f"{source}: not valid JSON: {error}") from None
        value = check_resource_list(original.value, source)
        return ParsedResourceList(
            value, "json", [None] * len(value["items"]), json_original=original
        )
    stream = parse_stream(text, source)
    documents = [doc for doc in stream.documents if doc.value is not None]
    if len(documents) != 1:
        raise InputError(f"{source}: expected one ResourceList document, got {len(documents)}")
    [document] = documents
    value = check_resource_list(document.value, source)
    sources: list[Source | None] = [None] * len(value["items"])
    if (split := fidelity.split_resource_list_items(document)) is not None:
        sources = list(split)
    return ParsedResourceList(value, "yaml", sources, stream, document)


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
        fidelity.update_document(doc, value) if doc is parsed.yaml_document else doc.text
        for doc in parsed.yaml_stream.documents
    ]
    return "".join(texts) + parsed.yaml_stream.trailer
