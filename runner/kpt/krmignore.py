"""`.krmignore` files: gitignore-style patterns that hide files and folders from a package.

As kyaml's kio.ignoreFilesMatcher: each package (the root and every subpackage) may have a
`.krmignore` at its top; its patterns cover that package only, relative to its directory. The
matching is git's (kyaml uses go-gitignore), done by the `pathspec` library's GitIgnoreSpec. An
ignored directory is not walked, so a negated pattern cannot re-include a file inside it (as in
git).
"""

from __future__ import annotations

from pathlib import Path

import pathspec

from runner.errors import PackageError
from runner.krm.text import read_bounded

__all__ = ["IGNORE_FILE_NAME", "IgnoreRules", "read_ignore_file"]

IGNORE_FILE_NAME = ".krmignore"
_MAX_BYTES = 1 << 20


class IgnoreRules:
    """The patterns of one `.krmignore`, matched against package-relative posix paths."""

    def __init__(self, lines: list[str]) -> None:
        self._spec = pathspec.GitIgnoreSpec.from_lines(lines)
        self._any = any(line.strip() and not line.startswith("#") for line in lines)

    def __bool__(self) -> bool:
        return self._any

    def ignored(self, relpath: str, *, is_dir: bool) -> bool:
        """True when `relpath` (posix, relative to the package dir) is ignored."""
        return bool(self._spec.match_file(relpath + "/" if is_dir else relpath))


def read_ignore_file(package_dir: Path) -> IgnoreRules:
    """Read `<package_dir>/.krmignore`; no file means nothing is ignored."""
    path = package_dir / IGNORE_FILE_NAME
    if not path.exists() and not path.is_symlink():
        return IgnoreRules([])
    data = read_bounded(path, str(path), _MAX_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PackageError(f"{path}: not UTF-8 text (byte {error.start})") from None
    return IgnoreRules(text.splitlines())
