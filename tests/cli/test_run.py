"""``python -m runner run``: every built function, both input formats, mixed pipelines, failures."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import wat_modules
from tests.conftest import EXAMPLES, CliResult

POC_JSON = EXAMPLES / "poc" / "resourceList.json"
POC_YAML = EXAMPLES / "poc" / "resourceList.yaml"
SET_NAMESPACE = ("set-namespace@go", "set-namespace@rust", "set-namespace@py")

Cli = Callable[..., CliResult]


def _items(text: str) -> list[dict[str, Any]]:
    value = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    assert value["kind"] == "ResourceList"
    items: list[dict[str, Any]] = value["items"]
    return items


@pytest.mark.parametrize("example", [POC_JSON, POC_YAML], ids=["json", "yaml"])
@pytest.mark.parametrize("function", SET_NAMESPACE)
def test_set_namespace_sets_prod_as_kpt_does(
    cli: Cli, functions: dict[str, Path], function: str, example: Path
) -> None:
    done = cli("run", functions[function], "--input", example)
    assert done.returncode == 0, done.stderr
    items = _items(done.stdout)
    # As kpt's set-namespace: a built-in namespaced kind gets one; a custom kind without
    # metadata.namespace is taken as cluster-scoped and left alone.
    assert [(i["kind"], i["metadata"].get("namespace")) for i in items] == [
        ("ReplicationController", "prod"),
        ("MyFoo", None),
    ]
    # Output comes back in the input's format.
    assert done.stdout.lstrip().startswith("{") == (example.suffix == ".json")


@pytest.mark.parametrize("example", [POC_JSON, POC_YAML], ids=["json", "yaml"])
def test_name_prefix_prepends_the_prefix(
    cli: Cli, functions: dict[str, Path], example: Path
) -> None:
    done = cli("run", functions["name-prefix@rust"], "--input", example)
    assert done.returncode == 0, done.stderr
    assert [i["metadata"]["name"] for i in _items(done.stdout)] == ["dev-bob", "dev-bob"]


@pytest.mark.parametrize("example", [POC_JSON, POC_YAML], ids=["json", "yaml"])
def test_mixed_pipeline_go_rust_python(cli: Cli, functions: dict[str, Path], example: Path) -> None:
    done = cli(
        "run",
        functions["set-namespace@go"],
        functions["name-prefix@rust"],
        functions["set-namespace@py"],
        stdin=example.read_text(),
    )
    assert done.returncode == 0, done.stderr
    items = _items(done.stdout)
    assert [(i["metadata"]["name"], i["metadata"].get("namespace")) for i in items] == [
        ("dev-bob", "prod"),
        ("dev-bob", None),  # MyFoo: a custom kind without a namespace, as kpt leaves it
    ]
    # One progress line per function, in order, with its time.
    passes = [line for line in done.stderr.splitlines() if line.startswith("[PASS]")]
    assert [Path(line.split('"')[1]).name for line in passes] == [
        "set-namespace.go.wasm",
        "name-prefix.rust.wasm",
        "set-namespace.py.wasm",
    ]
    # No runner bookkeeping leaks into the output.
    assert "internal.config.kubernetes.io" not in done.stdout


def test_output_format_converts(cli: Cli, functions: dict[str, Path]) -> None:
    done = cli(
        "run", functions["set-namespace@rust"], "--input", POC_YAML, "--output-format", "json"
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["items"][0]["metadata"]["namespace"] == "prod"


@pytest.mark.parametrize("function", [*SET_NAMESPACE, "name-prefix@rust"])
def test_missing_function_config_is_an_error_result(
    cli: Cli, functions: dict[str, Path], function: str
) -> None:
    value = json.loads(POC_JSON.read_text())
    del value["functionConfig"]
    done = cli("run", functions[function], stdin=json.dumps(value))
    assert done.returncode == 1
    assert "[FAIL]" in done.stderr
    assert "[error]" in done.stderr
    # The ResourceList still comes out, with the function's results and the items untouched.
    out = json.loads(done.stdout)
    assert any(r["severity"] == "error" for r in out["results"])
    assert all("namespace" not in i["metadata"] for i in out["items"])


def test_results_dir_writes_a_function_result_list(
    cli: Cli, functions: dict[str, Path], tmp_path: Path
) -> None:
    value = json.loads(POC_JSON.read_text())
    del value["functionConfig"]
    results = tmp_path / "results"
    done = cli(
        "run", functions["set-namespace@go"], "--results-dir", results, stdin=json.dumps(value)
    )
    assert done.returncode == 1
    written = yaml.safe_load((results / "results.yaml").read_text())
    assert written["apiVersion"] == "kpt.dev/v1"
    assert written["kind"] == "FunctionResultList"
    assert written["exitCode"] == 1
    [entry] = written["items"]
    assert entry["exec"].endswith("set-namespace.go.wasm")
    assert entry["exitCode"] == 1
    assert entry["results"][0]["severity"] == "error"


# --- failures, with misbehaving modules written in WAT ---------------------------------------


def test_non_zero_exit_names_function_code_and_stderr(
    cli: Cli, wat: Callable[[str, str], Path]
) -> None:
    bad = wat("crasher", wat_modules.exit_with(3, "something broke"))
    done = cli("run", bad, "--input", POC_JSON)
    assert done.returncode == 1
    assert "crasher.wasm" in done.stderr
    assert "  Exit code: 3" in done.stderr  # kpt's line
    assert "something broke" in done.stderr


def test_trap_stops_the_pipeline(
    cli: Cli, functions: dict[str, Path], wat: Callable[[str, str], Path]
) -> None:
    trap = wat("trapper", wat_modules.TRAP)
    done = cli("run", trap, functions["set-namespace@rust"], "--input", POC_JSON)
    assert done.returncode == 1
    assert "trapper.wasm" in done.stderr
    assert "unreachable" in done.stderr
    assert "set-namespace.rust.wasm" not in done.stderr  # the pipeline stopped


def test_output_that_is_not_a_resource_list(cli: Cli, wat: Callable[[str, str], Path]) -> None:
    liar = wat("liar", wat_modules.writes("hello: world\n"))
    done = cli("run", liar, "--input", POC_JSON)
    assert done.returncode == 1
    assert "liar.wasm" in done.stderr
    assert "ResourceList" in done.stderr


def test_timeout(cli: Cli, wat: Callable[[str, str], Path]) -> None:
    spin = wat("spin", wat_modules.LOOP_FOREVER)
    done = cli("run", spin, "--timeout", "300ms", "--input", POC_JSON)
    assert done.returncode == 1
    assert "exceeded the time limit of 0.3s" in done.stderr


def test_memory_limit(cli: Cli, wat: Callable[[str, str], Path]) -> None:
    hog = wat("hog", wat_modules.MEMORY_HOG)
    done = cli("run", hog, "--memory-limit", "32Mi", "--input", POC_JSON)
    assert done.returncode == 1
    assert "of the 32 MiB limit" in done.stderr


def test_output_limit(cli: Cli, wat: Callable[[str, str], Path]) -> None:
    flood = wat("flood", wat_modules.OUTPUT_FLOOD)
    done = cli("run", flood, "--max-output", "1Mi", "--input", POC_JSON)
    assert done.returncode == 1
    assert "output limit of 1 MiB" in done.stderr


def test_not_a_wasm_file(cli: Cli, tmp_path: Path) -> None:
    fake = tmp_path / "fake.wasm"
    fake.write_text("not wasm")
    done = cli("run", fake, "--input", POC_JSON)
    assert done.returncode == 1
    assert "WasmLoadError" in done.stderr
    assert "fake.wasm" in done.stderr


def test_input_that_is_not_a_resource_list(cli: Cli, functions: dict[str, Path]) -> None:
    done = cli("run", functions["set-namespace@rust"], stdin="apiVersion: v1\nkind: ConfigMap\n")
    assert done.returncode == 1
    assert "expected kind ResourceList" in done.stderr


def test_item_without_name_is_named_in_the_error(cli: Cli, functions: dict[str, Path]) -> None:
    value = json.loads(POC_JSON.read_text())
    del value["items"][1]["metadata"]["name"]
    done = cli("run", functions["set-namespace@rust"], stdin=json.dumps(value))
    assert done.returncode == 1
    assert "items[1] (MyFoo): field metadata.name is missing" in done.stderr


def test_first_use_says_it_compiles_and_the_second_does_not(
    cli: Cli, functions: dict[str, Path], cache_dir: Path
) -> None:
    env = {"KRM_WASM_CACHE": str(cache_dir)}
    first = cli("run", functions["name-prefix@rust"], "--input", POC_JSON, env=env)
    second = cli("run", functions["name-prefix@rust"], "--input", POC_JSON, env=env)
    assert first.returncode == second.returncode == 0
    assert "compiling name-prefix.rust.wasm (once: the result is cached)" in first.stderr
    assert "compiling" not in second.stderr
    assert first.stdout == second.stdout


CONFIG_AS_WRITTEN = """\
apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- {apiVersion: v1, kind: ConfigMap, metadata: {name: cm}}
functionConfig:
  apiVersion: v1
  kind: ConfigMap
  metadata: {name: fn}
  data:
    version: 1.10
    mask: 0x1F
    quoted: "2.50"
