"""kpt fn's command-line surface: the ``fn`` group, source/sink/doc, ``eval -`` outputs,
``-- KIND k=v``, kpt's CI flags and ``--save``; all through the CLI as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.cli.conftest import Cli
from tests.cli.golden import copy_package
from tests.conftest import ROOT

PATH_ANNOTATION = "config.kubernetes.io/path"
STREAM = (
    "# the app's settings\n"
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n"
    "  annotations:\n    config.kubernetes.io/path: config/settings.yaml\n"
    "data:\n  a: b\n"
    "---\n"
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"
)


def _items(text: str) -> list[dict[str, object]]:
    value = yaml.safe_load(text)
    assert value["kind"] == "ResourceList", text
    items: list[dict[str, object]] = value["items"]
    return items


def _namespaces(root: Path) -> set[str]:
    found = set()
    for path in root.rglob("*.yaml"):
        for doc in yaml.safe_load_all(path.read_text()):
            annotations = (doc or {}).get("metadata", {}).get("annotations") or {}
            if doc and "config.kubernetes.io/local-config" not in annotations:
                found.add(doc["metadata"].get("namespace"))
    return found


def test_fn_group_runs_the_same_commands(cli: Cli, tmp_path: Path) -> None:
    top = copy_package("nested", tmp_path / "top")
    grouped = copy_package("nested", tmp_path / "grouped")
    assert cli("render", top, "-q").returncode == 0
    done = cli("fn", "render", grouped, "-q")
    assert done.returncode == 0, done.stderr
    for relpath in ("app.yaml", "db/service.yaml"):
        assert (top / relpath).read_text() == (grouped / relpath).read_text()
    done = cli("fn", "eval", grouped, "-i", "set-namespace@rust", "-q", "--", "namespace=fn")
    assert done.returncode == 0, done.stderr
    assert _namespaces(grouped) == {"fn"}
    assert cli("fn", "frobnicate").returncode == 1


def test_krm_console_script(tmp_path: Path) -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["krm"] == scripts["krm-wasm"] == "runner.cli.main:entry"
    installed = Path(sys.executable).parent / "krm"
    if installed.exists():  # pip install -e . was run after the entry was added
        command = [str(installed)]
    else:
        command = [sys.executable, "-c", "import sys; from runner.cli.main import entry; "
                   "sys.argv[0] = 'krm'; sys.exit(entry())"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [*command, "fn", "source", ROOT / "tests" / "packages" / "nested"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert len(_items(done.stdout)) >= 5
    helped = subprocess.run(
        [*command, "--help"], capture_output=True, text=True, env=env, timeout=60
    )
    assert helped.stdout.startswith("usage: krm")


def test_eval_defaults_to_the_current_directory(cli: Cli, tmp_path: Path) -> None:
    package = copy_package("nested", tmp_path / "pkg")
    done = cli("eval", "-i", "set-namespace@rust", "--", "namespace=here", cwd=package)
    assert done.returncode == 0, done.stderr
    assert _namespaces(package) == {"here"}


def test_source_wraps_a_package_with_path_annotations(cli: Cli, tmp_path: Path) -> None:
    package = ROOT / "tests" / "packages" / "nested"
    done = cli("fn", "source", package)
    assert done.returncode == 0, done.stderr
    items = _items(done.stdout)
    paths = {item["metadata"]["annotations"][PATH_ANNOTATION] for item in items}  # type: ignore[index]
    assert {"Kptfile", "app.yaml", "db/service.yaml", "db/replica/statefulset.yaml"} <= paths
    config = tmp_path / "config.yaml"
    config.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: v\n")
    with_config = yaml.safe_load(cli("fn", "source", package, "--fn-config", config).stdout)
    assert with_config["functionConfig"]["data"] == {"k": "v"}
    unwrapped = cli("fn", "source", package, "-o", "unwrap").stdout
    assert "kind: ResourceList" not in unwrapped
    assert "config.kubernetes.io/" not in unwrapped.replace("config.kubernetes.io/local-config", "")
    assert cli("fn", "source", package, "-o", "stdout").returncode == 1  # only unwrap


def test_sink_writes_a_new_package(cli: Cli, tmp_path: Path) -> None:
    listed = cli("fn", "source", ROOT / "tests" / "packages" / "nested").stdout
    done = cli("fn", "sink", tmp_path / "out", stdin=listed)
    assert done.returncode == 0, done.stderr
    original = ROOT / "tests" / "packages" / "nested"
    for relpath in ("Kptfile", "app.yaml", "db/service.yaml", "db/replica/Kptfile"):
        assert (tmp_path / "out" / relpath).read_text() == (original / relpath).read_text()
    (tmp_path / "empty").mkdir()
    assert cli("fn", "sink", tmp_path / "empty", stdin=STREAM).returncode == 0
    assert (tmp_path / "empty" / "config" / "settings.yaml").read_text().startswith("# the app's")
    assert (tmp_path / "empty" / "service_web.yaml").is_file()
    refused = cli("fn", "sink", tmp_path / "out", stdin=listed)
    assert refused.returncode == 1
    assert "directory is not empty" in refused.stderr


def test_kpts_documented_chain(cli: Cli, tmp_path: Path) -> None:
    package = copy_package("nested", tmp_path / "pkg")
    rendered = cli("fn", "render", package, "-o", "stdout", "-q")
    assert rendered.returncode == 0, rendered.stderr
    evaluated = cli(
        "fn", "eval", "-", "--image", "set-namespace@rust", "-q", "--", "namespace=x",
        stdin=rendered.stdout,
    )  # fmt: skip
    assert evaluated.returncode == 0, evaluated.stderr
    assert _items(evaluated.stdout)
    sunk = cli("fn", "sink", tmp_path / "out", stdin=evaluated.stdout)
    assert sunk.returncode == 0, sunk.stderr
    assert _namespaces(tmp_path / "out") == {"x"}
    assert (tmp_path / "out" / "db" / "replica" / "statefulset.yaml").is_file()


def test_eval_stdin_outputs(cli: Cli, tmp_path: Path) -> None:
    args = ("eval", "-", "-i", "set-namespace@rust", "-q")
    wrapped = cli(*args, "--", "namespace=n", stdin=STREAM)
    assert wrapped.returncode == 0, wrapped.stderr
    assert [item["kind"] for item in _items(wrapped.stdout)] == ["ConfigMap", "Service"]
    assert cli(*args, "-o", "stdout", "--", "namespace=n", stdin=STREAM).stdout == wrapped.stdout
    plain = cli(*args, "-o", "unwrap", "--", "namespace=n", stdin=STREAM).stdout
    assert plain.startswith("# the app's settings\n")
    assert "kind: ResourceList" not in plain and PATH_ANNOTATION not in plain
    done = cli(*args, "-o", tmp_path / "dir", "--", "namespace=n", stdin=STREAM)
    assert done.returncode == 0, done.stderr
    assert "namespace: n" in (tmp_path / "dir" / "config" / "settings.yaml").read_text()
    assert (tmp_path / "dir" / "n" / "service_web.yaml").is_file()  # kyaml's default path
    again = cli(*args, "-o", tmp_path / "dir", "--", "namespace=n", stdin=STREAM)
    assert again.returncode == 1
    assert "already exists" in again.stderr


def test_fn_doc_shows_description(cli: Cli) -> None:
    done = cli("fn", "doc", "--image", "set-namespace@rust")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("set-namespace: Sets the namespace of namespaced resources")
    assert "input:     json" in done.stdout
    missing = cli("fn", "doc", "--image", "no-such-function")
    assert missing.returncode == 1
    assert "FunctionNotFound" in missing.stderr


def test_first_word_without_equals_is_the_config_kind(cli: Cli) -> None:
    done = cli("eval", "-", "-i", "set-namespace@rust", "--", "MyConfig", stdin=STREAM)
    assert done.returncode == 1
    assert "v1/MyConfig/function-input" in done.stderr  # the function saw the kind


@pytest.mark.parametrize(
    ("flags", "notice"),
    [
        (["--as-current-user"], "--as-current-user has no effect"),
        (["--truncate-output"], "--truncate-output has no effect"),
        (["--truncate-output=false"], "--truncate-output has no effect"),
        (["--allow-alpha-wasm"], "--allow-alpha-wasm has no effect"),
        (["--image-prefix", "ghcr.io/x/"], "image prefix 'ghcr.io/x/' has no effect"),
        (["--allow-exec"], "--allow-exec has no effect on eval"),
        (["-k", "namespace"], "--keywords has no effect"),
        (["--image-pull-policy", "Always"], ""),
    ],
)
def test_kpts_ci_flags_are_accepted(cli: Cli, flags: list[str], notice: str) -> None:
    done = cli("eval", "-", "-i", "set-namespace@rust", *flags, "--", "namespace=n", stdin=STREAM)
    assert done.returncode == 0, done.stderr
    assert notice in done.stderr
    assert _items(done.stdout)


def test_kpt_image_prefix_environment_and_render_flags(cli: Cli, tmp_path: Path) -> None:
    package = copy_package("nested", tmp_path / "pkg")
    done = cli(
        "render", package, "--allow-alpha-wasm", "--truncate-output", "--as-current-user",
        env={"KPT_IMAGE_PREFIX": "ghcr.io/mine/"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "image prefix 'ghcr.io/mine/' has no effect" in done.stderr


@pytest.mark.parametrize("flag", ["--network", "--allow-network"])
def test_network_is_refused(cli: Cli, flag: str, tmp_path: Path) -> None:
    done = cli("eval", "-", "-i", "set-namespace@rust", flag, stdin=STREAM)
    assert done.returncode == 1
    assert "UsageError: --network: wasm functions cannot be given network access" in done.stderr
    assert done.stdout == ""
    package = copy_package("nested", tmp_path / "pkg")
    assert cli("render", package, flag).returncode == 1


KPTFILE = """\
# the package's own comment
apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: saved  # inline comment
pipeline:
  mutators:
    # prefix first
    - image: name-prefix
      configMap:
        prefix: 'dev-'
