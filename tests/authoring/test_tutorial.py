"""docs/authoring.md, executed: every ``console`` block, in a copy of the repository.

Each language's tutorial (its ``## Go`` / ``## Rust`` / ``## Python`` section, after the blocks
of the sections before the first of them) runs in a fresh copy: the files ``git ls-files`` lists,
tracked or new but not ignored, as they are in the work tree, plus the already built ``dist/`` (a
``git clone`` would miss uncommitted work in CI and locally, such as a function just scaffolded
and listed in the Rust workspace). The checkout itself is never written to.

The commands run in bash from the copy's root, as a reader would type them, with:

- ``python``: this test's own interpreter (it has the project, pytest and wasmtime);
- ``nox``: ``nox_shim.py`` (see there why not nox itself), which runs ``new`` and the build
  sessions through the same buildtools functions the noxfile calls;
- ``go`` and ``componentize-py`` from PATH or, failing that, from the virtualenvs that
  ``nox -s build`` made in this checkout's ``.nox/`` (the test session has go but no
  componentize-py); Debian's cargo/rustc are called by absolute path in the page itself.

Every command must exit 0 and print its expected lines (see ``_doc.py``). Each tutorial must
end with its function built and its golden cases passing.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from buildtools.languages import LANGUAGES
from tests.authoring import _doc
from tests.conftest import ROOT

DOC = ROOT / "docs" / "authoring.md"
SHIM = Path(__file__).resolve().parent / "nox_shim.py"
SECTIONS = {"go": "Go", "rust": "Rust", "py": "Python"}  # a section title starts with it
FOLDERS = {key: language.directory for key, language in LANGUAGES.items()}
# Variables of the outer test run that would change what the tutorial's commands do.
_DROPPED_ENV = ("KRM_UPDATE_GOLDEN", "KRM_FN_PATH", "PYTEST_ADDOPTS", "PYTEST_CURRENT_TEST")

_GOLDEN_RUN = re.compile(r"python -m pytest .*tests/test_golden\.py .*-k ")

BLOCKS = _doc.parse(DOC)


def _lang_of(section: str) -> str | None:
    for lang, title in SECTIONS.items():
        if section == title or section.startswith(title + ":") or section.startswith(title + " "):
            return lang
    return None


def _setup_blocks() -> list[_doc.Block]:
    """The blocks before the first language section: every tutorial starts with them."""
    setup = []
    for block in BLOCKS:
        if _lang_of(block.section) is not None:
            break
        setup.append(block)
    return setup


def _lang_blocks(lang: str) -> list[_doc.Block]:
    return [block for block in BLOCKS if _lang_of(block.section) == lang]


def test_every_console_block_is_run() -> None:
    assert {_lang_of(b.section) for b in BLOCKS} >= set(SECTIONS), "a language has no tutorial"
    run = _setup_blocks() + [b for lang in SECTIONS for b in _lang_blocks(lang)]
    skipped = [f"{DOC.name}:{b.line} ({b.section})" for b in BLOCKS if b not in run]
    assert not skipped, f"console blocks that no tutorial runs: {skipped}"


def _tool_dirs() -> list[str]:
    """Directories holding go and componentize-py: PATH first, else nox's build venvs here."""
    dirs = []
    for tool in ("go", "componentize-py"):
        found = shutil.which(tool) or next(
            (str(p) for p in sorted((ROOT / ".nox").glob(f"*/bin/{tool}")) if p.is_file()), None
        )
        if found is None:
            pytest.fail(f"no {tool} on PATH or in {ROOT / '.nox'}: run `nox -s build` first")
        dirs.append(str(Path(found).parent))
    return dirs


def _copy_checkout(target: Path) -> None:
    """The tracked and the new (not ignored) files as they are in the work tree, and dist/."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=False,
    )
    if listed.returncode != 0:
        raise AssertionError(f"the tutorial test needs a git checkout: {listed.stderr.decode()}")
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():  # a deleted, not yet committed file is skipped
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name, follow_symlinks=False)  # keeps mtimes
    shutil.copytree(ROOT / "dist", target / "dist")
    _seed_cargo_target(ROOT / "functions-rust", target / "functions-rust")


def _seed_cargo_target(workspace: Path, copy: Path) -> None:
    """Copy the checkout's cargo target dir, but for its incremental caches and examples.

    Building the workspace from clean takes cargo minutes on two cores. Cargo reuses what the
    checkout built: its hashes of path crates depend on their path relative to the workspace,
    not on where the workspace is, and the copied sources keep their mtimes, so they are not
    newer than what was built from them. Only the new function then compiles.
    """
    source = workspace / "target"
    if not source.is_dir():
        return
    shutil.copytree(
        source, copy / "target", symlinks=True, ignore=shutil.ignore_patterns("incremental")
    )


def _shims(directory: Path) -> None:
    """``python`` (this interpreter) and ``nox`` (the shim) for the tutorial's commands."""
    directory.mkdir()
    python = shlex.quote(sys.executable)
    for name, line in {
        "python": f'exec {python} "$@"',
        "nox": f'exec {python} {shlex.quote(str(SHIM))} "$@"',
    }.items():
        path = directory / name
        path.write_text(f"#!/bin/sh\n{line}\n")
        path.chmod(0o755)


