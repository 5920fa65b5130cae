"""Fixtures for the package I/O tests: a scratch copy of a fixture package per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def app(tmp_path: Path) -> Path:
    """A writable copy of fixtures/app (Kptfile, .krmignore, subpackages, non-KRM file)."""
    target = tmp_path / "app"
    shutil.copytree(FIXTURES / "app", target)
    return target
