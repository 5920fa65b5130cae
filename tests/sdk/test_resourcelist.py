"""ResourceList: reading JSON (YAML natively), writing it back with order and fields kept."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from sdk import InputError, ResourceList

INPUT = {
    "apiVersion": "config.kubernetes.io/v1",
    "kind": "ResourceList",
    "items": [
        {"kind": "B", "apiVersion": "v1", "metadata": {"name": "b"}, "zeta": 1, "alpha": 2},
        {"apiVersion": "v1", "kind": "A", "metadata": {"name": "a"}},
    ],
    "functionConfig": {"apiVersion": "v1", "kind": "ConfigMap", "data": {"k": "v"}},
    "x-extra": {"kept": True},
}


def test_round_trip_keeps_fields_order_and_unknown_top_level_fields() -> None:
    text = json.dumps(INPUT)
    rl = ResourceList.parse(text)
    assert json.loads(rl.to_json()) == INPUT
    assert rl.to_json() == json.dumps(INPUT, separators=(",", ":")) + "\n"
    assert list(json.loads(rl.to_json())["items"][0]) == [
        "kind",
        "apiVersion",
        "metadata",
        "zeta",
        "alpha",
    ]


def test_parse_accepts_bytes_and_exposes_parts() -> None:
    rl = ResourceList.parse(json.dumps(INPUT).encode())
    assert [item.name for item in rl.items] == ["b", "a"]
    assert rl.function_config is not None and rl.function_config.kind == "ConfigMap"
    assert rl.api_version == "config.kubernetes.io/v1"
    assert len(rl.results) == 0


def test_results_are_appended_after_earlier_ones() -> None:
    earlier = {**INPUT, "results": [{"message": "old", "severity": "info"}]}
    rl = ResourceList.parse(json.dumps(earlier))
    rl.results.error("new", rl.items[1])
    out = json.loads(rl.to_json())
    assert [r["message"] for r in out["results"]] == ["old", "new"]
    assert out["results"][1]["resourceRef"] == {"apiVersion": "v1", "kind": "A", "name": "a"}
    assert list(out)[-1] == "results"


def test_items_can_be_dropped_and_reordered() -> None:
    rl = ResourceList.parse(json.dumps(INPUT))
    rl.items = [rl.items[1]]
    assert [i["metadata"]["name"] for i in json.loads(rl.to_json())["items"]] == ["a"]


def test_an_empty_list_without_items_writes_an_empty_items_list() -> None:
    rl = ResourceList.parse('{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList"}')
    assert json.loads(rl.to_json()) == {
        "apiVersion": "config.kubernetes.io/v1",
        "kind": "ResourceList",
        "items": [],
    }


def test_select_on_the_list() -> None:
    rl = ResourceList.parse(json.dumps(INPUT))
    assert [o.name for o in rl.select(kind="A")] == ["a"]


def test_a_new_list_writes_the_standard_header() -> None:
    assert json.loads(ResourceList().to_json()) == {
        "apiVersion": "config.kubernetes.io/v1",
        "kind": "ResourceList",
        "items": [],
    }


def test_yaml_input_natively() -> None:
    # PyYAML is there in the dev environment; inside the component it is not.
    rl = ResourceList.parse(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"
        "items:\n- apiVersion: v1\n  kind: A\n  metadata: {name: a}\n"
    )
    assert [i.name for i in rl.items] == ["a"]


@dataclass
class BadCase:
    reason: str
    text: str | bytes
    mentions: str


BAD_CASES = [
    BadCase("empty input", "  \n", "input is empty"),
    BadCase("broken JSON", '{"kind": ', "not valid JSON"),
    BadCase("broken YAML", "kind: [", "neither JSON nor valid YAML"),
    BadCase("not UTF-8", b"\xff\xfe{", "not UTF-8"),
    BadCase("a JSON list", "[1]", "input is a sequence, want a ResourceList mapping"),
    BadCase("a scalar", "hello", "input is a string, want a ResourceList mapping"),
    BadCase(
        "wrong kind", '{"kind": "List", "items": []}', "input has kind List, want ResourceList"
    ),
    BadCase(
        "items not a list",
        '{"kind": "ResourceList", "items": {}}',
        "input field items is a mapping, want a sequence",
    ),
    BadCase(
        "an item not a mapping",
        '{"kind": "ResourceList", "items": [{}, 3]}',
        "input items[1] is a number, want a mapping",
    ),
    BadCase(
        "functionConfig not a mapping",
        '{"kind": "ResourceList", "items": [], "functionConfig": "x"}',
        "input field functionConfig is a string, want a mapping",
    ),
    BadCase("no kind", '{"items": []}', "input has no kind, want kind: ResourceList"),
    BadCase(
        "results not a list",
        '{"kind": "ResourceList", "results": 1}',
        "input field results is a number, want a sequence",
    ),
]


@pytest.mark.parametrize("case", BAD_CASES, ids=lambda c: c.reason)
def test_bad_input_names_what_is_wrong(case: BadCase) -> None:
    with pytest.raises(InputError) as raised:
        ResourceList.parse(case.text)
    assert case.mentions in str(raised.value), f"{case.reason}: {raised.value}"