def _run_blocks(blocks: list[_doc.Block], cwd: Path, env: dict[str, str]) -> list[str]:
    """Run every command; fail at the first that exits non-zero or misses its output."""
    timings = []
    for block in blocks:
        for command in block.commands:
            started = time.monotonic()
            done = subprocess.run(
                ["bash", "-c", "set -o pipefail\n" + command.text],
                cwd=cwd,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            output = done.stdout + done.stderr
            where = f"{DOC.name}:{command.line} ({block.section}): $ {command.text}"
            assert done.returncode == 0, f"{where}\nexited {done.returncode}:\n{output}"
            missing = _doc.missing_output(command.expected, output)
            assert missing is None, f"{where}\ndoes not print {missing!r}; it printed:\n{output}"
            timings.append(f"{time.monotonic() - started:6.1f}s  {command.text.splitlines()[0]}")
    return timings


def _function_name(blocks: list[_doc.Block]) -> str:
    for block in blocks:
        for command in block.commands:
            match = re.search(r"nox -s new -- .*--name (\S+)", command.text)
            if match:
                return match.group(1)
    raise AssertionError("the tutorial never runs `nox -s new -- ... --name NAME`")


def _tutorial(lang: str, tmp: Path, cache: Path, tool_dirs: list[str]) -> list[str]:
    """Run one language's tutorial in a fresh copy; returns the commands' timings."""
    blocks = _lang_blocks(lang)
    name = _function_name(blocks)
    copy = tmp / "repo"
    _copy_checkout(copy)
    _shims(tmp / "bin")
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    env["PATH"] = os.pathsep.join([str(tmp / "bin"), *tool_dirs, env.get("PATH", "")])
    env["KRM_WASM_CACHE"] = str(cache)  # a component compiles once per test run

    timings = _run_blocks(_setup_blocks() + blocks, copy, env)

    # The tutorial ends with a function that is built and passes its golden cases on the wasm.
    assert (copy / FOLDERS[lang] / name / "metadata.yaml").is_file()
    assert (copy / "dist" / "functions" / f"{name}.{lang}.wasm").is_file()
    golden = [c for b in blocks for c in b.commands if _GOLDEN_RUN.search(c.text)]
    assert any(
        name in c.text and _doc.missing_output(["passed"], "\n".join(c.expected)) is None
        for c in golden
    ), f"the {lang} tutorial never shows `python -m pytest tests/test_golden.py -k {name}` pass"
    shutil.rmtree(copy / "functions-rust" / "target", ignore_errors=True)  # 250 MB, seen to work
    return timings


def _checkout_state() -> dict[str, object]:
    """What the tutorials would change if they ran in the checkout instead of a copy."""
    state: dict[str, object] = {"Cargo.toml": (ROOT / "functions-rust" / "Cargo.toml").read_bytes()}
    for lang, folder in FOLDERS.items():
        function = ROOT / folder / _function_name(_lang_blocks(lang))
        state[str(function)] = (
            sorted(p.name for p in function.iterdir()) if function.exists() else None
        )
    return state


@dataclass
class Tutorials:
    """The running tutorials, and the checkout's state from before they started."""

    runs: dict[str, Future[list[str]]]
    checkout_before: dict[str, object]


@pytest.fixture(scope="module")
def tutorials(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, shared_cache: Path
) -> Iterator[Tutorials]:
    """Every selected tutorial, started at once in the background.

    They run in parallel: each is mostly one single-threaded compiler at a time (Rust's LTO link,
    componentize-py), so three in a row take longer even on two cores (2:25 against 2:05).
    """
    selected = {
        str(item.callspec.params["lang"])
        for item in request.session.items
        if isinstance(item, pytest.Function) and item.originalname == "test_tutorial"
    }
    tool_dirs = _tool_dirs()
    before = _checkout_state()
    with ThreadPoolExecutor(max_workers=max(len(selected), 1)) as pool:
        runs = {}
        for lang in sorted(selected):
            tmp = tmp_path_factory.mktemp(f"tutorial-{lang}")
            runs[lang] = pool.submit(_tutorial, lang, tmp, shared_cache, tool_dirs)
        yield Tutorials(runs, before)


@pytest.mark.slow
@pytest.mark.parametrize("lang", list(SECTIONS))
def test_tutorial(lang: str, tutorials: Tutorials) -> None:
    timings = tutorials.runs[lang].result()
    print("\n".join(timings))  # shown with -rP: where the time goes
    assert _checkout_state() == tutorials.checkout_before, "the tutorial changed the checkout"