"""


def test_save_writes_the_function_into_the_kptfile(cli: Cli, tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "Kptfile").write_text(KPTFILE)
    (package / "app.yaml").write_text(STREAM.split("---\n")[1])
    # kpt's set-namespace (v0.4 is its build here), which leaves the Kptfile it is given alone
    args = ("eval", package, "-i", "set-namespace", "--tag", "v0.4")
    done = cli(*args, "-s", "-t", "mutator", "--match-kind", "Service", "--", "namespace=a")
    assert done.returncode == 0, done.stderr
    assert 'Added "set-namespace:v0.4" as mutator in the Kptfile.' in done.stderr
    text = (package / "Kptfile").read_text()
    assert text.startswith(KPTFILE)  # comments and quoting kept; the entry appended
    entry = yaml.safe_load(text)["pipeline"]["mutators"][1]
    assert entry == {
        "image": "set-namespace:v0.4",
        "selectors": [{"kind": "Service"}],
        "configMap": {"namespace": "a"},
    }
    done = cli(*args, "--save", "--type", "mutator", "--", "namespace=b")
    assert 'Updated "set-namespace:v0.4"' in done.stderr
    mutators = yaml.safe_load((package / "Kptfile").read_text())["pipeline"]["mutators"]
    assert len(mutators) == 2 and mutators[1]["configMap"] == {"namespace": "b"}
    done = cli("eval", package, "-i", "require-labels", "-s", "-t", "validator", "--", "app=")
    assert done.returncode == 1  # the validator fails: nothing is saved, as in kpt
    assert "validators" not in (package / "Kptfile").read_text()
    config = package / "fn-config.yaml"
    config.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata: {}\n")
    done = cli("eval", package, "-i", "require-labels", "-s", "-t", "validator", "--fn-config",
               config)  # fmt: skip
    assert done.returncode == 0, done.stderr
    validators = yaml.safe_load((package / "Kptfile").read_text())["pipeline"]["validators"]
    assert validators == [{"image": "require-labels", "configPath": "fn-config.yaml"}]
    assert "# prefix first" in (package / "Kptfile").read_text()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["-s"], "--save needs --type mutator or --type validator"),
        (["-s", "-t", "other"], "--save needs --type"),
        (["-t", "other"], "--type must be either mutator or validator"),
        (["--tag", "v1", "-i", "x:v2"], "already has a tag"),
        (["--no-such-flag"], "unrecognized arguments: --no-such-flag"),
    ],
)
def test_usage_errors_of_kpt_flags(cli: Cli, flags: list[str], message: str) -> None:
    done = cli("eval", "-", "-i", "set-namespace@rust", *flags, stdin=STREAM)
    assert done.returncode == 1
    assert message in done.stderr
