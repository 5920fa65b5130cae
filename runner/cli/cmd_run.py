"""``run FN.wasm ...``: a ResourceList in, through every function in order, the ResourceList out.

Like a chain of function binaries: the output (with the results) is written even when a function
failed; the exit code says it failed.
"""

from __future__ import annotations

import argparse
import sys

from runner.cli.input import read_input
from runner.cli.options import engine_for, reporting_of, runtime_of
from runner.krm import text as textio
from runner.pipeline.on_text import run_on_resource_list
from runner.pipeline.report import Reporter, save_results
from runner.pipeline.run import Step

__all__ = ["main"]


def main(args: argparse.Namespace) -> int:
    runtime, reporting = runtime_of(args), reporting_of(args)
    text, source = read_input(args.input)  # parse
    parsed = textio.parse_resource_list(text, source)
    engine = engine_for(runtime, reporting)  # resolve + load
    steps = [Step(engine.load(path), label=str(path)) for path in args.functions]
    done = run_on_resource_list(  # run
        engine,
        parsed,
        steps,
        limits=runtime.limits,
        sandbox=runtime.sandbox,
        reporter=Reporter(quiet=reporting.quiet),
        output_format=args.output_format,
    )
    save_results(reporting.results_dir, done.outcomes, done.exit_code)  # report
    sys.stdout.write(done.output)  # write
    sys.stdout.flush()
    return done.exit_code
