"""update_document: only the changed lines differ, and the result reads back as the new value."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from typing import Any

import pytest

from runner.fidelity import (
    Document,
    load_yaml_value,
    parse_yaml_stream,
    render_document,
    same_value,
    update_document,
)
from tests.fidelity.conftest import changed_lines, read_corpus


def doc_of(name: str, index: int = 0) -> Document:
    return parse_yaml_stream(read_corpus(name), name).documents[index]


def edit(doc: Document, change: Callable[[Any], None]) -> tuple[str, list[str], list[str]]:
    value = copy.deepcopy(doc.value)
    change(value)
    out = update_document(doc, value)
    assert same_value(load_yaml_value(out), value)
    removed, added = changed_lines(doc.text, out)
    return out, removed, added


def test_set_namespace_adds_one_line_after_name() -> None:
    doc = doc_of("helm.yaml", 2)
    out, removed, added = edit(doc, lambda v: v["metadata"].__setitem__("namespace", "prod"))
    assert (removed, added) == ([], ["  namespace: prod"])
    assert out.index("  namespace: prod") > out.index("  name: release-web")
    assert out.startswith("---\n# Source: web/templates/deployment.yaml\n")


def test_change_existing_namespace_keeps_inline_comment() -> None:
    doc = doc_of("commented.yaml")
    _, removed, added = edit(doc, lambda v: v["metadata"].__setitem__("namespace", "shop-prod"))
    assert removed == ["    namespace: shop # kpt-set: ${namespace}"]
    assert added == ["    namespace: shop-prod # kpt-set: ${namespace}"]


def test_add_label_and_annotation_in_users_indentation() -> None:
    doc = doc_of("commented.yaml")

    def change(v: Any) -> None:
        v["metadata"]["labels"]["env"] = "prod"
        v["metadata"]["annotations"]["config.kubernetes.io/index"] = "0"

    _, removed, added = edit(doc, change)
    assert removed == []
    assert added == ["        env: prod", '        config.kubernetes.io/index: "0"']


def test_change_image_keeps_comment_and_quoting() -> None:
    doc = doc_of("commented.yaml")
    path = ["spec", "template", "spec", "containers"]

    def change(v: Any) -> None:
        containers = v
        for p in path:
            containers = containers[p]
        containers[0]["image"] = "registry.example.com/shop/frontend:2.5.0"
        containers[0]["args"][1] = "--quiet"

    _, removed, added = edit(doc, change)
    assert removed == [
        "                    image: registry.example.com/shop/frontend:2.4.1 # kpt-set: ${image}",
        '                        - "--verbose"   # noisy',
    ]
    assert added == [
        "                    image: registry.example.com/shop/frontend:2.5.0 # kpt-set: ${image}",
        '                        - "--quiet"   # noisy',
    ]


def test_helm_quoted_image_stays_quoted() -> None:
    doc = doc_of("helm.yaml", 2)
    spec = ["spec", "template", "spec", "containers"]

    def change(v: Any) -> None:
        c = v
        for p in spec:
            c = c[p]
        c[0]["image"] = "nginx:1.17.0"

    _, removed, added = edit(doc, change)
    assert (removed, added) == (
        ['          image: "nginx:1.16.0"'],
        ['          image: "nginx:1.17.0"'],
    )


def test_delete_field_removes_its_lines_and_own_comments() -> None:
    doc = doc_of("commented.yaml")

    def change(v: Any) -> None:
        del v["spec"]["replicas"]
        del v["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]

    _, removed, added = edit(doc, change)
    assert added == []
    assert removed == [
        "    # Scaled by the HPA; this is only the floor.",
        "    replicas: 2",
        "            # Keep the old pods a little longer.",
        "            terminationGracePeriodSeconds: 60",
    ]


def test_add_container_to_list_in_compact_style() -> None:
    doc = doc_of("kustomize.yaml", 2)

    def change(v: Any) -> None:
        v["spec"]["template"]["spec"]["containers"].append(
            {"name": "sidecar", "image": "envoy:v1", "ports": [{"containerPort": 9901}]}
        )

    out, removed, added = edit(doc, change)
    assert removed == []
    assert added == [
        "      - name: sidecar",
        "        image: envoy:v1",
        "        ports:",
        "        - containerPort: 9901",
    ]
    assert out.endswith(added[-1] + "\n")


def test_add_container_in_indented_style() -> None:
    doc = doc_of("helm.yaml", 3)

    def change(v: Any) -> None:
        v["spec"]["containers"].append({"name": "curl", "args": ["-v"]})

    _, removed, added = edit(doc, change)
    assert removed == []
    assert added == ["    - name: curl", "      args:", "        - -v"]


def test_delete_list_item_removes_its_comment() -> None:
    doc = doc_of("commented.yaml")

    def change(v: Any) -> None:
        del v["spec"]["template"]["spec"]["containers"][1]

    _, removed, added = edit(doc, change)
    assert added == []
    assert removed == [
        "                # Log shipper.",
        "                -   name: logs",
        "                    image: fluent/fluent-bit:1.9",
    ]


def test_change_block_scalars_keeps_their_style() -> None:
    doc = doc_of("kustomize.yaml", 0)

    def change(v: Any) -> None:
        v["data"]["game.properties"] = "enemies=aliens\nlives=5\n"
        v["data"]["ui.properties"] = "color.good=purple\ncolor.bad=red"

    _, removed, added = edit(doc, change)
    assert (removed, added) == (
        ["    lives=3", "    color.bad=yellow"],
        ["    lives=5", "    color.bad=red"],
    )


def test_change_literal_in_crd_keeps_long_lines_unfolded() -> None:
    doc = doc_of("crd.yaml")
    props = ["spec", "versions"]

    def change(v: Any) -> None:
        p = v
        for k in props:
            p = p[k]
        schema = p[0]["schema"]["openAPIV3Schema"]
        old = schema["properties"]["apiVersion"]["description"]
        schema["properties"]["apiVersion"]["description"] = old.replace("may reject", "MAY reject")
        schema["description"] += " Changed."

    out, removed, added = edit(doc, change)
    assert len(removed) == 2 and len(added) == 2
    assert added[1] == "              MAY reject unrecognized values."
    assert added[0].endswith("would fold it. Changed.")
    assert "# not a comment, part of the text" in out


def test_scalar_spelling_kept_unless_changed() -> None:
    doc = doc_of("yaml11-pitfalls.yaml")

    def change(v: Any) -> None:
        v["spec"]["fileMode"] = 0o755
        v["data"]["enabled"] = "no"

    out, removed, added = edit(doc, change)
    assert removed == [
        "  enabled: yes",
        "  fileMode: 0777        # int 511 (go-yaml v3 reads 1.1 octal)",
    ]
    assert added == [
        '  enabled: "no"',
        "  fileMode: 493        # int 511 (go-yaml v3 reads 1.1 octal)",
    ]
    for kept in ("release: 1.10", "tilde: ~", "big: 1_000", "country: NO", "switch: on"):
        assert kept in out


def test_type_change_is_a_change() -> None:
    doc = doc_of("kustomize.yaml", 2)
    _, removed, added = edit(doc, lambda v: v["spec"].__setitem__("replicas", "3"))
    assert (removed, added) == (["  replicas: 3"], ['  replicas: "3"'])
    value = copy.deepcopy(doc.value)
    value["spec"]["replicas"] = 3.0  # same number: JSON does not tell 3 from 3.0
    assert update_document(doc, value) is doc.text


def test_crlf_edit_keeps_crlf() -> None:
    doc = doc_of("windows-crlf.yaml")
    out, _, added = edit(doc, lambda v: v["metadata"]["labels"].__setitem__("tier", "web"))
    assert added == ["    tier: web"]
    assert "\n" not in out.replace("\r\n", "")


def test_bom_and_unicode_kept() -> None:
    doc = doc_of("bom.yaml")
    out, _, added = edit(doc, lambda v: v["stringData"].__setitem__("other", "ü"))
    assert out.startswith("\ufeff# with a byte order mark\n")
    assert added == ["  other: ü"]
    uni = doc_of("unicode.yaml")
    out, removed, added = edit(uni, lambda v: v["data"].__setitem__("greeting", "さようなら"))
    assert (removed, added) == (["  greeting: こんにちは世界"], ["  greeting: さようなら"])


def test_anchors_survive_edits_elsewhere() -> None:
    doc = doc_of("anchors.yaml")
    out, removed, added = edit(doc, lambda v: v["jobs"][0].__setitem__("name", "first"))
    assert (removed, added) == (["  - name: one"], ["  - name: first"])
    assert "settings: *defaults" in out and "&defaults" in out


def test_edit_under_alias_still_reads_back() -> None:
    doc = doc_of("anchors.yaml")
    _, _, _ = edit(doc, lambda v: v["jobs"][0]["settings"].__setitem__("image", "alpine"))


def test_multi_document_edit_touches_one_document() -> None:
    stream = parse_yaml_stream(read_corpus("markers.yaml"))
    doc = stream.documents[1]
    out, removed, added = edit(doc, lambda v: v["metadata"].__setitem__("name", "delta"))
    assert (removed, added) == (["  name: beta"], ["  name: delta"])
    assert out.startswith("# Between documents: kept with the next one.\n---\n")


def test_annotations_fast_path_add_and_remove() -> None:
    doc = doc_of("kustomize.yaml", 1)
    ids = {"internal.config.kubernetes.io/id": "7", "config.kubernetes.io/index": "1"}

    def add(v: Any) -> None:
        v["metadata"].setdefault("annotations", {}).update(ids)

    annotated, removed, added = edit(doc, add)
    assert removed == [] and added == [
        "  annotations:",
        '    internal.config.kubernetes.io/id: "7"',
        '    config.kubernetes.io/index: "1"',
    ]
    back = parse_yaml_stream(annotated).documents[0]
    assert update_document(back, doc.value) == doc.text


def test_new_document_rendering_is_kpt_style() -> None:
    value = {"apiVersion": "v1", "kind": "List", "items": [{"a": {"b": [1, "yes"]}}]}
    assert render_document(value) == (
        'apiVersion: v1\nkind: List\nitems:\n- a:\n    b:\n    - 1\n    - "yes"\n'
    )


def _mutate(rng: random.Random, value: Any, depth: int = 0) -> Any:
    """A random change somewhere in value (bounded depth)."""
    if isinstance(value, dict) and value and depth < 6:
        key = rng.choice(list(value))
        roll = rng.random()
        if roll < 0.15:
            del value[key]
        elif roll < 0.3:
            value[f"new{rng.randint(0, 99)}"] = rng.choice(["x", 1, {"k": ["v"]}, "a\nb\n"])
        else:
            value[key] = _mutate(rng, value[key], depth + 1)
        return value
    if isinstance(value, list) and value and depth < 6:
        i = rng.randrange(len(value))
        roll = rng.random()
        if roll < 0.2:
            del value[i]
        elif roll < 0.4:
            value.insert(i, copy.deepcopy(value[i]))
        else:
            value[i] = _mutate(rng, value[i], depth + 1)
        return value
    return rng.choice(["changed", 42, None, True, "yes", "0777", 1.5, {"m": 1}, ["l"]])


def test_random_edits_read_back(corpus_name: str) -> None:
    stream = parse_yaml_stream(read_corpus(corpus_name), corpus_name)
    rng = random.Random(corpus_name)
    for doc in stream.documents:
        for _ in range(40):
            value = _mutate(rng, copy.deepcopy(doc.value))
            out = update_document(doc, value)
            assert same_value(load_yaml_value(out), value), (corpus_name, out)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a: 1\n", {"a": 1, "b": {"c": [1, 2]}}),
        ("a: 1", {"b": 2}),
        ("a: {x: 1}\n", {"a": {"x": 2}}),
        ("- a\n- b\n", ["a", "c"]),
        ("a:\nb: 1\n", {"a": "x", "b": 1}),
        ("a: [1, 2]\n", {"a": [1, 2, 3]}),
        ("a: 'it''s'\n", {"a": "it's not"}),
    ],
)
def test_small_cases_read_back(text: str, value: Any) -> None:
    doc = parse_yaml_stream(text).documents[0]
    out = update_document(doc, value)
    assert same_value(load_yaml_value(out), value), out
