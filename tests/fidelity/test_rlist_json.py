"""ResourceList text composition/splitting and JSON ResourceLists that keep their text."""

from __future__ import annotations

import copy
import json

from runner.fidelity import load_yaml_value as load
from runner.fidelity import (
    parse_json_resource_list,
    parse_yaml_stream,
    render_json_resource_list,
    resource_list_yaml,
    same_value,
    split_resource_list_items,
)
from tests.fidelity.conftest import read_corpus

RL = "config.kubernetes.io/v1"  # the KRM spec's ResourceList apiVersion


def test_resource_list_keeps_comments_and_values(corpus_name: str) -> None:
    stream = parse_yaml_stream(read_corpus(corpus_name), corpus_name)
    texts = [d.text for d in stream.documents]
    rl = resource_list_yaml(
        texts, "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: b # cfg\n", api_version=RL
    )
    value = load(rl)
    assert value["kind"] == "ResourceList"
    assert value["apiVersion"] == "config.kubernetes.io/v1"
    assert same_value(value["items"], [d.value for d in stream.documents])
    assert value["functionConfig"] == {"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "b"}}
    assert "  a: b # cfg" in rl


def test_resource_list_carries_kpt_set_markers() -> None:
    doc = parse_yaml_stream(read_corpus("commented.yaml")).documents[0]
    rl = resource_list_yaml([doc.text], None, api_version=RL)
    assert "namespace: shop # kpt-set: ${namespace}" in rl
    assert "- # Deployment" not in rl and "  # Deployment for the shop frontend." in rl
    assert "functionConfig" not in rl


def test_split_items_gives_back_documents_with_comments() -> None:
    stream = parse_yaml_stream(read_corpus("helm.yaml") + "---\n" + read_corpus("commented.yaml"))
    rl_text = resource_list_yaml([d.text for d in stream.documents], None, api_version=RL)
    rl_doc = parse_yaml_stream(rl_text).documents[0]
    items = split_resource_list_items(rl_doc)
    assert items is not None
    assert [i.value for i in items] == [d.value for d in stream.documents]
    assert "# Source: web/templates/service.yaml" in items[1].text
    assert items[4].text.splitlines()[0] == "# Deployment for the shop frontend."
    assert "    namespace: shop # kpt-set: ${namespace}" in items[4].text


def test_split_items_refuses_flow_style() -> None:
    rl = parse_yaml_stream("kind: ResourceList\nitems: [{a: 1}]\n").documents[0]
    assert split_resource_list_items(rl) is None


JSON_RL = """{
  "apiVersion": "config.kubernetes.io/v1",
  "kind": "ResourceList",
  "items": [
    {"kind": "A", "spec": {"cpu": 1.0, "size": 1e3, "z": 1, "a": 2}},
    {
      "kind": "B",
      "spec": {"ratio": 0.50, "list": [1, 2]}
    }
  ]
}
"""


def test_json_unchanged_is_identical() -> None:
    original = parse_json_resource_list(JSON_RL)
    assert original.indent == 2
    assert render_json_resource_list(original, json.loads(JSON_RL)) == JSON_RL


def test_json_changed_item_keeps_order_and_number_text() -> None:
    original = parse_json_resource_list(JSON_RL)
    new = json.loads(JSON_RL)
    new["items"][1]["spec"]["list"].append(3)
    out = render_json_resource_list(original, new)
    assert json.loads(out) == new
    # The unchanged item keeps its exact text; the changed one keeps 0.50.
    assert '    {"kind": "A", "spec": {"cpu": 1.0, "size": 1e3, "z": 1, "a": 2}},' in out
    assert '"ratio": 0.50' in out
    assert out.index('"apiVersion"') < out.index('"kind"') < out.index('"items"')


def test_json_numbers_kept_in_changed_item() -> None:
    original = parse_json_resource_list(JSON_RL)
    new = copy.deepcopy(json.loads(JSON_RL))
    new["items"][0]["spec"]["z"] = 5
    out = render_json_resource_list(original, new)
    assert '"cpu": 1.0' in out and '"size": 1e3' in out and '"z": 5' in out
    assert json.loads(out) == new


def test_json_compact_layout_kept() -> None:
    text = '{"kind":"ResourceList","items":[{"a":1.50},{"b":2}]}'
    original = parse_json_resource_list(text)
    new = json.loads(text)
    new["items"][1]["b"] = 3
    assert (
        render_json_resource_list(original, new)
        == '{"kind":"ResourceList","items":[{"a":1.50},{"b":3}]}'
    )
