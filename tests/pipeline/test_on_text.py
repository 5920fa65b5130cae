"""pipeline.on_text in-process: the core of run, exec and eval -, on WAT functions."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import wasmtime
import yaml

from runner.errors import InputError
from runner.krm import text as textio
from runner.pipeline.on_text import TextRun, is_resource_list, run_on_resource_list, run_on_stream
from runner.pipeline.report import Reporter
from runner.pipeline.run import Step
from runner.wasm.engine import Engine
from runner.wasm.execute import Limits, Sandbox
from tests import wat_modules
from tests.pipeline_fidelity._support import write_module

RESOURCE_LIST = """\
apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1  # kept
  kind: ConfigMap
  metadata:
    name: a
functionConfig:
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: config
"""
STREAM = (
    "# first\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n"
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: b # inline\n"
)


LIMITS = Limits(timeout_seconds=20)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(use_cache=False)


def _step(engine: Engine, tmp_path: Path, name: str, wat: str) -> Step:
    path = tmp_path / f"{name}.wasm"
    path.write_bytes(wasmtime.wat2wasm(wat))
    return Step(engine.load(path), label=name)


def _on_list(engine: Engine, text: str, steps: list[Step]) -> TextRun:
    parsed = textio.parse_resource_list(text, "<test>")
    return run_on_resource_list(
        engine, parsed, steps, limits=LIMITS, sandbox=Sandbox(), reporter=Reporter(io.StringIO())
    )


def _on_stream(engine: Engine, text: str, steps: list[Step]) -> TextRun:
    return run_on_stream(
        engine,
        text,
        "<test>",
        steps,
        limits=LIMITS,
        sandbox=Sandbox(),
        reporter=Reporter(io.StringIO()),
    )


def test_an_identity_function_gives_back_the_input_text(engine: Engine, tmp_path: Path) -> None:
    done = _on_list(engine, RESOURCE_LIST, [_step(engine, tmp_path, "echo", wat_modules.ECHO)])
    assert done.exit_code == 0
    assert done.output == RESOURCE_LIST


def test_a_step_without_config_gets_the_resource_lists(engine: Engine, tmp_path: Path) -> None:
    # The echo writes what it read: its input holds the functionConfig of the ResourceList.
    # (The output's own functionConfig is the input's text, so only the function's stdout shows
    # what the function was given.)
    done = _on_list(engine, RESOURCE_LIST, [_step(engine, tmp_path, "echo", wat_modules.ECHO)])
    execution = done.outcomes[0].execution
    assert execution is not None
    received = yaml.safe_load(execution.stdout)
    assert received["functionConfig"]["metadata"]["name"] == "config"


# The JSON a function is sent is json's own compact encoding, whichever encoder wrote it: a
# float read from JSON (a float subclass), an integer past 64 bits and a null take json's. 1,000
# resources: smaller lists are never given to orjson.
@pytest.mark.parametrize(
    "data",
    [
        '{"s": "caf\u00e9 \\"q\\"", "f": 1.50, "e": 1e3, "t": true}',
        '{"big": 123456789012345678901234567890}',
        '{"n": null, "l": [null]}',
    ],
)
def test_a_json_function_gets_json_s_own_encoding(
    engine: Engine, tmp_path: Path, data: str
) -> None:
    item = '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c{n}"}, "data": {data}}'
    items = [item.replace("{n}", str(n)).replace("{data}", data) for n in range(1000)]
    text = (
        '{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": ['
        + ", ".join(items)
        + "]}"
    )
    done = _on_list(engine, text, [_json_echo(engine, tmp_path)])
    assert done.exit_code == 0
    execution = done.outcomes[0].execution
    assert execution is not None
    sent = json.loads(execution.stdout)
    assert [item["data"] for item in sent["items"]] == [json.loads(data)] * 1000
    assert execution.stdout == json.dumps(sent, ensure_ascii=False, separators=(",", ":")).encode()


def test_a_json_function_is_not_given_nan_among_1000_resources(
    engine: Engine, tmp_path: Path
) -> None:
    items = "".join(
        f"- {{apiVersion: v1, kind: ConfigMap, metadata: {{name: c{n}}}}}\n" for n in range(999)
    )
    text = f"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{items}"
    text += "- {apiVersion: v1, kind: ConfigMap, metadata: {name: nan}, data: {a: .nan}}\n"
    with pytest.raises(InputError, match=r"ConfigMap/nan: field data\.a: \.nan"):
        _on_list(engine, text, [_json_echo(engine, tmp_path)])


def _json_echo(engine: Engine, tmp_path: Path) -> Step:
    path = write_module(tmp_path / "echo.wasm", wat_modules.ECHO, input_format="json")
    return Step(engine.load(path), label="echo")


def test_a_failure_keeps_the_input_items_and_its_exit_code(engine: Engine, tmp_path: Path) -> None:
    failing = _step(engine, tmp_path, "fails", wat_modules.exit_with(3, "boom"))
    done = _on_list(engine, RESOURCE_LIST, [failing])
    assert done.exit_code == 1
    assert done.outcomes[0].exit_code == 3
    assert yaml.safe_load(done.output)["items"][0]["metadata"]["name"] == "a"


def test_a_stream_keeps_comments_and_separators(engine: Engine, tmp_path: Path) -> None:
    echo = _step(engine, tmp_path, "echo", wat_modules.ECHO)
    done = _on_stream(engine, STREAM, [echo])
    assert done.exit_code == 0
    assert done.output == STREAM


def test_a_stream_item_without_a_name_is_refused(engine: Engine, tmp_path: Path) -> None:
    echo = _step(engine, tmp_path, "echo", wat_modules.ECHO)
    with pytest.raises(InputError, match=r"<test>: items\[0\] \(ConfigMap\): field metadata.name"):
        _on_stream(engine, "apiVersion: v1\nkind: ConfigMap\n", [echo])


@pytest.mark.parametrize(
    ("text", "expected"),
    [(RESOURCE_LIST, True), ('{"kind": "ResourceList"}', True), (STREAM, False)],
)
def test_is_resource_list(text: str, expected: bool) -> None:
    assert is_resource_list(text) is expected
