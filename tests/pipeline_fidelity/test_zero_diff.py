"""Zero diff: functions that change nothing leave every file of the package byte for byte.

The package is the fidelity corpus (Helm and kustomize output, comments everywhere, a CRD with
long descriptions, multi-document files, `---`/`...` markers, CRLF, UTF-8 with a BOM, YAML 1.1
pitfalls, anchors), a Kptfile and a config file. Each language's function runs with a
configuration that changes nothing, through `eval` and through one `render` pipeline.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.pipeline_fidelity._support import ECHO, copy_corpus, snapshot, write_module

Cli = Callable[..., CliResult]

KPTFILE = """\
apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: corpus  # the fidelity corpus as a package
  annotations:
    config.kubernetes.io/local-config: "true"
pipeline:
  mutators:
    - exec: {echo}          # WAT: copies stdin to stdout (declares nothing: YAML input)
    - image: name-prefix:rust
      configMap:
        prefix: ""          # Rust, JSON input: an empty prefix
    - image: apply-setters:go
      configMap:
        unused-setter: x    # Go, YAML input with comments: no file has this marker
    - image: set-namespace:py
      selectors:
        - namespace: staging
      configMap:
        namespace: staging  # Python, JSON input: only resources already in staging
    - image: set-namespace:go
      selectors:
        - namespace: shop
      configMap:
        namespace: shop
    - image: set-namespace:rust
      selectors:
        - kind: NoSuchKind  # a selector that matches nothing
      configMap:
        namespace: nowhere
  validators:
    - image: require-labels:rust
      configPath: no-labels-required.yaml
"""

NO_LABELS = """\
# require-labels with nothing to require: every resource passes
apiVersion: v1
kind: ConfigMap
metadata:
  name: no-labels-required
  annotations:
    config.kubernetes.io/local-config: "true"
data: {}
"""


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(package, echo.wasm): the corpus with a Kptfile, shared by every test of this module."""
    tmp = tmp_path_factory.mktemp("zero-diff")
    echo = write_module(tmp / "echo.wasm", ECHO)
    root = tmp / "pkg"
    copy_corpus(root)
    (root / "Kptfile").write_text(KPTFILE.format(echo=echo), encoding="utf-8")
    (root / "no-labels-required.yaml").write_text(NO_LABELS, encoding="utf-8")
    return root, echo


def _no_op_args(echo: Path, config: Path) -> dict[str, list[str | Path]]:
    return {
        "echo@wat": ["--exec", echo],
        "name-prefix@rust": ["-i", "name-prefix@rust", "--", "prefix="],
        "require-labels@rust": ["-i", "require-labels@rust", "--fn-config", config],
        "apply-setters@go": ["-i", "apply-setters@go", "--", "unused-setter=x"],
        "set-namespace@py": [
            "-i", "set-namespace@py", "--match-namespace", "staging", "--", "namespace=staging",
        ],
        "set-namespace@go": [
            "-i", "set-namespace@go", "--match-namespace", "shop", "--", "namespace=shop",
        ],
        "set-namespace@rust": [
            "-i", "set-namespace@rust", "--match-kind", "NoSuchKind", "--", "namespace=x",
        ],
    }  # fmt: skip


NO_OPS = list(_no_op_args(Path(), Path()))


@pytest.mark.parametrize("function", NO_OPS)
def test_eval_no_op_keeps_every_byte(
    package: tuple[Path, Path], cli: Cli, function: str, functions: dict[str, Path]
) -> None:
    root, echo = package
    before = snapshot(root)
    args = _no_op_args(echo, root / "no-labels-required.yaml")[function]
    done = cli("eval", root, "--allow-non-krm", *args)  # kpt's order: eval PKG -i IMAGE -- ...
    assert done.returncode == 0, done.stderr
    after = snapshot(root)
    assert after.keys() == before.keys()
    for name, data in before.items():
        assert after[name] == data, f"{function} changed {name}"


def test_render_no_op_pipeline_keeps_every_byte(package: tuple[Path, Path], cli: Cli) -> None:
    root, _ = package
    before = snapshot(root)
    done = cli("render", root, "--allow-exec", "--allow-non-krm")  # echo: outside the package
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("[PASS]") == 7, done.stderr
    after = snapshot(root)
    assert after.keys() == before.keys()
    # The root Kptfile gains kpt's status block at its end; every byte before it stays.
    kptfile = after.pop("Kptfile")
    assert kptfile.startswith(before.pop("Kptfile")) and b"\nstatus:\n" in kptfile
    for name, data in before.items():
        assert after[name] == data, f"render changed {name}"


def test_non_krm_documents_are_skipped_and_kept(package: tuple[Path, Path], cli: Cli) -> None:
    """anchors.yaml has no apiVersion/kind: the reader warns, skips it and writes it back."""
    root, echo = package
    before = (root / "anchors.yaml").read_bytes()
    refused = cli("eval", root, "--exec", echo)  # kpt's default: an error naming the document
    assert refused.returncode == 1
    assert "input resource list must contain only KRM resources: anchors.yaml:1" in refused.stderr
    done = cli("eval", root, "--exec", echo, "--allow-non-krm")
    assert done.returncode == 0, done.stderr
    assert "skipping anchors.yaml:1: document 0: not a KRM resource" in done.stderr
    assert (root / "anchors.yaml").read_bytes() == before


def test_the_corpus_has_what_it_claims(package: tuple[Path, Path]) -> None:
    """Guards the claims of this module's docstring against corpus edits."""
    root, _ = package
    files = snapshot(root)
    assert b"\r\n" in files["windows-crlf.yaml"]
    assert files["bom.yaml"].startswith(b"\xef\xbb\xbf")
    assert "grüße".encode() in files["unicode.yaml"]
    assert files["helm.yaml"].count(b"# Source:") >= 3
    assert b"kind: CustomResourceDefinition" in files["crd.yaml"]
    assert any(len(line) > 200 for line in files["crd.yaml"].splitlines())
    assert b"# kpt-set:" in files["commented.yaml"]
    assert files["markers.yaml"].count(b"---") >= 2 and b"\n...\n" in files["markers.yaml"]
