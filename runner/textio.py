"""The one place the runner turns text into values and back (backed by ``runner.fidelity``)."""

from __future__ import annotations

from typing import Any

import yaml

from runner.errors import InputError

__all__ = ["Source", "load_value", "render", "resource_list_text", "with_value"]

Source = Any  # a fidelity Document: the text a value was read from


def load_value(text: str) -> Any:
    return yaml.load(text, Loader=yaml.CSafeLoader)


def render(value: Any) -> str:
    return yaml.dump(value, Dumper=yaml.CSafeDumper, sort_keys=False)


def with_value(source: Source, value: Any) -> str:
    return render(value)


def resource_list_text(item_texts: list[str], config: dict[str, Any] | None) -> str:
    items = [load_value(text) for text in item_texts]
    value: dict[str, Any] = {
        "apiVersion": "config.kubernetes.io/v1",
        "kind": "ResourceList",
        "items": items,
    }
    if config is not None:
        value["functionConfig"] = config
    return render(value)


class ParsedResourceList:
    """A ResourceList read from text, remembering that text so the output can keep its form."""

    def __init__(
        self, value: dict[str, Any], fmt: str, item_sources: list[Source | None], original: Any
    ) -> None:
        self.value = value
        self.format = fmt
        self.item_sources = item_sources
        self.original = original


def parse_resource_list(text: str, source: str) -> ParsedResourceList:
    import json

    from runner.resourcelist import check_resource_list, detect_format

    fmt = detect_format(text)
    try:
        value = json.loads(text) if fmt == "json" else load_value(text)
    except ValueError as error:
        raise InputError(f"{source}: not valid {fmt.upper()}: {error}") from None
    value = check_resource_list(value, source)
    return ParsedResourceList(value, fmt, [None] * len(value["items"]), text)


def render_resource_list(parsed: ParsedResourceList, value: dict[str, Any], fmt: str) -> str:
    import json

    if fmt == "json":
        return json.dumps(value, indent=2, ensure_ascii=False) + "\n"
    return render(value)


def parse_stream(text: str, source: str) -> Any:
    raise NotImplementedError


def join(texts: list[str], newline: str) -> str:
    raise NotImplementedError
