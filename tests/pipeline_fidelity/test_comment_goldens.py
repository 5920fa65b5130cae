"""Every function's `comments` golden case changes only the lines the function should change.

tests/test_golden.py runs each `testdata/comments/` case through `python -m runner eval` and
compares the package file with expected.yaml byte for byte. Here we check what expected.yaml
holds: against resources.yaml (hand-written, comments everywhere, 4-space and indented-sequence
styles), difflib finds exactly the lines listed in `expected-changed-lines`, no comment line
differs, a replaced line keeps its key, indentation and inline comment, and every changed line is
the function's own field: the regex in the case's `changed-field` file (empty: changes nothing).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from buildtools.languages import LANGUAGES
from tests.conftest import ROOT


@dataclass(frozen=True)
class Case:
    function: str
    lang: str
    directory: Path

    def __str__(self) -> str:
        return f"{self.function}@{self.lang}"


def _functions() -> list[Case]:
    found = []
    for lang, language in LANGUAGES.items():
        for meta in sorted((ROOT / language.directory).glob("*/metadata.yaml")):
            name = yaml.safe_load(meta.read_text(encoding="utf-8"))["name"]
            found.append(Case(name, lang, meta.parent / "testdata" / "comments"))
    return found


CASES = _functions()


def _lines(path: Path) -> list[str]:
    return path.read_bytes().decode("utf-8").splitlines(keepends=True)


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _key(line: str) -> str:
    """Indentation, `- ` and `key:` before a line's value."""
    m = re.match(r" *(?:- +)?(?:[\w./-]+:(?= |$))?", line)
    return m.group() if m else ""


def _listed(case: Case) -> tuple[set[int], set[int]]:
    removed: set[int] = set()
    added: set[int] = set()
    text = (case.directory / "expected-changed-lines").read_text(encoding="utf-8")
    for token in re.sub(r"#.*", "", text).split():
        (removed if token[0] == "-" else added).add(int(token[1:]))
    return removed, added


def _field(case: Case) -> re.Pattern[str] | None:
    """The regex every changed line must match (the case's `changed-field`); None: no change."""
    text = (case.directory / "changed-field").read_text(encoding="utf-8").strip()
    return re.compile(text) if text else None


def test_every_function_has_a_comments_case() -> None:
    for case in CASES:
        assert (case.directory / "resources.yaml").is_file(), f"{case}: no comments case"
        assert (case.directory / "changed-field").is_file(), f"{case}: say what it may change"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_comments_case_differs_only_in_changed_lines(case: Case) -> None:
    assert_comments_case(case)


def assert_comments_case(case: Case) -> None:
    """The case's expected.yaml differs from resources.yaml only where it says, in its field."""
    old = _lines(case.directory / "resources.yaml")
    new = _lines(case.directory / "expected.yaml")
    assert sum(map(_is_comment, old)) >= 2, f"{case}: want comment lines"
    assert sum("#" in line and not _is_comment(line) for line in old) >= 3, "want inline comments"

    removed: set[int] = set()
    added: set[int] = set()
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        removed.update(range(i1 + 1, i2 + 1))
        added.update(range(j1 + 1, j2 + 1))
        if tag == "replace" and i2 - i1 == j2 - j1:
            for a, b in zip(old[i1:i2], new[j1:j2], strict=True):
                # Same key and indentation before the value, same inline comment after it.
                assert _key(a) == _key(b), f"{case}: {a!r} became {b!r}"
                a_note = a.partition(" #")[2]
                assert a_note == b.partition(" #")[2], f"{case}: inline comment lost: {a!r} {b!r}"

    assert (removed, added) == _listed(case), f"{case}: see {case.directory}"
    field = _field(case)
    changed = [old[i - 1] for i in sorted(removed)] + [new[j - 1] for j in sorted(added)]
    for line in changed:
        assert not _is_comment(line), f"{case}: a comment line changed: {line!r}"
        assert field is not None and field.search(line), f"{case}: not its field: {line!r}"
