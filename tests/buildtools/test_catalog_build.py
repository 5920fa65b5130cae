"""Building kpt's catalog functions (buildtools/catalog.py): a proxy that refuses or never answers
is named with the module and what to do; a rebuild with nothing changed skips the function."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from buildtools import catalog, common, golang
from tests.conftest import ROOT

SET_NAMESPACE = next(f for f in catalog.CATALOG if f.name == "set-namespace")


@pytest.fixture
def empty_repo(tmp_path: Path) -> Path:
    """A repository with an empty Go module cache (under its .nox/), so modules must be fetched."""
    (tmp_path / ".nox").mkdir()
    return tmp_path


@pytest.fixture
def silent_proxy() -> Iterator[str]:
    """A loopback server that accepts connections and never answers (a proxy that hangs)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(timeout=5)
    for connection in held:
        connection.close()
    server.close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_refusing_proxy_names_the_module_and_what_to_do(
    empty_repo: Path, go_toolchain: common.Toolchain, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("GOPROXY", proxy)
    dist = empty_repo / "dist"
    report = catalog.build_catalog([SET_NAMESPACE], dist, go_toolchain, empty_repo, log=print)
    [failure] = report.failed
    assert failure.function == "set-namespace"
    assert f"could not download {SET_NAMESPACE.module_version}" in failure.message
    assert f"GOPROXY={proxy}" in failure.message
    assert "connection refused" in failure.message  # Go's own words
    assert not (dist / SET_NAMESPACE.artifact_name).exists()


def test_hanging_proxy_is_bounded_in_time(
    empty_repo: Path,
    go_toolchain: common.Toolchain,
    monkeypatch: pytest.MonkeyPatch,
    silent_proxy: str,
) -> None:
    monkeypatch.setenv("GOPROXY", silent_proxy)
    monkeypatch.setenv(golang.DOWNLOAD_TIMEOUT_ENV, "2")
    report = catalog.build_catalog(
        [SET_NAMESPACE], empty_repo / "dist", go_toolchain, empty_repo, log=print
    )
    [failure] = report.failed
    assert f"downloading {SET_NAMESPACE.module_version} took longer than 2 s" in failure.message
    assert f"GOPROXY={silent_proxy}" in failure.message
    assert golang.DOWNLOAD_TIMEOUT_ENV in failure.message


def test_bad_timeout_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(golang.DOWNLOAD_TIMEOUT_ENV, "soon")
    with pytest.raises(common.BuildError, match="KRM_GO_DOWNLOAD_TIMEOUT='soon'"):
        golang.download_timeout()


def test_catalog_build_writes_the_manifest_then_skips(
    tmp_path: Path, go_toolchain: common.Toolchain
) -> None:
    """Uses the project's module cache (warm after `nox -s build`)."""
    dist = tmp_path / "dist"
    first = catalog.build_catalog([SET_NAMESPACE], dist, go_toolchain, ROOT, log=print)
    assert [a.name for a in first.built] == ["set-namespace"], first.failed
    [entry] = common.read_manifest(dist)
    assert (entry.lang, entry.version, entry.module) == (
        "kpt", "v0.4.1", SET_NAMESPACE.module_version,
    )  # fmt: skip
    assert entry.file == "set-namespace.kpt-v0.4.1.wasm"
    again = catalog.build_catalog([SET_NAMESPACE], dist, go_toolchain, ROOT, log=print)
    assert not again.built and [a.name for a in again.skipped] == ["set-namespace"]


def test_prune_removes_builds_no_longer_pinned(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    old = catalog.CatalogFunction("set-namespace", SET_NAMESPACE.module, "v0.3.0")
    toolchain = common.Toolchain("go", "1.27.3", "wasip1-command")
    artifacts = []
    for function in (old, SET_NAMESPACE):
        wasm = dist / function.artifact_name
        wasm.write_bytes(b"\0asm\x01\0\0\0")
        common.record_stamp(wasm, "stamp")
        artifacts.append(catalog._artifact(function, toolchain, wasm))
    common.write_manifest(dist, artifacts)
    assert catalog.prune(dist, [SET_NAMESPACE]) == ["set-namespace.kpt-v0.3.0.wasm"]
    assert not (dist / old.artifact_name).exists()
    assert [a.version for a in common.read_manifest(dist)] == ["v0.4.1"]
    assert catalog.prune(dist, [SET_NAMESPACE]) == []
