"""Fixtures for the package I/O tests: a scratch copy of a fixture package per test."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from runner.kpt.package import Package
from runner.krm.text import copy_value

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def app(tmp_path: Path) -> Path:
    """A writable copy of fixtures/app (Kptfile, .krmignore, subpackages, non-KRM file)."""
    target = tmp_path / "app"
    shutil.copytree(FIXTURES / "app", target)
    return target


def values_of(package: Package) -> list[dict[str, Any]]:
    """Copies of what functions would see, to hand to plan_writes as "the functions' output"."""
    return [copy_value(resource.value) for resource in package.resources]
