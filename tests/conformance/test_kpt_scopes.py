"""Our Rust and Python set-namespace carry a copy of kpt's table of built-in kinds and their scope
(``PrecomputedIsNamespaceScoped`` of kpt's Go SDK); this checks each copy against the SDK's source
in Go's module cache, for the SDK kpt's set-namespace v0.4.1 is built on and the one our Go
function is (the Go function calls the SDK's own table)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from buildtools import golang
from tests.conftest import ROOT

SDKS = {
    # kpt's set-namespace v0.4.1 (its go.mod) and functions-go/go.mod
    "github.com/GoogleContainerTools/kpt-functions-sdk/go/fn@v0.0.0-20220506190241-f85503febd54": (
        "internal/const/namespace.go"
    ),
    "github.com/kptdev/krm-functions-sdk/go/fn@v1.0.2": "internal/namespace.go",
}
_GO_ROW = re.compile(r'\{APIVersion: "([^"]*)", Kind: "([^"]*)"\}:\s*(true|false)')
# Formatters may break a long row over lines.
_RUST_ROW = re.compile(r'\(\s*"([^"]*)",\s*"([^"]*)",\s*(true|false),?\s*\)')
_PY_ROW = re.compile(r'\(\s*"([^"]*)",\s*"([^"]*)",?\s*\):\s*(True|False)')


def _module_dir(module_version: str) -> Path:
    """The module's directory in the project's module cache (Go's case-escaped path)."""
    escaped = re.sub(r"[A-Z]", lambda m: "!" + m.group().lower(), module_version)
    path = Path(golang.cache_env(ROOT)["GOMODCACHE"]) / escaped
    if not path.is_dir():
        pytest.fail(f"{module_version} is not in the module cache ({path}): run `nox -s build`")
    return path


def _table(pattern: re.Pattern[str], text: str) -> dict[tuple[str, str], bool]:
    return {(a, k): v.lower() == "true" for a, k, v in pattern.findall(text)}


@pytest.mark.parametrize("module_version", sorted(SDKS))
def test_our_scope_tables_are_kpts(module_version: str) -> None:
    kpt = _table(_GO_ROW, (_module_dir(module_version) / SDKS[module_version]).read_text())
    assert len(kpt) > 50
    rust = (ROOT / "functions-rust" / "set-namespace" / "src" / "scopes.rs").read_text()
    python = (ROOT / "functions-py" / "set-namespace" / "kpt_scopes.py").read_text()
    assert _table(_RUST_ROW, rust) == kpt
    assert _table(_PY_ROW, python) == kpt
