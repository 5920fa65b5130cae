"""Duplicate keys and deep nesting are refused, located, in every text the fidelity layer reads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import wasmtime
import yaml

from runner.fidelity import (
    MAX_NESTING,
    YamlSyntaxError,
    _bounds,
    load_json,
    load_yaml_document,
    parse_json_resource_list,
    parse_yaml_stream,
)
from tests import wat_modules

ROOT = Path(__file__).resolve().parents[2]
RL_HEAD = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"


def _deep_flow(levels: int) -> str:
    return "kind: ConfigMap\ndata:\n  deep: " + "[" * levels + "1" + "]" * levels + "\n"


def _deep_block(levels: int) -> str:
    lines = ["kind: ConfigMap", "data:"]
    lines += [" " * (2 * i + 2) + f"k{i}:" for i in range(levels)]
    return "\n".join(lines) + " 1\n"


def test_a_duplicate_key_names_file_line_column_document_and_key() -> None:
    text = "kind: A\n---\nkind: B\nmetadata:\n  name: first\n  labels: {}\n  name: second\n"
    with pytest.raises(YamlSyntaxError) as caught:
        parse_yaml_stream(text, "pkg/deploy.yaml")
    assert str(caught.value) == (
        'pkg/deploy.yaml:7:3: document 1: invalid YAML: duplicate key "name" (first at line 5)'
    )


def test_keys_equal_in_text_are_duplicates_whatever_the_quoting() -> None:
    # go-yaml v3 compares the keys' text and kind: `a` and "a" are the same key.
    with pytest.raises(YamlSyntaxError, match='duplicate key "a"'):
        parse_yaml_stream('a: 1\n"a": 2\n', "f.yaml")


def test_merge_keys_may_be_overridden_and_different_keys_pass() -> None:
    text = "base: &b {a: 1, b: 2}\nm:\n  <<: *b\n  a: 3\nn: {x: 1, y: 1}\n"
    value = parse_yaml_stream(text, "f.yaml").documents[0].value
    assert value["m"] == {"a": 3, "b": 2}


def test_a_duplicate_key_in_a_flow_mapping_and_in_one_loaded_document() -> None:
    with pytest.raises(YamlSyntaxError, match=r'out:1:11: document 0: .*duplicate key "x"'):
        load_yaml_document("m: {x: 1, x: 2}\n", "out")


@pytest.mark.parametrize("make", [_deep_flow, _deep_block], ids=["flow", "block"])
def test_nesting_past_the_bound_is_refused_with_its_line(make: object) -> None:
    assert callable(make)
    parse_yaml_stream(make(MAX_NESTING - 5), "ok.yaml")  # a hundred levels deep still reads
    with pytest.raises(YamlSyntaxError) as caught:
        parse_yaml_stream("kind: First\n---\n" + make(MAX_NESTING + 5), "deep.yaml")
    message = str(caught.value)
    assert message.startswith("deep.yaml:") and "document 1" in message, message
    assert f"nesting depth of {MAX_NESTING} levels" in message, message


def test_a_hundred_thousand_open_brackets_are_an_error_not_a_crash() -> None:
    with pytest.raises(YamlSyntaxError, match="nesting depth"):
        parse_yaml_stream("a: " + "[" * 100_000 + "\n", "brackets.yaml")


def test_an_alias_chain_nesting_past_the_bound_is_refused() -> None:
    lines = ["a0: &a0 [1]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, 2 * MAX_NESTING + 5)]
    with pytest.raises(YamlSyntaxError, match="aliases nest this node more than"):
        parse_yaml_stream("\n".join(lines) + "\n", "chain.yaml")


def test_the_fallback_without_libyaml_bound_scans_only_deep_looking_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_bounds, "LIBYAML_LIMITED", False)
    _bounds.check_yaml_nesting(_deep_block(10) + "x: [[{a: 1}]]\n")
    assert _bounds._limit_libyaml(1000)  # as an older libyaml: no bound of its own here
    try:
        with pytest.raises(yaml.MarkedYAMLError) as caught:
            _bounds.check_yaml_nesting("- " * (2 * MAX_NESTING + 3) + "x\n")
    finally:
        _bounds._limit_libyaml(MAX_NESTING)
    assert caught.value.problem_mark is not None
    assert caught.value.problem_mark.column == 4 * MAX_NESTING  # where level 201 starts


def test_json_duplicate_keys_and_depth_are_refused() -> None:
    with pytest.raises(ValueError, match='duplicate key "kind"'):
        load_json('{"kind": "A", "kind": "B"}')
    with pytest.raises(ValueError, match='duplicate key "a"'):
        parse_json_resource_list('{"items": [{"a": 1, "a": 2}]}')
    deep = '{"items": [' + "[" * (2 * MAX_NESTING + 1) + "]" * (2 * MAX_NESTING + 1) + "]}"
    with pytest.raises(json.JSONDecodeError, match="levels of nesting") as caught:
        load_json(deep)
    assert caught.value.pos == 11 + 2 * MAX_NESTING - 2
    # brackets inside strings do not count
    assert load_json(json.dumps({"s": "[" * 1000, "t": "]" * 1000}))["s"] == "[" * 1000


def _runner(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runner", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def _no_crash(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 1, (done.returncode, done.stderr)  # negative: killed by a signal
    assert "Traceback" not in done.stderr, done.stderr


def test_cli_refuses_a_duplicate_key_in_a_package_file(tmp_path: Path) -> None:
    (tmp_path / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n"
    )
    done = _runner("source", str(tmp_path), stdin="")
    _no_crash(done)
    assert 'cm.yaml:5:3: document 0: invalid YAML: duplicate key "name"' in done.stderr


def test_cli_refuses_deep_nesting_on_stdin_and_in_function_output(tmp_path: Path) -> None:
    echo = tmp_path / "echo.wasm"
    echo.write_bytes(wasmtime.wat2wasm(wat_modules.ECHO))
    item = "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n  data: {d: "
    done = _runner("run", "-q", str(echo), stdin=RL_HEAD + item + "[" * 100_000 + "}\n")
    _no_crash(done)
    assert "<stdin>:7:" in done.stderr and "nesting depth" in done.stderr, done.stderr

    output = RL_HEAD + item + "[" * 5000 + "]" * 5000 + "}\n"
    deep = tmp_path / "deep.wasm"
    deep.write_bytes(wasmtime.wat2wasm(wat_modules.writes(output)))
    done = _runner("run", str(deep), stdin=RL_HEAD.replace("items:\n", "items: []\n"))
    _no_crash(done)
    assert "deep.wasm output:7:" in done.stderr and "nesting depth" in done.stderr, done.stderr


def test_cli_refuses_a_duplicate_key_in_function_output(tmp_path: Path) -> None:
    output = (
        RL_HEAD + "- apiVersion: v1\n  kind: ConfigMap\n  kind: Secret\n  metadata: {name: a}\n"
    )
    dup = tmp_path / "dup.wasm"
    dup.write_bytes(wasmtime.wat2wasm(wat_modules.writes(output)))
    done = _runner("run", str(dup), stdin=RL_HEAD.replace("items:\n", "items: []\n"))
    _no_crash(done)
    assert 'dup.wasm output:6:3: document 0: invalid YAML: duplicate key "kind"' in done.stderr
