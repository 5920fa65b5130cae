"""Selection helpers: every criterion, local-config and meta resources."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from sdk import KubeObject
from sdk.select import is_local_config, is_meta_resource, select


def obj(api_version: str, kind: str, name: str, namespace: str = "", **meta: Any) -> KubeObject:
    metadata: dict[str, Any] = {"name": name, **meta}
    if namespace:
        metadata["namespace"] = namespace
    return KubeObject({"apiVersion": api_version, "kind": kind, "metadata": metadata})


ITEMS = [
    obj("apps/v1", "Deployment", "web", "prod", labels={"app": "web", "tier": "front"}),
    obj("v1", "Service", "web", "prod", labels={"app": "web"}),
    obj(
        "v1",
        "ConfigMap",
        "settings",
        "dev",
        annotations={"config.kubernetes.io/local-config": "true"},
    ),
    obj("kpt.dev/v1", "Kptfile", "pkg"),
    obj("fn.kpt.dev/v1alpha1", "SetNamespace", "fn-config"),
    obj("v1", "Namespace", "prod", annotations={"owner": "team-a"}),
]


@dataclass
class SelectCase:
    reason: str
    criteria: dict[str, Any]
    want: list[str]  # "Kind/name"


SELECT_CASES = [
    SelectCase("no criteria: everything", {}, [f"{o.kind}/{o.name}" for o in ITEMS]),
    SelectCase("by kind", {"kind": "Service"}, ["Service/web"]),
    SelectCase(
        "by apiVersion",
        {"api_version": "v1"},
        ["Service/web", "ConfigMap/settings", "Namespace/prod"],
    ),
    SelectCase("by group", {"group": "apps"}, ["Deployment/web"]),
    SelectCase("by name", {"name": "web"}, ["Deployment/web", "Service/web"]),
    SelectCase("by namespace", {"namespace": "dev"}, ["ConfigMap/settings"]),
    SelectCase(
        "by all labels given", {"labels": {"app": "web", "tier": "front"}}, ["Deployment/web"]
    ),
    SelectCase("a label value must match", {"labels": {"app": "api"}}, []),
    SelectCase("by annotation", {"annotations": {"owner": "team-a"}}, ["Namespace/prod"]),
    SelectCase(
        "criteria combine",
        {"name": "web", "kind": "Deployment", "namespace": "prod"},
        ["Deployment/web"],
    ),
    SelectCase("without local config", {"exclude_local_config": True, "namespace": "dev"}, []),
    SelectCase(
        "without meta resources",
        {"exclude_meta": True},
        ["Deployment/web", "Service/web", "ConfigMap/settings", "Namespace/prod"],
    ),
]


@pytest.mark.parametrize("case", SELECT_CASES, ids=lambda c: c.reason)
def test_select(case: SelectCase) -> None:
    got = [f"{o.kind}/{o.name}" for o in select(ITEMS, **case.criteria)]
    assert got == case.want, f"{case.reason}: want {case.want}, got {got}"


def test_predicates() -> None:
    assert [o.name for o in ITEMS if is_local_config(o)] == ["settings"]
    assert [o.name for o in ITEMS if is_meta_resource(o)] == ["pkg", "fn-config"]
