"""The render's outcome recorded in the root Kptfile, as kpt does after an in-place render.

kpt writes a `Rendered` condition under `status.conditions` (`status: "True"`, reason
`RenderSuccess`; or `"False"`, `RenderFailed` and the error as `message`), on success and on
failure, and a `renderStatus` with each step. The Kptfile's text stays as it was everywhere else
(a minimal edit). The shape of `renderStatus` here: `mutationSteps` and `validationSteps`, one
entry per step that ran (`image` or `exec`, `exitCode`, `results` and `stderr` when there are
any), and `errorSummary` on a failure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from runner.errors import PackageError
from runner.krm import text as textio
from runner.pipeline.run import StepOutcome

__all__ = ["with_render_status"]

_CONDITION = "Rendered"


def with_render_status(
    kptfile_text: str, name: str, outcomes: Sequence[StepOutcome], error: str | None
) -> str:
    """``kptfile_text`` with the render's condition and step list in ``status``."""
    stream = textio.parse_stream(kptfile_text, name)
    documents = [doc for doc in stream.documents if doc.value is not None]
    if len(documents) != 1 or not isinstance(documents[0].value, dict):
        raise PackageError(f"{name}: cannot record the render status: not one Kptfile document")
    document = documents[0]
    value: dict[str, Any] = textio.copy_value(document.value)
    status = value.get("status")
    status = dict(status) if isinstance(status, dict) else {}
    conditions = [
        c
        for c in status.get("conditions") or []
        if not (isinstance(c, dict) and c.get("type") == _CONDITION)
    ]
    condition: dict[str, Any] = {"type": _CONDITION}
    if error is None:
        condition.update(status="True", reason="RenderSuccess")
    else:
        condition.update(status="False", reason="RenderFailed", message=error)
    status["conditions"] = [*conditions, condition]
    status["renderStatus"] = _render_status(outcomes, error)
    value["status"] = status
    texts = [
        textio.edit(doc, value, stream.style) if doc is document else doc.text
        for doc in stream.documents
    ]
    return "".join(texts) + stream.trailer


def _render_status(outcomes: Sequence[StepOutcome], error: str | None) -> dict[str, Any]:
    steps: dict[str, list[dict[str, Any]]] = {"mutationSteps": [], "validationSteps": []}
    for outcome in outcomes:
        entry: dict[str, Any] = {outcome.step.kind: outcome.step.label}
        entry["exitCode"] = outcome.exit_code if outcome.failed else 0
        if outcome.results:
            entry["results"] = outcome.results
        stderr = outcome.execution.stderr.decode("utf-8", "replace") if outcome.execution else ""
        if outcome.failed and stderr.strip():
            entry["stderr"] = stderr
        steps["validationSteps" if outcome.step.is_validator else "mutationSteps"].append(entry)
    status: dict[str, Any] = {key: entries for key, entries in steps.items() if entries}
    if error is not None:
        status["errorSummary"] = error
    return status
