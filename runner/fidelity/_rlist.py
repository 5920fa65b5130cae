"""YAML ResourceLists composed from (and split into) document texts, comments included."""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from ._emit import render_document
from ._gc import gc_paused
from ._model import Document
from ._schema import load_yaml_value, same_value
from ._stream import compose_text, split_lines

__all__ = ["resource_list_yaml", "split_resource_list_items"]


def _body_lines(text: str) -> list[str] | None:
    """The document's lines without BOM, `---`/`...` markers and directives; None if unsafe."""
    text = text.removeprefix("\ufeff")
    out: list[str] = []
    for line in split_lines(text):
        if line.startswith("%"):
            if not line.startswith("%YAML"):
                return None  # %TAG handles would be lost
            continue
        if line.startswith(("---", "...")) and (len(line) == 3 or line[3] in " \t\r\n"):
            if line[3:].strip() and not line[3:].strip().startswith("#"):
                return None  # content on the marker line
            continue
        out.append(line.rstrip("\r\n\x85\u2028\u2029"))
    return out


def _indented(text: str, first: str, rest: str) -> list[str]:
    lines = _body_lines(text)
    has_content = lines is not None and any(
        x.strip() and not x.lstrip().startswith("#") for x in lines
    )
    if lines is None or not has_content:
        lines = render_document(load_yaml_value(text)).splitlines()
    out: list[str] = []
    seen = False
    for line in lines:
        if not line.strip():
            out.append("")
        elif not seen and line.lstrip().startswith("#"):
            out.append(rest + line.lstrip())
        elif not seen:
            seen = True
            out.append(first + line)
        else:
            out.append(rest + line)
    return out


def resource_list_yaml(
    item_texts: list[str] | tuple[str, ...],
    function_config_text: str | None,
    *,
    api_version: str,
) -> str:
    """A YAML ResourceList whose items are the given document texts, comments kept.

    Each text loses its document markers and directives and is indented as a `- ` entry under
    `items:`; the function config goes under `functionConfig:`. Reading the result gives the
    documents' values.
    """
    out = [f"apiVersion: {api_version}", "kind: ResourceList"]
    if item_texts:
        out.append("items:")
        for text in item_texts:
            out.extend(_indented(text, "- ", "  "))
    else:
        out.append("items: []")
    if function_config_text is not None and load_yaml_value(function_config_text) is not None:
        out.append("functionConfig:")
        out.extend(_indented(function_config_text, "  ", "  "))
    return "\n".join(out) + "\n"


def split_resource_list_items(rl_doc: Document) -> list[Document] | None:
    """Each item of a YAML ResourceList document as a standalone Document (text dedented).

    None when the items cannot be cut out safely: flow style, aliases, items sharing lines,
    or a cut-out text that does not read back as the item's value.
    """
    with gc_paused():
        return _split_resource_list_items(rl_doc)


def _split_resource_list_items(rl_doc: Document) -> list[Document] | None:
    value = rl_doc.original_value
    if not isinstance(value, dict) or not isinstance(value.get("items"), list):
        return None
    text = rl_doc.text.removeprefix("\ufeff")
    node = rl_doc._node
    try:
        if node is None:
            node, _ = compose_text(text)
    except yaml.YAMLError:
        return None
    if not isinstance(node, MappingNode) or node.flow_style or "<<" in text:
        return None
    seq: Node | None = None
    for k, v in node.value:
        if k.value == "items":
            seq = v
    if not isinstance(seq, SequenceNode) or seq.flow_style:
        return None
    items: list[Any] = value["items"]
    if len(seq.value) != len(items) or not items:
        return [] if not items and not seq.value else None
    lines = split_lines(text)
    docs: list[Document] = []
    items_key = next(k for k, v in node.value if v is seq)
    prev_end = items_key.end_mark.line + 1
    # One search of all the items' lines finds every line that could be risky after a cut.
    first = sum(map(len, lines[:prev_end]))
    last = first + sum(map(len, lines[prev_end : _end_of_items(lines, node, seq)]))
    risky = _MAYBE_RISKY.search(text, first, last) is not None
    for i, item in enumerate(seq.value):
        if not isinstance(item, MappingNode) or item.flow_style or not item.value:
            return None
        line, col = item.start_mark.line, item.start_mark.column
        if line < prev_end or (
            lines[line][:col].strip() != "-" * 1 and not lines[line][:col].rstrip().endswith("-")
        ):
            return None
        if i + 1 < len(seq.value):
            nxt = seq.value[i + 1]
            end = nxt.start_mark.line
            # Comments above the next dash (blank lines between them too) lead the next item.
            while end - 1 > line and (not lines[end - 1].strip() or _is_comment(lines[end - 1])):
                end -= 1
        else:
            end = _end_of_items(lines, node, seq)
        start = prev_end
        while start < line and not lines[start].strip():
            start += 1
        chunk = _dedented(lines, start, end, line, col)
        if chunk is None:
            return None
        item_text = "".join(chunk)
        if risky and _RISKY.search(item_text):
            # A tab in a blank line, or a `---`/`...`/`%` line at column 0 after the cut:
            # only reading it back tells whether the cut kept the value.
            try:
                if not same_value(load_yaml_value(item_text), items[i]):
                    return None
            except yaml.YAMLError:
                return None
        # The value is the tree's (the text is cut where the tree says the item is), shared
        # with the RL document's original, which nothing changes.
        docs.append(Document(item_text, items[i], i, rl_doc.line + start))
        prev_end = end
    return docs


def _dedented(lines: list[str], start: int, end: int, line: int, col: int) -> list[str] | None:
    """Lines start..end moved left by col (the item's `- ` becomes spaces); None if impossible.

    Content at less than col spaces cannot be moved (a flow continuation libyaml allows); a
    comment there is re-indented, a blank line keeps what it has past col.
    """
    pad = " " * col
    out: list[str] = []
    for j in range(start, end):
        s = lines[j]
        if j == line:
            s = pad + s[col:]
        if s.startswith(pad):
            out.append(s[col:])
        elif not s.strip():
            out.append(s.lstrip(" "))
        elif s.lstrip(" \t")[:1] == "#":
            out.append(s.lstrip(" \t"))
        else:
            return None
    return out


# After the cut, a line at column 0 that libyaml reads as a document marker or directive, a
# blank line with a tab (block scalar content?), or a line break split_lines and `^` disagree on.
_RISKY = re.compile(
    r"^(?:%|(?:---|\.\.\.)(?=[ \t\r\n]|\Z)|[ \t]*\t[ \t]*\r?$)|\r(?!\n)|[\x85\u2028\u2029]", re.M
)


# _RISKY before the cut: any indentation (and a dash) in front of a marker.
_MAYBE_RISKY = re.compile(
    r"^(?:[ \t-]*(?:%|(?:---|\.\.\.)(?=[ \t\r\n]|\Z))|[ \t]*\t[ \t]*\r?$)"
    r"|\r(?!\n)|[\x85\u2028\u2029]",
    re.M,
)


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _end_of_items(lines: list[str], root: MappingNode, seq: SequenceNode) -> int:
    """Line after the last item: the next root key (minus its leading comments) or the end."""
    after = [k.start_mark.line for k, _ in root.value if k.start_mark.line > seq.start_mark.line]
    end = min(after) if after else len(lines)
    while end > 0 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        if end - 1 <= seq.start_mark.line:
            break
        end -= 1
    return end
