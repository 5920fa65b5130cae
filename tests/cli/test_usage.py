"""Usage errors exit 1 (as kpt's) with a message naming the flag; other failures exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from tests.cli.golden import copy_package

STREAM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["eval", "-"], "one of the arguments --image/-i --exec is required"),
        (["eval", "-", "-i", "a", "--exec", "b.wasm"], "not allowed with argument"),
        (
            ["eval", "-", "-i", "set-namespace", "--", "ConfigMap", "namespace"],
            "'namespace': expected KEY=VALUE",
        ),
        (["eval", "-", "-i", "set-namespace", "stray"], "unrecognized arguments: stray"),
        (["eval", "-", "-i", "set-namespace", "--match-kind", "A", "--match-kind", "B"], "once"),
        (["eval", "-", "-i", "set-namespace", "--match-labels", "novalue"], "novalue"),
        (["eval", "-", "-i", "set-namespace", "--mount", "/data"], "expected DIR:PATH"),
        (["eval", "-", "-i", "set-namespace", "--mount", "/no/such/dir:/d"], "not a directory"),
        (["eval", "-", "-i", "set-namespace", "--env", "UNSET_IN_RUNNER_ENV"], "not set"),
        (["eval", "-", "-i", "set-namespace", "--timeout", "soon"], "--timeout: 'soon'"),
        (["eval", "-", "-i", "set-namespace", "--memory-limit", "lots"], "--memory-limit"),
        (["render", "--output"], "expected one argument"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_usage_errors_exit_1_as_kpt(cli: Cli, args: list[str], message: str) -> None:
    done = cli(*args, stdin=STREAM)
    assert done.returncode == 1, done.stderr
    assert message in done.stderr
    assert done.stdout == ""


def test_fn_config_and_key_values_together(cli: Cli, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    done = cli("eval", "-", "-i", "set-namespace", "--fn-config", config, "--", "a=b")
    assert done.returncode == 1
    assert "either with --fn-config or after --, not both" in done.stderr


def test_render_needs_a_kptfile(cli: Cli, tmp_path: Path) -> None:
    done = cli("render", tmp_path)
    assert done.returncode == 1
    assert f"PackageError: {tmp_path}: not a kpt package (no Kptfile)" in done.stderr


def test_bad_kptfile_names_the_field(cli: Cli, tmp_path: Path) -> None:
    package = copy_package("selectors", tmp_path / "pkg")
    kptfile = package / "Kptfile"
    kptfile.write_text(kptfile.read_text().replace("image: name-prefix", "imag: name-prefix"))
    done = cli("render", package)
    assert done.returncode == 1
    assert "pipeline.mutators[1]" in done.stderr
    assert "imag" in done.stderr
