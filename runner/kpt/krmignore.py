"""`.krmignore` files: gitignore-style patterns that hide files and folders from a package.

As kyaml's kio.ignoreFilesMatcher: each package (the root and every subpackage) may have a
`.krmignore` at its top; its patterns cover that package only, relative to its directory.
Supported syntax (git's, which kyaml's go-gitignore follows): blank lines and `#` comments,
`\\#` / `\\!` escapes, `!` negation (the last matching pattern wins), a trailing `/` for
directories only, a leading or inner `/` anchoring the pattern to the package directory
(otherwise it matches a name at any depth), `*`, `?`, `[...]`, and `**` (`**/x`, `x/**`,
`a/**/b`). An ignored directory is not walked, so a negated pattern cannot re-include a
file inside it (as in git).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["IGNORE_FILE_NAME", "IgnoreRules", "read_ignore_file"]

IGNORE_FILE_NAME = ".krmignore"


@dataclass(frozen=True)
class _Rule:
    regex: re.Pattern[str]
    negate: bool
    dir_only: bool
    source: str


class IgnoreRules:
    """The compiled patterns of one `.krmignore`, matched against package-relative paths."""

    def __init__(self, lines: list[str]) -> None:
        """Compile gitignore-style lines (comments and blanks are skipped)."""
        self._rules = [rule for line in lines if (rule := _compile(line)) is not None]

    def __bool__(self) -> bool:
        return bool(self._rules)

    def ignored(self, relpath: str, *, is_dir: bool) -> bool:
        """True when `relpath` (posix, relative to the package dir) is ignored."""
        result = False
        for rule in self._rules:
            if rule.dir_only and not is_dir:
                continue
            if rule.regex.fullmatch(relpath):
                result = not rule.negate
        return result


def read_ignore_file(package_dir: Path) -> IgnoreRules:
    """Read `<package_dir>/.krmignore`; no file means nothing is ignored."""
    path = package_dir / IGNORE_FILE_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return IgnoreRules([])
    return IgnoreRules(text.splitlines())


def _compile(line: str) -> _Rule | None:
    source = line
    line = line.rstrip("\r")
    # Trailing spaces are ignored unless escaped with a backslash (git).
    stripped = line.rstrip(" ")
    if stripped.endswith("\\") and len(stripped) < len(line):
        stripped += " "
    line = stripped
    if not line or line.startswith("#"):
        return None
    negate = line.startswith("!")
    if negate or line.startswith(("\\#", "\\!")):
        line = line[1:]
    dir_only = line.endswith("/")
    line = line.rstrip("/")
    if not line:
        return None
    anchored = "/" in line
    line = line.lstrip("/")
    body = _glob_to_regex(line)
    # Unanchored patterns match a name at any depth.
    regex = body if anchored or line.startswith("**") else f"(?:.*/)?{body}"
    return _Rule(re.compile(regex, re.DOTALL), negate, dir_only, source)


def _glob_to_regex(pattern: str) -> str:
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if pattern.startswith("**", i):
            at_start = i == 0 or pattern[i - 1] == "/"
            after = pattern[i + 2 : i + 3]
            if at_start and after == "/":
                out.append("(?:.*/)?")  # `**/`: zero or more directories
                i += 3
                continue
            if at_start and after == "":
                out.append(".*")  # trailing `/**`: everything inside
                i += 2
                continue
            out.append("[^/]*")  # `**` elsewhere behaves like `*`
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 2)
            if end == -1:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end + 1
                continue
        elif c == "\\" and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)
