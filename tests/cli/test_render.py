"""``python -m runner render`` on the packages in tests/packages, compared with golden trees."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from tests.cli.conftest import Cli, load_results
from tests.cli.golden import assert_output, assert_tree, assert_unchanged, copy_package


def _packages_in_order(stderr: str) -> list[str]:
    return [line.split('"')[1] for line in stderr.splitlines() if line.startswith("Package ")]


def test_nested_package_renders_depth_first(cli: Cli, tmp_path: Path) -> None:
    package = copy_package("nested", tmp_path / "nested")
    done = cli("render", package, "--results-dir", tmp_path / "results")
    assert done.returncode == 0, done.stderr
    assert_tree(package, "render-nested")
    # Deepest first; each parent's pipeline saw its subpackages' output (prefixes accumulate).
    assert _packages_in_order(done.stderr) == ["db/replica", "db", "nested"]
    statefulset = yaml.safe_load((package / "db/replica/statefulset.yaml").read_text())
    assert statefulset["metadata"]["name"] == "dev-db-replica-postgres"
    assert "Successfully executed 5 function(s) in 3 package(s)." in done.stderr
    results = load_results(tmp_path / "results")
    assert results["exitCode"] == 0
    assert results["items"] == [
        {"image": "name-prefix", "exitCode": 0},
        {"image": "name-prefix:rust", "exitCode": 0},
        {"image": "name-prefix", "exitCode": 0},
        {  # kpt's own set-namespace v0.4.1 (the catalog build), which reports what it did
            "image": "gcr.io/kpt-fn/set-namespace:v0.4.1",
            "exitCode": 0,
            "results": [
                {
                    "message": 'namespace "" updated to "prod", 3 value(s) changed',
                    "severity": "info",
                }
            ],
        },
        {"image": "require-labels", "exitCode": 0},
    ]


def test_kptfile_selectors_and_exclude(cli: Cli, tmp_path: Path) -> None:
    package = copy_package("selectors", tmp_path / "selectors")
    done = cli("render", cwd=package)  # PKG_DIR defaults to the working directory, as in kpt
    assert done.returncode == 0, done.stderr
    # Unselected documents (legacy, settings, db) keep their exact text and their place.
    assert_tree(package, "render-selectors")


def test_failing_validator_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    package = copy_package("invalid", tmp_path / "invalid")
    done = cli("render", package, "--results-dir", tmp_path / "results")
    assert done.returncode == 1
    # The mutator ran, the validator failed: no resource is written, not even the mutator's
    # change; the root Kptfile records the failure, as kpt's does.
    assert_unchanged(package, "invalid", ignore=["Kptfile"])
    condition = _rendered_condition(package)
    assert (condition["status"], condition["reason"]) == ("False", "RenderFailed")
    assert condition["message"] == "require-labels: exited with code 1"
    assert '[FAIL] "require-labels"' in done.stderr
    assert "Partially executed 1 function(s) in 1 package(s)." in done.stderr
    assert f"For complete results, see {tmp_path / 'results' / 'results.yaml'}" in done.stderr
    results = load_results(tmp_path / "results")
    assert results["exitCode"] == 1
    first, second = results["items"]
    assert (first["image"], first["exitCode"]) == ("set-namespace", 0)
    assert [r["severity"] for r in first["results"]] == ["info"]  # kpt's "namespace ... updated"
    assert second["image"] == "require-labels"
    assert second["exitCode"] == 1
    refs = [
        (r["severity"], r["resourceRef"]["kind"], r["field"]["path"], r["file"])
        for r in second["results"]
    ]
    # The validator saw the mutator's output (namespace prod) and names file and index.
    assert refs == [
        ("error", "ConfigMap", "metadata.labels.team", {"path": "resources.yaml", "index": 1}),
        ("error", "ConfigMap", "metadata.labels.tier", {"path": "resources.yaml", "index": 1}),
        ("error", "Service", "metadata.labels.tier", {"path": "resources.yaml", "index": 2}),
    ]
    assert {r["resourceRef"]["namespace"] for r in second["results"]} == {"prod"}
    assert second["results"][2]["message"] == 'label tier is "backend", want "web"'


def test_output_stdout_is_a_resource_list(cli: Cli, tmp_path: Path) -> None:
    package = copy_package("nested", tmp_path / "nested")
    done = cli("render", package, "-o", "stdout", "--quiet")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # --quiet
    assert_output(done.stdout, "render-nested-stdout")
    assert_unchanged(package, "nested")
    listed = yaml.safe_load(done.stdout)
    assert listed["kind"] == "ResourceList"
    paths = [i["metadata"]["annotations"]["config.kubernetes.io/path"] for i in listed["items"]]
    assert "db/replica/statefulset.yaml" in paths


def test_output_unwrap_is_a_plain_stream(cli: Cli, tmp_path: Path) -> None:
    package = copy_package("selectors", tmp_path / "selectors")
    done = cli("render", package, "-o", "unwrap")
    assert done.returncode == 0, done.stderr
    assert_output(done.stdout, "render-selectors-unwrap")
    assert_unchanged(package, "selectors")
    assert "kind: ResourceList" not in done.stdout


def test_output_dir_gets_the_rendered_package(cli: Cli, tmp_path: Path) -> None:
    package = copy_package("nested", tmp_path / "nested")
    out = tmp_path / "out"
    done = cli("render", package, "-o", out)
    assert done.returncode == 0, done.stderr
    assert_tree(out, "render-nested-out-dir")
    assert_unchanged(package, "nested")


def test_kptfile_exec_is_relative_to_the_package(
    cli: Cli, functions: dict[str, Path], tmp_path: Path
) -> None:
    package = copy_package("exec-relative", tmp_path / "pkg")
    (package / "fns").mkdir()
    shutil.copy(functions["name-prefix@rust"], package / "fns" / "name-prefix.wasm")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = cli("render", package, "--results-dir", tmp_path / "results", cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    assert_tree(package, "render-exec-relative", ignore=["fns/name-prefix.wasm"])
    assert load_results(tmp_path / "results")["items"] == [
        {"exec": "fns/name-prefix.wasm", "exitCode": 0}
    ]


def test_missing_exec_names_the_path(cli: Cli, tmp_path: Path) -> None:
    package = copy_package("exec-relative", tmp_path / "pkg")
    done = cli("render", package)
    assert done.returncode == 1
    assert "FunctionNotFound" in done.stderr
    assert str(package / "fns" / "name-prefix.wasm") in done.stderr
    assert_unchanged(package, "exec-relative", ignore=["Kptfile"])
    condition = _rendered_condition(package)
    assert condition["reason"] == "RenderFailed"
    assert "exec function 'fns/name-prefix.wasm' not found" in condition["message"]


def _rendered_condition(package: Path) -> dict[str, str]:
    status = yaml.safe_load((package / "Kptfile").read_text())["status"]
    [condition] = [c for c in status["conditions"] if c["type"] == "Rendered"]
    return dict(condition)
