"""buildtools.scaffold: names, identifiers, the Cargo.toml edit, what `nox -s new` writes.

Whether the written functions build and pass their golden cases is test_tutorial.py's job.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from buildtools import scaffold
from buildtools.languages import LANGUAGES
from tests.conftest import ROOT
from tests.pipeline_fidelity.test_comment_goldens import Case, assert_comments_case


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with the three language folders and the real workspace Cargo.toml."""
    for folder in (language.directory for language in LANGUAGES.values()):
        (tmp_path / folder).mkdir()
    shutil.copy(ROOT / "functions-rust" / "Cargo.toml", tmp_path / "functions-rust")
    return tmp_path


@pytest.mark.parametrize(
    "name", ["", "Add", "1st", "add--owner", "add-", "-add", "add_owner", "add.owner", "a" * 64]
)
def test_malformed_names_are_refused(repo: Path, name: str) -> None:
    with pytest.raises(scaffold.ScaffoldError, match="invalid function name"):
        scaffold.validate_name(name, "go", repo)


@pytest.mark.parametrize("name", ["match", "test", "krm-fn"])
def test_names_cargo_refuses_are_refused_for_rust_only(repo: Path, name: str) -> None:
    with pytest.raises(scaffold.ScaffoldError, match="cargo reserves"):
        scaffold.validate_name(name, "rust", repo)
    scaffold.validate_name(name, "py", repo)


def test_existing_directory_or_function_name_is_refused(repo: Path) -> None:
    (repo / "functions-go" / "taken").mkdir()
    with pytest.raises(scaffold.ScaffoldError, match="functions-go/taken already exists"):
        scaffold.validate_name("taken", "go", repo)
    other = repo / "functions-go" / "other-dir"
    other.mkdir()
    (other / "metadata.yaml").write_text("name: 'renamed'\ninput: json\n")
    with pytest.raises(scaffold.ScaffoldError, match=r"other-dir/metadata\.yaml already declares"):
        scaffold.validate_name("renamed", "go", repo)
    scaffold.validate_name("renamed", "py", repo)  # another language may reuse a name


@pytest.mark.parametrize(
    ("name", "lang", "want"),
    [
        ("add-owner", "go", "addOwner"),
        ("add-owner", "rust", "add_owner"),
        ("add-owner", "py", "add_owner"),
        ("main", "go", "mainFn"),
        ("type", "go", "typeFn"),
        ("import", "py", "import_fn"),
        ("annotations", "rust", "annotations_fn"),
        ("x2", "go", "x2"),
    ],
)
def test_identifier(name: str, lang: str, want: str) -> None:
    assert scaffold.identifier(name, lang) == want


@dataclass(frozen=True)
class MemberCase:
    reason: str
    before: str
    after: str  # "" when the file must stay as it was


MEMBER_CASES = [
    MemberCase(
        "one line",
        '[workspace]\nmembers = ["a", "b"]\nresolver = "2"\n',
        '[workspace]\nmembers = ["a", "b", "new"]\nresolver = "2"\n',
    ),
    MemberCase(
        "one line, trailing comma",
        '[workspace]\nmembers = ["a",]\n',
        '[workspace]\nmembers = ["a", "new"]\n',
    ),
    MemberCase("empty", "[workspace]\nmembers = []\n", '[workspace]\nmembers = ["new"]\n'),
    MemberCase(
        "one per line with comments holding brackets and quotes",
        '# [x]\n[workspace] # ws\nmembers = [\n    "a",  # the "sdk" ]\n    "b"\n]\n'
        "[profile.release]\n",
        '# [x]\n[workspace] # ws\nmembers = [\n    "a",  # the "sdk" ]\n    "b",\n    "new"\n]\n'
        "[profile.release]\n",
    ),
    MemberCase(
        "one per line, trailing comma and a comment on the last line",
        '[workspace]\nmembers = [\n  "a",\n  "b", # last\n]\n',
        '[workspace]\nmembers = [\n  "a",\n  "b", # last\n  "new",\n]\n',
    ),
    MemberCase(
        "closing bracket on the last entry's line",
        "[workspace]\nmembers = [\n  'a',\n  'b']\n",
        "[workspace]\nmembers = [\n  'a',\n  'b',\n  \"new\"]\n",
    ),
    MemberCase("a glob already covers it", '[workspace]\nmembers = ["*"]\n', ""),
]


@pytest.mark.parametrize("case", MEMBER_CASES, ids=lambda case: case.reason)
def test_add_workspace_member(case: MemberCase, tmp_path: Path) -> None:
    manifest = tmp_path / "Cargo.toml"
    manifest.write_text(case.before)
    added = scaffold.add_workspace_member(manifest, "new")
    assert added == bool(case.after), case.reason
    got = manifest.read_text()
    assert got == (case.after or case.before), f"{case.reason}\nwant:\n{case.after}\ngot:\n{got}"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('[package]\nname = "x"\n', "no \\[workspace\\] table with a members array"),
        ('[workspace]\nmembers = ["a"]\nexclude = ["new"]\n', "exclude lists 'new'"),
        ("[workspace\n", "not valid TOML"),
    ],
)
def test_add_workspace_member_refuses(text: str, error: str, tmp_path: Path) -> None:
    manifest = tmp_path / "Cargo.toml"
    manifest.write_text(text)
    with pytest.raises(scaffold.ScaffoldError, match=error):
        scaffold.add_workspace_member(manifest, "new")
    assert manifest.read_text() == text


