"""Builds the Rust functions (``functions-rust/``, one cargo workspace) to wasm32 WASI modules.

Only Debian's toolchain can do it here: ``/usr/bin/rustc`` with the wasm32 WASI standard library
(package ``libstd-rust-dev-wasm32``) and ``/usr/bin/cargo``, crates taken from Debian's
``librust-*-dev`` packages through the directory source in ``functions-rust/.cargo/config.toml``.
rustup's ``cargo``/``rustc`` usually come first on PATH and have no wasm target, so both are called
by absolute path and ``/usr/bin`` is put first on PATH (rustc finds ``wasm-ld`` there).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import nox

from buildtools import common
from buildtools.languages import LANGUAGES

__all__ = [
    "APT_PACKAGES",
    "CARGO",
    "ROOT",
    "RUSTC",
    "MissingToolchain",
    "cargo_env",
    "cargo_test",
    "compile",
    "find_toolchain",
    "inputs",
    "toolchain",
]

ROOT = LANGUAGES["rust"].directory
RUSTC = Path("/usr/bin/rustc")
CARGO = Path("/usr/bin/cargo")
RUSTDOC = Path("/usr/bin/rustdoc")

# Everything the workspace needs from Debian (CI installs the same list).
APT_PACKAGES = (
    "rustc",
    "cargo",
    "libstd-rust-dev-wasm32",
    "wasi-libc",
    "lld",
    "librust-serde-dev",
    "librust-serde-json-dev",
    "librust-serde-yaml-dev",
)
# Newer Debian (13) names the target wasm32-wasip1; Debian 12 has only wasm32-wasi.
WASI_TARGETS = ("wasm32-wasip1", "wasm32-wasi")
ABI = "wasip1-command"

# Variables of the caller's environment that would change what cargo builds or which rustc it
# runs (CARGO_ENCODED_RUSTFLAGS even wins over RUSTFLAGS).
_DROPPED_ENV = frozenset(
    {
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_BUILD_TARGET",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "RUSTUP_TOOLCHAIN",
    }
)


class MissingToolchain(Exception):
    """Debian's Rust toolchain or its wasm32 WASI target is not installed."""

    def __init__(self, what: str) -> None:
        self.install_command = "apt-get install -y " + " ".join(APT_PACKAGES)
        super().__init__(f"{what}; install Debian's Rust toolchain: {self.install_command}")


