"""Every function's golden cases, run against its built wasm through ``python -m runner eval``.

One layout for every language: ``functions-<lang>/<function>/testdata/<case>/`` holds
``resources.yaml`` (the package's resources), optionally ``fn-config.yaml``, and either
``expected.yaml`` (the file after the function ran, byte for byte: formatting and comments are
part of the contract) or ``expected-results.yaml`` plus ``expected-exit-code`` for a failure.
``KRM_UPDATE_GOLDEN=1`` rewrites the expected files from what the function does now.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from buildtools.languages import LANGUAGES
from tests.conftest import DIST, ROOT, CliResult

UPDATE = os.environ.get("KRM_UPDATE_GOLDEN") == "1"
LANGS = {key: language.directory for key, language in LANGUAGES.items()}


@dataclass(frozen=True)
class Case:
    function: str
    lang: str
    directory: Path

    @property
    def wasm(self) -> Path:
        return DIST / f"{self.function}.{self.lang}.wasm"

    def __str__(self) -> str:
        return f"{self.function}@{self.lang}/{self.directory.name}"


def _cases() -> list[Case]:
    cases = []
    for lang, root in LANGS.items():
        for meta in sorted((ROOT / root).glob("*/metadata.yaml")):
            name = yaml.safe_load(meta.read_text())["name"]
            for case in sorted((meta.parent / "testdata").glob("*/resources.yaml")):
                cases.append(Case(name, lang, case.parent))
    return cases


CASES = _cases()


def test_every_function_has_golden_cases() -> None:
    functions = {(c.function, c.lang) for c in CASES}
    for lang, root in LANGS.items():
        for meta in (ROOT / root).glob("*/metadata.yaml"):
            assert (yaml.safe_load(meta.read_text())["name"], lang) in functions, meta.parent


@pytest.mark.parametrize("case", CASES, ids=str)
def test_golden(case: Case, cli: Callable[..., CliResult], tmp_path: Path) -> None:
    assert case.wasm.exists(), f"{case.wasm} is not built: run `nox -s build`"
    package = tmp_path / "pkg"
    package.mkdir()
    shutil.copy(case.directory / "resources.yaml", package / "resources.yaml")
    before = (package / "resources.yaml").read_bytes()
    args: list[str | Path] = ["eval", package, "--exec", case.wasm, "--results-dir", tmp_path]
    if (case.directory / "fn-config.yaml").exists():
        args += ["--fn-config", case.directory / "fn-config.yaml"]
    done = cli(*args)
    [entry] = yaml.safe_load((tmp_path / "results.yaml").read_text())["items"]
    results = entry.get("results", [])

    expected_output = case.directory / "expected.yaml"
    expected_results = case.directory / "expected-results.yaml"
    expected_code = case.directory / "expected-exit-code"
    if UPDATE:
        if done.returncode == 0:
            expected_output.write_bytes((package / "resources.yaml").read_bytes())
        else:
            expected_results.write_text(yaml.safe_dump(results, sort_keys=False))
            expected_code.write_text(f"{done.returncode}\n")
        return

    if expected_output.exists():
        assert done.returncode == 0, done.stderr
        assert (package / "resources.yaml").read_text() == expected_output.read_text()
    else:
        assert done.returncode == int(expected_code.read_text()), done.stderr
        assert results == yaml.safe_load(expected_results.read_text())
        # A failed function leaves the package as it was.
        assert (package / "resources.yaml").read_bytes() == before
