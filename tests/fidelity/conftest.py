"""Shared helpers for the fidelity tests: corpus files and line diffs."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "corpus"
CORPUS_FILES = sorted(p for p in CORPUS.iterdir() if p.suffix == ".yaml")


def read_corpus(name: str) -> str:
    """A corpus file's exact text (no newline translation)."""
    with (CORPUS / name).open(encoding="utf-8", newline="") as f:
        return f.read()


def changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    """(removed lines, added lines) between two texts, line breaks stripped."""
    removed: list[str] = []
    added: list[str] = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0):
        if line.startswith(("---", "+++", "@@")):
            continue
        (removed if line.startswith("-") else added).append(line[1:])
    return removed, added


@pytest.fixture(params=[p.name for p in CORPUS_FILES])
def corpus_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)
