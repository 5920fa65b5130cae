"""Minimal edits of a document's original text so that it reads back as a new value.

The document's composed node tree (PyYAML C parser) gives the line and column of every key and
scalar. We diff the old value against the new one, key by key and item by item, and turn each
difference into a text edit: replace a scalar's span, delete an entry's lines (with its leading
comments), insert rendered lines after the preceding sibling, or re-render one value. Everything
else in the text is untouched. Results are checked by reading them back; when that fails or the
tree has shapes we do not edit in place (merge keys, changes under aliases), we fall back to
ruamel.yaml's round trip, and last to a fresh rendering.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from itertools import accumulate
from typing import Any, TypeGuard

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ._emit import block_lines, inline_scalar, render_document
from ._model import Document, Style
from ._schema import canonical_key, load_yaml_value, same_value
from ._stream import compose_only, compose_text, detect_style, split_lines

__all__ = ["update_document"]


class _Fallback(Exception):
    """This edit cannot be done in place; use the next strategy."""


def update_document(doc: Document, new_value: Any, style: Style | None = None) -> str:
    """Text for `doc` holding `new_value`: doc.text itself if the value is unchanged.

    Otherwise only the lines of changed fields differ from doc.text: comments, key order,
    indentation and scalar spelling of everything else stay. style (default: detected from the
    document) is used for new nested content. load_yaml_value(result) equals new_value.
    """
    old_value = doc.original_value  # not doc.value: callers may have changed it in place
    if same_value(old_value, new_value):
        return doc.text
    bom = "\ufeff" if doc.text.startswith("\ufeff") else ""
    body = doc.text[len(bom) :]
    node = doc._node
    try:
        if "<<" in body:
            # Constructing merges rewrote the cached tree; mappings with `<<` are not edited
            # in place (their key count differs from the value's), the rest of the file is.
            node = compose_only(body)
        elif node is None:
            node, held = compose_text(body)
            if not same_value(held, old_value):
                # Not the text of that value (a cut-out item that does not hold it): never
                # edit it, write the value.
                return bom + _prefix(body) + render_document(new_value, style or Style())
        if node is not None:
            editor = _Editor(body, node, style)
            text = editor.run(old_value, new_value)
            # Plain entry/scalar edits are trusted (that is the hot path: annotations);
            # anything structural is checked by reading it back.
            if editor.simple or _reads_as(text, new_value):
                return bom + text
    except (_Fallback, yaml.YAMLError, RecursionError):
        pass
    from ._ruamel import ruamel_update  # imported late: ruamel is slow to import

    text2 = ruamel_update(body, old_value, new_value, style)
    if text2 is not None and _reads_as(text2, new_value):
        return bom + text2
    return bom + _prefix(body) + render_document(new_value, style or Style(), _newline(body))


def _reads_as(text: str, value: Any) -> bool:
    try:
        return same_value(load_yaml_value(text), value)
    except yaml.YAMLError:
        return False


def _newline(text: str) -> str:
    i = text.find("\n")
    return "\r\n" if i > 0 and text[i - 1] == "\r" else "\n"


def _prefix(body: str) -> str:
    """The separator, directive and comment lines before a document's content."""
    out = []
    for line in split_lines(body):
        s = line.lstrip(" \t")
        if line.startswith("---"):
            rest = line[3:].strip()
            if rest and not rest.startswith("#"):
                out.append("---" + _newline(body))
                break
        elif s and s[0] not in "#%\r\n":
            break
        out.append(line)
    return "".join(out)


def _is_comment(line: str) -> bool:
    return line.lstrip(" \t")[:1] == "#"


def _is_blank(line: str) -> bool:
    return not line.strip()


