"""KubeObject: paths, nested get/set/remove, identity, labels and annotations, scope."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from sdk.resource import KubeObject, format_path, parse_path


def deployment() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "web",
            "namespace": "default",
            "labels": {"app": "web"},
            "annotations": {
                "internal.config.kubernetes.io/path": "deploy.yaml",
                "internal.config.kubernetes.io/index": "2",
                "team": "blue",
            },
        },
        "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
    }


@dataclass
class PathCase:
    reason: str
    path: Any
    want: list[str | int] | None  # None: ValueError


PATH_CASES = [
    PathCase("a dotted path splits on dots", "metadata.name", ["metadata", "name"]),
    PathCase("brackets are list indexes", "spec.c[0].image", ["spec", "c", 0, "image"]),
    PathCase("indexes may follow each other", "m[1][2]", ["m", 1, 2]),
    PathCase("a sequence is taken as is", ["a", "b.c/d", 3], ["a", "b.c/d", 3]),
    PathCase("an empty string is malformed", "", None),
    PathCase("a trailing dot is malformed", "metadata.", None),
    PathCase("a leading index is malformed", "[0].a", None),
    PathCase("a double dot is malformed", "a..b", None),
    PathCase("an empty sequence is malformed", [], None),
]


@pytest.mark.parametrize("case", PATH_CASES, ids=lambda c: c.reason)
def test_parse_path(case: PathCase) -> None:
    if case.want is None:
        with pytest.raises(ValueError):
            parse_path(case.path)
    else:
        got = parse_path(case.path)
        assert got == case.want, f"{case.reason}: want {case.want}, got {got}"


def test_format_path_round_trips() -> None:
    assert format_path(["spec", "c", 0, "image"]) == "spec.c[0].image"
    assert parse_path(format_path(["spec", "c", 0, "image"])) == ["spec", "c", 0, "image"]


@dataclass
class GetCase:
    reason: str
    path: Any
    want: Any


GET_CASES = [
    GetCase("a nested string", "metadata.name", "web"),
    GetCase("through a list", "spec.template.spec.containers[0].image", "nginx"),
    GetCase("a key with dots and a slash", ["metadata", "annotations", "team"], "blue"),
    GetCase("a missing key gives the default", "metadata.uid", "<default>"),
    GetCase(
        "an index out of range gives the default", "spec.template.spec.containers[5]", "<default>"
    ),
    GetCase("indexing a map gives the default", "metadata[0]", "<default>"),
    GetCase("descending into a string gives the default", "kind.x", "<default>"),
]


@pytest.mark.parametrize("case", GET_CASES, ids=lambda c: c.reason)
def test_get(case: GetCase) -> None:
    got = KubeObject(deployment()).get(case.path, "<default>")
    assert got == case.want, f"{case.reason}: want {case.want!r}, got {got!r}"


def test_set_creates_missing_maps_and_appends_new_keys_last() -> None:
    obj = KubeObject(deployment())
    obj.set("spec.replicas", 3)
    obj.set("spec.strategy.type", "Recreate")
    assert list(obj.to_dict()["spec"]) == ["template", "replicas", "strategy"]
    assert obj.get("spec.strategy") == {"type": "Recreate"}


def test_set_keeps_the_place_of_an_existing_key() -> None:
    obj = KubeObject(deployment())
    obj.set("metadata.name", "api")
    assert list(obj.to_dict()["metadata"]) == ["name", "namespace", "labels", "annotations"]
    assert obj.name == "api"


def test_set_into_a_list_element() -> None:
    obj = KubeObject(deployment())
    obj.set("spec.template.spec.containers[0].image", "nginx:1.27")
    assert obj.get("spec.template.spec.containers[0]") == {"name": "c", "image": "nginx:1.27"}


@dataclass
class SetErrorCase:
    reason: str
    path: str
    error: type[Exception]
    mentions: str


SET_ERROR_CASES = [
    SetErrorCase("a string on the way is not a map", "kind.x", TypeError, "kind is not a map"),
    SetErrorCase("an index into a map", "metadata[0].x", TypeError, "metadata is not a list"),
    SetErrorCase(
        "an index out of range",
        "spec.template.spec.containers[3].image",
        IndexError,
        "containers[3] is out of range",
    ),
]


@pytest.mark.parametrize("case", SET_ERROR_CASES, ids=lambda c: c.reason)
def test_set_errors_name_the_resource_and_the_field(case: SetErrorCase) -> None:
    with pytest.raises(case.error) as raised:
        KubeObject(deployment()).set(case.path, 1)
    assert "Deployment default/web" in str(raised.value)
    assert case.mentions in str(raised.value)


def test_remove() -> None:
    obj = KubeObject(deployment())
    assert obj.remove("metadata.labels.app") is True
    assert obj.remove("metadata.labels.app") is False
    assert obj.remove("spec.template.spec.containers[0]") is True
    assert obj.get("spec.template.spec.containers") == []
    assert obj.remove("nothing.here") is False


def test_edits_show_in_the_wrapped_dict() -> None:
    data = deployment()
    KubeObject(data).namespace = "prod"
    assert data["metadata"]["namespace"] == "prod"


@dataclass
class IdentityCase:
    reason: str
    api_version: str
    kind: str
    group: str
    version: str
    namespaced: bool


IDENTITY_CASES = [
    IdentityCase("core group", "v1", "ConfigMap", "", "v1", True),
    IdentityCase("named group", "apps/v1", "Deployment", "apps", "v1", True),
    IdentityCase("core cluster-scoped", "v1", "Namespace", "", "v1", False),
    IdentityCase(
        "rbac cluster-scoped",
        "rbac.authorization.k8s.io/v1",
        "ClusterRole",
        "rbac.authorization.k8s.io",
        "v1",
        False,
    ),
    IdentityCase(
        "a CRD is cluster-scoped",
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
        "apiextensions.k8s.io",
        "v1",
        False,
    ),
    IdentityCase(
        "a custom resource is taken as namespaced",
        "example.com/v1",
        "MyFoo",
        "example.com",
        "v1",
        True,
    ),
    IdentityCase(
        "the group matters, not only the kind",
        "example.com/v1",
        "Namespace",
        "example.com",
        "v1",
        True,
    ),
]


@pytest.mark.parametrize("case", IDENTITY_CASES, ids=lambda c: c.reason)
def test_identity_and_scope(case: IdentityCase) -> None:
    obj = KubeObject({"apiVersion": case.api_version, "kind": case.kind, "metadata": {"name": "x"}})
    assert obj.gvk() == (case.group, case.version, case.kind)
    assert obj.is_namespace_scoped() is case.namespaced, case.reason


def test_missing_identity_fields_are_empty() -> None:
    obj = KubeObject({})
    assert (obj.api_version, obj.kind, obj.name, obj.namespace) == ("", "", "", "")
    assert obj.labels == {} and obj.annotations == {}
    assert obj.describe() == "<no kind> <no name>"


def test_get_str_rejects_a_non_string() -> None:
    obj = KubeObject({"kind": "X", "metadata": {"name": 7}})
    with pytest.raises(TypeError, match=r"field metadata\.name is a int, not a string"):
        obj.get_str("metadata.name")


def test_labels_and_annotations_keep_internal_annotations() -> None:
    obj = KubeObject(deployment())
    obj.set_label("tier", "front")
    obj.set_annotation("example.com/owner", "me")
    assert obj.remove_annotation("team") is True
    assert obj.labels == {"app": "web", "tier": "front"}
    assert obj.annotations == {
        "internal.config.kubernetes.io/path": "deploy.yaml",
        "internal.config.kubernetes.io/index": "2",
        "example.com/owner": "me",
    }
    assert obj.remove_label("app") is True and obj.labels == {"tier": "front"}


def test_labels_are_a_copy() -> None:
    obj = KubeObject(deployment())
    obj.labels["x"] = "y"
    assert "x" not in obj.labels


@dataclass
class FileCase:
    reason: str
    annotations: dict[str, str] = field(default_factory=dict)
    path: str = ""
    index: int | None = None


FILE_CASES = [
    FileCase("no annotations"),
    FileCase(
        "internal annotations",
        {
            "internal.config.kubernetes.io/path": "a.yaml",
            "internal.config.kubernetes.io/index": "1",
        },
        "a.yaml",
        1,
    ),
    FileCase(
        "legacy annotations",
        {"config.kubernetes.io/path": "b.yaml", "config.kubernetes.io/index": "0"},
        "b.yaml",
        0,
    ),
    FileCase(
        "a bad index is unknown",
        {
            "internal.config.kubernetes.io/path": "c.yaml",
            "internal.config.kubernetes.io/index": "x",
        },
        "c.yaml",
    ),
]


@pytest.mark.parametrize("case", FILE_CASES, ids=lambda c: c.reason)
def test_file_path_and_index(case: FileCase) -> None:
    obj = KubeObject({"metadata": {"annotations": case.annotations}})
    assert (obj.file_path, obj.file_index) == (case.path, case.index), case.reason


def test_local_config_and_resource_ref() -> None:
    obj = KubeObject(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "c", "annotations": {"config.kubernetes.io/local-config": "True"}},
        }
    )
    assert obj.is_local_config()  # kpt's rule: any value but "" and "false"
    for value, local in (("false", False), ("", False), ("yes", True), ("true", True)):
        obj.set_annotation("config.kubernetes.io/local-config", value)
        assert obj.is_local_config() is local, value
    assert obj.resource_ref() == {"apiVersion": "v1", "kind": "ConfigMap", "name": "c"}
    assert json.dumps(obj.to_dict())  # still plain JSON data