def _output(*command: str | Path) -> str:
    try:
        done = subprocess.run(
            [str(part) for part in command], capture_output=True, text=True, check=False
        )
    except OSError as error:
        raise MissingToolchain(f"cannot run {command[0]}: {error}") from error
    if done.returncode != 0:
        shown = " ".join(map(str, command))
        raise MissingToolchain(f"`{shown}` exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout.strip()


def _wasi_target(rustc: Path) -> str | None:
    """The wasm32 WASI target that ``rustc``'s sysroot holds a standard library for."""
    rustlib = Path(_output(rustc, "--print", "sysroot")) / "lib" / "rustlib"
    for target in WASI_TARGETS:
        if (rustlib / target / "lib").is_dir():
            return target
    return None


def find_toolchain() -> common.Toolchain:
    """Debian's rustc/cargo and the WASI target triple.

    Raises:
        MissingToolchain: a tool or the target is not installed (the message holds the
            apt-get command that installs them).
    """
    for tool in (RUSTC, CARGO):
        if not tool.exists():
            raise MissingToolchain(f"{tool} is missing")
    target = _wasi_target(RUSTC)
    if target is None:
        raise MissingToolchain(f"{RUSTC} has no standard library for {' or '.join(WASI_TARGETS)}")
    # "rustc 1.63.0" -> "1.63.0"; the full lines (with Debian's suffixes) go into details, so that
    # the build stamps change with any toolchain update.
    rustc_line = _output(RUSTC, "--version")
    cargo_line = _output(CARGO, "--version")
    return common.Toolchain(
        name="rustc",
        version=rustc_line.split()[1],
        abi=ABI,
        details={"target": target, "rustc": rustc_line, "cargo": cargo_line},
    )


def toolchain(session: nox.Session) -> common.Toolchain:
    """Find Debian's Rust toolchain; install it with apt-get when missing and we are root."""
    try:
        return find_toolchain()
    except MissingToolchain as missing:
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            session.error(f"{missing} (as root)")
        session.log(f"{missing}: installing it")
    apt_env = {"DEBIAN_FRONTEND": "noninteractive"}
    # A fresh machine may have no package lists yet; updating first costs seconds.
    session.run("apt-get", "update", external=True, env=apt_env)
    session.run("apt-get", "install", "-y", *APT_PACKAGES, external=True, env=apt_env)
    try:
        return find_toolchain()
    except MissingToolchain as missing:
        session.error(str(missing))


def _is_function_dir(path: Path) -> bool:
    return (path / "metadata.yaml").is_file()


def inputs(source: common.FunctionSource) -> list[Path]:
    """The workspace files that the function's wasm depends on.

    Every ``*.rs`` and ``Cargo.toml`` of the workspace except those of *other* functions (a
    change to set-namespace need not rebuild name-prefix), plus ``.cargo/config.toml`` and this
    builder (its flags shape the output).
    """
    workspace = source.directory.parent
    files = [Path(__file__).resolve()]
    config = workspace / ".cargo" / "config.toml"
    if config.exists():
        files.append(config)
    for path in workspace.rglob("*"):
        if path.suffix != ".rs" and path.name != "Cargo.toml":
            continue
        relative = path.relative_to(workspace)
        if relative.parts[0] == "target":
            continue
        member = workspace / relative.parts[0]
        if len(relative.parts) > 1 and member != source.directory and _is_function_dir(member):
            continue
        files.append(path)
    return sorted(files)


def _manifest(crate_dir: Path) -> dict[str, object]:
    path = crate_dir / "Cargo.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise common.BuildError(crate_dir.name, f"{path}: {error}") from error


def _package_and_binary(crate_dir: Path) -> tuple[str, str]:
    """The crate's package name and its binary: its single ``[[bin]]`` name, else the package."""
    manifest = _manifest(crate_dir)
    package = manifest.get("package")
    if not isinstance(package, dict) or not isinstance(package.get("name"), str):
        raise common.BuildError(crate_dir.name, f"{crate_dir / 'Cargo.toml'}: no [package] name")
    name = str(package["name"])
    bins = manifest.get("bin")
    if isinstance(bins, list) and len(bins) == 1 and isinstance(bins[0], dict):
        binary = bins[0].get("name")
        if isinstance(binary, str):
            return name, binary
    return name, name


def cargo_env(workspace: Path) -> dict[str, str]:
    """The environment cargo runs in: Debian's tools first, the workspace's own target dir."""
    env = {key: value for key, value in os.environ.items() if key not in _DROPPED_ENV}
    env["PATH"] = os.pathsep.join(["/usr/bin", "/bin", env.get("PATH", "")])
    env["RUSTC"] = str(RUSTC)
    env["RUSTDOC"] = str(RUSTDOC)
    env["CARGO_TARGET_DIR"] = str(workspace / "target")
    return env


def compile(source: common.FunctionSource, out: Path, toolchain: common.Toolchain) -> None:
    """``cargo build --release`` the function's crate for WASI and copy the module to ``out``.

    Raises:
        common.BuildError: cargo failed (the message holds its output) or left no module.
    """
    workspace = source.directory.parent
    target = toolchain.details["target"]
    package, binary = _package_and_binary(source.directory)
    command = [
        str(CARGO),
        "build",
        "--release",
        "--offline",
        "--quiet",  # no progress lines: a BuildError then holds only the compiler's messages
        "--target",
        target,
        "-p",
        package,
    ]
    done = subprocess.run(
        command,
        cwd=workspace,
        env=cargo_env(workspace),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise common.BuildError(
            source.name,
            f"`{' '.join(command)}` in {workspace} exited {done.returncode}:\n"
            + (done.stderr.strip() or done.stdout.strip()),
        )
    wasm = workspace / "target" / target / "release" / f"{binary}.wasm"
    if not wasm.is_file():
        raise common.BuildError(source.name, f"cargo succeeded but left no {wasm}")
    shutil.copyfile(wasm, out)


def cargo_test(session: nox.Session, workspace: Path, *args: str) -> None:
    """Run the workspace's native tests (krm-fn's unit tests and every function's golden cases).

    They run on the host target, so they need Debian's rustc and crates but no wasm runtime.
    """
    toolchain(session)  # installs Debian's packages when missing
    # cargo finds .cargo/config.toml (the Debian crate source) from its working directory.
    with session.chdir(workspace):
        session.run(
            str(CARGO),
            "test",
            "--offline",
            *args,
            external=True,
            env=cargo_env(workspace),
            include_outer_env=False,  # cargo_env already holds the outer env, minus what it drops
        )