"""


def test_a_configmap_config_reaches_a_json_function_as_written(
    cli: Cli, functions: dict[str, Path], tmp_path: Path
) -> None:
    # kpt gives the function the config's text: `1.10` is the string "1.10" to a function that
    # reads ConfigMap data (map[string]string), not the number 1.1 JSON would carry.
    source = tmp_path / "rl.yaml"
    source.write_text(CONFIG_AS_WRITTEN)
    done = cli("run", functions["set-annotations@rust"], "--input", source)
    assert done.returncode == 0, done.stderr
    (item,) = _items(done.stdout)
    assert item["metadata"]["annotations"] == {"version": "1.10", "mask": "0x1F", "quoted": "2.50"}
    assert "    version: 1.10\n" in done.stdout  # the functionConfig itself is as it was


SETTER = """\
apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: app}
  spec:
    containers:
    - name: app
      image: app:old # kpt-set: app:${tag}
functionConfig:
  apiVersion: v1
  kind: ConfigMap
  metadata: {name: setters}
  data:
    tag: 1.10
"""


@pytest.mark.parametrize("function", ["apply-setters@kpt", "apply-setters@go", "apply-setters@py"])
def test_a_setter_value_is_its_text_as_in_kpt(
    cli: Cli, functions: dict[str, Path], function: str, tmp_path: Path
) -> None:
    # kpt's own apply-setters gets `tag: 1.10` as YAML and sets app:1.10 (it was app:1.1 here).
    source = tmp_path / "rl.yaml"
    source.write_text(SETTER)
    done = cli("run", functions[function], "--input", source)
    assert done.returncode == 0, done.stderr
    assert "      image: app:1.10 # kpt-set: app:${tag}\n" in done.stdout, done.stdout


def test_run_starts_without_what_it_does_not_use(cli: Cli, functions: dict[str, Path]) -> None:
    # docs/performance.md: dataclasses (and orjson, which imports it) cost 10-20 ms of a start;
    # the package and registry layers and ruamel are other commands'.
    done = cli(
        "run", "-q", functions["set-namespace@rust"], "--input", POC_YAML,
        env={"PYTHONPROFILEIMPORTTIME": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "runner.pipeline.run" in imported  # the import profile is there
    packages = {m.split(".")[0] for m in imported} | {".".join(m.split(".")[:2]) for m in imported}
    assert packages & {"dataclasses", "orjson", "ruamel", "runner.kpt", "runner.registry"} == set()
