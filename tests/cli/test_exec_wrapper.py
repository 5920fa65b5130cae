"""``python -m runner exec FN.wasm`` driven the way kpt drives an exec function.

kpt (``kpt fn eval --exec ./fn`` or a Kptfile ``exec:``) starts an executable, writes the
ResourceList (YAML, functionConfig included) on its stdin and reads the ResourceList from its
stdout plus its exit code. Here the executable is a two-line shell script around the runner.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.cli.golden import PACKAGES, assert_output
from tests.conftest import ROOT


def _wrapper(directory: Path, wasm: Path) -> Path:
    script = directory / "fn"
    script.write_text(f"#!/bin/sh\nexec {sys.executable} -m runner exec {wasm}\n")
    script.chmod(0o755)
    return script


def _drive(script: Path, stdin: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "KRM_WASM_CACHE": str(cache),
    }
    return subprocess.run(
        [str(script)], input=stdin, capture_output=True, text=True, env=env, timeout=120
    )


def _resource_list(items: str, config: str) -> str:
    indented = "\n".join("  " + line for line in config.splitlines())
    return (
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"
        f"items:\n{items}functionConfig:\n{indented}\n"
    )


ITEMS = """\
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web # kept
    labels:
      team: blue
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: settings
"""


def test_exec_success(functions: dict[str, Path], tmp_path: Path, shared_cache: Path) -> None:
    script = _wrapper(tmp_path, functions["set-namespace@rust"])
    config = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  namespace: prod\n"
    done = _drive(script, _resource_list(ITEMS, config), shared_cache)
    assert done.returncode == 0, done.stderr
    assert_output(done.stdout, "exec-set-namespace")
    out: dict[str, Any] = yaml.safe_load(done.stdout)
    assert [i["metadata"]["namespace"] for i in out["items"]] == ["prod", "prod"]


def test_exec_failure_returns_results(
    functions: dict[str, Path], tmp_path: Path, shared_cache: Path
) -> None:
    script = _wrapper(tmp_path, functions["require-labels@rust"])
    config = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  team: blue\n"
    done = _drive(script, _resource_list(ITEMS, config), shared_cache)
    assert done.returncode == 1
    out: dict[str, Any] = yaml.safe_load(done.stdout)
    # The ResourceList still comes back, items untouched, with the validator's findings.
    assert out["kind"] == "ResourceList"
    assert [i["metadata"]["name"] for i in out["items"]] == ["web", "settings"]
    assert out["results"] == [
        {
            "message": "missing label team=blue",
            "severity": "error",
            "resourceRef": {"apiVersion": "v1", "kind": "ConfigMap", "name": "settings"},
            "field": {"path": "metadata.labels.team"},
        }
    ]
    assert "internal.config.kubernetes.io" not in done.stdout


def test_exec_stdin_from_a_stored_list(
    functions: dict[str, Path], tmp_path: Path, shared_cache: Path
) -> None:
    # The same list eval - reads, through the exec wrapper: functionConfig taken from the list.
    script = _wrapper(tmp_path, functions["set-namespace@go"])
    done = _drive(script, (PACKAGES / "stdin" / "resource-list.yaml").read_text(), shared_cache)
    assert done.returncode == 0, done.stderr
    assert_output(done.stdout, "eval-stdin-resource-list")  # same bytes as eval -
