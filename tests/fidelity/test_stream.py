"""Parsing streams into documents that keep their text, joining them back, and value typing."""

from __future__ import annotations

import math

import pytest

from runner.fidelity import (
    YamlSyntaxError,
    join_documents,
    load_yaml_value,
    parse_yaml_stream,
    update_document,
)
from tests.fidelity.conftest import read_corpus


def test_corpus_round_trips_byte_for_byte(corpus_name: str) -> None:
    text = read_corpus(corpus_name)
    stream = parse_yaml_stream(text, corpus_name)
    assert stream.documents, corpus_name
    assert "".join(d.text for d in stream.documents) + stream.trailer == text
    assert join_documents([d.text for d in stream.documents]) + stream.trailer == text


def test_corpus_identity_update_is_byte_for_byte(corpus_name: str) -> None:
    stream = parse_yaml_stream(read_corpus(corpus_name), corpus_name)
    for doc in stream.documents:
        assert update_document(doc, doc.value) is doc.text


def test_document_values_and_lines() -> None:
    text = "# lead\na: 1\n---\nb: 2\n...\n# between\n---\nc: 3\n---\n# trailing\n"
    stream = parse_yaml_stream(text)
    assert [d.value for d in stream.documents] == [{"a": 1}, {"b": 2}, {"c": 3}]
    assert [d.line for d in stream.documents] == [1, 3, 6]
    assert [d.index for d in stream.documents] == [0, 1, 2]
    assert stream.documents[2].text == "# between\n---\nc: 3\n"
    assert stream.trailer == "---\n# trailing\n"


def test_crlf_bom_and_missing_final_newline() -> None:
    stream = parse_yaml_stream(read_corpus("windows-crlf.yaml"))
    assert stream.newline == "\r\n"
    assert stream.documents[1].value["data"]["script"] == "echo one\necho two\n"
    bom = parse_yaml_stream(read_corpus("bom.yaml"))
    assert bom.documents[0].text.startswith("\ufeff")
    assert bom.documents[0].value["metadata"]["name"] == "bom"
    markers = parse_yaml_stream(read_corpus("markers.yaml"))
    assert [d.value["metadata"]["name"] for d in markers.documents] == ["alpha", "beta", "gamma"]
    assert not markers.documents[-1].text.endswith("\n")


def test_style_detection() -> None:
    assert parse_yaml_stream(read_corpus("kustomize.yaml")).style.sequence_indent == 0
    helm = parse_yaml_stream(read_corpus("helm.yaml")).style
    assert (helm.indent, helm.sequence_indent) == (2, 2)
    assert parse_yaml_stream(read_corpus("commented.yaml")).style.indent == 4


def test_join_adds_separators() -> None:
    assert join_documents(["a: 1", "b: 2\n", "---\nc: 3\n"]) == "a: 1\n---\nb: 2\n---\nc: 3\n"


def test_syntax_error_names_source_document_line_column() -> None:
    with pytest.raises(YamlSyntaxError) as info:
        parse_yaml_stream("a: 1\n---\nb: 2\nc: [1,\n", "in.yaml")
    err = info.value
    assert (err.source, err.document_index, err.line) == ("in.yaml", 1, 5)
    assert "in.yaml:5:" in str(err) and "document 1" in str(err)


# What a JSON-mode function sees for each YAML 1.1 pitfall (go-yaml v3 typing).
PITFALLS = [
    ("enabled", "data", "yes"),
    ("disabled", "data", "no"),
    ("switch", "data", "on"),
    ("other", "data", "off"),
    ("short", "data", "y"),
    ("country", "data", "NO"),
    ("mode", "data", "0777"),
    ("version", "data", "1.10"),
    ("nothing", "data", "~"),
    ("fileMode", "spec", 511),
    ("newMode", "spec", 420),
    ("release", "spec", 1.1),
    ("tilde", "spec", None),
    ("hex", "spec", 31),
    ("big", "spec", 1000),
    ("date", "spec", "2024-01-02"),
    ("zero-eight", "spec", 8.0),
    ("yes-key", "spec", {"yes": "no"}),
    ("quoted", "spec", "single 'quoted'"),
]


@pytest.mark.parametrize(("key", "section", "expected"), PITFALLS)
def test_yaml11_pitfalls_follow_go_yaml_v3(key: str, section: str, expected: object) -> None:
    value = parse_yaml_stream(read_corpus("yaml11-pitfalls.yaml")).documents[0].value
    got = value[section][key]
    assert got == expected and type(got) is type(expected)


def test_octal_decision_matches_go_yaml_v3() -> None:
    # go-yaml v3 resolve.go: "Octals from the 1.1 spec, spelled as 0777, are still decoded by
    # default in v3 as well for compatibility." Quoted stays a string.
    assert load_yaml_value("m: 0777") == {"m": 511}
    assert load_yaml_value("m: '0777'") == {"m": "0777"}
    assert load_yaml_value("m: 0o777") == {"m": 511}
    assert math.isinf(load_yaml_value("x: .inf")["x"])
    assert load_yaml_value("t: True\nf: FALSE\nn: Null") == {"t": True, "f": False, "n": None}
    assert load_yaml_value("x: !Custom 5") == {"x": "5"}
