"""The data the fidelity library hands out: documents with their source text, and errors."""

from __future__ import annotations

from functools import cached_property
from typing import Any, NamedTuple

__all__ = ["Document", "Style", "YamlStream", "YamlSyntaxError", "copy_value"]


class YamlSyntaxError(ValueError):
    """Invalid YAML, located: source name, document index (0-based), line and column (1-based)."""

    def __init__(
        self, source: str, document_index: int, line: int, column: int, message: str
    ) -> None:
        self.source = source
        self.document_index = document_index
        self.line = line
        self.column = column
        self.message = message
        super().__init__(
            f"{source}:{line}:{column}: document {document_index}: invalid YAML: {message}"
        )


class Style(NamedTuple):
    """How a user indents: mapping indent, and where `- ` sits under a key.

    sequence_indent is the column of `- ` relative to the parent key: 0 is kyaml's compact
    style (`key:\\n- a`), 2 is the indented style (`key:\\n  - a`).
    """

    indent: int = 2
    sequence_indent: int = 0


class Document:
    """One YAML document: its exact source text and its value (go-yaml v3 typing).

    text holds the document's leading separator line, directives and leading comments, its
    content and trailing comments; joining every document's text plus the stream trailer gives
    back the file. index is the position in the stream, line the 1-based line where text starts.
    """

    __slots__ = ("_node", "_value", "index", "line", "original_value", "text")

    def __init__(
        self, text: str, original_value: Any, index: int = 0, line: int = 1, node: Any = None
    ) -> None:
        self.text = text
        # The value the text holds: edits are diffed against it, so nothing may change it.
        self.original_value = original_value
        self.index = index
        self.line = line
        # The composed PyYAML node of text (minus any BOM), kept so edits do not parse twice.
        self._node = node
        self._value: Any = _UNSET

    @property
    def value(self) -> Any:
        """The callers' copy of the value (made on first use): they may change it in place."""
        if self._value is _UNSET:
            self._value = copy_value(self.original_value)
        return self._value

    def __repr__(self) -> str:
        return f"Document(index={self.index}, line={self.line}, text={self.text[:40]!r})"


_UNSET: Any = object()


def copy_value(value: Any) -> Any:
    """A copy of a JSON-like value's dicts and lists (scalars are immutable and shared)."""
    if isinstance(value, dict):
        return {k: copy_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_value(v) for v in value]
    return value


class YamlStream:
    """A parsed YAML file: documents, the text after the last one, newline and indent style."""

    def __init__(self, documents: list[Document], trailer: str = "", newline: str = "\n") -> None:
        self.documents = documents
        self.trailer = trailer
        self.newline = newline

    @cached_property
    def style(self) -> Style:
        """How the file indents (its first 20 documents), for new content written into it."""
        from ._stream import detect_style  # _stream builds streams: imported when first asked

        return detect_style(doc._node for doc in self.documents[:20])

    @property
    def text(self) -> str:
        """The file's text as read (the invariant: documents' texts, then the trailer)."""
        return "".join(doc.text for doc in self.documents) + self.trailer
