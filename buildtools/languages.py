"""The one registry of function languages: where their functions live, which module builds them,
what they read by default, and the tool versions pinned in pyproject.toml.

Standard library only: ``nox -s new`` imports it in nox's own interpreter, without a virtualenv.
"""

from __future__ import annotations

import importlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

__all__ = ["LANGUAGES", "Language", "builder", "pinned_version"]

_PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


@dataclass(frozen=True)
class Language:
    """One language functions are written in.

    ``default_input`` is what a new function's metadata.yaml declares: JSON is the cheaper one
    to parse in every language, and a Python component that says ``yaml`` carries a YAML parser
    (ruamel.yaml, bundled by the builder) that a JSON one does without.
    ``dependency_group`` is pyproject's [dependency-groups] entry holding its build tools (Rust
    uses Debian's packages instead).
    """

    key: str  # "go" | "rust" | "py": the suffix of built files (NAME.go.wasm)
    directory: str  # functions-<lang>/, relative to the repository
    builder: str  # buildtools/<builder>.py
    default_input: str
    dependency_group: str | None

    @property
    def build_session(self) -> str:
        return f"build-{self.key}"


LANGUAGES: dict[str, Language] = {
    language.key: language
    for language in (
        Language("go", "functions-go", "golang", "json", "build-go"),
        Language("rust", "functions-rust", "rust", "json", None),
        Language("py", "functions-py", "python", "json", "build-py"),
    )
}


def builder(key: str) -> ModuleType:
    """The language's build module (``toolchain``, ``inputs``, ``compile``, ``ROOT``)."""
    return importlib.import_module(f"buildtools.{LANGUAGES[key].builder}")


def pinned_version(package: str) -> str:
    """The ``==`` version pyproject.toml's dependency groups pin for ``package``."""
    groups = tomllib.loads(_PYPROJECT.read_text(encoding="utf-8")).get("dependency-groups", {})
    for requirements in groups.values():
        for requirement in requirements:
            if isinstance(requirement, str):
                match = re.fullmatch(rf"{re.escape(package)}==(\S+)", requirement.strip())
                if match:
                    return match.group(1)
    raise LookupError(f"pyproject.toml pins no version of {package} in [dependency-groups]")
