"""kpt references to catalog functions with no kpt build run our Rust implementations.

kpt's modules of set-labels, set-annotations, ensure-name-substring and set-image are not served,
so a Kptfile naming them (kpt's tags, either registry) renders with ours (docs/catalog.md). The
functions' own behaviour is covered by tests/conformance; here: the references resolve, the
pipeline chains them, and a rename is followed by the reference to it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.conftest import DIST, CliResult

FUNCTIONS = ("set-labels", "set-annotations", "ensure-name-substring", "set-image")

KPTFILE = """\
apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: app
  annotations:
    config.kubernetes.io/local-config: "true"
pipeline:
  mutators:
    - image: gcr.io/kpt-fn/set-labels:v0.2.0
      configMap:
        env: prod
    - image: ghcr.io/kptdev/krm-functions-catalog/set-annotations:v0.1.4
      configMap:
        owner: team-a
    - image: gcr.io/kpt-fn/ensure-name-substring:v0.2
      configMap:
        prepend: prod-
    - image: gcr.io/kpt-fn/set-image:unstable
      configMap:
        name: nginx
        newTag: "1.25"
"""

APP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  a: b
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web # the web tier
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.14
        envFrom:
        - configMapRef:
            name: settings
"""


@pytest.fixture
def package(tmp_path: Path) -> Path:
    for name in FUNCTIONS:
        if not (DIST / f"{name}.rust.wasm").exists():
            pytest.fail(f"{name}.rust.wasm is not built: run `nox -s build`")
    pkg = tmp_path / "app"
    pkg.mkdir()
    (pkg / "Kptfile").write_text(KPTFILE)
    (pkg / "app.yaml").write_text(APP)
    return pkg


def test_kpt_references_render_with_our_implementations(
    package: Path, cli: Callable[..., CliResult]
) -> None:
    done = cli("render", package)
    assert done.returncode == 0, done.stderr
    config_map, deployment = yaml.safe_load_all((package / "app.yaml").read_text())
    assert config_map["metadata"] == {
        "name": "prod-settings",
        "annotations": {"owner": "team-a"},
        "labels": {"env": "prod"},
    }
    assert deployment["metadata"]["name"] == "prod-web"
    assert deployment["spec"]["selector"]["matchLabels"] == {"app": "web", "env": "prod"}
    template = deployment["spec"]["template"]
    assert template["metadata"] == {
        "labels": {"app": "web", "env": "prod"},
        "annotations": {"owner": "team-a"},
    }
    [container] = template["spec"]["containers"]
    assert container["image"] == "nginx:1.25"
    assert container["envFrom"] == [{"configMapRef": {"name": "prod-settings"}}]
    assert "name: prod-web # the web tier" in (package / "app.yaml").read_text()
    # kpt's set-labels reports its count; the runner prints the results.
    assert "set 4 labels in total" in done.stderr


def test_a_failing_config_fails_the_render_and_leaves_the_package(
    package: Path, cli: Callable[..., CliResult]
) -> None:
    (package / "Kptfile").write_text(KPTFILE.replace("prepend: prod-", "middle: prod-"))
    before = (package / "app.yaml").read_bytes()
    done = cli("render", package)
    assert done.returncode == 1
    assert "unknown editMode: middle" in done.stderr
    assert (package / "app.yaml").read_bytes() == before
