"""``--image`` names through the CLI: which wasm file runs, --fn-path and $KRM_FN_PATH.

Which language ran is told apart by the error each set-namespace reports for a missing
functionConfig (its golden ``missing-config`` case).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import wat_modules
from tests.cli.conftest import Cli, load_results
from tests.conftest import ROOT

STREAM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n"
LANG_DIRS = {"go": "functions-go", "rust": "functions-rust", "py": "functions-py"}


def _missing_config_results(lang: str) -> list[dict[str, Any]]:
    case = ROOT / LANG_DIRS[lang] / "set-namespace" / "testdata" / "missing-config"
    results: list[dict[str, Any]] = yaml.safe_load((case / "expected-results.yaml").read_text())
    return results


def _run_without_config(cli: Cli, tmp_path: Path, image: str, *flags: str) -> dict[str, Any]:
    done = cli("eval", "-", "--image", image, "--results-dir", tmp_path, *flags, stdin=STREAM)
    assert done.returncode == 1, done.stderr
    [entry] = load_results(tmp_path)["items"]
    assert entry["image"] == image  # results name the image as the user wrote it
    assert isinstance(entry, dict)
    return entry


@pytest.mark.parametrize(
    ("image", "lang"),
    [
        ("set-namespace", "rust"),  # a bare name: Rust, then Go, then Python
        ("set-namespace@go", "go"),
        ("set-namespace@py", "py"),
        # (Another registry's image is pulled from that registry: tests/registry. kpt's images
        # run kpt's catalog builds: tests/catalog.)
        ("ghcr.io/acme/fns/set-namespace:latest@go", "go"),
    ],
)
def test_image_names_pick_the_function(cli: Cli, tmp_path: Path, image: str, lang: str) -> None:
    entry = _run_without_config(cli, tmp_path, image)
    assert entry["results"] == _missing_config_results(lang)


@pytest.mark.parametrize("image", ["no-such-function", "set-namespace@java"])
def test_unknown_image_lists_what_is_available(cli: Cli, image: str) -> None:
    done = cli("eval", "-", "--image", image, "--", "a=b", stdin=STREAM)
    assert done.returncode == 1
    assert f"FunctionNotFound: no wasm function for image {image!r}" in done.stderr
    assert "available: " in done.stderr
    for name in ("set-namespace@go", "set-namespace@rust", "require-labels@rust"):
        assert name in done.stderr


def _fails_with(wat: Callable[[str, str], Path], directory: Path, code: int) -> Path:
    """A ``set-namespace.wasm`` in ``directory`` that exits with ``code``: shows who ran."""
    directory.mkdir()
    module = wat(f"exit{code}", wat_modules.exit_with(code, f"from {directory.name}"))
    target = directory / "set-namespace.wasm"
    shutil.copy(module, target)
    return target


def test_fn_path_comes_before_krm_fn_path_before_dist(
    cli: Cli, tmp_path: Path, wat: Callable[[str, str], Path]
) -> None:
    flag_dir, env_dir = tmp_path / "flag", tmp_path / "env"
    _fails_with(wat, flag_dir, 7)
    _fails_with(wat, env_dir, 8)
    env = {"KRM_FN_PATH": f"{tmp_path / 'missing'}:{env_dir}"}
    both = cli("eval", "-", "-i", "set-namespace", "--fn-path", flag_dir, stdin=STREAM, env=env)
    assert "  Exit code: 7" in both.stderr
    assert "from flag" in both.stderr
    only_env = cli("eval", "-", "-i", "set-namespace", stdin=STREAM, env=env)
    assert "  Exit code: 8" in only_env.stderr
    # NAME@LANG still finds dist's build: the searched directories' files have no language.
    done = cli("eval", "-", "-i", "set-namespace@rust", "--", "namespace=x", stdin=STREAM, env=env)
    assert done.returncode == 0, done.stderr
    assert "namespace: x" in done.stdout


def test_fn_path_index_json_versions(cli: Cli, functions: dict[str, Path], tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    shutil.copy(functions["name-prefix@rust"], catalog / "prefixer.wasm")
    entry = {"name": "prefixer", "lang": "rust", "file": "prefixer.wasm", "version": "v1.2.0"}
    (catalog / "index.json").write_text(json.dumps({"functions": [entry]}))
    found = cli(
        "eval", "-", "--image", "example.com/fns/prefixer:1.2.0", "--fn-path", catalog,
        "--", "prefix=p-", stdin=STREAM,
    )  # fmt: skip
    assert found.returncode == 0, found.stderr
    assert "name: p-settings" in found.stdout
    # With versions in the catalog, a tag must match one.
    missing = cli(
        "eval", "-", "--image", "prefixer:v2", "--fn-path", catalog, "--", "prefix=p-",
        stdin=STREAM,
    )  # fmt: skip
    assert missing.returncode == 1
    assert "no wasm function for image 'prefixer:v2'" in missing.stderr
    assert "prefixer@rust" in missing.stderr


@pytest.mark.parametrize(
    ("index", "problem"),
    [
        ('{"functions": [', "Expecting value"),
        ('{"functions": [{"file": "x.wasm"}]}', "functions[0] needs string fields name and file"),
    ],
)
def test_malformed_index_is_named(cli: Cli, tmp_path: Path, index: str, problem: str) -> None:
    (tmp_path / "index.json").write_text(index)
    done = cli("eval", "-", "-i", "set-namespace", "--fn-path", tmp_path, stdin=STREAM)
    assert done.returncode == 1
    where = tmp_path / "index.json"
    assert f"FunctionNotFound: {where}: not a usable function index" in done.stderr
    assert problem in done.stderr
    assert "Traceback" not in done.stderr
