"""Resource selection as kpt does it: Kptfile `selectors` / `exclude` and `--match-*` flags.

A resource is selected when it matches ANY selector (or there are no selectors) and NO
non-empty exclude entry (kpt's fnruntime.SelectInput). Within one selector every field that
is set must match (kpt's fnruntime.IsMatch): fields compare for equality, and labels /
annotations must all be present with equal values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

from runner.errors import UsageError
from runner.krm.resource import scalar_text

__all__ = [
    "SELECTOR_FIELDS",
    "Selector",
    "parse_key_values",
    "select",
    "selector_from_flags",
]

# Kptfile field name -> Selector attribute (kpt's kptfilev1.Selector yaml tags).
SELECTOR_FIELDS = {
    "apiVersion": "api_version",
    "kind": "kind",
    "name": "name",
    "namespace": "namespace",
    "labels": "labels",
    "annotations": "annotations",
}


class Selector(NamedTuple):
    """One kpt selector; an unset (empty) field matches anything."""

    api_version: str = ""
    kind: str = ""
    name: str = ""
    namespace: str = ""
    labels: Mapping[str, str] = MappingProxyType({})
    annotations: Mapping[str, str] = MappingProxyType({})

    def is_empty(self) -> bool:
        """True when no field is set (an empty exclude entry excludes nothing, as in kpt)."""
        return not (
            self.api_version
            or self.kind
            or self.name
            or self.namespace
            or self.labels
            or self.annotations
        )

    def matches(self, resource: Mapping[str, Any]) -> bool:
        """True when every field set on this selector matches the resource."""
        metadata = _mapping(resource.get("metadata"))
        if self.api_version and scalar_text(resource.get("apiVersion")) != self.api_version:
            return False
        if self.kind and scalar_text(resource.get("kind")) != self.kind:
            return False
        if self.name and scalar_text(metadata.get("name")) != self.name:
            return False
        if self.namespace and scalar_text(metadata.get("namespace")) != self.namespace:
            return False
        return _contains(metadata.get("labels"), self.labels) and _contains(
            metadata.get("annotations"), self.annotations
        )


def select(
    values: Sequence[Mapping[str, Any]],
    selectors: Sequence[Selector] = (),
    exclude: Sequence[Selector] = (),
) -> list[bool]:
    """Return, for each value, whether a function with these selectors/excludes sees it."""
    if not selectors and not exclude:  # the usual step: every value, without a look at each
        return [True] * len(values)
    chosen: list[bool] = []
    for value in values:
        selected = not selectors or any(s.matches(value) for s in selectors)
        if selected and any(not e.is_empty() and e.matches(value) for e in exclude):
            selected = False
        chosen.append(selected)
    return chosen


def parse_key_values(items: Iterable[str], flag: str) -> dict[str, str]:
    """Parse `--match-labels k=v,k2=v2` style values (repeatable, comma-separated).

    Raises:
        UsageError: an item without `=` or with an empty key, naming the flag.
    """
    result: dict[str, str] = {}
    for item in items:
        for part in item.split(","):
            if not part.strip():
                continue
            key, sep, value = part.partition("=")
            key = key.strip()
            if not sep or not key:
                raise UsageError(f"{flag}: expected KEY=VALUE, got {part!r}")
            result[key] = value.strip()
    return result


def selector_from_flags(
    *,
    api_version: str = "",
    kind: str = "",
    name: str = "",
    namespace: str = "",
    labels: Iterable[str] = (),
    annotations: Iterable[str] = (),
    prefix: str = "--match",
) -> Selector:
    """Build one Selector from `--match-*` (or `--exclude-*`, prefix="--exclude") flag values.

    kpt fn eval turns its match flags into a single selector and its exclude flags into a
    single exclusion; this mirrors that.
    """
    return Selector(
        api_version=api_version,
        kind=kind,
        name=name,
        namespace=namespace,
        labels=parse_key_values(labels, f"{prefix}-labels"),
        annotations=parse_key_values(annotations, f"{prefix}-annotations"),
    )


def _mapping(value: Any) -> Mapping[Any, Any]:
    return value if isinstance(value, Mapping) else {}


def _contains(actual: Any, wanted: Mapping[str, str]) -> bool:
    have = _mapping(actual)
    return all(key in have and scalar_text(have[key]) == value for key, value in wanted.items())
