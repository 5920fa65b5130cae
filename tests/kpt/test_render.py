"""kpt.render in-process: package trees rendered with WAT functions, no subprocess."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import wasmtime

from runner.errors import PackageError
from runner.kpt.package import read_package
from runner.kpt.render import Rendered, render_package
from runner.pipeline.report import Reporter
from runner.wasm.engine import Engine
from runner.wasm.execute import Limits, Sandbox
from tests import wat_modules

KPTFILE = """apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: {name}
pipeline:
  mutators:
  - exec: {exec}
"""


def _package(directory: Path, name: str, function: Path, resource: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Kptfile").write_text(KPTFILE.format(name=name, exec=function))
    (directory / f"{resource}.yaml").write_text(
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {resource}\n"
    )


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(use_cache=False)


@pytest.fixture
def echo(tmp_path: Path) -> Path:
    """A pass-through function inside the root package (exec: outside it needs allow_exec)."""
    path = tmp_path / "root" / "fn" / "echo.wasm"
    path.parent.mkdir(parents=True)
    path.write_bytes(wasmtime.wat2wasm(wat_modules.ECHO))
    return path


def _render(engine: Engine, root: Path, *, allow_exec: bool = False) -> tuple[Rendered, str]:
    stream = io.StringIO()
    rendered = render_package(
        engine,
        read_package(root, include_subpackages=True),
        fn_paths=[],
        allow_exec=allow_exec,
        limits=Limits(timeout_seconds=20),
        sandbox=Sandbox(),
        reporter=Reporter(stream),
    )
    return rendered, stream.getvalue()


def test_subpackages_render_first_and_feed_their_parent(
    engine: Engine, echo: Path, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    _package(root, "root", echo, "top")
    _package(root / "b", "b", echo, "in-b")
    _package(root / "a", "a", echo, "in-a")
    _package(root / "a" / "deep", "deep", echo, "in-deep")
    rendered, lines = _render(engine, root)
    assert not rendered.failed
    assert rendered.packages_run == 4
    packages = [line for line in lines.splitlines() if line.startswith("Package")]
    assert packages == ['Package "a/deep": ', 'Package "a": ', 'Package "b": ', 'Package "root": ']
    names = [item.value["metadata"]["name"] for item in rendered.items]
    assert names == ["in-deep", "in-a", "in-b", "top"]
    # Paths are root-relative again once the root's pipeline is done.
    paths = [
        item.value["metadata"]["annotations"]["internal.config.kubernetes.io/path"]
        for item in rendered.items
    ]
    assert paths == ["a/deep/in-deep.yaml", "a/in-a.yaml", "b/in-b.yaml", "top.yaml"]


def test_a_failure_stops_the_walk_before_the_parent(
    engine: Engine, echo: Path, tmp_path: Path
) -> None:
    trap = tmp_path / "root" / "fn" / "trap.wasm"
    trap.write_bytes(wasmtime.wat2wasm(wat_modules.TRAP))
    root = tmp_path / "root"
    _package(root, "root", echo, "top")
    _package(root / "a", "a", trap, "in-a")
    rendered, lines = _render(engine, root)
    assert rendered.failed
    assert rendered.packages_run == 1
    assert 'Package "root"' not in lines
    assert "[FAIL]" in lines


def test_a_subpackage_krmignore_hides_is_not_rendered(
    engine: Engine, echo: Path, tmp_path: Path
) -> None:
    # Regression: render printed "[PASS]" for an ignored subpackage whose resources it never read.
    root = tmp_path / "root"
    _package(root, "root", echo, "top")
    _package(root / "hidden", "hidden", echo, "in-hidden")
    (root / ".krmignore").write_text("hidden/\n")
    rendered, lines = _render(engine, root)
    assert rendered.packages_run == 1
    assert "hidden" not in lines
    assert [item.value["metadata"]["name"] for item in rendered.items] == ["top"]


def test_an_exec_outside_the_tree_needs_allow_exec(engine: Engine, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.wasm"
    outside.write_bytes(wasmtime.wat2wasm(wat_modules.ECHO))
    root = tmp_path / "root"
    _package(root, "root", outside, "top")
    with pytest.raises(PackageError, match=r"exec: .*elsewhere\.wasm' is outside the package; run"):
        _render(engine, root)
    rendered, _ = _render(engine, root, allow_exec=True)
    assert not rendered.failed


def test_a_subpackage_function_cannot_name_a_path_in_its_parent(
    engine: Engine, tmp_path: Path
) -> None:
    # A subpackage's function sees package-relative paths; `../Kptfile` would be its parent's.
    root = tmp_path / "root"
    root.mkdir()
    evil = root / "evil.wasm"
    output = (
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: x\n    annotations:\n"
        "      internal.config.kubernetes.io/path: ../Kptfile\n"
    )
    evil.write_bytes(wasmtime.wat2wasm(wat_modules.writes(output)))
    _package(root, "root", evil, "top")
    _package(root / "sub", "sub", evil, "in-sub")
    with pytest.raises(PackageError, match=r"sub: a function's output names '\.\./Kptfile'"):
        _render(engine, root)


def test_bfs_rendering_runs_parents_first_on_their_subtree(
    engine: Engine, echo: Path, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    _package(root, "root", echo, "top")
    kptfile = root / "Kptfile"
    kptfile.write_text(
        kptfile.read_text().replace(
            "  name: root\n", "  name: root\n  annotations:\n    kpt.dev/bfs-rendering: 'true'\n"
        )
    )
    _package(root / "a", "a", echo, "in-a")
    _package(root / "a" / "deep", "deep", echo, "in-deep")
    _package(root / "b", "b", echo, "in-b")
    rendered, lines = _render(engine, root)
    assert not rendered.failed
    packages = [line for line in lines.splitlines() if line.startswith("Package")]
    assert packages == ['Package "root": ', 'Package "a": ', 'Package "b": ', 'Package "a/deep": ']
    seen = [
        len(o.execution.stdout.split(b"kind: ConfigMap")) - 1
        for o in rendered.outcomes
        if o.execution
    ]
    assert seen == [4, 2, 1, 1]  # root sees all four, a sees itself and deep
    assert sorted(i.value["metadata"]["name"] for i in rendered.items) == [
        "in-a",
        "in-b",
        "in-deep",
        "top",
    ]


def test_a_config_path_is_read_from_the_pipelines_current_resources(
    engine: Engine, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    (root / "fn").mkdir(parents=True)
    rewrite = root / "fn" / "rewrite.wasm"
    rewrite.write_bytes(
        wasmtime.wat2wasm(
            wat_modules.writes(
                "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"
                "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cfg\n"
                "    annotations:\n      internal.config.kubernetes.io/path: cfg.yaml\n"
                "  data:\n    prefix: changed-by-the-first-function\n"
            )
        )
    )
    show = root / "fn" / "show.wasm"
    show.write_bytes(wasmtime.wat2wasm(wat_modules.copy_stdin_to(1, 2)))
    (root / "cfg.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  prefix: as-read\n"
    )
    (root / "Kptfile").write_text(
        "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: root\npipeline:\n  mutators:\n"
        f"  - exec: {rewrite}\n  - exec: {show}\n    configPath: cfg.yaml\n"
    )
    rendered, _ = _render(engine, root)
    assert not rendered.failed
    second = rendered.outcomes[1].execution
    assert second is not None
    assert b"prefix: changed-by-the-first-function" in second.stderr
