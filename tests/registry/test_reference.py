"""Registry references: which names go to a registry, and their parts (no registry needed)."""

from __future__ import annotations

import pytest

from runner.errors import UsageError
from runner.registry.reference import Reference, is_loopback, parse_reference

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "localhost:5000/fns/set-namespace:v1",
            Reference("localhost:5000", "fns/set-namespace", "v1"),
        ),
        ("localhost/fns/x", Reference("localhost", "fns/x")),
        ("ghcr.io/org/team/fn", Reference("ghcr.io", "org/team/fn")),
        (f"r.example.com/fn@{DIGEST}", Reference("r.example.com", "fn", None, DIGEST)),
        (f"r.example.com/fn:v2@{DIGEST}", Reference("r.example.com", "fn", "v2", DIGEST)),
        ("[::1]:5000/fn:v1", Reference("[::1]:5000", "fn", "v1")),
    ],
)
def test_registry_references(text: str, expected: Reference) -> None:
    assert parse_reference(text) == expected
    assert str(expected) == text


@pytest.mark.parametrize(
    "text",
    [
        "set-namespace",
        "set-namespace@go",
        "set-namespace:v1",
        "kpt-fn/set-namespace:v1",
        "ghcr.io/acme/fns/set-namespace:latest@go",  # @LANG: the local catalog's syntax
    ],
)
def test_names_without_a_host_stay_local(text: str) -> None:
    assert parse_reference(text) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("localhost:5000/fns/Set-Namespace:v1", "repository 'fns/Set-Namespace' is not valid"),
        ("localhost:5000/fn@sha256:abc", "is not a digest"),
        ("localhost:5000/fn:-bad", "tag '-bad' is not valid"),
    ],
)
def test_bad_references_are_usage_errors(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_reference(text)


def test_loopback_hosts() -> None:
    assert is_loopback("localhost:5000") and is_loopback("127.0.0.1") and is_loopback("[::1]:80")
    assert not is_loopback("127.0.0.2:5000") and not is_loopback("localhost.example.com")
