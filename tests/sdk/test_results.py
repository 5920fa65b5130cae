"""Results: kpt's format, helpers that fill resourceRef and file, the exit code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from sdk import KubeObject, Result, Results

OBJ = KubeObject(
    {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "web",
            "namespace": "prod",
            "annotations": {
                "internal.config.kubernetes.io/path": "app/deploy.yaml",
                "internal.config.kubernetes.io/index": "1",
            },
        },
    }
)


@dataclass
class AddCase:
    reason: str
    call: str  # "error" | "warning" | "info"
    obj: KubeObject | None
    field: Any
    want: dict[str, Any]


ADD_CASES = [
    AddCase("a bare message", "error", None, None, {"message": "m", "severity": "error"}),
    AddCase(
        "about a resource: resourceRef and file from its annotations",
        "warning",
        OBJ,
        None,
        {
            "message": "m",
            "severity": "warning",
            "resourceRef": {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "name": "web",
                "namespace": "prod",
            },
            "file": {"path": "app/deploy.yaml", "index": 1},
        },
    ),
    AddCase(
        "a field path given as a sequence is written dotted",
        "info",
        KubeObject({"kind": "ConfigMap", "metadata": {"name": "c"}}),
        ["data", "a.b"],
        {
            "message": "m",
            "severity": "info",
            "resourceRef": {"kind": "ConfigMap", "name": "c"},
            "field": {"path": "data.a.b"},
        },
    ),
]


@pytest.mark.parametrize("case", ADD_CASES, ids=lambda c: c.reason)
def test_helpers_write_kpt_results(case: AddCase) -> None:
    results = Results()
    getattr(results, case.call)("m", case.obj, case.field)
    got = results.to_list()
    assert got == [case.want], f"{case.reason}:\nwant {case.want}\ngot  {got}"


@dataclass
class ExitCase:
    reason: str
    severities: list[str]
    want: int


EXIT_CASES = [
    ExitCase("no results", [], 0),
    ExitCase("only info and warnings", ["info", "warning"], 0),
    ExitCase("one error among others", ["info", "error", "warning"], 1),
]


@pytest.mark.parametrize("case", EXIT_CASES, ids=lambda c: c.reason)
def test_exit_code(case: ExitCase) -> None:
    results = Results()
    for severity in case.severities:
        results.add("m", severity)  # type: ignore[arg-type]  # strings from the table
    assert results.exit_code == case.want
    assert results.has_errors() is (case.want == 1)


def test_add_rejects_an_unknown_severity() -> None:
    with pytest.raises(ValueError, match="severity must be one of"):
        Results().add("m", "fatal")  # type: ignore[arg-type]  # the point of the test


def test_add_with_tags_and_explicit_file() -> None:
    result = Results().add("m", "info", OBJ, "spec", file={"path": "x.yaml"}, tags={"k": "v"})
    assert result.to_dict()["file"] == {"path": "x.yaml"}
    assert result.to_dict()["tags"] == {"k": "v"}


def test_from_dict_round_trips_and_tolerates_unknown_severity() -> None:
    written = {
        "message": "m",
        "severity": "warning",
        "resourceRef": {"kind": "X"},
        "field": {"path": "a.b"},
        "file": {"path": "f.yaml", "index": 0},
        "tags": {"t": "1"},
    }
    assert Result.from_dict(written).to_dict() == written
    assert Result.from_dict({"message": "m", "severity": "odd"}).severity == "info"


def test_results_is_a_sequence() -> None:
    results = Results()
    results.error("a")
    results.info("b")
    assert len(results) == 2
    assert [r.message for r in results] == ["a", "b"]
    assert results[1].severity == "info"
