"""The conformance suite's parts: cases on disk, the built implementations, the comparison.

A case is a directory ``cases/<function>/<case>/`` (README.md gives the layout). Every case runs
against every built implementation of its function named in ``dist/functions/index.json``: each
of our languages and each version of kpt's catalog build. Outputs are compared as parsed data,
items in a canonical order, with the annotations a runner or an SDK adds removed; results as a
multiset of (severity, field, resource), never by message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from buildtools.common import read_manifest
from tests.conftest import DIST

__all__ = [
    "CASES_DIR",
    "Case",
    "Implementation",
    "canonical_items",
    "case_problems",
    "implementations",
    "load_cases",
    "result_keys",
    "results_mismatch",
]

CASES_DIR = Path(__file__).resolve().parent / "cases"
_RESULT_KEYS = ("severity", "field", "resource")
# Bookkeeping annotations: the runner's ids and kyaml's index/path/id ones, never the function's.
_STRIPPED_PREFIXES = ("internal.config.kubernetes.io/",)
_STRIPPED = {
    "config.kubernetes.io/index",
    "config.kubernetes.io/path",
    "config.kubernetes.io/id",
    "config.k8s.io/id",
}


@dataclass(frozen=True)
class Implementation:
    """One build of a function: ``label`` is ``go``, ``rust``, ``py`` or ``kpt-v0.4.1``."""

    name: str
    label: str
    path: Path
    image: str  # what `--image` resolves to this build: NAME@LANG or kpt's reference

    @property
    def id(self) -> str:
        return f"{self.name}@{self.label}"


@dataclass(frozen=True)
class Case:
    """One conformance case, read from its directory."""

    function: str
    name: str
    directory: Path
    resources: str
    config: dict[str, Any] | None
    expected: list[dict[str, Any]] | None
    expected_results: list[dict[str, str]]
    exit_code: int

    @property
    def id(self) -> str:
        return f"{self.function}/{self.name}"


def implementations(dist: Path = DIST) -> dict[str, list[Implementation]]:
    """Every built implementation per function name, from ``index.json`` (empty if none)."""
    found: dict[str, list[Implementation]] = {}
    for entry in read_manifest(dist):
        name, lang = entry.name, entry.lang
        if lang == "kpt":
            label, image = f"kpt-{entry.version}", f"gcr.io/kpt-fn/{name}:{entry.version}"
        else:
            label, image = lang, f"{name}@{lang}"
        found.setdefault(name, []).append(Implementation(name, label, dist / entry.file, image))
    return found


def _yaml_docs(path: Path) -> list[Any]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def _read_case(function: str, directory: Path) -> Case:
    config_file = directory / "config.yaml"
    expected_file = directory / "expected.yaml"
    results_file = directory / "expected-results.yaml"
    exit_file = directory / "exit-code"
    config = yaml.safe_load(config_file.read_text()) if config_file.exists() else None
    expected = _yaml_docs(expected_file) if expected_file.exists() else None
    results = yaml.safe_load(results_file.read_text()) if results_file.exists() else []
    return Case(
        function=function,
        name=directory.name,
        directory=directory,
        resources=(directory / "resources.yaml").read_text(),
        config=config,
        expected=expected,
        expected_results=list(results or []),
        exit_code=int(exit_file.read_text().strip()) if exit_file.exists() else 0,
    )


def load_cases(root: Path = CASES_DIR) -> list[Case]:
    """Every case under ``root``, sorted by function and case name."""
    return [
        _read_case(function.name, directory)
        for function in sorted(p for p in root.iterdir() if p.is_dir())
        for directory in sorted(p for p in function.iterdir() if p.is_dir())
    ]


def case_problems(case: Case) -> list[str]:
    """What is wrong with a case directory itself (an empty list when it is well formed)."""
    problems = []
    known = {"resources.yaml", "config.yaml", "expected.yaml", "expected-results.yaml", "exit-code"}
    problems += [f"unknown file {p.name}" for p in case.directory.iterdir() if p.name not in known]
    if case.expected is None and case.exit_code == 0:
        problems.append("no expected.yaml: only a failure case (exit-code not 0) may omit it")
    if case.config is not None and not isinstance(case.config, dict):
        problems.append("config.yaml is not one resource")
    for entry in case.expected_results:
        if not isinstance(entry, dict) or entry.get("severity") not in ("error", "warning", "info"):
            problems.append(f"expected-results.yaml: {entry!r} has no severity error|warning|info")
        elif set(entry) - set(_RESULT_KEYS) - {"message"}:
            problems.append(f"expected-results.yaml: {entry!r}: only {_RESULT_KEYS} are compared")
    return problems


def _strip(item: Any) -> Any:
    if not isinstance(item, dict):
        return item
    item = json.loads(json.dumps(item))
    annotations = (item.get("metadata") or {}).get("annotations")
    if isinstance(annotations, dict):
        for key in list(annotations):
            if key in _STRIPPED or key.startswith(_STRIPPED_PREFIXES):
                del annotations[key]
        if not annotations:
            del item["metadata"]["annotations"]
    return item


def _sort_key(item: Any) -> tuple[str, ...]:
    if not isinstance(item, dict):
        return ("", "", "", "", json.dumps(item, sort_keys=True, default=str))
    metadata = item.get("metadata") or {}
    return (
        str(item.get("apiVersion", "")),
        str(item.get("kind", "")),
        str(metadata.get("namespace", "")),
        str(metadata.get("name", "")),
        json.dumps(item, sort_keys=True, default=str),
    )


def canonical_items(items: list[Any]) -> list[Any]:
    """Items without bookkeeping annotations, in a canonical order (order is not compared).

    An ``annotations`` map left empty by the stripping goes too: a function may or may not keep
    the empty map the runner's id annotation leaves behind, and that is not its behaviour.
    """
    return sorted((_strip(item) for item in items), key=_sort_key)


def _resource_key(ref: Any) -> str:
    if not isinstance(ref, dict):
        return ""
    fields = ("apiVersion", "kind", "namespace", "name")
    return "/".join(str(ref.get(f) or "") for f in fields)


def result_keys(result: dict[str, Any]) -> dict[str, str]:
    """A function's result as the suite compares it: severity, field path, resource."""
    # kyaml's legacy framework (apply-setters v0.2.0) writes results without a severity: kpt
    # shows and counts them as info.
    keys = {"severity": str(result.get("severity") or "info")}
    field = result.get("field")
    path = field.get("path") if isinstance(field, dict) else None
    if path:
        keys["field"] = str(path)
    if result.get("resourceRef"):
        keys["resource"] = _resource_key(result["resourceRef"])
    return keys


def results_mismatch(expected: list[dict[str, str]], actual: list[dict[str, Any]]) -> str | None:
    """None when ``actual`` matches ``expected`` as a multiset, else what differs.

    An expected entry compares only the keys it gives (``field`` and ``resource`` are optional):
    the most specific entries are matched first, then every actual result must have been used.
    """
    got = [result_keys(r) for r in actual]
    unused = list(range(len(got)))
    missing = []
    for want in sorted(expected, key=lambda e: -len(e)):
        want = {k: str(v) for k, v in want.items() if k in _RESULT_KEYS}
        match = next((i for i in unused if all(got[i].get(k) == v for k, v in want.items())), None)
        if match is None:
            missing.append(want)
        else:
            unused.remove(match)
    extra = [got[i] for i in unused]
    if not missing and not extra:
        return None
    return f"results differ: expected but missing {missing}; not expected {extra}"
