"""Selecting resources: by kind, apiVersion, name, namespace, labels, annotations.

Plain functions over a list of :class:`~sdk.resource.KubeObject`; every criterion left out
matches everything, and all given criteria must match.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sdk.resource import KubeObject

__all__ = ["META_GROUPS", "is_local_config", "is_meta_resource", "matches", "select"]

# API groups of kpt's own configuration (Kptfile, function configs): "meta" resources that
# describe a package rather than belong to it.
META_GROUPS = frozenset({"kpt.dev", "config.kpt.dev", "fn.kpt.dev", "config.kubernetes.io"})


def is_local_config(obj: KubeObject) -> bool:
    """Whether the resource is marked ``config.kubernetes.io/local-config`` (not "false")."""
    return obj.is_local_config()


def is_meta_resource(obj: KubeObject) -> bool:
    """Whether the resource is kpt's own configuration (a Kptfile, a function config)."""
    return obj.group in META_GROUPS or obj.kind == "Kptfile"


def matches(
    obj: KubeObject,
    *,
    kind: str | None = None,
    api_version: str | None = None,
    group: str | None = None,
    name: str | None = None,
    namespace: str | None = None,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
    exclude_local_config: bool = False,
    exclude_meta: bool = False,
) -> bool:
    """Whether one resource meets every given criterion.

    Args:
        obj: The resource.
        kind: Its kind, exactly.
        api_version: Its apiVersion, exactly (``apps/v1``).
        group: Its API group ("" for the core group).
        name: ``metadata.name``.
        namespace: ``metadata.namespace`` ("" matches resources without one).
        labels: Labels it must all carry, with these values.
        annotations: Annotations it must all carry, with these values.
        exclude_local_config: Reject resources marked local-config.
        exclude_meta: Reject kpt's meta resources (see :func:`is_meta_resource`).
    """
    checks = (
        kind is None or obj.kind == kind,
        api_version is None or obj.api_version == api_version,
        group is None or obj.group == group,
        name is None or obj.name == name,
        namespace is None or obj.namespace == namespace,
        not (exclude_local_config and obj.is_local_config()),
        not (exclude_meta and is_meta_resource(obj)),
    )
    if not all(checks):
        return False
    if labels and not _contains(obj.labels, labels):
        return False
    return not (annotations and not _contains(obj.annotations, annotations))


def select(
    items: Iterable[KubeObject],
    *,
    kind: str | None = None,
    api_version: str | None = None,
    group: str | None = None,
    name: str | None = None,
    namespace: str | None = None,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
    exclude_local_config: bool = False,
    exclude_meta: bool = False,
) -> list[KubeObject]:
    """The resources that meet every given criterion, in their order. See :func:`matches`."""
    return [
        obj
        for obj in items
        if matches(
            obj,
            kind=kind,
            api_version=api_version,
            group=group,
            name=name,
            namespace=namespace,
            labels=labels,
            annotations=annotations,
            exclude_local_config=exclude_local_config,
            exclude_meta=exclude_meta,
        )
    ]


def _contains(have: Mapping[str, str], want: Mapping[str, str]) -> bool:
    return all(have.get(key) == value for key, value in want.items())
