"""kpt >= 1.0's meta resources through the CLI: the Kptfile and local-config resources go to
functions, what a function does to a Kptfile is checked, ``-m`` is a deprecation notice; and the
image spellings a Kptfile accepts (``NAME:LANG``, not ``NAME@LANG``)."""

from __future__ import annotations

from pathlib import Path

import pytest
import wasmtime
import yaml

from tests import wat_modules
from tests.cli.conftest import Cli, load_results

KPTFILE = """\
apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: shop # the package
"""
SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"
VALUES = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: values\n  annotations:\n"
    '    config.kubernetes.io/local-config: "true"\ndata:\n  team: blue\n'
)
ANNOTATIONS = "  annotations:\n    internal.config.kubernetes.io/path: {path}\n"


def _package(root: Path, kptfile: str = KPTFILE) -> Path:
    root.mkdir()
    (root / "Kptfile").write_text(kptfile)
    (root / "svc.yaml").write_text(SERVICE)
    (root / "values.yaml").write_text(VALUES)
    return root


def _tree(root: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(root.iterdir()) if p.is_file()}


def test_functions_get_the_kptfile_and_local_config_resources(cli: Cli, tmp_path: Path) -> None:
    package = _package(tmp_path / "pkg")
    done = cli("eval", package, "-i", "name-prefix", "--", "prefix=x-")
    assert done.returncode == 0, done.stderr
    assert '[RUNNING] "name-prefix" on 3 resource(s)' in done.stderr
    assert "Flag --include-meta-resources" not in done.stderr
    # name-prefix leaves meta resources alone, as kpt's catalog functions do
    assert (package / "Kptfile").read_text() == KPTFILE
    assert (package / "values.yaml").read_text() == VALUES
    assert "name: x-web" in (package / "svc.yaml").read_text()


@pytest.mark.parametrize("command", [["eval", "-i", "name-prefix"], ["source"]])
def test_include_meta_resources_is_kpts_deprecation(
    cli: Cli, tmp_path: Path, command: list[str]
) -> None:
    package = _package(tmp_path / "pkg")
    args = [command[0], package, *command[1:], "-m"]
    done = cli(*args, *(["--", "prefix=x-"] if command[0] == "eval" else []))
    assert done.returncode == 0, done.stderr
    assert "Flag --include-meta-resources has been deprecated" in done.stderr
    again = cli(command[0], package, *command[1:], "--include-meta-resources",
                *(["--", "prefix=y-"] if command[0] == "eval" else []))  # fmt: skip
    assert again.returncode == 0, again.stderr


def test_an_fn_config_inside_the_package_is_not_also_a_resource(cli: Cli, tmp_path: Path) -> None:
    package = _package(tmp_path / "pkg")
    config = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: prefix\ndata:\n  prefix: p-\n"
    (package / "prefix.yaml").write_text(config)
    done = cli("eval", package, "-i", "name-prefix", "--fn-config", package / "prefix.yaml")
    assert done.returncode == 0, done.stderr
    assert '[RUNNING] "name-prefix" on 3 resource(s)' in done.stderr  # kpt #4639
    assert (package / "prefix.yaml").read_text() == config


def _returning(tmp_path: Path, items: str) -> Path:
    """A wasm function whose output is always the ResourceList with ``items``."""
    wasm = tmp_path / "fixed.wasm"
    text = f"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{items}"
    wasm.write_bytes(wasmtime.wat2wasm(wat_modules.writes(text)))
    return wasm


def _item(body: str, path: str, rid: str | None = None) -> str:
    """``body`` as an item of a ResourceList, with the runner's path (and id) annotations."""
    value = yaml.safe_load(body)
    annotations = {"internal.config.kubernetes.io/path": path}
    if rid is not None:
        annotations["internal.config.kubernetes.io/id"] = rid
    value["metadata"]["annotations"] = annotations
    text: str = yaml.safe_dump([value], sort_keys=False)
    return text


KPTFILE_ITEM = "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: shop\n"
SERVICE_ITEM = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (_item(SERVICE_ITEM, "svc.yaml", "1"), "Kptfile: the functions' output lacks this Kptfile"),
        (
            _item(KPTFILE_ITEM, "moved.yaml", "0") + _item(SERVICE_ITEM, "svc.yaml", "1"),
            "the Kptfile resource of Kptfile cannot move",
        ),
        (
            _item(KPTFILE_ITEM.replace("Kptfile\n", "ConfigMap\n"), "Kptfile", "0"),
            "the Kptfile resource of Kptfile must stay a Kptfile",
        ),
        (
            _item(KPTFILE_ITEM, "Kptfile", "0") + _item(KPTFILE_ITEM, "extra.yaml"),
            "functions cannot create a Kptfile resource",
        ),
    ],
    ids=["deleted", "moved", "re-kinded", "created"],
)
def test_a_function_may_not_delete_move_or_create_a_kptfile(
    cli: Cli, tmp_path: Path, items: str, message: str
) -> None:
    package = _package(tmp_path / "pkg")
    before = _tree(package)
    done = cli("eval", package, "--exec", _returning(tmp_path, items))
    assert done.returncode == 1
    assert message in done.stderr and "PackageError: " in done.stderr, done.stderr
    assert _tree(package) == before


def test_a_function_may_edit_the_kptfile_it_was_given(cli: Cli, tmp_path: Path) -> None:
    package = _package(tmp_path / "pkg")
    edited = KPTFILE_ITEM + "info:\n  description: edited\n"
    items = _item(edited, "Kptfile", "0") + _item(SERVICE_ITEM, "svc.yaml", "1")
    done = cli("eval", package, "--exec", _returning(tmp_path, items))
    assert done.returncode == 0, done.stderr
    assert (package / "Kptfile").read_text() == KPTFILE + "info:\n  description: edited\n"


def test_a_kptfile_names_a_languages_build_with_a_tag(cli: Cli, tmp_path: Path) -> None:
    kptfile = KPTFILE + "pipeline:\n  mutators:\n    - image: name-prefix@rust\n"
    kptfile += "      configMap:\n        prefix: a-\n"
    package = _package(tmp_path / "pkg", kptfile)
    done = cli("render", package)
    assert done.returncode == 1
    assert (
        "pipeline.mutators[0].image: 'name-prefix@rust' is not an image reference "
        "(after @ comes a digest, sha256:...); to pick the 'rust' build write name-prefix:rust"
    ) in done.stderr
    kptfile = kptfile.replace("name-prefix@rust", "set-namespace:go").replace(
        "prefix: a-", "namespace: a"
    )
    (package / "Kptfile").write_text(kptfile)
    done = cli("render", package, "--results-dir", tmp_path / "results")
    assert done.returncode == 0, done.stderr
    assert '[PASS] "set-namespace:go" in ' in done.stderr
    assert load_results(tmp_path / "results")["items"][0]["image"] == "set-namespace:go"


def test_save_writes_a_languages_build_as_a_tag(cli: Cli, tmp_path: Path) -> None:
    package = _package(tmp_path / "pkg")
    done = cli("eval", package, "-i", "name-prefix@rust", "-s", "-t", "mutator", "--", "prefix=a-")
    assert done.returncode == 0, done.stderr
    entry = yaml.safe_load((package / "Kptfile").read_text())["pipeline"]["mutators"][0]
    assert entry["image"] == "name-prefix:rust"
    done = cli("eval", package, "-i", "name-prefix:v1@rust", "-s", "-t", "mutator", "--", "prefix=")
    assert done.returncode == 1
    assert "names both a tag and a language" in done.stderr
