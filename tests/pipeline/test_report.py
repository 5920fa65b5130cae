"""pipeline.report: kpt's progress lines, results by severity, results.yaml, in-process."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import wasmtime
import yaml

from runner.pipeline.report import Reporter, format_results, results_document, save_results
from runner.pipeline.run import Item, Step, StepOutcome, run_step
from runner.wasm.engine import Engine
from runner.wasm.execute import Limits
from tests import wat_modules

RESULTS = [
    {"message": "fyi", "severity": "info"},
    {
        "message": "no owner",
        "severity": "error",
        "resourceRef": {"apiVersion": "v1", "kind": "ConfigMap", "name": "a", "namespace": "ns"},
        "field": {"path": "metadata.labels.owner"},
        "file": {"path": "cm.yaml"},
    },
]


@pytest.fixture(scope="module")
def failed(tmp_path_factory: pytest.TempPathFactory) -> StepOutcome:
    engine = Engine(use_cache=False)
    path = tmp_path_factory.mktemp("wat") / "fails.wasm"
    path.write_bytes(wasmtime.wat2wasm(wat_modules.exit_with(2, "it broke")))
    item = Item({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}})
    _, outcome = run_step(
        engine, Step(engine.load(path), label="fails"), [item], limits=Limits(timeout_seconds=20)
    )
    return outcome


def test_results_are_listed_errors_first_with_where() -> None:
    assert format_results(RESULTS) == [
        "[error] v1/ConfigMap/ns/a field=metadata.labels.owner file=cm.yaml: no owner",
        "[info] fyi",
    ]


def test_a_failed_step_prints_kpts_lines(failed: StepOutcome) -> None:
    stream = io.StringIO()
    reporter = Reporter(stream)
    reporter.start(failed.step)
    reporter.done(failed)
    lines = stream.getvalue().splitlines()
    assert lines[0] == '[RUNNING] "fails"'
    assert lines[1].startswith('[FAIL] "fails" in ')
    assert "  Error: fails: exited with code 2" in lines
    assert lines[-3:] == ["  Stderr:", "    it broke", "  Exit code: 2"]


def test_quiet_prints_nothing(failed: StepOutcome) -> None:
    stream = io.StringIO()
    Reporter(stream, quiet=True).done(failed)
    assert stream.getvalue() == ""


def test_results_yaml_is_kpts_function_result_list(failed: StepOutcome, tmp_path: Path) -> None:
    document = results_document([failed], 1)
    assert document["kind"] == "FunctionResultList" and document["exitCode"] == 1
    assert document["items"][0] == {
        "exec": "fails",
        "exitCode": 2,
        "stderr": "it broke\nfails: exited with code 2",
    }
    save_results(tmp_path / "out", [failed], 1)
    assert yaml.safe_load((tmp_path / "out" / "results.yaml").read_text()) == document
