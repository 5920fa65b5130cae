"""Creates a new KRM function from ``buildtools/templates/`` (the ``nox -s new`` session).

``nox -s new -- --lang go|rust|py --name NAME [--description TEXT]`` writes
``functions-<lang>/NAME/``: the function's source on the language's SDK, ``metadata.yaml`` and
golden cases ``testdata/basic``, ``comments``, ``missing-config`` and ``no-data``. The template
function adds the functionConfig's ``data`` entries as annotations to every item (kpt's
set-annotations, in small), so that the new function builds and passes its golden cases before
the author changes anything.
A Rust function is also added to the ``members`` of ``functions-rust/Cargo.toml``.

Template files live in ``templates/<lang>/`` and ``templates/common/`` (shared by every
language); a ``.tmpl`` suffix is dropped, and ``{{key}}`` placeholders are filled in
(``name``, ``description``, ``ident``: the function's identifier in that language, ...).
"""

from __future__ import annotations

import argparse
import json
import keyword
import os
import re
import shutil
import sys
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from buildtools.languages import LANGUAGES

__all__ = [
    "TEMPLATES",
    "Options",
    "ScaffoldError",
    "add_workspace_member",
    "create",
    "identifier",
    "main",
    "parse_args",
    "render",
    "run",
    "validate_name",
]

TEMPLATES = Path(__file__).resolve().parent / "templates"

# Lowercase letters, digits and single dashes, starting with a letter (a valid Go package
# directory, Cargo package and image name); at most 63 characters, like a Kubernetes name.
_NAME = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")

_GO_KEYWORD_TEXT = """break case chan const continue default defer else fallthrough for func go
    goto if import interface map package range return select struct switch type var"""
_RUST_KEYWORD_TEXT = """as async await break const continue crate dyn else enum extern false fn
    for if impl in let loop match mod move mut pub ref return self static struct super trait true
    type unsafe use where while abstract become box do final macro override priv try typeof
    unsized virtual yield"""
_GO_KEYWORDS = frozenset(_GO_KEYWORD_TEXT.split())
_RUST_KEYWORDS = frozenset(_RUST_KEYWORD_TEXT.split())
# Names cargo refuses for a package, or that would shadow a crate the function uses.
_RUST_RESERVED_PACKAGES = frozenset({"test", "std", "core", "alloc", "proc-macro", "krm-fn"})
# Identifiers the templates already use for something else.
_TAKEN = {
    "go": frozenset({"main", "fn", "golden", "testing", "os", "sort"}),
    "rust": frozenset({"main", "annotations", "krm_fn", "tests", "golden"}),
    "py": frozenset({"main", "sdk", "annotations"}),
}


class ScaffoldError(Exception):
    """The function cannot be created: a bad name or description, or a file in the way."""


@dataclass(frozen=True)
class Options:
    """What ``nox -s new`` was asked for."""

    lang: str
    name: str
    description: str


def validate_name(name: str, lang: str, root: Path) -> None:
    """Check that ``name`` is a usable, unused function name for ``lang``.

    Raises:
        ScaffoldError: It is malformed, reserved, or a directory or function of that name exists.
    """
    if not _NAME.fullmatch(name) or len(name) > 63:
        raise ScaffoldError(
            f"invalid function name {name!r}: use lowercase letters, digits and single dashes, "
            "starting with a letter (at most 63 characters), e.g. add-owner"
        )
    if lang == "rust" and (name in _RUST_KEYWORDS or name in _RUST_RESERVED_PACKAGES):
        raise ScaffoldError(f"invalid function name {name!r}: cargo reserves it; pick another")
    lang_root = root / LANGUAGES[lang].directory
    directory = lang_root / name
    if directory.exists():
        raise ScaffoldError(f"{directory.relative_to(root)} already exists; pick another name")
    for meta in sorted(lang_root.glob("*/metadata.yaml")):
        # Directory and function names normally agree, but only metadata.yaml is authoritative.
        if re.search(rf"(?m)^name:\s*['\"]?{re.escape(name)}['\"]?\s*$", meta.read_text("utf-8")):
            raise ScaffoldError(
                f"{meta.relative_to(root)} already declares a {lang} function named {name!r}"
            )


