"""kpt's own catalog functions, built to wasm by ``nox -s build`` (buildtools/catalog.py), run as a
kpt user names them: both registries' image references, kpt's tags, a Kptfile pipeline.

The functions here are kpt's code, compiled unchanged, so what they write is what kpt's functions
write; the runner's part is resolving the references and keeping the text of what they did not
change (the expected tree: the ClusterRole and every comment byte for byte).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from buildtools import catalog, common
from tests.cli.conftest import Cli, load_results
from tests.cli.golden import read_tree
from tests.conftest import DIST

HERE = Path(__file__).parent
STREAM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n"
KPT_SET_NAMESPACE = 'namespace "" updated to "prod", 1 value(s) changed'  # kpt's own words


def _index() -> list[common.Artifact]:
    entries = common.read_manifest(DIST)
    if not entries:
        pytest.fail("no dist/functions/index.json: run `nox -s build`")
    return entries


@pytest.mark.parametrize("function", catalog.CATALOG, ids=lambda f: f.module_version)
def test_every_pinned_function_is_built_and_described(function: catalog.CatalogFunction) -> None:
    [entry] = [e for e in _index() if e.module == function.module_version]
    wasm = DIST / entry.file
    assert entry.name == function.name
    assert entry.version == function.version
    assert entry.lang == "kpt"
    assert entry.origin == "kptdev/krm-functions-catalog"
    assert entry.images == [
        f"gcr.io/kpt-fn/{function.name}:{function.version}",
        f"ghcr.io/kptdev/krm-functions-catalog/{function.name}:{function.version}",
    ]
    assert entry.sha256 == common.sha256_file(wasm)
    assert entry.size == wasm.stat().st_size


def test_pinned_and_not_built_lists_agree_with_the_readme() -> None:
    readme = (HERE.parents[1] / "README.md").read_text()
    for function in catalog.CATALOG:
        assert f"| `{function.name}` |" in readme, function.name
        assert function.version in readme
    for missing in catalog.NOT_BUILT:
        assert f"`{missing.name}`" in readme, missing.name


@pytest.mark.parametrize(
    "image",
    [
        "gcr.io/kpt-fn/set-namespace:v0.4.1",
        "ghcr.io/kptdev/krm-functions-catalog/set-namespace:v0.4.1",
        "gcr.io/kpt-fn/set-namespace:v0.4",
        "gcr.io/kpt-fn/set-namespace:latest",
        "ghcr.io/kptdev/krm-functions-catalog/set-namespace:unstable",
        "gcr.io/kpt-fn/set-namespace",
        "set-namespace@kpt",
    ],
)
def test_kpt_references_run_kpts_set_namespace(cli: Cli, tmp_path: Path, image: str) -> None:
    done = cli(
        "eval", "-", "--image", image, "--results-dir", tmp_path, "--", "namespace=prod",
        stdin=STREAM,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "namespace: prod" in done.stdout
    [entry] = load_results(tmp_path)["items"]
    assert entry["results"] == [{"message": KPT_SET_NAMESPACE, "severity": "info"}]


def test_tag_that_names_no_build_is_an_error_listing_versions(cli: Cli) -> None:
    done = cli("eval", "-", "--image", "gcr.io/kpt-fn/set-namespace:v0.3", stdin=STREAM)
    assert done.returncode == 1
    assert "FunctionNotFound: no wasm function for image 'gcr.io/kpt-fn/set-namespace:v0.3'" in (
        done.stderr
    )
    assert "tag 'v0.3' names none of the versions built (set-namespace@kpt v0.4.1)" in done.stderr
    assert "Traceback" not in done.stderr


def test_kptfile_naming_kpt_images_renders_as_kpt(cli: Cli, tmp_path: Path) -> None:
    package = tmp_path / "kpt-functions"
    shutil.copytree(HERE / "packages" / "kpt-functions", package)
    done = cli("render", package, "--results-dir", tmp_path / "results")
    assert done.returncode == 0, done.stderr
    assert read_tree(package) == read_tree(HERE / "expected" / "kpt-functions")
    results = load_results(tmp_path / "results")
    assert [(item["image"], item["exitCode"]) for item in results["items"]] == [
        ("gcr.io/kpt-fn/apply-setters:v0.2", 0),
        ("gcr.io/kpt-fn/set-namespace:v0.4.1", 0),
        ("ghcr.io/kptdev/krm-functions-catalog/starlark:v0.4", 0),
    ]
    # apply-setters v0.2.0 writes kyaml's legacy {name, items} results: uplifted, as kpt does.
    setters = results["items"][0]["results"]
    assert [r["field"]["path"] for r in setters] == [
        "metadata.name", "spec.replicas", "spec.template.spec.containers[0].args",
    ]  # fmt: skip
    assert results["items"][1]["results"] == [
        {"message": 'namespace "staging" updated to "prod", 5 value(s) changed', "severity": "info"}
    ]


def test_render_twice_changes_nothing_more(cli: Cli, tmp_path: Path) -> None:
    package = tmp_path / "kpt-functions"
    shutil.copytree(HERE / "expected" / "kpt-functions", package)
    before = read_tree(package)
    done = cli("render", package)
    assert done.returncode == 0, done.stderr
    after = read_tree(package)
    # The resources are as they were; the Kptfile's status is rewritten with this run's steps.
    status = b"\nstatus:\n"
    assert after.pop("Kptfile").split(status)[0] == before.pop("Kptfile").split(status)[0]
    assert after == before
    deployment = yaml.safe_load((package / "deployment.yaml").read_text())
    assert deployment["metadata"]["labels"] == {"app": "web", "tier": "frontend"}
