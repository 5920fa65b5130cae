"""Aliases that expand a small text into a huge value are refused with the document and line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from runner.fidelity import YamlSyntaxError, parse_yaml_stream

ROOT = Path(__file__).resolve().parents[2]


def _bomb(levels: int) -> str:
    lols = ",".join(['"lol"'] * 9)
    lines = ["kind: ConfigMap", "data:", f"  a0: &a0 [{lols}]"]
    for i in range(1, levels + 1):
        lines.append(f"  a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_naming_document_and_line() -> None:
    text = "kind: First\n---\n" + _bomb(9)
    with pytest.raises(YamlSyntaxError) as caught:
        parse_yaml_stream(text, "bomb.yaml")
    message = str(caught.value)
    assert "bomb.yaml" in message and "alias" in message
    assert "document 1" in message
    # a6 (5,380,840 nodes expanded) is the first past the limit, on line 11 of the file.
    assert ":11:" in message, message


def test_modest_alias_reuse_still_loads() -> None:
    stream = parse_yaml_stream(_bomb(3), "ok.yaml")
    assert len(stream.documents[0].value["data"]["a3"][0][0]) == 9


def test_cli_refuses_an_alias_bomb_without_a_traceback(tmp_path: Path) -> None:
    source = tmp_path / "rl.yaml"
    data = "".join("  " + line + "\n" for line in _bomb(9).splitlines()[2:])
    source.write_text(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: bomb}\n  data:\n" + data
    )
    wasm = ROOT / "dist" / "functions" / "set-namespace.rust.wasm"
    if not wasm.exists():
        pytest.skip("not built")
    done = subprocess.run(
        [sys.executable, "-m", "runner", "run", "-q", "--input", str(source), str(wasm)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode != 0
    assert "alias" in done.stderr and "Traceback" not in done.stderr, done.stderr
