"""``python -m runner eval`` on packages and on stdin, compared with golden trees and outputs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.cli.conftest import Cli, load_results
from tests.cli.golden import (
    PACKAGES,
    assert_output,
    assert_tree,
    assert_unchanged,
    copy_package,
)

KPT_SET_NAMESPACE = "gcr.io/kpt-fn/set-namespace:v0.4.1"


def test_eval_covers_subpackages_and_keeps_meta_resources(cli: Cli, tmp_path: Path) -> None:
    package = copy_package("nested", tmp_path / "nested")
    # kpt's set-namespace: given the Kptfiles and local-config resources, it leaves them be
    done = cli("eval", package, "--image", KPT_SET_NAMESPACE, "--", "namespace=staging")
    assert done.returncode == 0, done.stderr
    # Every resource of the tree changed; Kptfiles and the local-config ConfigMap did not.
    assert_tree(package, "eval-nested-set-namespace")
    assert f'[RUNNING] "{KPT_SET_NAMESPACE}" on 7 resource(s)' in done.stderr
    assert f'[PASS] "{KPT_SET_NAMESPACE}" in ' in done.stderr


@pytest.mark.parametrize(
    ("case", "flags"),
    [
        # Services except db: only api changes.
        ("eval-selectors-match-kind", ["--match-kind", "Service", "--exclude-name", "db"]),
        # kpt's plural spellings; labels must all match.
        (
            "eval-selectors-match-labels",
            [
                "--match-labels",
                "tier=web",
                "--match-labels",
                "team=blue",
                "--exclude-kind",
                "Service",
            ],
        ),
    ],
)
def test_eval_selector_flags(cli: Cli, tmp_path: Path, case: str, flags: list[str]) -> None:
    package = copy_package("selectors", tmp_path / "selectors")
    done = cli("eval", package, "--image", "name-prefix", *flags, "--", "prefix=picked-")
    assert done.returncode == 0, done.stderr
    # Unselected documents keep their exact text and their place in the file.
    assert_tree(package, case)


def test_failing_validator_leaves_the_package(cli: Cli, tmp_path: Path) -> None:
    package = copy_package("invalid", tmp_path / "invalid")
    results_dir = tmp_path / "results"
    done = cli(
        "eval", package, "-i", "require-labels", "--results-dir", results_dir,
        "--", "team=", "tier=web",
    )  # fmt: skip
    assert done.returncode == 1
    assert_unchanged(package, "invalid")
    assert "[FAIL]" in done.stderr
    assert (
        "[Results]: [error] v1/ConfigMap/settings metadata.labels.team: missing label team, "
        in done.stderr
    )
    results = load_results(results_dir)
    assert results["exitCode"] == 1
    [entry] = results["items"]
    assert entry["image"] == "require-labels"
    assert entry["exitCode"] == 1
    assert [(r["resourceRef"]["name"], r["field"]["path"]) for r in entry["results"]] == [
        ("settings", "metadata.labels.team"),
        ("settings", "metadata.labels.tier"),
        ("api", "metadata.labels.tier"),
    ]
    assert all(r["severity"] == "error" for r in entry["results"])


def test_output_stdout_keeps_path_annotations(cli: Cli, tmp_path: Path) -> None:
    package = copy_package("nested", tmp_path / "nested")
    done = cli("eval", package, "--image", "name-prefix", "-o", "stdout", "--", "prefix=x-")
    assert done.returncode == 0, done.stderr
    assert_output(done.stdout, "eval-nested-stdout")
    assert_unchanged(package, "nested")
    listed = yaml.safe_load(done.stdout)
    assert listed["apiVersion"] == "config.kubernetes.io/v1"
    assert listed["kind"] == "ResourceList"
    paths = [i["metadata"]["annotations"]["config.kubernetes.io/path"] for i in listed["items"]]
    # Go's filepath.Walk order; the Kptfiles and local-config resources included, as kpt does.
    assert paths == [
        "Kptfile",
        "app.yaml",
        "db/Kptfile",
        "db/replica/Kptfile",
        "db/replica/statefulset.yaml",
        "db/service.yaml",
        "namespace.yaml",
    ]


def test_output_unwrap(cli: Cli, tmp_path: Path) -> None:
    package = copy_package("selectors", tmp_path / "selectors")
    done = cli("eval", package, "-i", KPT_SET_NAMESPACE, "-o", "unwrap", "--", "namespace=x")
    assert done.returncode == 0, done.stderr
    assert_output(done.stdout, "eval-selectors-unwrap")
    assert_unchanged(package, "selectors")
    assert "internal.config.kubernetes.io" not in done.stdout


def test_output_dir(cli: Cli, tmp_path: Path) -> None:
    package = copy_package("nested", tmp_path / "nested")
    out = tmp_path / "out"
    done = cli("eval", package, "--image", KPT_SET_NAMESPACE, "-o", out, "--", "namespace=qa")
    assert done.returncode == 0, done.stderr
    assert_tree(out, "eval-nested-out-dir")
    assert_unchanged(package, "nested")


def test_fn_config_file(cli: Cli, tmp_path: Path) -> None:
    package = copy_package("selectors", tmp_path / "selectors")
    config = tmp_path / "config.yaml"
    config.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  prefix: cfg-\n"
    )
    done = cli("eval", package, "--image", "name-prefix", "--fn-config", config)
    assert done.returncode == 0, done.stderr
    docs = yaml.safe_load_all((package / "resources.yaml").read_text())
    names = [d["metadata"]["name"] for d in docs]
    assert names == ["cfg-web", "cfg-legacy", "cfg-settings", "cfg-api", "cfg-db"]


# --- eval - : stdin in, stdout out ---------------------------------------------------------


def test_stdin_resource_list_uses_its_function_config(cli: Cli) -> None:
    text = (PACKAGES / "stdin" / "resource-list.yaml").read_text()
    done = cli("eval", "-", "--image", "set-namespace", stdin=text)
    assert done.returncode == 0, done.stderr
    assert_output(done.stdout, "eval-stdin-resource-list")
    out = yaml.safe_load(done.stdout)
    assert out["kind"] == "ResourceList"
    assert {i["metadata"]["namespace"] for i in out["items"]} == {"from-list"}


def test_stdin_stream_with_key_value_config(cli: Cli) -> None:
    text = (PACKAGES / "stdin" / "stream.yaml").read_text()
    done = cli(
        "eval", "-", "--image", "set-namespace@go", "-o", "unwrap",
        "--", "namespace=from-flag", stdin=text,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    # With -o unwrap a plain stream comes back as a plain stream, comments kept.
    assert_output(done.stdout, "eval-stdin-stream")
    assert "kind: ResourceList" not in done.stdout


def test_stdin_failure_prints_no_resources(cli: Cli, tmp_path: Path) -> None:
    text = (PACKAGES / "stdin" / "stream.yaml").read_text()
    done = cli(
        "eval", "-", "--image", "require-labels", "--results-dir", tmp_path,
        "--", "owner=", stdin=text,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stdout == ""
    assert f"For complete results, see {tmp_path / 'results.yaml'}" in done.stderr
    [entry] = load_results(tmp_path)["items"]
    assert entry["exitCode"] == 1
    assert {r["field"]["path"] for r in entry["results"]} == {"metadata.labels.owner"}
