"""How YAML 1.1 pitfalls (`yes`, `no`, `on`, `off`, `NO`, `0777`, `1.10`, `~`) reach functions.

YAML-input functions get the users' text verbatim; JSON-input functions get the values go-yaml
v3 (kpt) reads; and whatever the function is, files and YAML output keep the original spelling.
A "tee" WAT module copies its stdin to stdout and stderr, and the runner puts a step's stderr in
results.yaml: that is exactly what the function received.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from runner.fidelity import resource_list_yaml
from tests.conftest import CliResult
from tests.pipeline_fidelity._support import CORPUS, ECHO, TEE, snapshot, write_module

RL = "config.kubernetes.io/v1"  # the KRM spec's ResourceList apiVersion

Cli = Callable[..., CliResult]

PITFALLS = (CORPUS / "yaml11-pitfalls.yaml").read_bytes().decode("utf-8")

# What go-yaml v3 (and so a JSON-input function) makes of the file (docs/fidelity.md's table).
GO_YAML_V3 = {
    "data": {
        "enabled": "yes",
        "disabled": "no",
        "switch": "on",
        "other": "off",
        "short": "y",
        "country": "NO",
        "mode": "0777",
        "version": "1.10",
        "nothing": "~",
    },
    "spec": {
        "fileMode": 511,
        "newMode": 420,
        "release": 1.1,
        "tilde": None,
        "hex": 31,
        "big": 1000,
        "date": "2024-01-02",
        "zero-eight": 8.0,
        "yes-key": {"yes": "no"},
        "quoted": "single 'quoted'",
    },
}


def _same_typed(a: Any, b: Any) -> bool:
    """Equal with bool/int/float/str/None told apart (8.0 is not 8, True is not 1)."""
    if isinstance(a, dict):
        return (
            isinstance(b, dict) and a.keys() == b.keys() and all(_same_typed(a[k], b[k]) for k in a)
        )
    if type(a) is not type(b):
        return False
    return a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b))


@pytest.fixture(scope="module")
def tools(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("yaml11")
    root = tmp / "pkg"
    root.mkdir()
    (root / "pitfalls.yaml").write_bytes(PITFALLS.encode("utf-8"))
    return {
        "pkg": root,
        "echo": write_module(tmp / "echo.wasm", ECHO),
        "tee-yaml": write_module(tmp / "tee-yaml.wasm", TEE),
        "tee-json": write_module(tmp / "tee-json.wasm", TEE, input_format="json"),
        "rl": _resource_list(tmp / "rl.yaml"),
    }


def _resource_list(path: Path) -> Path:
    config = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  prefix: ""\n'
    path.write_text(resource_list_yaml([PITFALLS], config, api_version=RL), encoding="utf-8")
    return path


def _received(cli: Cli, package: Path, module: Path, results: Path) -> str:
    before = snapshot(package)
    done = cli("eval", package, "--exec", module, "--results-dir", results)
    assert done.returncode == 0, done.stderr
    assert snapshot(package) == before  # the written file keeps the original text
    [entry] = yaml.safe_load((results / "results.yaml").read_text(encoding="utf-8"))["items"]
    received: str = entry["stderr"]
    return received


def test_yaml_input_function_gets_the_text_verbatim(
    tools: dict[str, Path], cli: Cli, tmp_path: Path
) -> None:
    received = _received(cli, tools["pkg"], tools["tee-yaml"], tmp_path)
    assert received.startswith("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n")
    lines = received.splitlines()
    # Every line of the file, comments and spelling included, indented under `items:`.
    first, *rest = PITFALLS.splitlines()
    assert "- " + first in lines
    for line in rest:
        assert ("  " + line if line else "") in lines, line
    for spelled in (
        "enabled: yes",
        "country: NO",
        "fileMode: 0777 ",
        "release: 1.10 ",
        "tilde: ~ ",
    ):
        assert spelled in received


def test_json_input_function_gets_go_yaml_v3_values(
    tools: dict[str, Path], cli: Cli, tmp_path: Path
) -> None:
    received = _received(cli, tools["pkg"], tools["tee-json"], tmp_path)
    [item] = json.loads(received)["items"]
    assert _same_typed({"data": item["data"], "spec": item["spec"]}, GO_YAML_V3), item
    # The JSON text itself (compact): numbers as JSON numbers, go-yaml v3's strings as strings.
    for text in ('"fileMode":511', '"release":1.1,', '"tilde":null', '"zero-eight":8.0'):
        assert text in received
    assert '"enabled":"yes"' in received and '"country":"NO"' in received


def test_exec_echo_passes_the_bytes_through(tools: dict[str, Path], cli: Cli) -> None:
    text = tools["rl"].read_text(encoding="utf-8")
    done = cli("exec", tools["echo"], stdin=text)
    assert done.returncode == 0, done.stderr
    assert done.stdout == text


@pytest.mark.parametrize("function", ["echo", "name-prefix@rust"])
def test_run_keeps_spelling_in_yaml_and_types_in_json(
    tools: dict[str, Path], cli: Cli, functions: dict[str, Path], function: str
) -> None:
    """echo (YAML input) and name-prefix with an empty prefix (JSON input) change nothing."""
    module = tools["echo"] if function == "echo" else functions[function]
    text = tools["rl"].read_text(encoding="utf-8")
    done = cli("run", "-q", module, stdin=text)
    assert done.returncode == 0, done.stderr
    assert done.stdout == text  # `0777`, `1.10`, `~`, `yes`, `NO`: all as written
    as_json = cli("run", "-q", "--output-format", "json", module, stdin=text)
    assert as_json.returncode == 0, as_json.stderr
    [item] = json.loads(as_json.stdout)["items"]
    assert _same_typed({"data": item["data"], "spec": item["spec"]}, GO_YAML_V3), item
