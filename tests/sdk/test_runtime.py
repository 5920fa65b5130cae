"""The runtime: run() in-process, main() as a process, failures as results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import sdk
from sdk.runtime import registered

ROOT = Path(__file__).resolve().parents[2]
SET_NAMESPACE = ROOT / "functions-py" / "set-namespace"


def resource_list(function_config: dict[str, Any] | None = None) -> str:
    rl: dict[str, Any] = {
        "apiVersion": "config.kubernetes.io/v1",
        "kind": "ResourceList",
        "items": [
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {
                    "name": "a",
                    "annotations": {"internal.config.kubernetes.io/path": "a.yaml"},
                },
            },
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "b"}},
        ],
    }
    if function_config is not None:
        rl["functionConfig"] = function_config
    return json.dumps(rl)


@dataclass
class Label:
    value: str


@sdk.function
def label_all(rl: sdk.ResourceList) -> None:
    value = sdk.config.data(rl.function_config).get("value", "x")
    for item in rl.items:
        item.set_label("team", value)
        rl.results.info("labelled", item)


@sdk.function(config=Label)
def label_typed(rl: sdk.ResourceList, config: Label) -> None:
    for item in rl.items:
        if item.name == "b":
            rl.results.error("b is not allowed", item, "metadata.name")
            continue
        item.set_label("team", config.value)


@sdk.function
def crash(rl: sdk.ResourceList) -> None:
    rl.results.warning("before the crash")
    raise KeyError("spec")


CONFIG = {"apiVersion": "v1", "kind": "ConfigMap", "data": {"value": "blue"}}


def test_run_returns_the_output_and_exit_code_0() -> None:
    output, code = label_all.run(resource_list(CONFIG))
    out = json.loads(output)
    assert code == 0
    assert [i["metadata"]["labels"] for i in out["items"]] == [{"team": "blue"}] * 2
    assert out["results"][0] == {
        "message": "labelled",
        "severity": "info",
        "resourceRef": {"apiVersion": "v1", "kind": "Service", "name": "a"},
        "file": {"path": "a.yaml"},
    }
    assert out["functionConfig"] == CONFIG


def test_run_accepts_bytes() -> None:
    assert label_all.run(resource_list(CONFIG).encode())[1] == 0


def test_an_error_result_means_exit_1_and_the_list_is_still_written() -> None:
    output, code = label_typed.run(resource_list(CONFIG))
    out = json.loads(output)
    assert code == 1
    assert out["items"][0]["metadata"]["labels"] == {"team": "blue"}
    assert out["results"] == [
        {
            "message": "b is not allowed",
            "severity": "error",
            "resourceRef": {"apiVersion": "v1", "kind": "Service", "name": "b"},
            "field": {"path": "metadata.name"},
        }
    ]


@dataclass
class ConfigCase:
    reason: str
    function_config: dict[str, Any] | None
    want: dict[str, Any]


CONFIG_CASES = [
    ConfigCase(
        "missing",
        None,
        {
            "message": "functionConfig is missing; want a ConfigMap",
            "severity": "error",
            "field": {"path": "functionConfig"},
        },
    ),
    ConfigCase(
        "without the field",
        {"kind": "ConfigMap", "data": {}},
        {
            "message": "functionConfig ConfigMap/<no name>: missing field data.value",
            "severity": "error",
            "resourceRef": {"kind": "ConfigMap"},
            "field": {"path": "data.value"},
        },
    ),
]


@pytest.mark.parametrize("case", CONFIG_CASES, ids=lambda c: c.reason)
def test_a_bad_config_is_an_error_result_with_items_unchanged(case: ConfigCase) -> None:
    text = resource_list(case.function_config)
    output, code = label_typed.run(text)
    out = json.loads(output)
    assert code == 1
    assert out["results"] == [case.want]
    assert out["items"] == json.loads(text)["items"]


def test_an_exception_becomes_an_error_result_after_earlier_results() -> None:
    output, code = crash.run(resource_list())
    assert code == 1
    assert json.loads(output)["results"] == [
        {"message": "before the crash", "severity": "warning"},
        {"message": "function panicked: KeyError: 'spec'", "severity": "error"},
    ]


def test_run_raises_input_error_when_there_is_no_resource_list() -> None:
    with pytest.raises(sdk.InputError, match="not valid JSON"):
        label_all.run("{oops")


def test_calling_a_function_applies_it_in_place() -> None:
    rl = sdk.ResourceList.parse(resource_list(CONFIG))
    assert label_all(rl) is rl
    assert rl.items[1].labels == {"team": "blue"}


def test_process_is_the_component_export() -> None:
    assert label_all.process(resource_list(CONFIG)) == label_all.run(resource_list(CONFIG))[0]


def test_the_decorator_registers_functions_in_order() -> None:
    names = [fn.name for fn in registered()]
    assert names.index("label_all") < names.index("label_typed") < names.index("crash")
    assert label_typed.config is Label and label_all.config is None


def run_module(stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "main"],
        cwd=SET_NAMESPACE,
        input=stdin,
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_main_as_a_process_reads_stdin_and_writes_stdout() -> None:
    config = {"apiVersion": "v1", "kind": "ConfigMap", "data": {"namespace": "prod"}}
    done = run_module(resource_list(config).encode())
    assert done.returncode == 0, done.stderr
    assert [i["metadata"]["namespace"] for i in json.loads(done.stdout)["items"]] == ["prod"] * 2


def test_main_exits_1_with_results_on_a_missing_config() -> None:
    done = run_module(resource_list().encode())
    assert done.returncode == 1
    assert json.loads(done.stdout)["results"][0]["severity"] == "error"


def test_main_reports_bad_input_on_stderr() -> None:
    done = run_module(b"{oops")
    assert done.returncode == 1
    assert done.stdout == b""
    assert b"set_namespace: input is not valid JSON" in done.stderr
