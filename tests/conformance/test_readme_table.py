"""The README's catalog table is derived, not written: each row is what index.json and the case
folders say, so it cannot drift from what is built and tested.

A row per catalog function (buildtools/catalog.py's pinned and not-built names) that has a
build, kpt's or ours. A failure prints the rows the README should have.
"""

from __future__ import annotations

import re

from buildtools import catalog
from tests.conformance import harness
from tests.conftest import ROOT

HEADER = "| catalog function | versions built (kpt) | our implementations | conformance |"
LANGUAGES = {"go": "Go", "rust": "Rust", "py": "Python"}  # in the order a bare name picks


def _status(kpt_versions: list[str], cases: int) -> str:
    if not cases:
        return "no cases yet" if kpt_versions else "no cases"
    plural = "case" if cases == 1 else "cases"
    if not kpt_versions:
        return f"{cases} {plural}; no kpt build to compare with"
    return f"{cases} {plural}, each run against kpt's build and ours (tests/conformance)"


def expected_rows() -> list[str]:
    names = {f.name for f in catalog.CATALOG} | {f.name for f in catalog.NOT_BUILT}
    built = harness.implementations()
    cases = harness.load_cases()
    rows = []
    for name in sorted(names & set(built)):
        labels = [impl.label for impl in built[name]]
        kpt = sorted(label.removeprefix("kpt-") for label in labels if label.startswith("kpt-"))
        ours = [LANGUAGES[lang] for lang in LANGUAGES if lang in labels]
        count = sum(1 for case in cases if case.function == name)
        rows.append(
            f"| `{name}` | {', '.join(kpt) or '—'} | {', '.join(ours) or '—'} "
            f"| {_status(kpt, count)} |"
        )
    return rows


def readme_rows() -> list[str]:
    text = (ROOT / "README.md").read_text()
    assert HEADER in text, f"README.md has no table starting {HEADER!r}"
    table = text[text.index(HEADER) :].split("\n\n", 1)[0].splitlines()
    return [re.sub(r" +", " ", row.strip()) for row in table[2:]]


def test_the_readme_catalog_table_is_what_is_built_and_tested() -> None:
    want = expected_rows()
    assert want, "nothing built: run `nox -s build`"
    assert readme_rows() == want, "README.md's catalog table should read:\n" + "\n".join(want)
