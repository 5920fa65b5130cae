"""render records its outcome in the root Kptfile and honours kpt's render annotations."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.cli.conftest import Cli
from tests.cli.golden import copy_package


def _status(package: Path) -> dict[str, object]:
    status: dict[str, object] = yaml.safe_load((package / "Kptfile").read_text())["status"]
    return status


def test_success_is_recorded_and_comments_kept(cli: Cli, tmp_path: Path) -> None:
    package = copy_package("selectors", tmp_path / "pkg")
    before = (package / "Kptfile").read_text()
    done = cli("render", package)
    assert done.returncode == 0, done.stderr
    after = (package / "Kptfile").read_text()
    assert after.startswith(before)  # a minimal edit: the status block is added at the end
    status = _status(package)
    assert status["conditions"] == [
        {"type": "Rendered", "status": "True", "reason": "RenderSuccess"}
    ]
    again = cli("render", package)  # rendering again replaces the condition, never adds one
    assert again.returncode == 0, again.stderr
    assert len(_status(package)["conditions"]) == 1  # type: ignore[arg-type]


def test_save_on_render_failure_writes_what_the_mutators_did(cli: Cli, tmp_path: Path) -> None:
    package = copy_package("invalid", tmp_path / "pkg")
    kptfile = package / "Kptfile"
    kptfile.write_text(
        kptfile.read_text().replace(
            '    config.kubernetes.io/local-config: "true"\n',
            '    config.kubernetes.io/local-config: "true"\n'
            '    kpt.dev/save-on-render-failure: "true"\n',
        )
    )
    done = cli("render", package)
    assert done.returncode == 1
    assert "namespace: prod" in (package / "resources.yaml").read_text()  # the mutator's change
    [condition] = _status(package)["conditions"]  # type: ignore[misc]
    assert condition["reason"] == "RenderFailed"
    assert "Partially executed 1 function(s) in 1 package(s)." in done.stderr


def test_out_of_place_output_records_nothing(cli: Cli, tmp_path: Path) -> None:
    package = copy_package("selectors", tmp_path / "pkg")
    before = (package / "Kptfile").read_bytes()
    done = cli("render", package, "-o", "stdout")
    assert done.returncode == 0, done.stderr
    assert (package / "Kptfile").read_bytes() == before
