"""Limit flags are checked up front: a usage error (exit 2) naming the flag, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests import wat_modules
from tests.hardening.conftest import refused, run_cli


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--memory-limit", "0"),
        ("--memory-limit", "-1Gi"),
        ("--memory-limit", "lots"),
        ("--memory-limit", "9" * 400),
        ("--memory-limit", "100Gi"),
        ("--memory-limit", "1k"),
        ("--max-output", "0"),
        ("--max-output", "-5"),
        ("--max-output", "9" * 30),
        ("--timeout", "0"),
        ("--timeout", "-1s"),
        ("--timeout", "soon"),
        ("--timeout", "9" * 400),
        ("--timeout", "25h"),
    ],
)
def test_bad_limit_flag(
    wat: Callable[[str, str], Path], tmp_path: Path, flag: str, value: str
) -> None:
    wasm = wat("ok", wat_modules.exit_with(0, ""))
    result = run_cli("exec", f"{flag}={value}", wasm, cache=tmp_path / "c")
    refused(result, flag)
    assert result.returncode == 1, result
