"""kpt image tags to versions (runner/catalog/tags.py)."""

from __future__ import annotations

import pytest

from runner.catalog.tags import is_constraint, newest, parse_version, select_version


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("v0.4.1", (0, 4, 1)), ("0.4.1", (0, 4, 1)), ("v0.2", (0, 2)), ("v1", (1,)),
     ("latest", None), ("v1.0.0-rc.1", None), ("v0.4.1.2", None)],
)  # fmt: skip
def test_parse_version(text: str, parsed: tuple[int, ...] | None) -> None:
    assert parse_version(text) == parsed


def test_newest_orders_numerically() -> None:
    assert newest(["v0.9.0", "v0.10.0", "v0.2.5"]) == "v0.10.0"
    assert newest([]) is None


def test_select_version_never_substitutes() -> None:
    built = ["v0.4.1", "v0.4.0", "v0.3.2"]
    assert select_version("v0.4.0", built) == "v0.4.0"
    assert select_version("v0.4", built) == "v0.4.1"
    assert select_version("v0.3", built) == "v0.3.2"
    assert select_version(None, built) == "v0.4.1"
    assert select_version("v0.5", built) is None
    assert select_version("v0.4.2", built) is None
    assert select_version("rc", built) is None
    assert select_version("rc", [*built, "rc"]) == "rc"  # a non-version tag: spelled exactly


@pytest.mark.parametrize(
    ("constraint", "version"),
    [
        ("~0.4", "v0.4.1"),  # Masterminds/semver, as kpt's tag_resolution.go reads a Kptfile tag:
        ("~0.4.0", "v0.4.1"),
        ("^0.4.0", "v0.4.1"),  # ^ below 1.0 keeps the minor
        ("^0.3", "v0.3.2"),
        ("~1", "v1.0.0"),
        (">=0.2, <0.4", "v0.3.2"),
        (">0.4", "v1.0.0"),  # above every 0.4.x
        ("<=0.4", "v0.4.1"),
        ("0.2 || 0.3", "v0.3.2"),
        ("!=0.4, <1", "v0.3.2"),
        (">=2", None),
    ],
)
def test_version_constraints_pick_the_newest_match(constraint: str, version: str | None) -> None:
    built = ["v0.2.0", "v0.3.2", "v0.4.0", "v0.4.1", "v1.0.0"]
    assert is_constraint(constraint)
    assert select_version(constraint, built) == version


@pytest.mark.parametrize("tag", ["v0.4", "latest", "sha-1234", "go"])
def test_plain_tags_are_not_constraints(tag: str) -> None:
    assert not is_constraint(tag)