def test_the_real_workspace_gains_one_member_and_nothing_else(repo: Path) -> None:
    manifest = repo / "functions-rust" / "Cargo.toml"
    before = manifest.read_text().splitlines()
    assert scaffold.add_workspace_member(manifest, "new-fn")
    after = manifest.read_text().splitlines()
    assert len(after) == len(before)
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    assert len(changed) == 1 and '"new-fn"' in changed[0][1], changed
    members = tomllib.loads(manifest.read_text())["workspace"]["members"]
    assert members[-1] == "new-fn"


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_create_writes_a_complete_function(repo: Path, lang: str) -> None:
    description = 'Says "hi": # not a comment, 100% {braces}'
    options = scaffold.Options(lang=lang, name="say-hi", description=description)
    written = scaffold.create(repo, options)

    directory = repo / LANGUAGES[lang].directory / "say-hi"
    assert set(written) == {p for p in directory.rglob("*") if p.is_file()}
    names = {p.relative_to(directory).as_posix() for p in written}
    source = {"go": "main.go", "rust": "src/main.rs", "py": "main.py"}[lang]
    assert {source, "metadata.yaml", "testdata/basic/expected.yaml"} <= names
    assert "testdata/missing-config/expected-results.yaml" in names
    for path in written:
        text = path.read_text()
        assert "{{" not in text and not path.name.endswith(".tmpl"), path
    meta = yaml.safe_load((directory / "metadata.yaml").read_text())
    assert meta == {"name": "say-hi", "description": description, "input": "json"}
    failing = directory / "testdata" / "missing-config" / "expected-results.yaml"
    results = yaml.safe_load(failing.read_text())
    assert "say-hi needs a ConfigMap" in results[0]["message"]
    if lang == "rust":
        package = tomllib.loads((directory / "Cargo.toml").read_text())["package"]
        assert (package["name"], package["description"]) == ("say-hi", description)
        workspace = tomllib.loads((repo / "functions-rust" / "Cargo.toml").read_text())
        assert workspace["workspace"]["members"][-1] == "say-hi"


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_a_new_function_has_every_case_the_suite_requires(repo: Path, lang: str) -> None:
    # Regression: the suite requires a `comments` case of every function; the templates had none.
    scaffold.create(repo, scaffold.Options(lang=lang, name="say-hi", description="Says hi"))
    testdata = repo / LANGUAGES[lang].directory / "say-hi" / "testdata"
    assert {"basic", "comments", "missing-config", "no-data"} <= {
        p.name for p in testdata.iterdir()
    }
    assert_comments_case(Case("say-hi", lang, testdata / "comments"))


def test_a_failed_rust_create_leaves_nothing_behind(repo: Path) -> None:
    (repo / "functions-rust" / "Cargo.toml").write_text('[package]\nname = "x"\n')
    options = scaffold.Options(lang="rust", name="say-hi", description="Says hi")
    with pytest.raises(scaffold.ScaffoldError, match="members"):
        scaffold.create(repo, options)
    assert not (repo / "functions-rust" / "say-hi").exists()


def test_description_must_be_one_line(repo: Path) -> None:
    options = scaffold.Options(lang="go", name="say-hi", description="two\nlines")
    with pytest.raises(scaffold.ScaffoldError, match="one non-empty line"):
        scaffold.create(repo, options)
    assert not (repo / "functions-go" / "say-hi").exists()


def test_unknown_placeholder_names_the_template() -> None:
    with pytest.raises(scaffold.ScaffoldError, match=r"t\.tmpl: unknown placeholder \{\{nmae\}\}"):
        scaffold.render("x {{nmae}}", {"name": "a"}, Path("t.tmpl"))


def _cli(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "buildtools.scaffold", *args],
        cwd=repo,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_command_line(repo: Path) -> None:
    done = _cli(repo, "--lang", "py", "--name", "say-hi")
    assert done.returncode == 0, done.stderr
    assert "created functions-py/say-hi/main.py" in done.stdout
    assert "next: nox -s build-py" in done.stdout
    meta = yaml.safe_load((repo / "functions-py/say-hi/metadata.yaml").read_text())
    assert meta["description"].startswith("Adds the functionConfig's data entries")

    again = _cli(repo, "--lang", "py", "--name", "say-hi")
    assert again.returncode == 1
    assert again.stderr == "error: functions-py/say-hi already exists; pick another name\n"
    missing = _cli(repo, "--name", "x")
    assert missing.returncode == 1
    assert "the following arguments are required: --lang (usage: nox -s new --" in missing.stderr
    help_text = _cli(repo, "--help")
    assert help_text.returncode == 0 and "--description" in help_text.stdout
