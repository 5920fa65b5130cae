"""The one rule for paths a package names (path annotations, configPath): relative, inside it."""

from __future__ import annotations

import posixpath
from pathlib import Path

__all__ = ["inside_package", "resolves_inside"]


def inside_package(path: str) -> str:
    """``path`` normalised, if it is a relative posix path that stays in the package.

    Mirrors kpt's validateFnConfigPathSyntax and kyaml's writer checks.

    Raises:
        ValueError: saying what is wrong, with the path quoted (callers add where it was found).
    """
    if not path.strip():
        raise ValueError("path must not be empty")
    if "\\" in path:
        raise ValueError(f"{path!r}: path must use / as its separator")
    if path.startswith("/"):
        raise ValueError(f"{path!r}: path must be relative")
    normal = posixpath.normpath(path)
    if normal == "." or normal == ".." or normal.startswith("../"):
        raise ValueError(f"{path!r}: path must not be outside the package")
    return normal


def resolves_inside(path: Path, package_dir: Path) -> bool:
    """True when ``path``, every symlink followed, is still inside ``package_dir``."""
    try:
        return path.resolve().is_relative_to(package_dir.resolve())
    except (OSError, RuntimeError):  # a symlink loop leads nowhere, least of all inside
        return False
