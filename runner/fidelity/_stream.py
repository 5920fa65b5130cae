"""Split a YAML stream into documents that keep their exact text, and join them back."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from ._bounds import MAX_NESTING, DuplicateKeyError, check_yaml_nesting
from ._gc import gc_paused
from ._model import Document, Style, YamlStream, YamlSyntaxError
from ._schema import FidelityLoader, construct_value

__all__ = [
    "compose_only",
    "compose_text",
    "detect_style",
    "join_documents",
    "load_yaml_document",
    "parse_yaml_stream",
    "split_lines",
]

# libyaml's line breaks; Python's str.splitlines knows more (\x0b, \x0c, ...) and would disagree
# with the parser's line numbers.
_LINE_RE = re.compile(
    r"[^\r\n\x85\u2028\u2029]*(?:\r\n|[\r\n\x85\u2028\u2029])|[^\r\n\x85\u2028\u2029]+"
)
_MARKER_END = frozenset(" \t\r\n")


def split_lines(text: str) -> list[str]:
    """Lines with their line breaks, split where libyaml counts a new line."""
    return _LINE_RE.findall(text)


def _is_marker(line: str, marker: str) -> bool:
    return line.startswith(marker) and (len(line) == 3 or line[3] in _MARKER_END)


def _is_content(line: str) -> bool:
    stripped = line.lstrip(" \t")
    return bool(stripped) and stripped[0] not in "#\r\n"


def _chunks(lines: list[str]) -> Iterator[tuple[int, int, bool]]:
    """(first line, end line, holds a document) for each piece between document boundaries.

    A document starts at its `---` or first directive line, or (first document, or after a
    `...`) at the first line after the previous piece; it ends before the next document's start
    or after its `...` line. libyaml treats these markers at column 0 as boundaries wherever they
    occur, so a line scan agrees with the parser.
    """
    start = 0
    has_doc = False
    in_directives = False
    for i, line in enumerate(lines):
        c = line[:1]
        if c == "-" and _is_marker(line, "---"):
            if has_doc and not in_directives:
                yield start, i, True
                start = i
            has_doc = True
            in_directives = False
        elif c == "%":
            if has_doc and not in_directives:
                yield start, i, True
                start = i
            has_doc = True
            in_directives = True
        elif c == "." and _is_marker(line, "..."):
            yield start, i + 1, has_doc
            start = i + 1
            has_doc = False
            in_directives = False
        elif not has_doc and _is_content(line):
            has_doc = True
    if start < len(lines):
        yield start, len(lines), has_doc


def compose_text(text: str) -> tuple[Node | None, Any]:
    """Compose and construct one document (no BOM): (node, value). Raises yaml.YAMLError."""
    check_yaml_nesting(text)
    loader = FidelityLoader(text)
    try:
        node = loader.get_single_node()
        shares = "*" in text and _ANCHOR.search(text) is not None
        if node is not None and shares:
            _check_alias_expansion(node)
        value = construct_value(loader, node, shares_nodes=shares)
    finally:
        loader.dispose()
    return node, value


# Aliases share nodes, but every consumer of the value (copies, JSON for the functions, diffs)
# walks it expanded: nine levels of nine aliases ("billion laughs") are 9**9 nodes from 1 KB,
# and a chain of aliases nests deeper than any one of them is written.
_MAX_EXPANDED_NODES = 2_000_000
_MAX_EXPANSION_RATIO = 10
_MAX_EXPANDED_DEPTH = 2 * MAX_NESTING
# An alias needs an anchor, and an anchor starts a token: a `*` in a cron line or a glob alone
# does not make the tree share nodes (the check walks every node).
_ANCHOR = re.compile(r"(?:^|[\s\[{,])&[^\s\[\]{},]", re.MULTILINE)


def _check_alias_expansion(root: Node) -> None:
    """Refuse a tree whose aliases expand it past 10x its written size (and 2,000,000 nodes),
    or make it contain itself (`a: &x [*x]`, which go-yaml refuses too): every walk of the
    value would never end."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()  # the nodes whose children are being sized: a cycle meets one
    distinct = 0
    # Post-order over distinct nodes, each with an iterator over its children.
    stack: list[tuple[Node, Iterator[Node]]] = [(root, _children(root))]
    on_path.add(id(root))
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is not None:
            if id(child) in on_path:
                raise yaml.composer.ComposerError(
                    None, None, "an anchor's value contains its own alias", child.start_mark
                )
            if id(child) not in size:
                on_path.add(id(child))
                stack.append((child, _children(child)))
            continue
        stack.pop()
        on_path.discard(id(node))
        distinct += 1
        kids = list(_children(node))
        total = 1 + sum(size[id(c)] for c in kids)
        limit = max(_MAX_EXPANDED_NODES, _MAX_EXPANSION_RATIO * distinct)
        if total > limit:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"aliases expand this node to more than {limit:,} nodes (an alias bomb?)",
                node.start_mark,
            )
        size[id(node)] = total
        levels = 1 + max((depth[id(c)] for c in kids), default=0)
        if levels > _MAX_EXPANDED_DEPTH:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"aliases nest this node more than {_MAX_EXPANDED_DEPTH} levels deep",
                node.start_mark,
            )
        depth[id(node)] = levels