class _Editor:
    def __init__(self, text: str, root: Node, style: Style | None) -> None:
        self.text = text
        self.root = root
        self.lines = split_lines(text)
        self.starts = [0, *accumulate(len(x) for x in self.lines)]
        self.nl = _newline(text)
        self.edits: list[tuple[int, int, str]] = []
        self.simple = True  # only scalar replacements, entry deletions, scalar insertions
        self._style = style
        self.multi: set[int] = set()
        if "*" in text and "&" in text:
            counts: dict[int, int] = {}
            self._count(root, counts)
            self.multi = {k for k, n in counts.items() if n > 1}

    def _count(self, node: Node, counts: dict[int, int]) -> None:
        counts[id(node)] = counts.get(id(node), 0) + 1
        if counts[id(node)] > 1:
            return
        if isinstance(node, MappingNode):
            for k, v in node.value:
                self._count(k, counts)
                self._count(v, counts)
        elif isinstance(node, SequenceNode):
            for item in node.value:
                self._count(item, counts)

    @property
    def style(self) -> Style:
        if self._style is None:
            self._style = detect_style([self.root])
        return self._style

    # -- positions -------------------------------------------------------------------------

    def off(self, line: int, col: int) -> int:
        return self.starts[line] + col

    def line_start(self, line: int) -> int:
        return self.starts[min(line, len(self.lines))]

    def line_end(self, line: int) -> int:
        """Offset of the end of `line` without its line break."""
        text = self.lines[line]
        return self.starts[line] + len(text.rstrip("\r\n\x85\u2028\u2029"))

    def last_line(self, node: Node) -> int:
        """Last line holding part of node's content (comments after it excluded)."""
        if isinstance(node, ScalarNode):
            start, end = node.start_mark, node.end_mark
            last = end.line - 1 if end.column == 0 and end.line > start.line else end.line
            if node.style in ("|", ">"):
                header = self.lines[start.line][start.column :].split("#")[0]
                if "+" not in header:
                    while last > start.line and _is_blank(self.lines[last]):
                        last -= 1
            return last
        assert isinstance(node, MappingNode | SequenceNode)
        if node.flow_style or not node.value:
            return int(node.end_mark.line)
        if isinstance(node, MappingNode):
            k, v = node.value[-1]
            if v.start_mark.index < k.end_mark.index:  # alias: written on the key's line
                return int(k.end_mark.line)
            return max(self.last_line(k), self.last_line(v))
        self._check_items(node)
        return self.last_line(node.value[-1])

    def _check_items(self, node: SequenceNode) -> None:
        prev = node.start_mark.index - 1
        for item in node.value:
            if item.start_mark.index <= prev:
                raise _Fallback  # an alias item: its marks point at the anchor
            prev = item.start_mark.index

    def leading_start(self, line: int, bound: int) -> int:
        """First line of the comment block directly above `line` (not above `bound`)."""
        j = line
        while j - 1 >= bound and _is_comment(self.lines[j - 1]):
            j -= 1
        return j

    def insert_block(self, line: int, lines: list[str], value: Any) -> None:
        """Insert rendered lines of whole entries or items where a sibling ends.

        Placed after a sibling's last line at the siblings' column, new lines cannot change
        what the text around them means; whether the rendering holds the value is checked on
        the rendered lines alone, not by reading the whole document back.
        """
        if not _reads_as(self.insert_at(line, lines), value):
            self.simple = False

    def insert_at(self, line: int, lines: list[str]) -> str:
        pos = self.line_start(line)
        text = "".join(x + self.nl for x in lines)
        if pos == len(self.text) and self.text and not self.text.endswith(("\n", "\r")):
            text = self.nl + text[: -len(self.nl)]  # the text's end stays without a break
        self.edits.append((pos, pos, text))
        return text

    def guard(self, node: Node) -> None:
        if id(node) in self.multi:
            raise _Fallback

    def guard_tree(self, node: Node) -> None:
        if not self.multi:
            return
        self.guard(node)
        if isinstance(node, MappingNode):
            for k, v in node.value:
                self.guard_tree(k)
                self.guard_tree(v)
        elif isinstance(node, SequenceNode):
            for item in node.value:
                self.guard_tree(item)

    # -- driver ----------------------------------------------------------------------------

    def run(self, old: Any, new: Any) -> str:
        root = self.root
        if _block_map(root) and isinstance(old, dict) and isinstance(new, dict) and new:
            floor = 0
            first = root.value[0][0].start_mark.line
            for i in range(first):
                line = self.lines[i]
                if line.startswith(("---", "%")):
                    floor = i + 1
            if root.value[0][0].start_mark.line == root.start_mark.line and self.lines[
                first
            ].startswith("---"):
                raise _Fallback  # `--- key: value` on the marker line
            self.mapping(root, old, new, floor)
        else:
            raise _Fallback
        return self.apply()

    def apply(self) -> str:
        """The text with every edit applied.

        Edits are recorded in text order for any one offset: a nested map's insertion at its
        end comes before its parent's insertion of a new sibling at the same line (adding a
        label and a first `annotations:` at once). Several edits at one offset come from
        different levels, so such a result is not trusted without reading it back; overlapping
        edits are a bug in the editor and fall back.
        """
        edits = self.edits
        order = sorted(range(len(edits)), key=lambda i: (edits[i][0], edits[i][1], i))
        prev_end = -1
        prev_start = -1
        for i in order:
            start, end, _ = edits[i]
            if start < prev_end:
                raise _Fallback
            if start == prev_start:
                self.simple = False
            prev_start, prev_end = start, max(end, prev_end)
        # One pass, one join: rebuilding the text per edit was quadratic (a 10,000-item
        # ResourceList took seconds).
        pieces: list[str] = []
        done = 0
        for i in order:
            start, end, repl = edits[i]
            pieces.append(self.text[done:start])
            pieces.append(repl)
            done = max(done, end)
        pieces.append(self.text[done:])
        return "".join(pieces)

    # -- mappings --------------------------------------------------------------------------

    def mapping(
        self, node: MappingNode, old: dict[Any, Any], new: dict[Any, Any], floor: int
    ) -> None:
        self.guard(node)
        entries = node.value
        keys = list(old)
        if len(keys) != len(entries):
            raise _Fallback  # duplicate keys
        key_line = [k.start_mark.line for k, _ in entries]
        key_col = entries[0][0].start_mark.column
        inline0 = self.lines[key_line[0]][:key_col].strip() != ""

        def last_of(i: int) -> int:
            k, v = entries[i]
            if v.start_mark.index < k.end_mark.index:  # an alias: written on the key's line
                return int(k.end_mark.line)
            return max(self.last_line(v), int(k.end_mark.line))

        spans = _Spans(self, key_line, last_of, floor, inline0)
        index = {k: i for i, k in enumerate(keys)}
        local_indent = 0
        for k, v in entries:
            if _block_map(v) and v.start_mark.line > k.start_mark.line:
                local_indent = v.start_mark.column - k.start_mark.column
                break
        surviving = [i for i, k in enumerate(keys) if k in new]
        # Deletions.
        skip_delete: set[int] = set()
        if inline0 and keys[0] not in new:
            self.simple = False
            if not surviving:
                raise _Fallback
            s = surviving[0]
            k0, ks = entries[0][0], entries[s][0]
            for i in range(s):
                self.guard_tree(entries[i][1])
                skip_delete.add(i)
            a = self.off(k0.start_mark.line, k0.start_mark.column)
            b = self.off(ks.start_mark.line, ks.start_mark.column)
            self.edits.append((a, b, ""))
        for i, k in enumerate(keys):
            if k not in new and i not in skip_delete:
                self.guard_tree(entries[i][1])
                self.edits.append(
                    (self.line_start(spans.start(i)), self.line_start(spans.end(i)), "")
                )
        # Changes.
        for i, k in enumerate(keys):
            if k in new and not same_value(old[k], new[k]):
                kn, vn = entries[i]
                self.entry_value(kn, vn, old[k], new[k], spans.last(i))
        # Insertions after the preceding sibling (in the new order).
        pending: dict[int, tuple[list[str], dict[Any, Any], bool]] = {}
        anchor: int | None = None
        for k, v in new.items():
            if k in index:
                anchor = index[k]
                continue
            if anchor is not None:
                line = spans.end(anchor)
            elif not inline0:
                line = spans.start(0)
            elif surviving:
                line = spans.end(surviving[0])
            else:
                raise _Fallback
            if not _needs_block(v):
                st = _DEFAULT_STYLE
            elif isinstance(v, dict) and all(map(_one_line, v.values())):
                # A map of one-line scalars (new labels/annotations): indent like the sibling
                # maps, else like the document (metadata holding only `name:` is common).
                st = Style(local_indent or self.style.indent, 0)
            else:
                st = None  # nested content: the rendering is checked
            lines, values, checked = pending.get(line, ([], {}, False))
            lines.extend(block_lines({k: v}, key_col, st or self.style))
            values[k] = v
            pending[line] = (lines, values, checked or st is None)
        for line, (lines, values, checked) in pending.items():
            if checked:
                self.insert_block(line, lines, values)
            else:
                self.insert_at(line, lines)

    def entry_value(self, kn: Node, vn: Node, old: Any, new: Any, last: int) -> None:
        alias_here = vn.start_mark.index < kn.end_mark.index
        if alias_here or id(vn) in self.multi:
            raise _Fallback
        nested_ok = vn.start_mark.line > kn.start_mark.line
        if _block_map(vn) and isinstance(old, dict) and isinstance(new, dict) and new:
            if nested_ok:
                self.mapping(vn, old, new, kn.start_mark.line + 1)
                return
        elif _block_seq(vn) and isinstance(old, list) and isinstance(new, list) and new:
            self.sequence(vn, old, new, kn.start_mark.line + 1)
            return
        elif isinstance(vn, ScalarNode) and self.scalar(vn, new):
            return
        self.rerender_value(kn, vn, new, last)

    def trailing_comment(self, vn: Node, last: int) -> str:
        """The comment after a flow collection or scalar on its last line (with its spacing)."""
        if vn.end_mark.line != last:
            return ""
        rest = self.text[self.off(last, vn.end_mark.column) : self.line_end(last)]
        return rest if rest.lstrip(" \t").startswith("#") and rest[:1] in (" ", "\t") else ""

    def rerender_value(self, kn: Node, vn: Node, new: Any, last: int) -> None:
        """Replace everything after `key:` up to the value's last line.

        An inline comment after the old value goes to the `key:` line (or stays after a
        one-line value).
        """
        self.simple = False
        line = self.lines[kn.end_mark.line]
        colon = line.find(":", kn.end_mark.column)
        if colon < 0:
            raise _Fallback
        col = kn.start_mark.column
        lines = block_lines({"k": new}, col, self.style)
        first = lines[0][col + 2 :] + self.trailing_comment(vn, last)  # after "k:"
        repl = self.nl.join([first, *lines[1:]])
        self.edits.append((self.off(kn.end_mark.line, colon + 1), self.line_end(last), repl))

    # -- scalars ---------------------------------------------------------------------------

    def scalar(self, vn: ScalarNode, new: Any) -> bool:
        """Replace a scalar's text in place keeping its quoting or block style; False if not."""
        pos = self.off(vn.start_mark.line, vn.start_mark.column)
        # Keep an anchor or tag written before the scalar.
        while self.text[pos : pos + 1] in ("&", "!"):
            self.simple = False
            nxt = pos
            while nxt < len(self.text) and self.text[nxt] not in " \t\r\n":
                nxt += 1
            while nxt < len(self.text) and self.text[nxt] in " \t":
                nxt += 1
            pos = nxt
        end = self.off(vn.end_mark.line, vn.end_mark.column)
        if vn.style in ("|", ">"):
            return self.block_scalar(vn, new, pos)
        if vn.value == "" and not vn.style:
            return False  # `key:` with nothing after it: re-render adds the space
        if isinstance(new, str) and "\n" in new:
            return False
        text = inline_scalar(new, (vn.style or None) if isinstance(new, str) else None)
        if text is None or end < pos:
            return False
        self.edits.append((pos, end, text))
        return True

    def block_scalar(self, vn: ScalarNode, new: Any, pos: int) -> bool:
        self.simple = False
        if not isinstance(new, str) or not new or new[:1] in (" ", "\t", "\n"):
            return False
        header = self.lines[vn.start_mark.line][vn.start_mark.column :]
        header = header.split("#")[0].strip()
        if any(c.isdigit() for c in header) or "\r" in new:
            return False
        last = self.last_line(vn)
        content = [x for x in self.lines[vn.start_mark.line + 1 : last + 1] if not _is_blank(x)]
        if not content:
            return False
        indent = " " * (len(content[0]) - len(content[0].lstrip(" ")))
        if new.endswith("\n\n"):
            chomp, body = "+", new[:-1]
        elif new.endswith("\n"):
            chomp, body = "", new[:-1]
        else:
            chomp, body = "-", new
        parts = body.split("\n")
        if any(p != p.rstrip(" \t") for p in parts) and chomp != "+":
            return False
        kind = header[0]
        if kind == ">":
            if any(p[:1] in (" ", "\t") for p in parts):
                kind = "|"
            else:
                folded: list[str] = []
                for i, p in enumerate(parts):
                    if i > 0 and p and parts[i - 1]:
                        folded.append("")
                    folded.append(p)
                # Runs of empty parts: each empty part already stands for one newline.
                parts = folded
        if chomp == "+" and parts and parts[-1] == "":
            pass
        lines = [kind + chomp] + [indent + p if p else "" for p in parts]
        self.edits.append((pos, self.line_end(last), self.nl.join(lines)))
        return True

    # -- sequences -------------------------------------------------------------------------

    def sequence(self, node: SequenceNode, old: list[Any], new: list[Any], floor: int) -> None:
        # Edits inside paired block-map items and whole inserted items stay trusted (a
        # ResourceList's items, a container list's entries); deletions and re-renders are read
        # back.
        self.guard(node)
        items = node.value
        if len(items) != len(old):
            raise _Fallback
        self._check_items(node)
        n = len(items)
        dash_line = [0] * n
        dash_col = [0] * n
        for i, item in enumerate(items):
            line = item.start_mark.line
            text = self.lines[line][: item.start_mark.column]
            d = text.rstrip(" \t")
            if not d.endswith("-"):
                raise _Fallback  # item content not on its dash's line
            dash_line[i], dash_col[i] = line, len(d) - 1
        col = dash_col[0]
        inline0 = self.lines[dash_line[0]][:col].strip() != ""
        spans = _Spans(self, dash_line, lambda i: self.last_line(items[i]), floor, inline0)

        def delete(i: int) -> None:
            self.simple = False
            if i == 0 and inline0:
                raise _Fallback
            self.guard_tree(items[i])
            self.edits.append((self.line_start(spans.start(i)), self.line_start(spans.end(i)), ""))

        def insert(after: int, values: list[Any]) -> None:
            if after < 0 and inline0:
                raise _Fallback
            line = spans.end(after) if after >= 0 else spans.start(0)
            self.insert_block(line, block_lines(values, col, self.style), values)

        for tag, i1, i2, j1, j2 in _item_opcodes(old, new):
            if tag == "equal":
                continue
            if tag == "delete":
                for i in range(i1, i2):
                    delete(i)
            elif tag == "insert":
                insert(i1 - 1, new[j1:j2])
            else:
                pairs = min(i2 - i1, j2 - j1)
                for p in range(pairs):
                    self.item_value(
                        items[i1 + p],
                        old[i1 + p],
                        new[j1 + p],
                        dash_line[i1 + p],
                        dash_col[i1 + p],
                        partial(spans.last, i1 + p),
                    )
                for i in range(i1 + pairs, i2):
                    delete(i)
                if j1 + pairs < j2:
                    insert(i1 + pairs - 1, new[j1 + pairs : j2])

    def item_value(
        self, item: Node, old: Any, new: Any, dline: int, dcol: int, last_of: Callable[[], int]
    ) -> None:
        self.guard(item)
        if _block_map(item) and isinstance(old, dict) and isinstance(new, dict) and new:
            self.mapping(item, old, new, dline + 1)
            return
        self.simple = False
        if _block_seq(item) and isinstance(old, list) and isinstance(new, list) and new:
            self.sequence(item, old, new, dline + 1)
            return
        if isinstance(item, ScalarNode) and self.scalar(item, new):
            return
        self.guard_tree(item)
        last = last_of()
        lines = block_lines([new], dcol, self.style)
        comment = self.trailing_comment(item, last)
        repl = self.nl.join([lines[0][dcol:] + comment, *lines[1:]])
        self.edits.append((self.off(dline, dcol), self.line_end(last), repl))


