"""The five-function pipelines the benchmark runs, and where their builds are.

set-namespace is the one function built in every language (Rust, Go, Python, and kpt's catalog
build from Go), so each pipeline is five set-namespace steps: the same work in every language.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PIPELINES", "Pipeline", "Step", "wasm_files"]


@dataclass(frozen=True)
class Step:
    name: str
    lang: str  # rust, go, py or kpt (the catalog's Go build)

    @property
    def image(self) -> str:
        """The Kptfile image naming this build (a language tag: docs/commands.md)."""
        return f"{self.name}:{self.lang}"


@dataclass(frozen=True)
class Pipeline:
    name: str
    steps: tuple[Step, ...]
    sizes: tuple[int, ...]  # resource counts it runs at (Python is slow: fewer)

    @property
    def langs(self) -> set[str]:
        return {step.lang for step in self.steps}


def _five(lang: str) -> tuple[Step, ...]:
    return (Step("set-namespace", lang),) * 5


ALL_SIZES = (1, 100, 1000, 10000)
PIPELINES = (
    Pipeline("rust", _five("rust"), ALL_SIZES),
    Pipeline("go", _five("go"), (1, 100, 1000)),
    Pipeline("py", _five("py"), (1, 100)),
    Pipeline(
        "mixed",
        tuple(Step("set-namespace", lang) for lang in ("rust", "go", "py", "kpt", "rust")),
        (1, 100, 1000),
    ),
    Pipeline("catalog", _five("kpt"), (1, 100, 1000)),
)


def wasm_files(dist: Path) -> dict[Step, Path]:
    """Each (name, lang) build that dist/functions/index.json lists (kpt: one version each)."""
    index = json.loads((dist / "index.json").read_text())
    files: dict[Step, Path] = {}
    for entry in index["functions"]:
        files[Step(entry["name"], entry["lang"])] = dist / entry["file"]
    return files
