"""JSON ResourceLists that keep their text: key order, number spelling, unchanged items."""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

from ._bounds import load_json, refuse_constant, unique_pairs
from ._schema import canonical_key, same_value

__all__ = [
    "JsonNumber",
    "JsonResourceList",
    "parse_json_resource_list",
    "render_json_resource_list",
]


class JsonNumber(float):
    """A JSON float that remembers how it was written (`1.0`, `1e3`)."""

    text: str

    def __new__(cls, text: str) -> JsonNumber:
        obj = super().__new__(cls, text)
        obj.text = text
        return obj


class JsonResourceList(NamedTuple):
    """A parsed JSON document: its value, the text span of each `items` element, its layout."""

    text: str
    value: Any
    item_spans: list[tuple[int, int]]
    indent: int | None
    compact: bool


_DECODER = json.JSONDecoder(
    parse_float=JsonNumber, object_pairs_hook=unique_pairs, parse_constant=refuse_constant
)
_WS = re.compile(r"[ \t\r\n]*")


def parse_json_resource_list(text: str) -> JsonResourceList:
    """Parse JSON keeping number text; records each top-level `items` element's span.

    Raises:
        ValueError: invalid JSON, too deep or a duplicate key (json.JSONDecodeError names line
            and column).
    """
    value = load_json(text, _DECODER)
    spans: list[tuple[int, int]] = []
    if isinstance(value, dict) and isinstance(value.get("items"), list):
        spans = _item_spans(text)
    m = re.search(r"\n([ \t]+)\S", text)
    indent = len(m.group(1).expandtabs(8)) if m else None
    compact = m is None and '": ' not in text
    return JsonResourceList(text, value, spans, indent, compact)


def _skip(text: str, pos: int) -> int:
    m = _WS.match(text, pos)
    return m.end() if m else pos


def _item_spans(text: str) -> list[tuple[int, int]]:
    pos = _skip(text, 0)
    if text[pos] != "{":
        return []
    pos = _skip(text, pos + 1)
    spans: list[tuple[int, int]] = []
    while pos < len(text) and text[pos] != "}":
        key, pos = json.decoder.scanstring(text, pos + 1)  # type: ignore[attr-defined]
        pos = _skip(text, pos)
        pos = _skip(text, pos + 1)  # ':'
        if key == "items" and text[pos] == "[":
            spans = []
            pos = _skip(text, pos + 1)
            while text[pos] != "]":
                _, end = _DECODER.raw_decode(text, pos)
                spans.append((pos, end))
                pos = _skip(text, end)
                if text[pos] == ",":
                    pos = _skip(text, pos + 1)
            pos += 1
        else:
            _, pos = _DECODER.raw_decode(text, pos)
        pos = _skip(text, pos)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
    return spans


def render_json_resource_list(original: JsonResourceList, new_value: Any) -> str:
    """JSON text for new_value in the original's layout.

    The original text if nothing changed. Otherwise re-serialised with the original indent;
    items equal to an original item keep that item's exact text, and numbers equal to the
    original number at the same place keep their spelling.
    """
    if same_value(original.value, new_value):
        return original.text
    old_items: list[Any] = []
    if isinstance(original.value, dict) and isinstance(original.value.get("items"), list):
        old_items = original.value["items"]
    spans: dict[str, str] = {}
    for item, (a, b) in zip(old_items, original.item_spans, strict=False):
        spans.setdefault(canonical_key(item), original.text[a:b])
    w = _Writer(original.indent, original.compact)
    out = w.emit(new_value, original.value, 0, spans)
    trailing = original.text[len(original.text.rstrip()) :]
    return out + trailing


class _Writer:
    def __init__(self, indent: int | None, compact: bool) -> None:
        self.indent = indent
        self.sep = (",", ":") if compact else (",", ": ")
        if indent is None and not compact:
            self.sep = (", ", ": ")

    def emit(self, value: Any, old: Any, level: int, spans: dict[str, str] | None) -> str:
        if isinstance(value, dict):
            if not value:
                return "{}"
            parts = []
            for k, v in value.items():
                o = old.get(k) if isinstance(old, dict) else None
                sub = spans if (level == 0 and k == "items") else None
                parts.append(
                    json.dumps(k, ensure_ascii=False)
                    + self.sep[1]
                    + self.emit(v, o, level + 1, sub)
                )
            return self.wrap("{", "}", parts, level)
        if isinstance(value, list):
            if not value:
                return "[]"
            parts = []
            for i, v in enumerate(value):
                o = old[i] if isinstance(old, list) and i < len(old) else None
                if spans is not None:
                    kept = spans.get(canonical_key(v))
                    if kept is not None:
                        parts.append(kept)
                        continue
                parts.append(self.emit(v, o, level + 1, None))
            return self.wrap("[", "]", parts, level)
        if isinstance(value, JsonNumber):
            return value.text
        if (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and isinstance(old, JsonNumber)
            and same_value(old, value)
        ):
            return old.text
        return json.dumps(value, ensure_ascii=False, allow_nan=False)

    def wrap(self, open_: str, close: str, parts: list[str], level: int) -> str:
        if self.indent is None:
            return open_ + self.sep[0].join(parts) + close
        pad = "\n" + " " * (self.indent * (level + 1))
        end = "\n" + " " * (self.indent * level)
        return open_ + pad + ("," + pad).join(parts) + end + close