class _Spans:
    """The lines of a block collection's entries, worked out when an edit asks for them.

    An entry starts at the comments directly above it (not above the previous entry's end) and
    ends where the next one starts; most edits touch one or two entries of a collection, and
    finding an entry's last line walks down its last children.
    """

    def __init__(
        self,
        editor: _Editor,
        heads: list[int],
        last_of: Callable[[int], int],
        floor: int,
        inline0: bool,
    ) -> None:
        self._editor = editor
        self._heads = heads  # the line of each entry's key or dash
        self._last_of = last_of
        self._floor = floor
        self._inline0 = inline0  # the first entry shares its line with what comes before
        self._last: dict[int, int] = {}

    def last(self, i: int) -> int:
        """The last line holding entry i's content."""
        if i not in self._last:
            self._last[i] = self._last_of(i)
        return self._last[i]

    def start(self, i: int) -> int:
        if i == 0 and self._inline0:
            return self._heads[0]
        bound = self._floor if i == 0 else self.last(i - 1) + 1
        return self._editor.leading_start(self._heads[i], bound)

    def end(self, i: int) -> int:
        """The line after entry i (where the next entry's comments start)."""
        return self.start(i + 1) if i + 1 < len(self._heads) else self.last(i) + 1


def _identity(value: Any) -> tuple[Any, Any, Any] | None:
    """A resource's apiVersion, kind and name (None for anything else)."""
    if not isinstance(value, dict):
        return None
    metadata = value.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if name is None:
        return None
    return (value.get("apiVersion"), value.get("kind"), name)


