"""The runner's errors, one root so the CLI catches one type.

RunnerError                 exit code 1 unless the subclass says otherwise
├── UsageError              bad flags or arguments (exit 1, as kpt's)
├── InputError              input that is not KRM (names file, document, field)
├── PackageError            a package that cannot be read or written (Kptfile, paths)
├── FunctionNotFound        a reference that resolves to no wasm file (lists what exists)
└── WasmLoadError           a file that is not a usable wasm function

A function that fails (exit code, trap, limit, bad output) is not an exception: it is a failed
step (``pipeline.StepOutcome.error``), reported with its results.
"""

from __future__ import annotations

__all__ = [
    "FunctionNotFound",
    "InputError",
    "PackageError",
    "RunnerError",
    "UsageError",
    "WasmLoadError",
]


class RunnerError(Exception):
    """Base of every error the runner reports to the user."""

    exit_code = 1


class UsageError(RunnerError):
    """The command line asks for something impossible (exit 1, as kpt's usage errors)."""


class InputError(RunnerError):
    """Input that is not valid KRM: the message names the file, document and field."""


class PackageError(RunnerError):
    """A kpt package that cannot be read or written as asked."""


class FunctionNotFound(RunnerError):
    """A function name or image that resolves to no wasm file."""


class WasmLoadError(RunnerError):
    """A file that is not a wasm module or component the runner can run."""
