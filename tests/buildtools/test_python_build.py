"""The Python builder's YAML library: found beside componentize-py, bundled only on request."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from buildtools import common, python
from runner.wasm.meta import WasmKind, inspect_wasm
from tests.conftest import DIST, ROOT


def _fake_componentize_py(venv: Path, yaml_version: str | None) -> Path:
    """A virtualenv layout with an executable that answers --version, and maybe the library."""
    exe = venv / "bin" / "componentize-py"
    exe.parent.mkdir(parents=True)
    exe.write_text("#!/bin/sh\necho componentize-py 0.25.1\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    site = venv / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    if yaml_version is not None:
        (site / "ruamel" / "yaml").mkdir(parents=True)
        (site / "ruamel" / "yaml" / "__init__.py").write_text("")
        (site / f"ruamel_yaml-{yaml_version}.dist-info").mkdir()
    return exe


def _source(tmp_path: Path, input_format: str) -> common.FunctionSource:
    directory = tmp_path / "functions-py" / "fn"
    directory.mkdir(parents=True)
    (directory / "main.py").write_text("import sdk\n")
    return common.FunctionSource("fn", "py", directory, input_format=input_format)


def test_the_library_beside_componentize_py_is_recorded(tmp_path: Path) -> None:
    toolchain = python.toolchain_for(_fake_componentize_py(tmp_path, python.YAML_LIBRARY_VERSION))
    assert toolchain.details["YAML_LIBRARY_VERSION"] == python.YAML_LIBRARY_VERSION
    assert toolchain.details["YAML_LIBRARY_DIR"].endswith("site-packages")


@pytest.mark.parametrize(
    ("installed", "says"),
    [(None, "has none: pip install ruamel.yaml=="), ("0.17.0", "has ruamel.yaml 0.17.0")],
)
def test_a_yaml_function_needs_the_pinned_library(
    tmp_path: Path, installed: str | None, says: str
) -> None:
    toolchain = python.toolchain_for(_fake_componentize_py(tmp_path / "venv", installed))
    with pytest.raises(common.BuildError) as caught:
        python.compile(_source(tmp_path, "yaml"), tmp_path / "fn.wasm", toolchain)
    assert says in str(caught.value)
    assert not (tmp_path / "fn.wasm").exists()


def test_pyproject_pins_the_library_in_the_build_group() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    assert f'"ruamel.yaml=={python.YAML_LIBRARY_VERSION}"' in text


def test_only_yaml_functions_carry_the_library() -> None:
    # The snapshot holds the modules it imported: ruamel.yaml's appear in the YAML function only.
    wanted = {"apply-setters.py.wasm": "yaml", "set-namespace.py.wasm": "json"}
    for name, input_format in wanted.items():
        data = (DIST / name).read_bytes()
        meta = inspect_wasm(data, name)
        assert (meta.kind, meta.input_format) == (WasmKind.COMPONENT, input_format)
        assert (b"ruamel/yaml/scanner.py" in data) == (input_format == "yaml"), name
