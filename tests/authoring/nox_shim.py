"""``nox`` for the tutorial test: the sessions docs/authoring.md uses.

``new`` runs the real ``nox -s new`` (it needs no virtualenv). The build sessions do not: a nested
nox in the copied repository would create and pip-install fresh virtualenvs for every build
session, which costs minutes. They are thin, though: ``build-<lang>`` is ``common.discover`` +
``common.build_all`` with the language's toolchain, exactly as noxfile.py's ``_build_lang`` does;
this script does the same with the toolchains found on PATH (the test puts the ones the build
session installed there).

Run from the repository root: ``python nox_shim.py [-R] -s SESSION [-- ARGS]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import sys
import types
from pathlib import Path

ROOT = Path.cwd()
sys.path.insert(0, str(ROOT))
if importlib.util.find_spec("nox") is None:
    # The builders `import nox` for their session-taking helpers (toolchain(session)), which
    # this script does not call; the test session's venv may not have nox.
    sys.modules["nox"] = types.ModuleType("nox")

from buildtools import common  # noqa: E402  (the copy's, from the working directory)
from buildtools.languages import LANGUAGES, builder  # noqa: E402

SESSIONS = {"build": tuple(LANGUAGES)} | {
    language.build_session: (language.key,) for language in LANGUAGES.values()
}


def _toolchain(lang: str, builder: object) -> common.Toolchain:
    if lang == "rust":
        return builder.find_toolchain()  # type: ignore[attr-defined,no-any-return]
    exe = shutil.which("go" if lang == "go" else "componentize-py")
    if exe is None:
        raise SystemExit(f"nox_shim: no {lang} compiler on PATH")
    if lang == "go":
        return builder.toolchain_at(exe)  # type: ignore[attr-defined,no-any-return]
    return builder.toolchain_for(Path(exe))  # type: ignore[attr-defined,no-any-return]


def build(langs: tuple[str, ...]) -> int:
    """Build every function of ``langs`` into dist/functions, as ``nox -s build-<lang>``."""
    failed = 0
    for lang in langs:
        module = builder(lang)
        report = common.build_all(
            common.discover(ROOT / LANGUAGES[lang].directory, lang),
            ROOT / "dist" / "functions",
            _toolchain(lang, module),
            module.inputs,
            module.compile,
        )
        print(f"{lang}: {len(report.built)} built, {len(report.skipped)} up to date, ", end="")
        print(f"{len(report.failed)} failed")
        failed += len(report.failed)
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    posargs: list[str] = []
    if "--" in argv:
        posargs = argv[argv.index("--") + 1 :]
        argv = argv[: argv.index("--")]
    parser = argparse.ArgumentParser(prog="nox (tutorial test shim)")
    parser.add_argument("-s", "--session", "--sessions", nargs="+", required=True)
    parser.add_argument("-R", "-r", "--reuse-existing-virtualenvs", action="store_true")
    args = parser.parse_args(argv)
    for session in args.session:
        if session == "new":
            command = [sys.executable, "-m", "nox", "-f", str(ROOT / "noxfile.py"), "-s", "new"]
            done = subprocess.run([*command, "--", *posargs], cwd=ROOT)
            if done.returncode:
                return done.returncode
        elif session in SESSIONS:
            if build(SESSIONS[session]):
                return 1
        else:
            print(f"nox_shim: session {session!r} is not supported here", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
