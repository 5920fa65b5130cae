"""``exec FN.wasm``: behave like a KRM function binary, for ``kpt fn eval --exec`` and kustomize.

ResourceList on stdin, the function's ResourceList on stdout (in the input's format, with the user's
comments and formatting kept where the function did not change anything; written on failure too,
so the results reach kpt, but not when the function trapped or was stopped by a limit: a crashed
binary writes nothing), the function's stderr on stderr, and its exit code (1 when it trapped or
was stopped). Nothing of the runner's own goes to stderr but a failure's reason.
"""

from __future__ import annotations

import argparse
import sys

from runner.cli.input import read_input
from runner.cli.options import engine_for, reporting_of, runtime_of
from runner.krm import text as textio
from runner.pipeline.on_text import run_on_resource_list
from runner.pipeline.report import Reporter
from runner.pipeline.run import Step

__all__ = ["main"]


def main(args: argparse.Namespace) -> int:
    runtime, reporting = runtime_of(args), reporting_of(args)
    text, source = read_input(None)
    parsed = textio.parse_resource_list(text, source)
    engine = engine_for(runtime, reporting)
    step = Step(engine.load(args.function), label=str(args.function))
    done = run_on_resource_list(
        engine,
        parsed,
        [step],
        limits=runtime.limits,
        sandbox=runtime.sandbox,
        reporter=Reporter(quiet=True),
    )
    [outcome] = done.outcomes
    if outcome.execution is not None and outcome.execution.stderr:
        sys.stderr.buffer.write(outcome.execution.stderr)
    if outcome.failed and not outcome.results and outcome.error:
        print(outcome.error, file=sys.stderr)
    if outcome.execution is not None and outcome.execution.problem is None:
        sys.stdout.write(done.output)
        sys.stdout.flush()
    return outcome.exit_code