def _children(node: Node) -> Iterator[Node]:
    if isinstance(node, MappingNode):
        return (n for pair in node.value for n in pair)
    if isinstance(node, SequenceNode):
        return iter(node.value)
    return iter(())


def compose_only(text: str) -> Node | None:
    """The node tree without constructing values (merge keys `<<` stay as written)."""
    check_yaml_nesting(text)
    loader = FidelityLoader(text)
    try:
        node: Node | None = loader.get_single_node()
    finally:
        loader.dispose()
    return node


def _is_empty_doc(lines: list[str]) -> bool:
    """Only a bare `---` and comments: what a trailing separator leaves behind."""
    for line in lines:
        if _is_marker(line, "---"):
            rest = line[3:].strip()
            if rest and not rest.startswith("#"):
                return False
        elif _is_content(line):
            return False
    return True


def parse_yaml_stream(text: str, source: str = "<stdin>") -> YamlStream:
    """Split a YAML file into Documents keeping every byte; values use go-yaml v3 typing.

    ''.join(d.text for d in documents) + trailer == text. A final document that holds only a
    `---` line and comments goes to the trailer; empty documents elsewhere stay (value None).

    Raises:
        YamlSyntaxError: the text is not valid YAML (names source, document, line, column).
    """
    with gc_paused():
        return _parse_yaml_stream(text, source)


def _parse_yaml_stream(text: str, source: str) -> YamlStream:
    lines = split_lines(text)
    docs: list[Document] = []
    trailer = ""
    pieces = list(_chunks(lines))
    for n, (first, end, has_doc) in enumerate(pieces):
        chunk_lines = lines[first:end]
        chunk = "".join(chunk_lines)
        last = n == len(pieces) - 1
        if not has_doc or (last and docs and _is_empty_doc(chunk_lines)):
            if last:
                trailer = chunk
                break
            # Comment-only text between documents: keep it in front of the next document.
            continue
        if not docs and pieces[0][0] != first:
            # Leading comment-only pieces (after a `...` at the top) belong to this document.
            chunk = "".join(lines[0:end])
            first = 0
        elif docs and n > 0 and not pieces[n - 1][2]:
            prev_first = pieces[n - 1][0]
            chunk = "".join(lines[prev_first:end])
            first = prev_first
        if _is_bare_marker(chunk):  # `---` alone: nothing to compose (a loader each is 7 µs)
            docs.append(Document(chunk, None, len(docs), first + 1, None))
            continue
        bom = chunk.startswith("\ufeff")
        try:
            node, value = compose_text(chunk[1:] if bom else chunk)
        except yaml.YAMLError as err:
            raise _located(err, source, len(docs), first) from err
        docs.append(Document(chunk, value, len(docs), first + 1, node))
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    return YamlStream(docs, trailer, newline)


