"""read_kptfile, each entry with its functionConfig: kpt's Kptfile v1 rules; errors name fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.errors import PackageError
from runner.kpt.kptfile import read_kptfile
from runner.pipeline.selectors import Selector

HEADER = "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: p\n"


def _kptfile(tmp_path: Path, body: str) -> Path:
    (tmp_path / "Kptfile").write_text(HEADER + body)
    return tmp_path


def test_fixture_pipeline(app: Path) -> None:
    kf = read_kptfile(app)
    assert kf.name == "app"
    first, second = kf.pipeline.mutators
    assert (first.image, first.config_path, first.field) == (
        "set-namespace",
        "fn-config.yaml",
        "pipeline.mutators[0]",
    )
    # configMap values are strings, as kpt's map[string]string decoding makes them.
    assert second.config_map == {"tier": "backend", "replicas": "3", "enabled": "true"}
    assert second.selectors == (Selector(kind="Deployment"),)
    assert second.exclude == (Selector(labels={"skip": "yes"}),)
    (validator,) = kf.pipeline.validators
    assert (validator.exec, validator.name, validator.display) == (
        "./validate.wasm",
        "validate",
        "validate",
    )


def test_string_maps_hold_scalars_as_written(tmp_path: Path) -> None:
    # go-yaml sets a string field to the scalar's text: `1.10` stays "1.10" (the float would
    # be 1.1), `0x1F` stays "0x1F" (31), a null is "" (kpt's ConfigMap is map[string]string).
    root = _kptfile(
        tmp_path,
        "pipeline:\n  mutators:\n  - image: a\n    configMap:\n"
        "      version: 1.10\n      mask: 0x1F\n      on: true\n      off: ~\n"
        '      quoted: "1.10"\n      word: yes\n      when: 2001-12-14\n'
        "    selectors:\n    - labels: {v: 1.10}\n    exclude:\n    - annotations: {n: 010}\n",
    )
    (function,) = read_kptfile(root).pipeline.mutators
    assert function.config_map == {
        "version": "1.10",
        "mask": "0x1F",
        "on": "true",
        "off": "",
        "quoted": "1.10",
        "word": "yes",
        "when": "2001-12-14",
    }
    assert function.config is not None and function.config["data"]["version"] == "1.10"
    assert function.selectors == (Selector(labels={"v": "1.10"}),)
    assert function.exclude == (Selector(annotations={"n": "010"}),)


def test_string_fields_hold_numbers_as_written(tmp_path: Path) -> None:
    # kpt's Function.Tag and Selector.Name are Go strings: `tag: 1.10` is "1.10", not 1.1.
    root = _kptfile(
        tmp_path,
        "pipeline:\n  mutators:\n  - image: a\n    tag: 1.10\n    name: 007\n"
        "    selectors:\n    - name: 0x1F\n",
    )
    (function,) = read_kptfile(root).pipeline.mutators
    assert (function.tag, function.name) == ("1.10", "007")
    assert function.selectors == (Selector(name="0x1F"),)


def test_function_configs(app: Path) -> None:
    kf = read_kptfile(app)
    first, second = kf.pipeline.mutators
    config = first.config
    assert config is not None and config["data"] == {"namespace": "prod"}
    assert second.config == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "function-input"},
        "data": {"tier": "backend", "replicas": "3", "enabled": "true"},
    }
    assert kf.pipeline.validators[0].config is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "pipeline:\n  mutators:\n  - image: a\n  - name: nothing\n",
            r"pipeline\.mutators\[1\]: needs exactly one of image or exec",
        ),
        (
            "pipeline:\n  validators:\n  - image: a\n    exec: b\n",
            r"pipeline\.validators\[0\]: needs exactly one of image or exec",
        ),
        (
            "pipeline:\n  mutators:\n  - image: a\n    configPath: c.yaml\n    configMap: {a: b}\n",
            r"pipeline\.mutators\[0\]: may have at most one of configPath or configMap",
        ),
        (
            "pipeline:\n  mutators:\n  - image: a\n    configPath: ../c.yaml\n",
            r"pipeline\.mutators\[0\]\.configPath: '\.\./c\.yaml': path must not be outside",
        ),
        (
            "pipeline:\n  mutators:\n  - image: a\n    configPath: /etc/c.yaml\n",
            r"pipeline\.mutators\[0\]\.configPath: '/etc/c\.yaml': path must be relative",
        ),
        (
            "pipeline:\n  mutators:\n  - image: a\n    configPath: missing.yaml\n",
            r"pipeline\.mutators\[0\]\.configPath: 'missing\.yaml': functionConfig must exist",
        ),
        (
            "pipeline:\n  mutators:\n  - image: a\n    configmap: {a: b}\n",
            r"pipeline\.mutators\[0\]\.configmap: unknown field",
        ),
        (
            "pipeline:\n  mutators:\n  - image: a\n    selectors:\n    - kinds: X\n",
            r"pipeline\.mutators\[0\]\.selectors\[0\]\.kinds: unknown field",
        ),
        (
            "pipeline:\n  mutators:\n  - image: a\n    configMap: {a: [1]}\n",
            r"pipeline\.mutators\[0\]\.configMap\.a: must be a string",
        ),
        ("pipeline:\n  mutators: {image: a}\n", r"pipeline\.mutators: must be a list"),
        (
            "pipeline:\n  mutators:\n  - exec: ./f.wasm\n    tag: v1\n",
            r"pipeline\.mutators\[0\]\.tag: needs an image",
        ),
        (
            "pipeline:\n  mutators:\n  - image: a@go\n",
            r"pipeline\.mutators\[0\]\.image: 'a@go' is not an image reference .* write a:go",
        ),
        ("pipelines: {}\n", r"pipelines: unknown field"),
    ],
)
def test_invalid_pipelines_name_kptfile_and_field(tmp_path: Path, body: str, message: str) -> None:
    root = _kptfile(tmp_path, body)
    with pytest.raises(PackageError, match=rf"{root / 'Kptfile'}: {message}"):
        read_kptfile(root)


def test_config_path_with_two_documents(tmp_path: Path) -> None:
    root = _kptfile(tmp_path, "pipeline:\n  mutators:\n  - image: a\n    configPath: c.yaml\n")
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
    (root / "c.yaml").write_text(cm + "---\n" + cm)
    with pytest.raises(PackageError, match=r"must hold exactly one resource, got 2"):
        read_kptfile(root)


def test_config_path_without_name(tmp_path: Path) -> None:
    root = _kptfile(tmp_path, "pipeline:\n  mutators:\n  - image: a\n    configPath: c.yaml\n")
    (root / "c.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata: {}\n")
    with pytest.raises(PackageError, match=r"resource must have `metadata\.name`"):
        read_kptfile(root)


@pytest.mark.parametrize(
    ("head", "message"),
    [
        ("apiVersion: kpt.dev/v1alpha2\nkind: Kptfile\n", "old resource version"),
        ("apiVersion: v1\nkind: Kptfile\n", "apiVersion: must be kpt.dev/v1"),
        ("apiVersion: kpt.dev/v1\nkind: ConfigMap\n", "kind: must be Kptfile"),
    ],
)
def test_wrong_type(tmp_path: Path, head: str, message: str) -> None:
    (tmp_path / "Kptfile").write_text(head + "metadata:\n  name: p\n")
    with pytest.raises(PackageError, match=message):
        read_kptfile(tmp_path)


def test_missing_kptfile_and_name(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="no Kptfile"):
        read_kptfile(tmp_path)
    (tmp_path / "Kptfile").write_text("apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata: {}\n")
    with pytest.raises(PackageError, match=r"metadata\.name: must be a non-empty string"):
        read_kptfile(tmp_path)


def test_empty_pipeline(tmp_path: Path) -> None:
    kf = read_kptfile(_kptfile(tmp_path, ""))
    assert kf.pipeline.is_empty()
    assert kf.package_dir == tmp_path


@pytest.mark.parametrize(
    ("image", "tag", "tagged"),
    [
        ("gcr.io/kpt-fn/set-namespace", "v0.4.1", "gcr.io/kpt-fn/set-namespace:v0.4.1"),
        ("gcr.io/kpt-fn/set-namespace:v0.3", "~0.4", "gcr.io/kpt-fn/set-namespace:~0.4"),
        ("localhost:5000/fns/x:v1@sha256:" + "0" * 64, "v2", "localhost:5000/fns/x:v2"),
        ("name-prefix", None, "name-prefix"),
    ],
)
def test_tag_replaces_the_images_tag(
    tmp_path: Path, image: str, tag: str | None, tagged: str
) -> None:
    entry = f"  - image: {image}\n" + (f"    tag: '{tag}'\n" if tag else "")
    root = _kptfile(tmp_path, "pipeline:\n  mutators:\n" + entry)
    (function,) = read_kptfile(root).pipeline.mutators
    assert (function.tag, function.tagged_image) == (tag, tagged)
