"""pipeline.report: kpt's progress lines, results by severity, results.yaml, in-process."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import wasmtime
import yaml

from runner.pipeline.report import (
    Reporter,
    format_results,
    go_duration,
    results_document,
    save_results,
)
from runner.pipeline.run import Item, Step, StepOutcome, run_pipeline, run_step
from runner.pipeline.selectors import Selector
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
def engine() -> Engine:
    return Engine(use_cache=False)


@pytest.fixture(scope="module")
def failed(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> StepOutcome:
    path = tmp_path_factory.mktemp("wat") / "fails.wasm"
    path.write_bytes(wasmtime.wat2wasm(wat_modules.exit_with(2, "it broke")))
    item = Item({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}})
    _, outcome = run_step(
        engine, Step(engine.load(path), label="fails"), [item], limits=Limits(timeout_seconds=20)
    )
    return outcome


def test_results_are_kyamls_result_strings_in_order() -> None:
    assert format_results(RESULTS) == [
        "[info]: fyi",
        "[error] v1/ConfigMap/ns/a metadata.labels.owner: no owner",
    ]


def test_a_failed_step_prints_kpts_lines(failed: StepOutcome) -> None:
    stream = io.StringIO()
    reporter = Reporter(stream)
    reporter.start(failed.step, 1)
    reporter.done(failed)
    assert stream.getvalue().splitlines() == [
        '[RUNNING] "fails"',
        '[FAIL] "fails" in 0s',
        " Stderr: it broke",
        "  Exit code: 2",
        "",
    ]


def test_eval_counts_the_resources_a_function_is_given(engine: Engine, failed: StepOutcome) -> None:
    stream = io.StringIO()
    reporter = Reporter(stream, count_resources=True)
    items = [
        Item({"apiVersion": "v1", "kind": kind, "metadata": {"name": "a"}})
        for kind in ("ConfigMap", "Secret", "ConfigMap")
    ]
    step = failed.step._replace(selectors=[Selector(kind="ConfigMap")])
    run_pipeline(engine, [step], items, on_start=reporter.start)
    assert stream.getvalue().splitlines()[0] == '[RUNNING] "fails" on 2 resource(s)'


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0.0, "0s"), (0.099, "0s"), (0.311, "300ms"), (1.26, "1.2s"), (2.0, "2s"), (61.5, "1m1.5s"),
     (3600.0, "1h0m0s")],
)  # fmt: skip
def test_durations_are_gos_truncated_to_100ms(seconds: float, shown: str) -> None:
    assert go_duration(seconds) == shown


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
    assert list(document["items"][0]) == ["exec", "stderr", "exitCode"]  # kpt's field order
    save_results(tmp_path / "out", [failed], 1)
    assert yaml.safe_load((tmp_path / "out" / "results.yaml").read_text()) == document
