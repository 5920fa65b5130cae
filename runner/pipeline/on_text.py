"""The one "text in, text out" core: a ResourceList (or a stream of resources) through steps.

Serves ``run``, ``exec`` and ``eval -``. A failed step stops the pipeline; whether the caller
still writes the output is its rule (``TextRun.output`` is there either way): ``run`` writes it
with the results, ``exec`` too unless the function crashed (as a function binary would),
``kpt fn eval -`` writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from runner.krm import text as textio
from runner.krm.resourcelist import check_items, detect_format
from runner.pipeline.report import Reporter
from runner.pipeline.run import Item, Step, StepOutcome, exit_code_of, run_pipeline, strip_added_ids
from runner.wasm.engine import Engine
from runner.wasm.execute import Limits, Sandbox

__all__ = [
    "TextRun",
    "is_resource_list",
    "run_on_resource_list",
    "run_on_stream",
    "run_reported",
    "stream_items",
]


class TextRun(NamedTuple):
    """A finished run: its outcomes, exit code (kpt's: 1 if any step failed) and output text."""

    outcomes: list[StepOutcome]
    exit_code: int
    output: str


def is_resource_list(text: str) -> bool:
    """A cheap look before a full parse: JSON, or YAML naming ``kind: ResourceList`` on top."""
    if detect_format(text) == "json":
        return True
    return any(line.rstrip() == "kind: ResourceList" for line in text.splitlines())


def run_on_resource_list(
    engine: Engine,
    parsed: textio.ParsedResourceList,
    steps: Sequence[Step],
    *,
    limits: Limits,
    sandbox: Sandbox,
    reporter: Reporter,
    output_format: str | None = None,
) -> TextRun:
    """Run ``steps`` (a step without config gets the ResourceList's functionConfig)."""
    config = parsed.value.get("functionConfig")
    if isinstance(config, dict):
        config = textio.config_as_written(config, parsed.yaml_document, ("functionConfig",))
    steps = [s if s.config is not None else s._replace(config=config) for s in steps]
    # Items' own texts only for a function that reads YAML (comments): the output is the
    # ResourceList's own text, edited.
    needs_texts = any(step.function.meta.input_format != "json" for step in steps)
    sources = parsed.item_sources() if needs_texts else [None] * len(parsed.value["items"])
    # The pipeline holds the items from here: the input's list is let go after the first step
    # (its key stays, in its place, for the output's key order).
    values, parsed.value["items"] = parsed.value["items"], []
    items = [Item(v, s) for v, s in zip(values, sources, strict=True)]
    del values, sources
    items, outcomes, exit_code = run_reported(engine, steps, items, limits, sandbox, reporter)
    value = _output_value(parsed.value, items, outcomes)
    text = textio.render_resource_list(parsed, value, output_format or parsed.format)
    return TextRun(outcomes, exit_code, text)


def run_on_stream(
    engine: Engine,
    text: str,
    source: str,
    steps: Sequence[Step],
    *,
    limits: Limits,
    sandbox: Sandbox,
    reporter: Reporter,
) -> TextRun:
    """A multi-document stream of resources (what ``kpt fn eval -`` reads besides ResourceLists)."""
    items, newline = stream_items(text, source)
    items, outcomes, exit_code = run_reported(engine, steps, items, limits, sandbox, reporter)
    texts = [
        textio.edit(item.source, value) if item.source else textio.render(value)
        for item, value in zip(items, strip_added_ids(items), strict=True)
    ]
    return TextRun(outcomes, exit_code, textio.join(texts, newline))


def stream_items(text: str, source: str) -> tuple[list[Item], str]:
    """The resources of a multi-document stream (each with its text) and the stream's newline."""
    stream = textio.parse_stream(text, source)
    documents = [doc for doc in stream.documents if doc.value is not None]
    check_items([doc.value for doc in documents], source)
    return [Item(doc.value, doc) for doc in documents], stream.newline  # doc.value: a copy


def run_reported(
    engine: Engine,
    steps: Sequence[Step],
    items: list[Item],
    limits: Limits,
    sandbox: Sandbox,
    reporter: Reporter,
) -> tuple[list[Item], list[StepOutcome], int]:
    """The pipeline with kpt's progress lines and results summary; kpt's exit code."""
    items, outcomes = run_pipeline(
        engine,
        steps,
        items,
        limits=limits,
        sandbox=sandbox,
        on_start=reporter.start,
        on_done=reporter.done,
    )
    return items, outcomes, exit_code_of(outcomes)


def _output_value(
    value: dict[str, Any], items: list[Item], outcomes: list[StepOutcome]
) -> dict[str, Any]:
    value = dict(value)
    value["items"] = strip_added_ids(items)
    results = [result for outcome in outcomes for result in outcome.results]
    if results:
        value["results"] = results
    else:
        value.pop("results", None)
    return value
