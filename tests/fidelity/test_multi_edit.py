"""update_document with several edits at different depths in one update.

The editor trusts plain edits (scalar replacements, entry deletions, scalar and one-line-map
insertions) without reading them back. Edits from different levels can land at the same offset
(a label added at the end of `labels:` and a new `annotations:` map after it): these tests make
many such combinations and check the result reads back, and that plain edits stay minimal.
"""

from __future__ import annotations

import copy
import random
from collections import Counter
from typing import Any

import pytest
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from runner.fidelity import (
    load_yaml_value,
    parse_yaml_stream,
    same_value,
    update_document,
)
from tests.fidelity.conftest import changed_lines, read_corpus
from tests.fidelity.test_edit import _mutate

RL = "config.kubernetes.io/v1"  # the KRM spec's ResourceList apiVersion

Path_ = tuple[Any, ...]

BASE = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: web  # the name
  labels:
    app: web  # selector
  # between labels and data
data:
  k: v
"""


def _set(value: Any, path: Path_, new: Any) -> None:
    for p in path[:-1]:
        value = value[p]
    value[path[-1]] = new


def _get(value: Any, path: Path_) -> Any:
    for p in path:
        value = value[p]
    return value


def test_label_and_first_annotation_in_one_edit() -> None:
    """Regression: `tier: web` went under the new `annotations:` (both inserted at one offset)."""
    doc = parse_yaml_stream(BASE).documents[0]
    value = copy.deepcopy(doc.value)
    value["metadata"]["labels"]["tier"] = "web"
    value["metadata"]["annotations"] = {"note": "n"}
    out = update_document(doc, value)
    assert same_value(load_yaml_value(out), value), out
    assert out == BASE.replace(
        "    app: web  # selector\n",
        "    app: web  # selector\n    tier: web\n  annotations:\n    note: n\n",
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # Nested insertion, parent insertion and a deletion, all at the offset of `data:`.
        (
            lambda v: (
                v["metadata"]["labels"].update(tier="web"),
                v["metadata"].update(annotations={"a": "1"}),
            ),
            '    tier: web\n  annotations:\n    a: "1"\n',
        ),
        (
            lambda v: (
                v["metadata"]["labels"].update(tier="web", zone="z"),
                v["metadata"].update(ns="x"),
                v.update(extra=True),
            ),
            "    tier: web\n    zone: z\n  ns: x\n",
        ),
    ],
)
def test_insertions_at_one_offset_keep_their_levels(change: Any, expected: str) -> None:
    doc = parse_yaml_stream(BASE).documents[0]
    value = copy.deepcopy(doc.value)
    change(value)
    out = update_document(doc, value)
    assert same_value(load_yaml_value(out), value), out
    assert expected in out
    assert "  # between labels and data\n" in out


def test_delete_and_insert_at_one_offset() -> None:
    text = "a:\n  b: 1\n  c: 2\nd: 3\ne: 4\n"
    doc = parse_yaml_stream(text).documents[0]
    value = {"a": {"b": 1, "c": 2, "x": {"y": "z"}}, "n": "new", "e": 4}
    out = update_document(doc, value)
    assert out == "a:\n  b: 1\n  c: 2\n  x:\n    y: z\nn: new\ne: 4\n"


def test_crlf_and_no_final_newline_nested_insertions() -> None:
    text = "a:\r\n  b: 1\r\n  c:\r\n    d: 2"
    doc = parse_yaml_stream(text).documents[0]
    value = {"a": {"b": 1, "c": {"d": 2, "e": 3}, "f": 4}, "g": {"h": "i"}}
    out = update_document(doc, value)
    assert same_value(load_yaml_value(out), value), out
    assert out == "a:\r\n  b: 1\r\n  c:\r\n    d: 2\r\n    e: 3\r\n  f: 4\r\ng:\r\n  h: i"


# -- randomized: many edits of any kind in one update ---------------------------------------


def test_random_multi_edits_read_back(corpus_name: str) -> None:
    stream = parse_yaml_stream(read_corpus(corpus_name), corpus_name)
    rng = random.Random("multi-" + corpus_name)
    for doc in stream.documents:
        for _ in range(30):
            value = copy.deepcopy(doc.value)
            for _ in range(rng.randint(2, 7)):
                value = _mutate(rng, value)
            out = update_document(doc, value)
            assert same_value(load_yaml_value(out), value), (corpus_name, out)


# -- randomized: plain edits only (the trusted path) stay minimal ----------------------------


def _block_leaves(node: Node, value: Any, path: Path_, out: dict[str, list[Any]]) -> None:
    """Paths of one-line scalars and block maps in block context (value keys, not node keys)."""
    if isinstance(node, MappingNode) and not node.flow_style:
        if len(node.value) != len(value):
            return  # merge keys or duplicates: not the plain path
        out["maps"].append((path, node.start_mark.column))
        for (_, vn), key in zip(node.value, list(value), strict=True):
            _block_leaves(vn, value[key], (*path, key), out)
    elif isinstance(node, SequenceNode) and not node.flow_style:
        for i, item in enumerate(node.value):
            _block_leaves(item, value[i], (*path, i), out)
    elif (
        isinstance(node, ScalarNode)
        and node.style not in ("|", ">")
        and node.start_mark.line == node.end_mark.line
        and node.value != ""
        and path
    ):
        out["scalars"].append((path, node.start_mark.line))


def test_random_plain_multi_edits_are_minimal(corpus_name: str) -> None:
    text = read_corpus(corpus_name)
    stream = parse_yaml_stream(text, corpus_name)
    rng = random.Random("plain-" + corpus_name)
    checked = 0
    for doc in stream.documents:
        body = doc.text.removeprefix("\ufeff")
        if doc.value is None or not isinstance(doc.value, dict) or "&" in body or "<<" in body:
            continue
        node = yaml.compose(body)
        assert node is not None
        found: dict[str, list[Any]] = {"maps": [], "scalars": []}
        _block_leaves(node, doc.value, (), found)
        lines = body.splitlines()
        for round_ in range(25):
            value = copy.deepcopy(doc.value)
            changed_rows: set[int] = set()
            inserted = 0
            scalars = rng.sample(found["scalars"], min(len(found["scalars"]), rng.randint(0, 4)))
            for path, row in scalars:
                _set(value, path, f"changed-{round_}-{row}")
                changed_rows.add(row)
            for n in range(rng.randint(1, 4)):
                path, _ = rng.choice(found["maps"])
                target = _get(value, path)
                if rng.random() < 0.5:
                    target[f"new-{n}"] = rng.choice(["x", 7, "yes", "a b"])
                    inserted += 1
                else:
                    target[f"map-{n}"] = {"k1": "v", "k2": "0777"}
                    inserted += 3
            out = update_document(doc, value)
            assert same_value(load_yaml_value(out), value), (corpus_name, out)
            removed, added = changed_lines(doc.text, out)
            # Only the lines of changed scalars go; comments and every other line stay.
            assert Counter(removed) <= Counter(lines[r] for r in changed_rows), out
            assert len(added) == len(removed) + inserted, out
            checked += 1
    assert checked or corpus_name in ("anchors.yaml",)


# -- the old value is the text's, not the caller's -------------------------------------------


def test_value_changed_in_place_is_still_an_edit() -> None:
    """Callers (the pipeline) add annotations to doc.value in place: diff against the text."""
    doc = parse_yaml_stream(BASE).documents[0]
    doc.value["metadata"]["annotations"] = {"internal.config.kubernetes.io/id": "1"}
    out = update_document(doc, doc.value)
    assert same_value(load_yaml_value(out), doc.value), out
    assert '  annotations:\n    internal.config.kubernetes.io/id: "1"\n' in out
    assert doc.original_value["metadata"].get("annotations") is None


def test_split_items_keep_their_own_original() -> None:
    from runner.fidelity import resource_list_yaml, split_resource_list_items

    rl = parse_yaml_stream(resource_list_yaml([BASE], None, api_version=RL)).documents[0]
    [item] = split_resource_list_items(rl) or []
    item.value["metadata"]["labels"]["tier"] = "web"
    rl.value["items"][0]["metadata"]["labels"]["zone"] = "z"
    out = update_document(item, item.value)
    assert "    app: web  # selector\n    tier: web\n" in out


PITFALLS_WITH_ALIAS = """\
# untouched scalars keep their spelling even when the edit goes through ruamel.yaml
base: &base {a: 1}
copy: *base
modes: {file: 0777, none: ~, date: 2024-01-02, yes: no, version: 1.10}
"""


def test_ruamel_fallback_keeps_untouched_scalar_spelling() -> None:
    doc = parse_yaml_stream(PITFALLS_WITH_ALIAS).documents[0]
    value = copy.deepcopy(doc.original_value)  # keeps the alias's sharing, as `value` does not
    value["base"]["a"] = 2  # under an alias: not edited in place
    out = update_document(doc, value)
    assert same_value(load_yaml_value(out), value), out
    # ruamel.yaml writes null as `null`; the other spellings are the user's.
    assert "{file: 0777, none: null, date: 2024-01-02, yes: no, version: 1.10}" in out, out
    assert out.startswith("# untouched scalars")


def test_first_annotations_in_scalar_only_metadata_follow_the_document_indent() -> None:
    text = "kind: A\nmetadata:\n    name: a  # only scalars here\nspec:\n    x:\n        y: 1\n"
    doc = parse_yaml_stream(text).documents[0]
    value = copy.deepcopy(doc.value)
    value["metadata"]["annotations"] = {"internal.config.kubernetes.io/id": "3"}
    out = update_document(doc, value)
    assert out == text.replace(
        "only scalars here\n",
        'only scalars here\n    annotations:\n        internal.config.kubernetes.io/id: "3"\n',
    )


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        (
            "a:\n  args: [x, y]  # flags\n  b: 1\n",
            {"a": {"args": ["x", "z"], "b": 1}},
            "a:\n  args:  # flags\n  - x\n  - z\n  b: 1\n",
        ),
        (
            "a:\n  k:   # empty\n  b: 1\n",
            {"a": {"k": "v", "b": 1}},
            "a:\n  k: v   # empty\n  b: 1\n",
        ),
        ("a: {x: 1}  # m\n", {"a": {"x": 2}}, "a:  # m\n  x: 2\n"),
    ],
)
def test_rerendered_value_keeps_its_inline_comment(text: str, value: Any, expected: str) -> None:
    out = update_document(parse_yaml_stream(text).documents[0], value)
    assert out == expected
