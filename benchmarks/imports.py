"""Where a process's imports go: ``python -X importtime``, each module's own time given to the
package that brought it in.

A standard-library module counts for the nearest importer among wasmtime, PyYAML and the
runner (``ctypes`` under ``wasmtime`` is wasmtime's; ``json`` under ``runner.krm.text`` is the
runner's), and for the interpreter's start-up when none of them imported it (``site``,
``encodings``). The figures are in-process microseconds summed; the process's wall time also
holds the interpreter's own start and exit, and the command.
"""

from __future__ import annotations

import statistics
import subprocess
from collections.abc import Sequence

__all__ = ["OWNERS", "import_ms", "median_import_ms"]

# The first match, from the module up through its importers, owns the module's own time.
OWNERS = (("wasmtime", "wasmtime"), ("yaml", "PyYAML"), ("_yaml", "PyYAML"), ("runner", "runner"))
START_UP = "interpreter start-up"


def _owner(name: str) -> str | None:
    top = name.split(".", 1)[0]
    return next((owner for prefix, owner in OWNERS if top == prefix), None)


def _parse(stderr: str) -> list[tuple[int, int, str]]:
    """(depth, own microseconds, module) per line, in the order printed (importers last)."""
    rows = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, _cumulative, name = line[len("import time:") :].split("|", 2)
        depth = (len(name) - len(name.lstrip(" "))) // 2
        rows.append((depth, int(own), name.strip()))
    return rows


def attribute(stderr: str) -> dict[str, float]:
    """Own import time per owner, in ms, from ``-X importtime``'s report."""
    rows = _parse(stderr)
    totals: dict[str, float] = {}
    # Printed after its imports: walking backwards, an importer comes before what it imported,
    # so the importers of the current line are the stack's entries of smaller depth.
    stack: list[tuple[int, str | None]] = []  # (depth, owner so far)
    for depth, own, name in reversed(rows):
        while stack and stack[-1][0] >= depth:
            stack.pop()
        owner = _owner(name) or (stack[-1][1] if stack else None)
        stack.append((depth, owner))
        key = owner or START_UP
        totals[key] = totals.get(key, 0.0) + own / 1000
    return totals


def import_ms(argv: Sequence[str]) -> dict[str, float]:
    """One run of ``argv`` (a Python command: ``python -m ...`` or ``-c``) under -X importtime."""
    command = [argv[0], "-X", "importtime", *argv[1:]]
    done = subprocess.run(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    )
    return attribute(done.stderr)


def median_import_ms(argv: Sequence[str], repeat: int) -> dict[str, float]:
    """Each owner's median over ``repeat`` runs (an owner missing from a run counts 0)."""
    runs = [import_ms(argv) for _ in range(repeat)]
    owners = {owner for run in runs for owner in run}
    return {owner: statistics.median(run.get(owner, 0.0) for run in runs) for owner in owners}
