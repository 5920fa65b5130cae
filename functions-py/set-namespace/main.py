"""set-namespace: replaces the namespace of a package's resources, as kpt's set-namespace v0.4.1.

The semantics are those of kpt's catalog function ``gcr.io/kpt-fn/set-namespace:v0.4.1`` (its
``transformer/namespace.go``); tests/conformance runs this build against kpt's own. The namespace
fields, each counted when its value differs from the new namespace:

- ``metadata.namespace`` of namespace-scoped resources (built-in kinds by kpt's table, other
  kinds when they have one);
- ``metadata.name`` of a v1 ``Namespace``;
- the service namespace of a v1 CRD's conversion webhook and of a v1 ``APIService`` (set even
  when absent, as kpt v0.4.1 does);
- the ``namespace`` of RoleBinding/ClusterRoleBinding subjects that have one.

Then ``config.kubernetes.io/depends-on`` annotations naming a visited resource in an old namespace
get the new one. Local-config resources are left alone. The functionConfig::

    apiVersion: v1
    kind: ConfigMap          # or the package context, ConfigMap kptfile.kpt.dev: data.name
    metadata: {name: my-config}
    data:
      namespace: prod

or ``apiVersion: fn.kpt.dev/v1alpha1``, ``kind: SetNamespace``, ``namespace: prod``.

Run natively: ``python -m main < resource-list.json`` (with the repository root on PYTHONPATH).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kpt_scopes import BUILT_IN_SCOPES

import sdk

DEPENDS_ON = "config.kubernetes.io/depends-on"
# <group>/namespaces/<namespace>/<kind>/<name>: one namespaced dependency (kpt's pattern; Go's \w
# is ASCII).
NAMESPACED_DEPENDENCY = re.compile(r"\A[-.\w]*/namespaces/[-.\w]*/[-.\w]*/[-.\w]*\Z", re.ASCII)
Path = list[str | int]


def config_namespace(config: sdk.KubeObject | None) -> str:
    """The new namespace the functionConfig asks for.

    Raises:
        sdk.ConfigError: There is no config, it is of another kind, or the field is missing,
            empty or not a string.
    """
    if config is None or not config.to_dict():
        raise sdk.ConfigError(
            "functionConfig is missing: want a ConfigMap with data.namespace, or a SetNamespace",
            field="functionConfig",
        )
    label = f"functionConfig {config.kind}/{config.name}"

    def read(path: str) -> str:
        value = config.get(path)
        if value is not None and not isinstance(value, str):
            raise sdk.ConfigError(f"{label}: field {path} is not a string", path, config)
        if not value:
            raise sdk.ConfigError(f"{label}: field {path} is missing or empty", path, config)
        return value

    if (config.api_version, config.kind) == ("v1", "ConfigMap"):
        if not config.get("data.namespace") and config.name == "kptfile.kpt.dev":
            return read("data.name")  # the package context (kpt pkg get --for-deployment)
        return read("data.namespace")
    if (config.api_version, config.kind) == ("fn.kpt.dev/v1alpha1", "SetNamespace"):
        return read("namespace")
    raise sdk.ConfigError(
        f"functionConfig {config.api_version} {label.split()[1]} is not supported: "
        "want a v1 ConfigMap or a fn.kpt.dev/v1alpha1 SetNamespace",
        "kind",
        config,
    )


def is_namespace_scoped(obj: sdk.KubeObject) -> bool:
    """kpt's table for built-in kinds, else whether ``metadata.namespace`` is set."""
    scoped = BUILT_IN_SCOPES.get((obj.api_version, obj.kind))
    return scoped if scoped is not None else obj.get("metadata.namespace") is not None


def is_binding(obj: sdk.KubeObject) -> bool:
    return obj.kind in ("RoleBinding", "ClusterRoleBinding")


def fields(obj: sdk.KubeObject) -> Iterator[Path]:
    """The namespace fields of ``obj``, in kpt's order."""
    if obj.is_local_config():
        return
    kind = (obj.api_version, obj.kind)
    if kind == ("v1", "Namespace"):
        yield ["metadata", "name"]
    elif kind == ("apiextensions.k8s.io/v1", "CustomResourceDefinition"):
        yield ["spec", "conversion", "webhook", "clientConfig", "service", "namespace"]
    elif kind == ("apiregistration.k8s.io/v1", "APIService"):
        yield ["spec", "service", "namespace"]
    elif is_binding(obj):
        subjects = obj.get("subjects")
        for index, subject in enumerate(subjects if isinstance(subjects, list) else []):
            if isinstance(subject, dict) and subject.get("namespace") is not None:
                yield ["subjects", index, "namespace"]
    if is_namespace_scoped(obj):
        yield ["metadata", "namespace"]


def read(obj: sdk.KubeObject, path: Path) -> str:
    value = obj.get(path)
    if value is not None and not isinstance(value, str):
        field = ".".join(str(p) for p in path)
        raise sdk.Error(f"{obj.describe()}: field {field} is not a string", obj, field)
    return value or ""


def visited_key(obj: sdk.KubeObject) -> str:
    """kpt's key: "<apiVersion up to the first '/'>/<kind>/<name>" (so a core-group
    depends-on reference, "/namespaces/...", never matches: its resources' keys are "v1/...")."""
    return f"{obj.api_version.split('/')[0]}/{obj.kind}/{obj.name}"


@sdk.function
def set_namespace(rl: sdk.ResourceList) -> None:
    """Set the namespace fields kpt's set-namespace sets, then the depends-on references."""
    namespace = config_namespace(rl.function_config)
    old: set[str] = set()
    count = 0
    visited: set[str] = set()
    for obj in rl.items:
        found = list(fields(obj))
        for path in found:
            value = read(obj, path)
            if value != namespace:
                old.add(value)
                count += 1
            obj.set(path, namespace)
        if is_binding(obj) and not obj.is_local_config() and obj.get("subjects") is None:
            obj.set("subjects", [])  # kpt writes the list back: `subjects: []`
        if found:
            visited.add(visited_key(obj))
    for obj in rl.items:
        annotation = obj.annotations.get(DEPENDS_ON, "")
        if not NAMESPACED_DEPENDENCY.match(annotation) or not any(fields(obj)):
            continue
        group, _, old_namespace, kind, name = annotation.split("/")
        if old_namespace in old and f"{group}/{kind}/{name}" in visited:
            obj.set_annotation(DEPENDS_ON, f"{group}/namespaces/{namespace}/{kind}/{name}")
    seen: set[tuple[str, str, str, str]] = set()
    for obj in rl.items:
        key = (obj.api_version, obj.kind, obj.namespace, obj.name)
        if key in seen:
            rl.results.error(f"more than one {obj.describe()} after setting the namespace", obj)
            return
        seen.add(key)
    if count == 0:
        rl.results.info(f'all namespaces are already "{namespace}". no value changed')
    else:
        names = ",".join(f'"{ns}"' for ns in sorted(old))
        rl.results.info(f'namespace {names} updated to "{namespace}", {count} value(s) changed')


if __name__ == "__main__":
    set_namespace.main()
