"""Selector matching and select() with kpt's semantics; `.krmignore` patterns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from runner.errors import UsageError
from runner.kpt.krmignore import IgnoreRules
from runner.pipeline.selectors import Selector, parse_key_values, select, selector_from_flags

WEB = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {
        "name": "web",
        "namespace": "prod",
        "labels": {"app": "web", "tier": "front"},
        "annotations": {"owner": "team-a"},
    },
}
DB = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db", "labels": {"app": "db"}}}
BARE: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}


@dataclass
class Case:
    reason: str
    selectors: tuple[Selector, ...]
    exclude: tuple[Selector, ...]
    want: list[bool]


CASES = [
    Case("no selectors selects everything", (), (), [True, True, True]),
    Case(
        "fields within a selector are ANDed",
        (Selector(kind="Deployment", name="db"),),
        (),
        [False, False, False],
    ),
    Case(
        "selectors are ORed",
        (Selector(kind="Service"), Selector(name="web")),
        (),
        [True, True, False],
    ),
    Case(
        "labels must all match",
        (Selector(labels={"app": "web", "tier": "front"}),),
        (),
        [True, False, False],
    ),
    Case("label value must be equal", (Selector(labels={"app": "x"}),), (), [False, False, False]),
    Case(
        "namespace unset on resource never matches a namespace",
        (Selector(namespace="prod"),),
        (),
        [True, False, False],
    ),
    Case("annotations", (Selector(annotations={"owner": "team-a"}),), (), [True, False, False]),
    Case("apiVersion", (Selector(api_version="v1"),), (), [False, True, True]),
    Case("exclude removes matches", (), (Selector(kind="Service"),), [True, False, True]),
    Case(
        "exclude wins over select",
        (Selector(name="web"),),
        (Selector(labels={"app": "web"}),),
        [False, False, False],
    ),
    Case("an empty exclude excludes nothing", (), (Selector(),), [True, True, True]),
    Case("an empty selector selects everything", (Selector(),), (), [True, True, True]),
]


@pytest.mark.parametrize("case", CASES, ids=[c.reason for c in CASES])
def test_select(case: Case) -> None:
    got = select([WEB, DB, BARE], case.selectors, case.exclude)
    assert got == case.want, f"{case.reason}: want {case.want}, got {got}"


def test_flags() -> None:
    selector = selector_from_flags(kind="Deployment", labels=["app=web,tier=front", "x=1"])
    assert selector == Selector(kind="Deployment", labels={"app": "web", "tier": "front", "x": "1"})
    assert selector.matches(WEB) is False  # x=1 is missing
    with pytest.raises(UsageError, match=r"--exclude-annotations: expected KEY=VALUE, got 'oops'"):
        selector_from_flags(annotations=["oops"], prefix="--exclude")
    assert parse_key_values(["a=b=c"], "--match-labels") == {"a": "b=c"}


@pytest.mark.parametrize(
    ("lines", "path", "is_dir", "want"),
    [
        (["*.skip.yaml"], "deep/in/x.skip.yaml", False, True),
        (["/top.yaml"], "sub/top.yaml", False, False),
        (["/top.yaml"], "top.yaml", False, True),
        (["build/"], "build", True, True),
        (["build/"], "build", False, False),
        (["a/b.yaml"], "x/a/b.yaml", False, False),
        (["**/gen.yaml"], "x/y/gen.yaml", False, True),
        (["**/gen.yaml"], "gen.yaml", False, True),
        (["a/**/z.yaml"], "a/z.yaml", False, True),
        (["a/**/z.yaml"], "a/b/c/z.yaml", False, True),
        (["a/**"], "a/b/c.yaml", False, True),
        (["*.yaml", "!keep.yaml"], "keep.yaml", False, False),
        (["*.yaml", "!keep.yaml"], "drop.yaml", False, True),
        (["# comment", "", "  "], "# comment", False, False),
        (["\\#hash.yaml"], "#hash.yaml", False, True),
        (["file?.yaml"], "file1.yaml", False, True),
        (["file[0-9].yaml"], "filex.yaml", False, False),
    ],
)
def test_krmignore_patterns(lines: list[str], path: str, is_dir: bool, want: bool) -> None:
    assert IgnoreRules(lines).ignored(path, is_dir=is_dir) is want
