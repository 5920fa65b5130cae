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

__all__ = [
    "Reporter",
    "format_results",
    "go_duration",
    "results_document",
    "save_results",
    "write_results_dir",
]


class Reporter:
    """Prints kpt's progress lines to stderr (kpt v1's internal/fnruntime/runner.go):

    ``[RUNNING] "IMAGE"`` (eval: ``... on N resource(s)``), ``[PASS] "IMAGE" in 300ms`` or
    ``[FAIL] ...``, then ``[Results]: [error] v1/ConfigMap/ns/name field.path: message, ...``
    on one line, `` Stderr: line, line`` and, for a failure, ``  Exit code: N`` and a blank line.
    Durations are Go's, truncated to 100ms (``0s``, ``900ms``, ``1.2s``).
    """

    def __init__(
        self, stream: TextIO = sys.stderr, *, quiet: bool = False, count_resources: bool = False
    ) -> None:
        self._stream = stream
        self._quiet = quiet
        self._count_resources = count_resources  # kpt's DisplayResourceCount, on for eval

    def _print(self, line: str) -> None:
        if not self._quiet:
            print(line, file=self._stream, flush=True)

    def package(self, name: str) -> None:
        self._print(f'Package "{name}": ')

    def start(self, step: Step, selected: int) -> None:
        """run_pipeline's ``on_start``: ``selected`` resources are given to the step."""
        count = f" on {selected} resource(s)" if self._count_resources else ""
        self._print(f'[RUNNING] "{step.label}"{count}')

    def done(self, outcome: StepOutcome) -> None:
        seconds = outcome.execution.seconds if outcome.execution else 0.0
        status = "[FAIL]" if outcome.failed else "[PASS]"
        self._print(f'{status} "{outcome.step.label}" in {go_duration(seconds)}')
        if outcome.results:
            self._print("[Results]: " + ", ".join(format_results(outcome.results)))
        stderr = _stderr_lines(outcome)
        if stderr:  # kpt joins the lines with ", " (its SingleLineFormatter)
            self._print(" Stderr: " + ", ".join(stderr))
        if outcome.failed:
            self._print(f"  Exit code: {outcome.exit_code}\n")


def go_duration(seconds: float) -> str:
    """Go's ``time.Duration.String()`` of ``seconds`` truncated to 100ms, as kpt prints it."""
    tenths = int(seconds * 10 + 1e-9)
    if tenths == 0:
        return "0s"
    if tenths < 10:
        return f"{tenths * 100}ms"
    hours, rest = divmod(tenths, 36000)
    minutes, rest = divmod(rest, 600)
    whole, tenth = divmod(rest, 10)
    text = f"{whole}.{tenth}s" if tenth else f"{whole}s"
    if hours:
        return f"{hours}h{minutes}m{text}"
    return f"{minutes}m{text}" if minutes else text


def _stderr_lines(outcome: StepOutcome) -> list[str]:
    """The function's stderr lines, trimmed, plus the runner's reason when the function's own
    stderr does not say it (a trap or a limit: there is no container log to point at)."""
    text = outcome.execution.stderr.decode("utf-8", "replace") if outcome.execution else ""
    lines = [line.strip() for line in text.strip("\n").split("\n")] if text.strip() else []
    if outcome.error and not outcome.error_is_exit and outcome.error not in text:
        lines.append(outcome.error)
    return lines


def format_results(results: Sequence[dict[str, Any]]) -> list[str]:
    """Each result as kyaml's ``framework.Result.String()``, in the function's order:
    ``[error] apps/v1/Deployment/ns/name spec.replicas: message`` (``[info]: message`` when it
    names no resource or field)."""
    lines = []
    for result in results:
        text = f"[{result.get('severity') or 'info'}]"
        ref = result.get("resourceRef")
        if isinstance(ref, dict):
            parts = [ref.get(key) for key in ("apiVersion", "kind", "namespace", "name")]
            ident = "/".join(str(part) for part in parts if part)
            if ident:
                text += f" {ident}"
        field = result.get("field")
        if isinstance(field, dict):
            text += f" {field.get('path') or ''}"
        message = " ".join(str(result.get("message", "")).split("\n")).strip()
        lines.append(f"{text}: {message}")
    return lines


def results_document(outcomes: Sequence[StepOutcome], exit_code: int) -> dict[str, Any]:
    """kpt's FunctionResultList (``kpt.dev/v1``) for ``--results-dir``."""
    items = []
    for outcome in outcomes:
        # kpt's fnresult.Result field order: image (or exec), stderr, exitCode, results
        entry: dict[str, Any] = {outcome.step.kind: outcome.step.label}
        stderr = outcome.execution.stderr.decode("utf-8", "replace") if outcome.execution else ""
        if outcome.error and outcome.error not in stderr:
            stderr = (stderr.rstrip("\n") + "\n" if stderr else "") + outcome.error
        if stderr:
            entry["stderr"] = stderr
        entry["exitCode"] = outcome.exit_code
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
