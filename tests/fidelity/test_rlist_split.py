"""Items cut out of a YAML ResourceList without reading them again: each text holds its value."""

from __future__ import annotations

import pytest

from runner.fidelity import (
    load_yaml_value,
    parse_yaml_stream,
    resource_list_yaml,
    same_value,
    split_resource_list_items,
    update_document,
)
from tests.fidelity.conftest import read_corpus

RL = "config.kubernetes.io/v1"


def _split(text: str, *, may_refuse: bool = False) -> list[str]:
    rl = parse_yaml_stream(text, "rl.yaml").documents[0]
    items = split_resource_list_items(rl)
    if items is None and may_refuse:
        return []
    assert items is not None
    for doc, value in zip(items, rl.value["items"], strict=True):
        assert same_value(load_yaml_value(doc.text), value), doc.text
        assert update_document(doc, doc.value) is doc.text
    return [doc.text for doc in items]


def test_every_corpus_document_is_cut_to_a_text_that_reads_as_its_value(
    corpus_name: str,
) -> None:
    texts = [d.text for d in parse_yaml_stream(read_corpus(corpus_name)).documents]
    _split(resource_list_yaml(texts, None, api_version=RL), may_refuse=True)  # aliases, `<<`


@pytest.mark.parametrize(
    "item",
    [
        # spaces past the indentation on a blank line are content of a literal block scalar
        "- kind: A\n  data:\n    script: |\n      one\n        \n      two\n",
        "- kind: A\n  data:\n    script: |\n      one\n        \t\n      two\n",  # read back
        '- kind: A\n  "...": marker-like key\n',
        "- kind: A\n  ...x: not a marker\n",
        "- kind: A\n  note: a\n    folded plain\n    scalar\n",
        '- kind: A\n  note: "a\n    quoted\n\n    scalar"\n',
        "- kind: A\n# a comment left of the item\n  b: 1\n",
        "- kind: A\n  flow: [1,\n    2]\n- kind: B\n",
        "-   kind: A\n    wide: 1\n",
        "- kind: A\r\n  crlf: 1\r\n",
    ],
)
def test_tricky_items_are_cut_exactly(item: str) -> None:
    [text, *_] = _split(f"apiVersion: {RL}\nkind: ResourceList\nitems:\n{item}")
    assert text.startswith("kind: A")


def test_a_blank_line_keeps_its_spaces_past_the_item_indentation() -> None:
    [text] = _split(
        f"apiVersion: {RL}\nkind: ResourceList\nitems:\n"
        "- kind: A\n  data:\n    script: |\n      one\n        \n      two\n"
    )
    assert "one\n      \n    two" in text


def test_a_line_that_becomes_a_marker_after_the_cut_is_read_back() -> None:
    # `---` in a flow continuation at the item's column: a document marker once cut out. The
    # one search over all items must see it (the per-item check runs only then).
    text = f"apiVersion: {RL}\nkind: ResourceList\nitems:\n- kind: A\n  flow: [x,\n  --- ]\n"
    rl = parse_yaml_stream(text, "rl.yaml").documents[0]
    assert rl.value["items"] == [{"kind": "A", "flow": ["x", "---"]}]
    assert split_resource_list_items(rl) is None
