"""ResourceList values: telling JSON from YAML, checking that a value is a ResourceList."""

from __future__ import annotations

from typing import Any

from runner.errors import InputError
from runner.krm.resource import missing_krm_field

__all__ = [
    "API_VERSION",
    "check_items",
    "check_resource_list",
    "detect_format",
    "new_resource_list",
]

API_VERSION = "config.kubernetes.io/v1"  # the KRM function spec's ResourceList


def detect_format(text: str) -> str:
    """``json`` when the first non-blank character opens a JSON object, else ``yaml``."""
    stripped = text.lstrip("\ufeff \t\r\n")
    return "json" if stripped.startswith("{") else "yaml"


def new_resource_list(
    items: list[dict[str, Any]], function_config: dict[str, Any] | None
) -> dict[str, Any]:
    """A ResourceList value in the KRM spec's shape."""
    value: dict[str, Any] = {"apiVersion": API_VERSION, "kind": "ResourceList", "items": items}
    if function_config is not None:
        value["functionConfig"] = function_config
    return value


def check_resource_list(value: Any, source: str) -> dict[str, Any]:
    """Raise InputError naming ``source`` and the field unless ``value`` is a ResourceList."""
    if not isinstance(value, dict):
        raise InputError(f"{source}: expected a ResourceList mapping, got {_kind_of(value)}")
    if value.get("kind") != "ResourceList":
        raise InputError(
            f"{source}: expected kind ResourceList, got kind {value.get('kind')!r}"
            " (to run on plain resources, give a package directory to eval)"
        )
    items = value.get("items")
    if items is None:
        value["items"] = []
    elif not isinstance(items, list):
        raise InputError(f"{source}: field items: expected a list, got {_kind_of(items)}")
    check_items(value["items"], source)
    config = value.get("functionConfig")
    if config is not None and not isinstance(config, dict):
        raise InputError(
            f"{source}: field functionConfig: expected a mapping, got {_kind_of(config)}"
        )
    results = value.get("results")
    if isinstance(results, dict) and isinstance(results.get("items"), list):
        # kyaml's legacy framework (kpt's older catalog functions) wraps the results as
        # {name, items}: kpt uplifts the items (parseStructuredResult in its fnruntime/runner.go).
        results = value["results"] = results["items"]
    if results is not None and not isinstance(results, list):
        raise InputError(f"{source}: field results: expected a list, got {_kind_of(results)}")
    return value


def check_items(items: list[Any], source: str) -> None:
    """Every item needs apiVersion, kind and metadata.name, as kpt requires."""
    for index, item in enumerate(items):
        if not _looks_right(item):
            _check_item(item, f"{source}: items[{index}]")


def _looks_right(item: Any) -> bool:
    """The common case, checked without building a message (once per item per step)."""
    if type(item) is not dict:
        return False
    metadata = item.get("metadata")
    if type(metadata) is not dict:
        return False
    name, api_version, kind = metadata.get("name"), item.get("apiVersion"), item.get("kind")
    if not (name and api_version and kind):
        return False
    if type(name) is not str or type(api_version) is not str or type(kind) is not str:
        return False
    for field in ("labels", "annotations"):
        found = metadata.get(field)
        if found is not None and (
            type(found) is not dict or not all(type(key) is str for key in found)
        ):
            return False
    return True


def _check_item(item: Any, where: str) -> None:
    if not isinstance(item, dict):
        raise InputError(f"{where}: expected a resource mapping, got {_kind_of(item)}")
    missing = missing_krm_field(item)
    if missing == "metadata.name":
        raise InputError(f"{where} ({item['kind']}): field {missing} is missing or not a string")
    if missing:
        raise InputError(f"{where}: field {missing} is missing or not a string")
    for field in ("labels", "annotations"):
        found = item["metadata"].get(field)
        if found is None:
            continue
        if not isinstance(found, dict):
            raise InputError(
                f"{where}: field metadata.{field}: expected a mapping, got {_kind_of(found)}"
            )
        for key in found:
            if not isinstance(key, str):
                raise InputError(f"{where}: field metadata.{field}: key {key!r} is not a string")


def _kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "a string" if isinstance(value, str) else type(value).__name__
