"""kpt-style end-to-end cases: tests/e2e/<fn-render|fn-eval>/<case>/, in the layout of kpt's own
e2e/testdata.

Each case is a package plus `.expected/`: `config.yaml` (`exitCode`, `args` for eval, `stdErr`:
lines stderr must contain), `diff.patch` (the package's files after the command, as a unified
diff against before; absent: unchanged) and, when present, `results.yaml` (the command runs with
`--results-dir` and must write this FunctionResultList, compared as YAML). The command runs in a
copy of the case, as a user would. ``KRM_UPDATE_GOLDEN=1`` rewrites `diff.patch` (and an existing
`results.yaml`).
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest
import yaml

from tests.cli.conftest import Cli

HERE = Path(__file__).parent
UPDATE = os.environ.get("KRM_UPDATE_GOLDEN") == "1"
CASES = sorted(
    p for group in ("fn-render", "fn-eval") for p in (HERE / group).iterdir() if p.is_dir()
)


def _files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".expected" not in p.relative_to(root).parts
    }


def _diff(before: dict[str, str], after: dict[str, str]) -> str:
    lines: list[str] = []
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name, ""), after.get(name, "")
        if old != new:
            lines += difflib.unified_diff(
                old.splitlines(keepends=True),
                new.splitlines(keepends=True),
                f"a/{name}" if name in before else "/dev/null",
                f"b/{name}" if name in after else "/dev/null",
            )
    return "".join(lines)


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case(case: Path, cli: Cli, tmp_path: Path) -> None:
    package = tmp_path / case.name
    shutil.copytree(case, package, ignore=shutil.ignore_patterns(".expected"))
    config = yaml.safe_load((case / ".expected" / "config.yaml").read_text()) or {}
    before = _files(package)
    args = list(config.get("args", []))
    results = case / ".expected" / "results.yaml"
    if results.exists():
        args += ["--results-dir", tmp_path / "results"]
    command = "render" if case.parent.name == "fn-render" else "eval"
    done = cli(command, package, *args)
    assert done.returncode == config.get("exitCode", 0), done.stderr
    for line in config.get("stdErr", []):
        assert line in done.stderr, f"{case.name}: stderr lacks {line!r}:\n{done.stderr}"
    assert "Traceback" not in done.stderr
    diff = _diff(before, _files(package)).replace(str(tmp_path), "TMP")
    expected = case / ".expected" / "diff.patch"
    if UPDATE:
        if diff:
            expected.write_text(diff, encoding="utf-8")
        else:
            expected.unlink(missing_ok=True)
    want = expected.read_text(encoding="utf-8") if expected.exists() else ""
    assert diff == want, f"{case.name}: the package changed otherwise than {expected}:\n{diff}"
    if results.exists():
        got = (tmp_path / "results" / "results.yaml").read_text(encoding="utf-8")
        if UPDATE:
            results.write_text(got, encoding="utf-8")
        assert yaml.safe_load(got) == yaml.safe_load(results.read_text(encoding="utf-8")), got
