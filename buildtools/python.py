"""Builds the Python functions (``functions-py/<name>/main.py``) to wasm components.

componentize-py bundles CPython (compiled to WASI) with the function, runs the imports once at
build time and snapshots the result, so the component starts with everything already imported.
The entry module is the SDK's ``sdk.component``: it imports the function module ``main`` (the
convention: every Python function is ``functions-py/<name>/main.py`` declaring one
``@sdk.function``) and exports ``process(resource-list: string) -> result<string, string>``
from the world ``krm-function`` in ``sdk/wit/krm.wit``. componentize-py finds that WIT through
``sdk/componentize-py.toml``, so only the world is named on the command line (passing the WIT
directory as well makes it add the package twice and fail).

The build runs in a staging directory holding copies of the function's ``*.py`` and of the SDK,
not the source tree itself: componentize-py mounts every module-path directory read-write into
its build-time interpreter (which writes ``__pycache__`` there) and scans it for libraries and
``componentize-py.toml`` files, which on the repository root would include every virtualenv
under ``.nox/``. For the same reason ``VIRTUAL_ENV`` points at an empty virtualenv: otherwise
componentize-py adds the site-packages of whatever Python environment it finds, and a
function could silently bundle a third-party package.

Functions get the standard library and ``sdk``; a function whose metadata.yaml says
``input: yaml`` also gets ruamel.yaml (pure Python, pinned in pyproject's ``build-py`` group and
installed beside componentize-py), staged as a third module-path directory. Only those functions
pay for it (about 1.4 MB of source, imported once at build time into the snapshot).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import nox

from buildtools import common
from buildtools.languages import LANGUAGES, pinned_version

__all__ = [
    "ABI",
    "COMPONENTIZE_PY_VERSION",
    "ENTRY_MODULE",
    "FUNCTION_MODULE",
    "ROOT",
    "SDK_DIR",
    "WORLD",
    "YAML_LIBRARY",
    "compile",
    "inputs",
    "toolchain",
    "toolchain_for",
]

ROOT = LANGUAGES["py"].directory
REPO = Path(__file__).resolve().parent.parent
SDK_DIR = REPO / "sdk"
WORLD = "krm-function"
ABI = "component:krm:function/krm-function@0.1.0"
ENTRY_MODULE = "sdk.component"
FUNCTION_MODULE = "main"
COMPONENTIZE_PY_VERSION = pinned_version("componentize-py")
# The YAML library bundled into ``input: yaml`` functions: (distribution, import package).
YAML_LIBRARY = ("ruamel.yaml", "ruamel/yaml")
YAML_LIBRARY_VERSION = pinned_version(YAML_LIBRARY[0])
# Toolchain.details keys: the componentize-py executable the build runs; the site-packages
# directory holding the YAML library, and its version.
_EXE_KEY = "COMPONENTIZE_PY"
_YAML_DIR_KEY = "YAML_LIBRARY_DIR"
_YAML_VERSION_KEY = "YAML_LIBRARY_VERSION"


def toolchain(session: nox.Session) -> common.Toolchain:
    """Install componentize-py and the YAML library into the session and describe them."""
    session.install(
        f"componentize-py=={COMPONENTIZE_PY_VERSION}", f"{YAML_LIBRARY[0]}=={YAML_LIBRARY_VERSION}"
    )
    return toolchain_for(Path(session.bin) / "componentize-py")


def toolchain_for(executable: Path) -> common.Toolchain:
    """Describe the componentize-py at ``executable`` (its version read from ``--version``).

    Raises:
        common.BuildError: It does not run.
    """
    try:
        completed = subprocess.run(
            [str(executable), "--version"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError) as error:
        raise common.BuildError(
            "componentize-py",
            f"cannot run {executable} --version: {error}; "
            f"install it: pip install componentize-py=={COMPONENTIZE_PY_VERSION}",
        ) from None
    version = completed.stdout.split()[-1] if completed.stdout.split() else "unknown"
    details = {_EXE_KEY: str(executable)}
    found = _yaml_library_beside(executable)
    if found is not None:
        details[_YAML_DIR_KEY], details[_YAML_VERSION_KEY] = str(found[0]), found[1]
    return common.Toolchain(name="componentize-py", version=version, abi=ABI, details=details)


def _yaml_library_beside(executable: Path) -> tuple[Path, str] | None:
    """The site-packages of componentize-py's virtualenv, if it holds the YAML library, and
    the library's version (from its ``.dist-info`` directory's name)."""
    distribution = YAML_LIBRARY[0].replace(".", "_")
    for site in sorted(executable.parent.parent.glob("lib/python3*/site-packages")):
        if not (site / YAML_LIBRARY[1] / "__init__.py").is_file():
            continue
        for info in sorted(site.glob(f"{distribution}-*.dist-info")):
            return site, info.name.removeprefix(f"{distribution}-").removesuffix(".dist-info")
        return site, "unknown"
    return None


def _sdk_files() -> list[Path]:
    files = [p for p in SDK_DIR.rglob("*.py") if "__pycache__" not in p.parts]
    files += [p for p in (SDK_DIR / "wit").glob("*") if p.is_file()]
    files += [SDK_DIR / "componentize-py.toml"]
    return sorted(files)


def inputs(source: common.FunctionSource) -> list[Path]:
    """What a build reads: the function's ``*.py``, the SDK's ``*.py``, its WIT and config."""
    return sorted(source.directory.glob("*.py")) + _sdk_files()


def _yaml_library(source: common.FunctionSource, toolchain: common.Toolchain) -> Path:
    """The site-packages holding the YAML library an ``input: yaml`` function is built with.

    Raises:
        common.BuildError: componentize-py's environment has none, or another version.
    """
    install = f"pip install {YAML_LIBRARY[0]}=={YAML_LIBRARY_VERSION} beside componentize-py"
    directory = toolchain.details.get(_YAML_DIR_KEY)
    if directory is None:
        raise common.BuildError(
            source.name,
            f"input: yaml needs {YAML_LIBRARY[0]} bundled, and componentize-py's environment "
            f"has none: {install} (nox -s build-py does)",
        )
    version = toolchain.details.get(_YAML_VERSION_KEY)
    if version != YAML_LIBRARY_VERSION:
        raise common.BuildError(
            source.name,
            f"{directory} has {YAML_LIBRARY[0]} {version}, pyproject.toml pins "
            f"{YAML_LIBRARY_VERSION}: {install}",
        )
    return Path(directory)


def _stage_yaml_library(site: Path, target: Path) -> None:
    """Copy the library's Python sources (not its optional C-extension helper ``clibz``)."""
    package = site / YAML_LIBRARY[1]
    for path in [*sorted(package.glob("*.py")), package / "py.typed"]:
        if path.is_file():
            destination = target / YAML_LIBRARY[1] / path.name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)


