"""The fast constructor builds exactly the values PyYAML's constructor builds (types included)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from runner.fidelity import YamlSyntaxError, load_yaml_value, parse_yaml_stream
from runner.fidelity._schema import FidelityLoader, _fast_value, _Unusual
from tests.fidelity.conftest import read_corpus


def _typed(value: Any) -> Any:
    """The value with every scalar's type spelled out (1, 1.0 and True differ)."""
    if isinstance(value, dict):
        return {repr(k): _typed(v) for k, v in value.items()}, list(map(repr, value))
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return type(value).__name__, repr(value)


def _both(text: str) -> tuple[Any, Any]:
    slow = yaml.load(text, Loader=FidelityLoader)
    loader = FidelityLoader(text)
    try:
        fast = _fast_value(loader.get_single_node())
    finally:
        loader.dispose()
    return fast, slow


def test_every_corpus_document_gets_the_same_value(corpus_name: str) -> None:
    for doc in parse_yaml_stream(read_corpus(corpus_name)).documents:
        body = doc.text.removeprefix("\ufeff")
        if doc.value is None or "&" in body or "<<" in body or "!" in body:
            continue
        fast, slow = _both(body)
        assert _typed(fast) == _typed(slow)


SCALARS = """\
s: text
q: "1"
i: 10
octal: 0777
o: 0o17
x: 0x1F
under: 1_000
f: 1.10
e: 1e3
inf: .inf
nan_is_a_float: .NaN
big: 123456789012345678901234567890
yes_is_a_string: yes
t: true
T: TRUE
n: ~
empty:
null_word: null
date: 2024-01-02
eight: 08
neg: -0x1
tagged_str: !!str 10
tagged_int: !!int "12"
tagged_float: !!float "1"
tagged_bool: !!bool "false"
tagged_null: !!null "x"
1: int key
1.5: float key
true: bool key
~: null key
list: [a, 1, {b: [c, ~]}, [], {}]
"""


def test_core_scalars_tags_and_keys_are_typed_alike() -> None:
    fast, slow = _both(SCALARS)
    assert _typed(fast) == _typed(slow)
    assert fast["octal"] == 511 and fast["yes_is_a_string"] == "yes"


@pytest.mark.parametrize(
    "text",
    ["a: !custom 1\n", "<<: {a: 1}\nb: 2\n", "? [a]\n: 1\n", "a: !!binary aGk=\n", "b: !!bool x\n"],
)
def test_unusual_trees_are_left_to_pyyaml(text: str) -> None:
    loader = FidelityLoader(text)
    with pytest.raises(_Unusual):
        _fast_value(loader.get_single_node())
    loader.dispose()


def test_loading_falls_back_to_pyyaml_for_unusual_trees() -> None:
    assert load_yaml_value("a: !custom 1\nm: {<<: {x: 1}, y: 2}\n") == {
        "a": "1",
        "m": {"x": 1, "y": 2},
    }
    shared = parse_yaml_stream("a: &x [1]\nb: *x\n").documents[0].original_value
    assert shared["a"] is shared["b"]  # anchors: PyYAML's constructor, which shares values


def test_a_thousand_levels_deep_needs_no_recursion() -> None:
    from runner.fidelity._bounds import _limit_libyaml

    assert _limit_libyaml(10_000)
    try:
        text = "a: " + "[" * 5000 + "]" * 5000 + "\n"
        loader = FidelityLoader(text)
        value = _fast_value(loader.get_single_node())
        loader.dispose()
    finally:
        _limit_libyaml(100)
    depth = 0
    node = value["a"]
    while node:
        node, depth = node[0], depth + 1
    assert depth == 4999


def test_duplicate_keys_are_still_refused() -> None:
    with pytest.raises(YamlSyntaxError, match='duplicate key "a"'):
        parse_yaml_stream("m:\n  a: 1\n  a: 2\n")
