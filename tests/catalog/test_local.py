"""Function references to wasm files: image names, NAME@LANG, search path, helpful misses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runner.catalog.local import parse_image, resolve_image
from runner.errors import FunctionNotFound


@pytest.mark.parametrize(
    ("reference", "name", "lang", "tag"),
    [
        ("gcr.io/kpt-fn/set-namespace:v0.4.1", "set-namespace", None, "v0.4.1"),
        ("set-namespace", "set-namespace", None, None),
        ("set-namespace@go", "set-namespace", "go", None),
        ("ghcr.io/x/name-prefix@sha256:abcd", "name-prefix", None, None),
    ],
)
def test_parse_image(reference: str, name: str, lang: str | None, tag: str | None) -> None:
    ref = parse_image(reference)
    assert (ref.name, ref.lang, ref.tag) == (name, lang, tag)


def _catalog(directory: Path, *files: str, versions: dict[str, str] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    entries = []
    for file in files:
        (directory / file).write_bytes(b"\0asm\x01\0\0\0")
        name, lang, _ = file.split(".")
        entries.append(
            {"name": name, "lang": lang, "file": file, "version": (versions or {}).get(file)}
        )
    (directory / "index.json").write_text(json.dumps({"functions": entries}))
    return directory


def test_bare_name_prefers_rust_then_go_then_python(tmp_path: Path) -> None:
    d = _catalog(tmp_path / "d", "fn.py.wasm", "fn.go.wasm", "fn.rust.wasm")
    assert resolve_image("fn", [d]).name == "fn.rust.wasm"
    assert resolve_image("example.com/fns/fn:v1", [d]).name == "fn.rust.wasm"
    assert resolve_image("fn@py", [d]).name == "fn.py.wasm"


def test_earlier_search_path_directories_win(tmp_path: Path) -> None:
    mine = _catalog(tmp_path / "mine", "fn.py.wasm")
    project = _catalog(tmp_path / "project", "fn.rust.wasm")
    assert resolve_image("fn", [mine, project]).parent == mine


def test_tag_matches_catalog_versions(tmp_path: Path) -> None:
    d = _catalog(tmp_path / "d", "fn.go.wasm", versions={"fn.go.wasm": "0.4.1"})
    assert resolve_image("fn:v0.4.1", [d]).name == "fn.go.wasm"
    with pytest.raises(FunctionNotFound):
        resolve_image("fn:v9", [d])


def test_directory_without_index_is_read_by_file_names(tmp_path: Path) -> None:
    d = tmp_path / "plain"
    d.mkdir()
    (d / "third-party.wasm").write_bytes(b"\0asm\x01\0\0\0")
    assert resolve_image("third-party", [d]).name == "third-party.wasm"


def test_unknown_name_lists_what_is_available(tmp_path: Path) -> None:
    d = _catalog(tmp_path / "d", "fn.go.wasm", "other.rust.wasm")
    with pytest.raises(FunctionNotFound) as caught:
        resolve_image("gcr.io/kpt-fn/missing:v1", [d])
    assert "available: fn@go, other@rust" in str(caught.value)


def _kpt_catalog(directory: Path, *versions: str, ours: tuple[str, ...] = ()) -> Path:
    """An index with kpt builds of ``fn`` at ``versions`` (files NAME.kpt-VERSION.wasm) and our
    own unversioned builds in the languages ``ours``."""
    directory.mkdir(parents=True, exist_ok=True)
    entries = []
    for version in versions:
        file = f"fn.kpt-{version}.wasm"
        entries.append({"name": "fn", "lang": "kpt", "file": file, "version": version})
    entries += [{"name": "fn", "lang": lang, "file": f"fn.{lang}.wasm"} for lang in ours]
    for entry in entries:
        (directory / entry["file"]).write_bytes(b"\0asm\x01\0\0\0")
    (directory / "index.json").write_text(json.dumps({"functions": entries}))
    return directory


KPT_VERSIONS = ("v0.1.5", "v0.2.0", "v0.2.1", "v0.10.0")


@pytest.mark.parametrize("prefix", ["gcr.io/kpt-fn/", "ghcr.io/kptdev/krm-functions-catalog/"])
@pytest.mark.parametrize(
    ("tag", "version"),
    [
        (":v0.2.0", "v0.2.0"),  # exact
        (":0.2.0", "v0.2.0"),  # without the v
        (":v0.2", "v0.2.1"),  # partial: the newest v0.2.x
        (":v0.1", "v0.1.5"),
        (":v0", "v0.10.0"),  # numeric order, not text order
        (":latest", "v0.10.0"),
        (":unstable", "v0.10.0"),
        ("", "v0.10.0"),  # no tag: the newest
    ],
)
def test_kpt_tags_resolve_as_kpt_tags_its_images(
    tmp_path: Path, prefix: str, tag: str, version: str
) -> None:
    d = _kpt_catalog(tmp_path / "d", *KPT_VERSIONS, ours=("rust",))
    assert resolve_image(f"{prefix}fn{tag}", [d]).name == f"fn.kpt-{version}.wasm"


@pytest.mark.parametrize("tag", ["v0.3", "v0.2.2", "v1", "sha-1234"])
def test_kpt_tag_that_names_no_build_lists_the_versions(tmp_path: Path, tag: str) -> None:
    d = _kpt_catalog(tmp_path / "d", *KPT_VERSIONS, ours=("rust",))
    with pytest.raises(FunctionNotFound) as caught:
        resolve_image(f"gcr.io/kpt-fn/fn:{tag}", [d])
    message = str(caught.value)
    assert f"tag {tag!r} names none of the versions built" in message
    for version in KPT_VERSIONS:
        assert f"fn@kpt {version}" in message  # never a silent substitution by our own build


def test_bare_name_runs_ours_and_names_kpt_build_with_at_kpt(tmp_path: Path) -> None:
    d = _kpt_catalog(tmp_path / "d", "v0.4.1", ours=("go", "rust"))
    assert resolve_image("fn", [d]).name == "fn.rust.wasm"
    assert resolve_image("fn@go", [d]).name == "fn.go.wasm"
    assert resolve_image("fn@kpt", [d]).name == "fn.kpt-v0.4.1.wasm"
    assert resolve_image("fn:v0.4", [d]).name == "fn.kpt-v0.4.1.wasm"  # a tag: the versioned build
    # Only kpt builds of a name: a bare name runs the newest of them.
    only_kpt = _kpt_catalog(tmp_path / "k", "v0.4.1", "v0.3.0")
    assert resolve_image("fn", [only_kpt]).name == "fn.kpt-v0.4.1.wasm"


def test_kpt_image_without_kpt_build_runs_ours(tmp_path: Path) -> None:
    d = _kpt_catalog(tmp_path / "d", ours=("py",))
    assert resolve_image("gcr.io/kpt-fn/fn:v0.2.0", [d]).name == "fn.py.wasm"


def test_versioned_file_names_without_index(tmp_path: Path) -> None:
    d = tmp_path / "plain"
    d.mkdir()
    for file in ("fn.kpt-v0.2.1.wasm", "fn.kpt-v0.2.0.wasm", "fn.go.wasm"):
        (d / file).write_bytes(b"\0asm\x01\0\0\0")
    assert resolve_image("gcr.io/kpt-fn/fn:v0.2", [d]).name == "fn.kpt-v0.2.1.wasm"
    assert resolve_image("fn", [d]).name == "fn.go.wasm"


@pytest.mark.parametrize(
    ("reference", "file"),
    [
        ("fn:go", "fn.go.wasm"),  # a tag that is a language: a valid image reference
        ("fn:rust", "fn.rust.wasm"),
        ("fn:kpt", "fn.kpt-v0.4.1.wasm"),  # kpt's newest build
        ("gcr.io/kpt-fn/fn:go", "fn.go.wasm"),
        ("fn@go", "fn.go.wasm"),  # the command line's shorthand
        ("fn:v0.4", "fn.kpt-v0.4.1.wasm"),  # a version is never a language
    ],
)
def test_a_language_tag_picks_that_build(tmp_path: Path, reference: str, file: str) -> None:
    d = _kpt_catalog(tmp_path / "d", "v0.4.1", "v0.3.0", ours=("go", "rust"))
    assert resolve_image(reference, [d]).name == file


def test_a_language_without_a_build_is_an_ordinary_tag(tmp_path: Path) -> None:
    d = _kpt_catalog(tmp_path / "d", "v0.4.1", ours=("go",))
    with pytest.raises(FunctionNotFound, match="tag 'py' names none of the versions built"):
        resolve_image("fn:py", [d])
