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
        entries.append({"name": name, "lang": lang, "file": file,
                        "version": (versions or {}).get(file)})
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