def _item_opcodes(old: list[Any], new: list[Any]) -> Sequence[tuple[str, int, int, int, int]]:
    """How new's items pair with old's: SequenceMatcher opcodes over the items' values.

    When both lists hold the same resources (apiVersion, kind, name) in the same order (a
    ResourceList whose items a function edited in place), each item pairs with the one at its
    position, as the matcher would pair them too (short of duplicate resources), without a
    canonical key of every whole item.
    """
    if len(old) == len(new) and old:
        same_place = True
        for a, b in zip(old, new, strict=True):
            key = _identity(a)
            if key is None or key != _identity(b):
                same_place = False
                break
        if same_place:
            return [
                ("equal" if same_value(a, b) else "replace", i, i + 1, i, i + 1)
                for i, (a, b) in enumerate(zip(old, new, strict=True))
            ]
    from difflib import SequenceMatcher  # 0.9 ms of every start-up, for the lists that need it

    matcher = SequenceMatcher(
        None, [canonical_key(v) for v in old], [canonical_key(v) for v in new], autojunk=False
    )
    return matcher.get_opcodes()


def _needs_block(value: Any) -> bool:
    return (isinstance(value, dict | list) and bool(value)) or (
        isinstance(value, str) and "\n" in value
    )


_DEFAULT_STYLE = Style()


def _one_line(value: Any) -> bool:
    return not isinstance(value, dict | list) and not (isinstance(value, str) and "\n" in value)


def _block_map(node: Node) -> TypeGuard[MappingNode]:
    return isinstance(node, MappingNode) and not node.flow_style and bool(node.value)


def _block_seq(node: Node) -> TypeGuard[SequenceNode]:
    return isinstance(node, SequenceNode) and not node.flow_style and bool(node.value)