def identifier(name: str, lang: str) -> str:
    """The function's identifier in ``lang``: ``addOwner`` (Go) or ``add_owner`` (Rust, Python).

    A name that would clash with a keyword or a name the template uses gets a suffix.
    """
    parts = name.split("-")
    if lang == "go":
        ident = parts[0] + "".join(part.capitalize() for part in parts[1:])
        clash = ident in _GO_KEYWORDS or ident in _TAKEN["go"]
        return ident + "Fn" if clash else ident
    ident = "_".join(parts)
    reserved = _RUST_KEYWORDS if lang == "rust" else frozenset(keyword.kwlist)
    clash = ident in reserved or ident in _TAKEN[lang]
    return ident + "_fn" if clash else ident


def _yaml_scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when that reads back as the same string, else quoted."""
    plain = re.fullmatch(r"[A-Za-z][\w .,;()/'+-]*", text) and not text.endswith(" ")
    return text if plain and ": " not in text and " #" not in text else json.dumps(text)


def _placeholders(options: Options) -> dict[str, str]:
    return {
        "name": options.name,
        "description": options.description,
        "description_yaml": _yaml_scalar(options.description),
        "description_toml": json.dumps(options.description),  # a valid TOML basic string
        "ident": identifier(options.name, options.lang),
        "input": LANGUAGES[options.lang].default_input,
    }


def render(text: str, values: dict[str, str], source: Path) -> str:
    """Fill ``{{key}}`` placeholders; an unknown key is an error naming the template file."""

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise ScaffoldError(f"{source}: unknown placeholder {{{{{key}}}}}")
        return values[key]

    return _PLACEHOLDER.sub(fill, text)


def _template_files(lang: str) -> list[tuple[Path, Path]]:
    """``(template file, path relative to the new function's directory)`` pairs."""
    pairs = []
    for base in (TEMPLATES / lang, TEMPLATES / "common"):  # the source first, then the rest
        for path in sorted(base.rglob("*")):
            if path.is_file():
                relative = path.relative_to(base)
                if relative.suffix == ".tmpl":
                    relative = relative.with_suffix("")
                pairs.append((path, relative))
    return pairs


def add_workspace_member(manifest: Path, member: str) -> bool:
    """Add ``member`` to ``[workspace] members`` of the Cargo.toml ``manifest``, in place.

    The edit is textual, so comments and layout stay as they were: the new entry goes after the
    last one, in the style of the array (one line, or one entry per line). The result is parsed
    again and must hold exactly one more member, else the file is left untouched.

    Returns:
        False when a member entry (or glob) already covers ``member``; True when it was added.

    Raises:
        ScaffoldError: The manifest has no ``[workspace]`` with a ``members`` array, excludes
            ``member``, or could not be edited safely.
    """
    text = manifest.read_text(encoding="utf-8")
    try:
        workspace = tomllib.loads(text).get("workspace")
    except tomllib.TOMLDecodeError as error:
        raise ScaffoldError(f"{manifest}: not valid TOML: {error}") from error
    if not isinstance(workspace, dict) or not isinstance(workspace.get("members"), list):
        raise ScaffoldError(f"{manifest}: no [workspace] table with a members array")
    members = [str(entry) for entry in workspace["members"]]
    if member in workspace.get("exclude", []):
        raise ScaffoldError(f"{manifest}: [workspace] exclude lists {member!r}")
    if any(Path(member).match(entry) for entry in members):
        return False

    section = re.search(r"(?m)^\[workspace\][ \t]*(#.*)?$", text)
    if section is None:
        raise ScaffoldError(f"{manifest}: cannot find the [workspace] header to edit")
    next_table = re.search(r"(?m)^[ \t]*\[", text[section.end() :])
    end = section.end() + next_table.start() if next_table else len(text)
    array = re.search(r"(?m)^[ \t]*members[ \t]*=[ \t]*\[", text[section.end() : end])
    if array is None:
        raise ScaffoldError(f"{manifest}: cannot find `members = [` under [workspace] to edit")
    edited = _append_to_array(text, section.end() + array.end(), member, manifest)

    after = tomllib.loads(edited)["workspace"]["members"]
    if after != [*members, member]:
        raise ScaffoldError(f"{manifest}: editing members went wrong; add {member!r} by hand")
    tmp = manifest.with_name(manifest.name + ".new")
    tmp.write_text(edited, encoding="utf-8")
    os.replace(tmp, manifest)
    return True


def _append_to_array(text: str, start: int, member: str, manifest: Path) -> str:
    """Insert ``"member"`` as the last entry of the array whose ``[`` ends at ``start``."""
    # Find the closing bracket, skipping strings and comments (which may hold brackets).
    index, last_value_end = start, None
    while index < len(text) and text[index] != "]":
        char = text[index]
        if char in "\"'":
            close = text.find(char, index + 1)
            if close < 0:
                raise ScaffoldError(f"{manifest}: unterminated string in the members array")
            index = last_value_end = close + 1
        elif char == "#":
            newline = text.find("\n", index)
            index = len(text) if newline < 0 else newline
        else:
            index += 1
    if index >= len(text):
        raise ScaffoldError(f"{manifest}: the members array is not closed")
    close_at, entry = index, json.dumps(member)
    if last_value_end is None:  # an empty array
        return text[:start] + entry + text[close_at:]
    after = text[last_value_end:close_at]
    has_comma = after.lstrip(" \t").startswith(",")
    comma = "" if has_comma else ","
    if "\n" not in text[start:close_at]:  # one line: members = ["a", "b"]
        at = last_value_end + (after.index(",") + 1 if has_comma else 0)
        return text[:at] + comma + " " + entry + text[at:]
    # One entry per line: the new one goes on its own line after the last entry's line (keeping
    # that line's comment in place), indented like it, with a trailing comma if it had one.
    line_start = text.rfind("\n", 0, last_value_end) + 1
    line = text[line_start:last_value_end]
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    line_end = text.find("\n", last_value_end)
    if line_end < 0 or line_end > close_at:  # the last entry shares its line with the `]`
        line_end = last_value_end + (after.index(",") + 1 if has_comma else 0)
    trailing = "," if has_comma else ""
    return (
        text[:last_value_end]
        + comma
        + text[last_value_end:line_end]
        + f"\n{indent}{entry}{trailing}"
        + text[line_end:]
    )


def create(root: Path, options: Options) -> list[Path]:
    """Write the new function under ``root`` (the repository) and return the files written.

    Raises:
        ScaffoldError: The name is invalid or taken, or (Rust) Cargo.toml could not be edited;
            nothing is left behind then.
    """
    validate_name(options.name, options.lang, root)
    if "\n" in options.description or not options.description.strip():
        raise ScaffoldError("--description must be one non-empty line")
    values = _placeholders(options)
    directory = root / LANGUAGES[options.lang].directory / options.name
    written = []
    try:
        for template, relative in _template_files(options.lang):
            target = directory / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(render(template.read_text("utf-8"), values, template), "utf-8")
            written.append(target)
        if options.lang == "rust":
            add_workspace_member(root / LANGUAGES["rust"].directory / "Cargo.toml", options.name)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return written


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so that nox reports the error as a failure."""

    def error(self, message: str) -> NoReturn:
        usage = " ".join(self.format_usage().split()[1:])
        raise ScaffoldError(f"{message} (usage: {usage})")


def parse_args(argv: Sequence[str]) -> Options:
    """``--lang``, ``--name`` and ``--description`` into Options (``--help`` exits 0)."""
    parser = _Parser(
        prog="nox -s new --",
        description="Create functions-<lang>/NAME/ from buildtools/templates/.",
    )
    parser.add_argument("--lang", required=True, choices=sorted(LANGUAGES), help="the language")
    parser.add_argument("--name", required=True, help="the function's name, e.g. add-owner")
    parser.add_argument(
        "--description",
        default="Adds the functionConfig's data entries as annotations to every resource",
        help="one line for metadata.yaml and the source's header comment",
    )
    args = parser.parse_args(list(argv))
    return Options(lang=args.lang, name=args.name, description=args.description)


def run(root: Path, argv: Sequence[str], log: Callable[[str], object] = print) -> None:
    """Parse ``argv``, create the function and log what was written and what to do next.

    Raises:
        ScaffoldError: Bad arguments, or the function cannot be created.
    """
    try:
        options = parse_args(argv)
    except SystemExit as done:  # --help was printed
        if done.code in (0, None):
            return
        raise
    written = create(root, options)
    directory = root / LANGUAGES[options.lang].directory / options.name
    for path in written:
        log(f"created {path.relative_to(root)}")
    if options.lang == "rust":
        log(f"added {options.name!r} to the workspace members in functions-rust/Cargo.toml")
    log(
        f"next: nox -s {LANGUAGES[options.lang].build_session} && "
        f"python -m pytest tests/test_golden.py -k {options.name}   "
        f"(docs/authoring.md; edit {directory.relative_to(root)}/)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m buildtools.scaffold ARGS`` in the repository root; exit code 1 on errors."""
    try:
        run(Path.cwd(), sys.argv[1:] if argv is None else argv)
    except ScaffoldError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
