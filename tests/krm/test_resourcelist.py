"""ResourceList checks on what a function wrote (runner/krm/resourcelist.py)."""

from __future__ import annotations

from typing import Any

import pytest

from runner.errors import InputError
from runner.krm.resourcelist import check_resource_list


def _output(results: Any) -> dict[str, Any]:
    return {"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": [],
            "results": results}  # fmt: skip


def test_legacy_wrapped_results_are_uplifted_as_kpt_does() -> None:
    # kyaml's old framework (apply-setters v0.2.0 of kpt's catalog) writes {name, items}.
    item = {"message": 'set field value to "web2"', "field": {"path": "metadata.name"}}
    checked = check_resource_list(_output({"name": "apply-setters", "items": [item]}), "fn")
    assert checked["results"] == [item]


def test_results_mapping_without_items_is_an_error() -> None:
    with pytest.raises(InputError, match="fn: field results: expected a list, got a mapping"):
        check_resource_list(_output({"name": "apply-setters"}), "fn")
