"""Fixtures of the CLI tests: the functions they use must be built; results.yaml as a value."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import CliResult

Cli = Callable[..., CliResult]

# The functions the test packages' Kptfiles and the tests name.
NEEDED = ("set-namespace@rust", "set-namespace@go", "name-prefix@rust", "require-labels@rust")


@pytest.fixture(autouse=True)
def _needed_functions(functions: dict[str, Path]) -> None:
    missing = [name for name in NEEDED if name not in functions]
    if missing:
        pytest.fail(f"not built: {', '.join(missing)}; run `nox -s build`")


def load_results(directory: Path) -> dict[str, Any]:
    """``directory/results.yaml``, checked to be kpt's FunctionResultList."""
    value: dict[str, Any] = yaml.safe_load((directory / "results.yaml").read_text())
    assert value["apiVersion"] == "kpt.dev/v1"
    assert value["kind"] == "FunctionResultList"
    return value
