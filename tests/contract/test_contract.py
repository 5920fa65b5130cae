"""The SDK contract: every language's ``contract-probe`` gives the same answer to every case.

One directory per case, ``tests/contract/cases/<case>/``:

* ``resource-list.yaml``: the ResourceList the function reads, as it comes (no runner checks in
  between: the probe's SDK sees exactly this, converted to the function's input format);
* ``expected-exit-code``;
* ``expected-error``: for input that is not a ResourceList, the message the SDK reports (on
  stderr, or a component's ``err``); no output is written;
* ``expected-output.yaml``: otherwise, the output ResourceList without ``results``;
* ``expected-results.yaml``: the output's ``results`` (none when absent). An entry's
  ``messageMatches`` is a regular expression for the message; ``tags`` are compared only when
  the entry gives them.

The probes (``functions-{go,rust,py}/contract-probe``) do the same thing with their SDKs; see
docs/sdk.md for the contract and tests/contract/README.md for what Go's internal/krm adds to kpt's
Go SDK to keep it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import wasmtime.component
import yaml

from runner.wasm.engine import Engine
from runner.wasm.execute import Execution, execute
from tests.conftest import DIST

CASES_DIR = Path(__file__).parent / "cases"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if (p / "resource-list.yaml").exists())
LANGS = ("go", "rust", "py")

# Where Go (kpt's Go SDK under functions-go/internal/krm) does not keep the contract: strict, so
# that a case starting to pass fails here until it is taken off the list.
GO_DIFFERS: dict[str, str] = {}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine(tmp_path_factory.mktemp("cache"))


def _params() -> list[Any]:
    params = []
    for case in CASES:
        for lang in LANGS:
            marks = []
            if lang == "go" and case in GO_DIFFERS:
                marks.append(pytest.mark.xfail(reason=GO_DIFFERS[case], strict=True))
            params.append(pytest.param(case, lang, marks=marks, id=f"{case}@{lang}"))
    return params


def _run(engine: Engine, wasm: Path, text: str) -> tuple[Execution, dict[str, Any] | None, int]:
    """Run the probe on ``text``: the execution, the output (None if none) and the exit code."""
    function = engine.load(wasm)
    if function.meta.input_format == "json":
        stdin = json.dumps(yaml.safe_load(text)).encode()
    else:
        stdin = text.encode()
    done = execute(engine, function, stdin)
    assert done.problem is None, done.problem
    output = yaml.safe_load(done.stdout) if done.stdout.strip() else None
    code = done.exit_code
    if isinstance(function.code, wasmtime.component.Component) and output is not None:
        # A component's exit code is the runner's rule: 1 iff a result is an error.
        errors = [r for r in output.get("results") or [] if r.get("severity") == "error"]
        code = max(code or 0, 1 if errors else 0)
    assert code is not None
    return done, output, code


def _matches(got: dict[str, Any], want: dict[str, Any]) -> bool:
    want = dict(want)
    pattern = want.pop("messageMatches", None)
    got = dict(got)
    if pattern is not None and not re.search(pattern, str(got.pop("message", ""))):
        return False
    if "tags" not in want:
        got.pop("tags", None)
    return got == want


@pytest.mark.parametrize(("case", "lang"), _params())
def test_contract(case: str, lang: str, engine: Engine) -> None:
    wasm = DIST / f"contract-probe.{lang}.wasm"
    assert wasm.exists(), f"{wasm} is not built: run `nox -s build`"
    directory = CASES_DIR / case
    done, output, code = _run(engine, wasm, (directory / "resource-list.yaml").read_text())
    assert code == int((directory / "expected-exit-code").read_text())

    expected_error = directory / "expected-error"
    if expected_error.exists():
        assert output is None, "input that is not a ResourceList gives no output"
        reported = done.component_error or done.stderr.decode()
        assert expected_error.read_text().strip() in reported
        return

    assert output is not None, done.stderr.decode()
    results = output.pop("results", None) or []
    want_output = yaml.safe_load((directory / "expected-output.yaml").read_text())
    assert _items_in_any_order(output) == _items_in_any_order(want_output)
    expected_results = directory / "expected-results.yaml"
    want = yaml.safe_load(expected_results.read_text()) if expected_results.exists() else []
    assert len(results) == len(want), results
    for got_result, want_result in zip(results, want, strict=True):
        assert _matches(got_result, want_result), (got_result, want_result)


def _items_in_any_order(value: dict[str, Any]) -> dict[str, Any]:
    """Item order is not part of the contract: the runner puts output items back by id (kpt's Go
    SDK writes them sorted)."""
    items = sorted(value.get("items") or [], key=lambda item: json.dumps(item, sort_keys=True))
    return {**value, "items": items}


def test_every_language_has_a_probe() -> None:
    for lang, root in (("go", "functions-go"), ("rust", "functions-rust"), ("py", "functions-py")):
        assert (Path(__file__).parents[2] / root / "contract-probe" / "metadata.yaml").exists(), (
            lang
        )
