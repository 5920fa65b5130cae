"""kpt image tags to versions (runner/catalog/tags.py)."""

from __future__ import annotations

import pytest

from runner.catalog.tags import newest, parse_version, select_version


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
