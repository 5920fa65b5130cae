"""``run FN.wasm ...``: a ResourceList in, through every function in order, the ResourceList out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from runner.errors import InputError
from runner.krm import text as textio
from runner.pipeline.report import Reporter, write_results_dir
from runner.pipeline.run import Item, Step, StepOutcome, exit_code_of, run_pipeline, strip_added_ids
from runner.wasm.engine import Engine
from runner.wasm.execute import Limits, Sandbox

__all__ = ["items_of", "output_value", "read_input", "run_command", "run_reported"]


def read_input(path: str | None) -> tuple[str, str]:
    """The input text and a name for messages: ``path``, or stdin when ``path`` is None or ``-``."""
    if path is None or path == "-":
        data = sys.stdin.buffer.read()
        source = "<stdin>"
    else:
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise InputError(f"{path}: cannot read: {error.strerror}") from None
        source = path
    try:
        return data.decode("utf-8"), source
    except UnicodeDecodeError as error:
        raise InputError(f"{source}: not UTF-8 text (byte {error.start})") from None


def items_of(parsed: textio.ParsedResourceList) -> list[Item]:
    """The pipeline items of a parsed ResourceList, each with its own text when it has one."""
    return [Item(v, s) for v, s in zip(parsed.value["items"], parsed.item_sources, strict=True)]


def run_reported(
    engine: Engine,
    steps: list[Step],
    items: list[Item],
    *,
    limits: Limits,
    sandbox: Sandbox,
    reporter: Reporter,
) -> tuple[list[Item], list[StepOutcome], int]:
    """Run the pipeline with progress lines and the results summary; 1 if any step failed."""
    items, outcomes = run_pipeline(
        engine,
        steps,
        items,
        limits=limits,
        sandbox=sandbox,
        on_start=reporter.start,
        on_done=reporter.done,
    )
    reporter.summary(outcomes)
    return items, outcomes, exit_code_of(outcomes)


def output_value(
    parsed: textio.ParsedResourceList, items: list[Item], outcomes: list[StepOutcome]
) -> dict[str, Any]:
    value = dict(parsed.value)
    value["items"] = strip_added_ids(items)
    results = [result for outcome in outcomes for result in outcome.results]
    if results:
        value["results"] = results
    else:
        value.pop("results", None)
    return value


def run_command(
    engine: Engine,
    functions: list[Path],
    *,
    input_path: str | None,
    output_format: str | None,
    limits: Limits,
    sandbox: Sandbox,
    results_dir: Path | None,
    reporter: Reporter,
) -> int:
    text, source = read_input(input_path)
    parsed = textio.parse_resource_list(text, source)
    config = parsed.value.get("functionConfig")
    steps = [Step(engine.load(path), label=str(path), config=config) for path in functions]
    items, outcomes, exit_code = run_reported(
        engine, steps, items_of(parsed), limits=limits, sandbox=sandbox, reporter=reporter
    )
    if results_dir is not None:
        write_results_dir(results_dir, outcomes, exit_code)
    value = output_value(parsed, items, outcomes)
    sys.stdout.write(textio.render_resource_list(parsed, value, output_format or parsed.format))
    sys.stdout.flush()
    return exit_code