def _is_bare_marker(chunk: str) -> bool:
    return chunk in ("---\n", "---\r\n", "---")


def _located(err: yaml.YAMLError, source: str, index: int, first: int) -> YamlSyntaxError:
    """The error of document `index`, whose text starts at 0-based line `first` of source."""
    if not isinstance(err, yaml.MarkedYAMLError):
        return YamlSyntaxError(source, index, first + 1, 1, str(err))
    mark = err.problem_mark or err.context_mark
    line = first + (mark.line if mark else 0) + 1
    column = (mark.column if mark else 0) + 1
    problem = _problem(err)
    if isinstance(err, DuplicateKeyError):
        problem += f" (first at line {first + err.first_line + 1})"
    return YamlSyntaxError(source, index, line, column, problem)


def _problem(err: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (err.context, err.problem) if p]
    problem = ", ".join(parts) if parts else type(err).__name__
    if "exceeded maximum nesting depth" in problem:  # libyaml's bound, set by _bounds
        problem += f" of {MAX_NESTING} levels"
    return problem


def load_yaml_document(text: str, source: str) -> Any:
    """One document's value (go-yaml v3 typing), with the stream's bounds and located errors.

    Raises:
        YamlSyntaxError: invalid YAML, more than one document, too deep, a duplicate key or an
            alias bomb (names source, line, column).
    """
    text = text.removeprefix("\ufeff")
    try:
        with gc_paused():
            return compose_text(text)[1]
    except yaml.YAMLError as err:
        raise _located(err, source, 0, 0) from err


def detect_style(nodes: Iterator[Node | None] | Sequence[Node | None]) -> Style:
    """The most common mapping indent and sequence offset in block collections (kyaml defaults)."""
    indents: Counter[int] = Counter()
    seq: Counter[int] = Counter()
    budget = [5000]
    for node in nodes:
        if node is not None:
            _collect(node, indents, seq, budget, set())
    indent = indents.most_common(1)[0][0] if indents else 2
    sequence_indent = seq.most_common(1)[0][0] if seq else 0
    return Style(indent if indent > 0 else 2, max(sequence_indent, 0))


def _collect(
    node: Node, indents: Counter[int], seq: Counter[int], budget: list[int], seen: set[int]
) -> None:
    if id(node) in seen or budget[0] <= 0:
        return
    seen.add(id(node))
    budget[0] -= 1
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(value, MappingNode) and not value.flow_style and value.value:
                child = value.value[0][0]
                if child.start_mark.line > key.start_mark.line:
                    indents[child.start_mark.column - key.start_mark.column] += 1
            elif (
                isinstance(value, SequenceNode)
                and not value.flow_style
                and value.value
                and value.start_mark.line > key.start_mark.line
            ):
                seq[value.start_mark.column - key.start_mark.column] += 1
            _collect(value, indents, seq, budget, seen)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            _collect(item, indents, seq, budget, seen)


def join_documents(texts: Sequence[str], newline: str = "\n") -> str:
    """Concatenate document texts into a stream, adding `---` where a document has no separator.

    Append YamlStream.trailer yourself to restore a file exactly.
    """
    out: list[str] = []
    for i, text in enumerate(texts):
        if i > 0:
            if out and not out[-1].endswith(("\n", "\r")):
                out.append(newline)
            if not _starts_with_separator(text):
                out.append("---" + newline)
        out.append(text)
    return "".join(out)


def _starts_with_separator(text: str) -> bool:
    for line in split_lines(text):
        if _is_content(line):
            return line.startswith("%") or _is_marker(line, "---")
        if _is_marker(line, "---") or line.startswith("%"):
            return True
    return False
