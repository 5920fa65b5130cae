"""Telling the user what happened: kpt-style progress lines, results by severity, results.yaml."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import yaml

from runner.errors import PackageError
from runner.pipeline.run import Step, StepOutcome

__all__ = ["Reporter", "format_results", "results_document", "save_results", "write_results_dir"]

_SEVERITY_ORDER = ("error", "warning", "info")


class Reporter:
    """Prints ``[RUNNING]`` / ``[PASS]`` / ``[FAIL]`` lines and the results, to stderr."""

    def __init__(self, stream: TextIO = sys.stderr, *, quiet: bool = False) -> None:
        self._stream = stream
        self._quiet = quiet

    def _print(self, line: str) -> None:
        if not self._quiet:
            print(line, file=self._stream, flush=True)

    def package(self, name: str) -> None:
        self._print(f'Package "{name}": ')

    def start(self, step: Step) -> None:
        self._print(f'[RUNNING] "{step.label}"' + (" (validator)" if step.is_validator else ""))

    def done(self, outcome: StepOutcome) -> None:
        seconds = outcome.execution.seconds if outcome.execution else 0.0
        took = f"in {seconds * 1000:.0f}ms" if seconds < 1 else f"in {seconds:.1f}s"
        status = "[FAIL]" if outcome.failed else "[PASS]"
        self._print(f'{status} "{outcome.step.label}" {took}')
        if outcome.results:  # kpt's block: a "Results:" heading, one line per result below
            self._print("  Results:")
            for line in format_results(outcome.results):
                self._print(f"    {line}")
        if outcome.failed:
            self._print(f"  Error: {outcome.error}")
            stderr = (
                outcome.execution.stderr.decode("utf-8", "replace").strip()
                if outcome.execution
                else ""
            )
            if stderr:
                self._print("  Stderr:")
                for line in stderr.splitlines()[-20:]:
                    self._print(f"    {line}")
            if outcome.execution and outcome.execution.exit_code is not None:
                self._print(f"  Exit code: {outcome.execution.exit_code}")

    def summary(self, outcomes: Sequence[StepOutcome]) -> None:
        counts = {severity: 0 for severity in _SEVERITY_ORDER}
        for outcome in outcomes:
            for result in outcome.results:
                severity = str(result.get("severity", "info"))
                counts[severity] = counts.get(severity, 0) + 1
        if any(counts.values()):
            parts = [f"{count} {severity}" for severity, count in counts.items() if count]
            self._print("Results: " + ", ".join(parts))


def format_results(results: Sequence[dict[str, Any]]) -> list[str]:
    """One line per result, errors first: ``[error] v1/ConfigMap/ns/name field=spec.x: message``."""

    def rank(result: dict[str, Any]) -> int:
        severity = result.get("severity", "info")
        return _SEVERITY_ORDER.index(severity) if severity in _SEVERITY_ORDER else 3

    lines = []
    for result in sorted(results, key=rank):
        where = []
        ref = result.get("resourceRef")
        if isinstance(ref, dict):
            parts = [ref.get("apiVersion"), ref.get("kind"), ref.get("namespace"), ref.get("name")]
            where.append("/".join(str(p) for p in parts if p))
        field = result.get("field")
        if isinstance(field, dict) and field.get("path"):
            where.append(f"field={field['path']}")
        file = result.get("file")
        if isinstance(file, dict) and file.get("path"):
            where.append(f"file={file['path']}")
        prefix = f"[{result.get('severity', 'info')}] " + (" ".join(where) + ": " if where else "")
        lines.append(prefix + str(result.get("message", "")))
    return lines


def results_document(outcomes: Sequence[StepOutcome], exit_code: int) -> dict[str, Any]:
    """kpt's FunctionResultList (``kpt.dev/v1``) for ``--results-dir``."""
    items = []
    for outcome in outcomes:
        entry: dict[str, Any] = {outcome.step.kind: outcome.step.label}
        entry["exitCode"] = outcome.exit_code
        stderr = outcome.execution.stderr.decode("utf-8", "replace") if outcome.execution else ""
        if outcome.error and outcome.error not in stderr:
            stderr = (stderr.rstrip("\n") + "\n" if stderr else "") + outcome.error
        if stderr:
            entry["stderr"] = stderr
        if outcome.results:
            entry["results"] = outcome.results
        items.append(entry)
    return {
        "apiVersion": "kpt.dev/v1",
        "kind": "FunctionResultList",
        "metadata": {"name": "fnresults"},
        "exitCode": exit_code,
        "items": items,
    }


def write_results_dir(directory: Path, outcomes: Sequence[StepOutcome], exit_code: int) -> Path:
    """Write ``results.yaml`` into ``directory`` (created if needed) and return its path."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PackageError(f"--results-dir {directory}: cannot create: {error.strerror}") from None
    if not directory.is_dir():
        raise PackageError(f"--results-dir {directory}: not a directory")
    path = directory / "results.yaml"
    text = yaml.safe_dump(
        results_document(outcomes, exit_code), sort_keys=False, allow_unicode=True, width=1 << 16
    )
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def save_results(directory: Path | None, outcomes: Sequence[StepOutcome], exit_code: int) -> None:
    """``--results-dir``: write results.yaml there and say where it went, as kpt does."""
    if directory is not None:
        path = write_results_dir(directory, outcomes, exit_code)
        print(f"For complete results, see {path}", file=sys.stderr)
