"""``exec FN.wasm``: behave like a KRM function binary, for ``kpt fn eval --exec`` and kustomize.

ResourceList on stdin, the function's ResourceList on stdout (in the input's format, with the user's
comments and formatting kept where the function did not change anything), the function's stderr on
stderr, and its exit code (1 when it trapped or was stopped by a limit).
"""

from __future__ import annotations

import sys
from pathlib import Path

from runner.cli.cmd_run import items_of, output_value, read_input
from runner.krm import text as textio
from runner.pipeline.run import Step, run_step
from runner.wasm.engine import Engine
from runner.wasm.execute import Limits, Sandbox

__all__ = ["exec_command"]


def exec_command(engine: Engine, function: Path, *, limits: Limits, sandbox: Sandbox) -> int:
    text, source = read_input(None)
    parsed = textio.parse_resource_list(text, source)
    step = Step(
        engine.load(function), label=str(function), config=parsed.value.get("functionConfig")
    )
    items = items_of(parsed)
    new_items, outcome = run_step(engine, step, items, limits=limits, sandbox=sandbox)
    if outcome.execution is not None and outcome.execution.stderr:
        sys.stderr.buffer.write(outcome.execution.stderr)
    if outcome.failed and not outcome.results and outcome.error:
        print(outcome.error, file=sys.stderr)
    if outcome.execution is not None and outcome.execution.problem is None:
        # Like a function binary, write the ResourceList even on failure so results reach kpt.
        items_out = new_items if not outcome.failed else items
        value = output_value(parsed, items_out, [outcome])
        sys.stdout.write(textio.render_resource_list(parsed, value, parsed.format))
        sys.stdout.flush()
    return outcome.exit_code