def _stage(source: common.FunctionSource, stage: Path) -> tuple[Path, Path, Path]:
    function_dir = stage / "function"
    library_dir = stage / "lib"
    venv = stage / "venv"
    function_dir.mkdir()
    for path in sorted(source.directory.glob("*.py")):
        shutil.copy2(path, function_dir / path.name)
    for path in _sdk_files():
        target = library_dir / "sdk" / path.relative_to(SDK_DIR)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    (venv / "lib" / "site-packages").mkdir(parents=True)
    return function_dir, library_dir, venv


def _trim(output: str) -> str:
    """componentize-py's message without the Rust backtrace it appends."""
    kept: list[str] = []
    for line in output.splitlines():
        if line.startswith("Stack backtrace:"):
            break
        kept.append(line)
    return "\n".join(kept).strip()


def compile(source: common.FunctionSource, out: Path, toolchain: common.Toolchain) -> None:
    """Build ``source`` into the component ``out``.

    Raises:
        common.BuildError: There is no ``main.py``, or componentize-py failed (its output,
            including the Python traceback of a failing import, is the message).
    """
    if not (source.directory / f"{FUNCTION_MODULE}.py").is_file():
        raise common.BuildError(
            source.name,
            f"{source.directory}: no {FUNCTION_MODULE}.py (a Python function's module must be "
            f"{FUNCTION_MODULE}.py, declaring one @sdk.function)",
        )
    executable = toolchain.details.get(_EXE_KEY, "componentize-py")
    yaml_site = _yaml_library(source, toolchain) if source.input_format == "yaml" else None
    with tempfile.TemporaryDirectory(prefix="krm-py-build-") as tmp:
        function_dir, library_dir, venv = _stage(source, Path(tmp))
        extra_path: list[str] = []
        if yaml_site is not None:
            _stage_yaml_library(yaml_site, Path(tmp) / "yaml")
            extra_path = ["--python-path", str(Path(tmp) / "yaml")]
        env = {**os.environ, "VIRTUAL_ENV": str(venv), "RUST_BACKTRACE": "0"}
        env.pop("RUST_LIB_BACKTRACE", None)
        command = [
            executable,
            "--quiet",
            "--world",
            WORLD,
            "componentize",
            ENTRY_MODULE,
            "--python-path",
            str(function_dir),
            "--python-path",
            str(library_dir),
            *extra_path,
            "--output",
            str(out.resolve()),
        ]
        try:
            completed = subprocess.run(
                command, cwd=tmp, env=env, capture_output=True, text=True, check=False
            )
        except OSError as error:
            raise common.BuildError(source.name, f"cannot run {executable}: {error}") from None
    if completed.returncode != 0 or not out.exists():
        message = _trim(completed.stderr + completed.stdout) or f"exit code {completed.returncode}"
        raise common.BuildError(source.name, _host_paths(message, source))


def _host_paths(message: str, source: common.FunctionSource) -> str:
    """Show the build interpreter's mount points (``/0`` the function, ``/1`` the SDK's parent)
    as the source paths they were copied from, so a traceback points at the real files."""
    message = re.sub(r"(?<=[\s\"'])/0/", f"{source.directory}/", message)
    return re.sub(r"(?<=[\s\"'])/1/sdk/", f"{SDK_DIR}/", message)
