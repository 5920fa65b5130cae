"""A comment-reading function through `eval` and `render`: apply-setters (input: yaml; `eval` runs
the Go and the Python one).

The runner hands YAML-input functions the package's text, comments included, so the
`# kpt-set: ${name}` markers reach apply-setters; the values it sets are written back as
one-line edits and every other byte of the package stays.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.conftest import CliResult
from tests.pipeline_fidelity._support import copy_corpus, snapshot

Cli = Callable[..., CliResult]

SETTERS = {
    "namespace": "shop-prod",
    "image": "registry.example.com/shop/frontend:2.5.0",
    "replicas": "5",
    "registry": "registry.example.com",
    "tag": "2.0",
    "mode": "production",
    "port": "8080",
}

# (file, line, old value, new value): every line the setters above change, nothing else.
CHANGES = [
    ("commented.yaml", "    namespace: shop # kpt-set: ${namespace}", "shop", "shop-prod"),
    (
        "commented.yaml",
        "                    image: registry.example.com/shop/frontend:2.4.1 # kpt-set: ${image}",
        "2.4.1",
        "2.5.0",
    ),
    ("setters.yaml", "    namespace: shop   # kpt-set: ${namespace}", "shop", "shop-prod"),
    ("setters.yaml", "    replicas: 1   # kpt-set: ${replicas}", "1", "5"),
    (
        "setters.yaml",
        '                    image: "shop/cart:1.0"   # kpt-set: ${registry}/cart:${tag}',
        "shop/cart:1.0",
        "registry.example.com/cart:2.0",
    ),
    (
        "setters.yaml",
        '                          value: "dev"  # kpt-set: ${mode}',
        "dev",
        "production",
    ),
    ("setters.yaml", "  namespace: shop # kpt-set: ${namespace}", "shop", "shop-prod"),
    ("setters.yaml", "  - port: 80 # kpt-set: ${port}", "80", "8080"),
]

KPTFILE = """\
apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: setters  # a package whose values come from setters
pipeline:
  mutators:
    - image: apply-setters:go
      configMap:
{config}"""


def _expected(before: dict[str, bytes]) -> dict[str, bytes]:
    after = dict(before)
    for name, line, old, new in CHANGES:
        text = after[name].decode("utf-8")
        assert text.count(line + "\n") == 1, (name, line)
        changed = line.replace(old, new, 1)
        after[name] = text.replace(line + "\n", changed + "\n").encode("utf-8")
    return after


@pytest.fixture
def package(tmp_path: Path) -> Path:
    root = tmp_path / "pkg"
    copy_corpus(root)
    return root


def _check(root: Path, before: dict[str, bytes]) -> None:
    after = snapshot(root)
    expected = _expected(before)
    assert after.keys() == expected.keys()
    for name in expected:
        assert after[name] == expected[name], name


def _fields_set(results_dir: Path) -> set[str]:
    [entry] = yaml.safe_load((results_dir / "results.yaml").read_text())["items"]
    return {r["field"]["path"] for r in entry.get("results", [])}


@pytest.mark.parametrize("image", ["apply-setters@go", "apply-setters@py"])
def test_eval_apply_setters_sets_marked_values_only(
    package: Path, cli: Cli, tmp_path: Path, image: str
) -> None:
    before = snapshot(package)
    pairs = [f"{k}={v}" for k, v in SETTERS.items()]
    done = cli(
        "eval",
        package,
        "--allow-non-krm",
        "-i",
        image,
        "--results-dir",
        tmp_path,
        "--",
        *pairs,
    )
    assert done.returncode == 0, done.stderr
    _check(package, before)
    assert "spec.template.spec.containers[0].env[0].value" in _fields_set(tmp_path)


def test_render_apply_setters_pipeline(package: Path, cli: Cli, tmp_path: Path) -> None:
    config = "".join(f'        {k}: "{v}"\n' for k, v in SETTERS.items())
    (package / "Kptfile").write_text(KPTFILE.format(config=config), encoding="utf-8")
    before = snapshot(package)
    done = cli("render", package, "--allow-non-krm", "--results-dir", tmp_path)
    assert done.returncode == 0, done.stderr
    kptfile = (package / "Kptfile").read_bytes()  # kpt's status block is added at its end
    assert kptfile.startswith(before["Kptfile"]) and b"reason: RenderSuccess" in kptfile
    (package / "Kptfile").write_bytes(before["Kptfile"])
    _check(package, before)
    assert "metadata.namespace" in _fields_set(tmp_path)


def test_eval_unwrap_output_keeps_comments(package: Path, cli: Cli) -> None:
    """`-o unwrap` prints the changed resources as a stream, comments and all."""
    for name in list(snapshot(package)):
        if name != "setters.yaml":
            (package / name).unlink()
    before = (package / "setters.yaml").read_bytes()
    done = cli("eval", package, "-i", "apply-setters", "-o", "unwrap", "--", "replicas=7")
    assert done.returncode == 0, done.stderr
    assert (package / "setters.yaml").read_bytes() == before  # -o unwrap writes nothing
    expected = before.decode().replace("replicas: 1   #", "replicas: 7   #")
    assert done.stdout == expected
