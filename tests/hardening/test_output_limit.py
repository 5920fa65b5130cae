"""An output past --max-output fails the function, whatever its timing; nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests import wat_modules
from tests.conftest import CliResult

Cli = Callable[..., CliResult]


def test_a_fast_writer_past_the_limit_fails_and_deletes_nothing(
    cli: Cli, wat: Callable[[str, str], Path], tmp_path: Path
) -> None:
    # Regression: a pass-through function wrote 2 MiB under --max-output 1Mi and exited between
    # two polls; the runner parsed the first MiB, deleted 19 of 40 files and truncated one.
    package = tmp_path / "pkg"
    package.mkdir()
    filler = "x" * 50_000
    for number in range(40):
        (package / f"cm-{number:02}.yaml").write_text(
            f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{number}\n"
            f"data:\n  filler: {filler}\n"
        )
    before = {p.name: p.read_bytes() for p in package.iterdir()}
    echo = wat("echo", wat_modules.ECHO)
    done = cli("eval", package, "--exec", echo, "--max-output", "1Mi")
    assert done.returncode == 1
    assert "wrote more than the output limit of 1 MiB" in done.stderr
    assert {p.name: p.read_bytes() for p in package.iterdir()} == before


def test_one_burst_past_the_limit_is_caught_exactly(
    cli: Cli, wat: Callable[[str, str], Path], tmp_path: Path
) -> None:
    burst = wat("burst", wat_modules.burst((1 << 20) + 1))
    stdin = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n"
    done = cli("run", burst, "--max-output", "1Mi", stdin=stdin)
    assert done.returncode == 1
    assert "wrote more than the output limit of 1 MiB" in done.stderr
    exact = wat("exact", wat_modules.burst(1 << 20))
    assert "output limit" not in cli("run", exact, "--max-output", "1Mi", stdin=stdin).stderr
