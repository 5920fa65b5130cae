"""Every conformance case against every built implementation of its function.

Differential by construction: the expected output of a function with a kpt build is what kpt's
build gives, and each implementation (kpt's builds included) is its own test, so a disagreement
names the implementation and the case. Each case runs twice: its output fed back must give the
same output (idempotency). Runs go through the runner's core in-process (``run_on_stream``);
one case per implementation also goes through the CLI (``python -m runner exec``).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from typing import Any

import pytest
import yaml

from runner.krm import text as textio
from runner.pipeline.on_text import TextRun, run_on_stream
from runner.pipeline.report import Reporter
from runner.pipeline.run import Step
from runner.wasm.engine import Engine
from runner.wasm.execute import Limits, Sandbox
from tests.conformance import harness
from tests.conformance.harness import Case, Implementation
from tests.conftest import ROOT

CASES = harness.load_cases()
BUILT = harness.implementations()
NAMES = sorted({case.function for case in CASES})
LIMITS = Limits(timeout_seconds=120)
PAIRS = [(case, impl) for case in CASES for impl in BUILT.get(case.function, [])]
# One case per function through the CLI subprocess, against every implementation: the first.
CLI_PAIRS = [
    (case, impl)
    for name in NAMES
    for case in [next(c for c in CASES if c.function == name)]
    for impl in BUILT.get(name, [])
]


@pytest.fixture(scope="module")
def engine() -> Engine:
    # The user's compile cache: each build compiles once, not once per test run.
    return Engine()


def _run(engine: Engine, impl: Implementation, text: str, config: dict[str, Any] | None) -> TextRun:
    step = Step(engine.load(impl.path), label=impl.image, config=config, kind="image")
    return run_on_stream(
        engine, text, f"{impl.id} input", [step],
        limits=LIMITS, sandbox=Sandbox(), reporter=Reporter(io.StringIO(), quiet=True),
    )  # fmt: skip


def _items(text: str) -> list[Any]:
    return [doc for doc in yaml.safe_load_all(text) if doc is not None]


def _check(case: Case, impl: Implementation, exit_code: int, output: list[Any] | None,
           results: list[dict[str, Any]]) -> None:  # fmt: skip
    messages = [r.get("message") for r in results]
    assert exit_code == case.exit_code, f"{impl.id} on {case.id}: exit code; results {messages}"
    mismatch = harness.results_mismatch(case.expected_results, results)
    assert mismatch is None, f"{impl.id} on {case.id}: {mismatch}; messages {messages}"
    if case.expected is not None:
        assert output is not None
        got, want = harness.canonical_items(output), harness.canonical_items(case.expected)
        assert got == want, f"{impl.id} on {case.id}: output differs from expected.yaml"


@pytest.mark.parametrize("name", NAMES)
def test_every_function_with_cases_has_a_build(name: str) -> None:
    assert BUILT.get(name), f"{name}: cases, but no implementation in dist/functions/index.json"
    missing = [i.id for i in BUILT[name] if not i.path.exists()]
    assert not missing, f"in index.json but not built: {missing} (run `nox -s build`)"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case_is_well_formed(case: Case) -> None:
    assert harness.case_problems(case) == []


@pytest.mark.parametrize(("case", "impl"), PAIRS, ids=[f"{c.id}@{i.label}" for c, i in PAIRS])
def test_conformance(engine: Engine, case: Case, impl: Implementation) -> None:
    first = _run(engine, impl, case.resources, case.config)
    results = [r for outcome in first.outcomes for r in outcome.results]
    _check(case, impl, first.exit_code, _items(first.output), results)
    if case.exit_code != 0:
        return  # a failed step's output is the input: feeding it back proves nothing more
    second = _run(engine, impl, first.output, case.config)
    assert second.exit_code == 0, f"{impl.id} on {case.id}: the second run failed"
    assert harness.canonical_items(_items(second.output)) == harness.canonical_items(
        _items(first.output)
    ), f"{impl.id} on {case.id}: not idempotent (the second run changed the output)"


@pytest.mark.parametrize(
    ("case", "impl"), CLI_PAIRS, ids=[f"{c.id}@{i.label}" for c, i in CLI_PAIRS]
)
def test_conformance_through_the_cli(case: Case, impl: Implementation) -> None:
    sources = [doc.text for doc in textio.parse_stream(case.resources, "resources").documents
               if doc.value is not None]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run(
        [sys.executable, "-m", "runner", "exec", str(impl.path)],
        input=textio.resource_list_text(sources, case.config),
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300, check=False,
    )  # fmt: skip
    output = yaml.safe_load(done.stdout) if done.stdout.strip() else None
    if case.exit_code != 0 and not isinstance(output, dict):
        assert done.returncode == case.exit_code, done.stderr
        return
    assert isinstance(output, dict), f"{impl.id}: no ResourceList on stdout: {done.stderr}"
    results = output.get("results") or []
    _check(case, impl, done.returncode, output.get("items") or [], results)


def test_the_suite_sees_kpts_builds() -> None:
    labels = {i.label for impls in BUILT.values() for i in impls}
    assert any(label.startswith("kpt-") for label in labels), json.dumps(sorted(labels))
