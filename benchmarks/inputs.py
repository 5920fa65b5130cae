"""Generated benchmark inputs: realistic resources as a ResourceList, a package, a package tree.

Four kinds in turn (Deployments with comments and flow maps, Services, ConfigMaps with block
scalars, CRDs with long folded descriptions), the same documents in every form, so a ResourceList
of N resources and a package of N files hold the same text.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "FUNCTION_CONFIG",
    "kptfile",
    "resource_list_yaml",
    "resources",
    "write_package",
    "write_tree",
]

# Every function of every pipeline gets this config (`run` gives the list's functionConfig to
# each): set-namespace reads `namespace`, set-labels and set-annotations set it as a pair.
FUNCTION_CONFIG = {"namespace": "prod"}

LONG = (
    "Schema for the widget API. Widgets carry a spec and a status; the controller reconciles "
    "the spec into the cluster and reports conditions. " * 4
).strip()


def _deployment(i: int) -> str:
    return (
        f"# app {i}: the web tier\n"
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n"
        f"  labels:\n    app: app-{i}\n    tier: web # routed by the ingress\n"
        f"spec:\n  replicas: 2 # scaled by the HPA\n  selector:\n    matchLabels:\n"
        f"      app: app-{i}\n  template:\n    metadata:\n      labels:\n        app: app-{i}\n"
        f"    spec:\n      containers:\n      - name: app\n"
        f"        image: registry.example/app:{i}\n"
        f"        ports:\n        - containerPort: 8080\n        env:\n        - name: MODE\n"
        f'          value: "production"\n        resources:\n          limits: {{cpu: 500m, '
        f"memory: 256Mi}}\n"
    )


def _service(i: int) -> str:
    return (
        f"apiVersion: v1\nkind: Service\nmetadata:\n  name: app-{i}\nspec:\n  selector:\n"
        f"    app: app-{i}\n  ports:\n  - port: 80\n    targetPort: 8080\n"
    )


def _configmap(i: int) -> str:
    return (
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-{i}\ndata:\n"
        f"  settings.yaml: |\n    # settings for {i}\n    level: info\n    retries: 3\n"
    )


def _crd(i: int) -> str:
    return (
        f"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n"
        f"  name: widgets{i}.example.com\nspec:\n  group: example.com\n  names:\n"
        f"    kind: Widget{i}\n    plural: widgets{i}\n  scope: Namespaced\n  versions:\n"
        f"  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n"
        f"        description: >-\n          {LONG}\n        type: object\n        properties:\n"
        f"          spec:\n            description: {LONG}\n            type: object\n"
    )


_KINDS = (_deployment, _service, _configmap, _crd)


def resources(count: int, start: int = 0) -> list[str]:
    """`count` resource documents, cycling through four kinds."""
    return [_KINDS[i % 4](i) for i in range(start, start + count)]


def _config_yaml(indent: str) -> str:
    data = "".join(f"{indent}    {key}: {value}\n" for key, value in FUNCTION_CONFIG.items())
    return (
        f"{indent}apiVersion: v1\n{indent}kind: ConfigMap\n{indent}metadata:\n"
        f"{indent}  name: fn\n{indent}data:\n{data}"
    )


def resource_list_yaml(count: int, start: int = 0) -> str:
    """A ResourceList of `count` resources with the functions' shared functionConfig."""
    items = []
    for doc in resources(count, start):
        lines = doc.splitlines()
        comments = [line for line in lines if line.startswith("#")]
        body = [line for line in lines if not line.startswith("#")]
        items.append("".join(c + "\n" for c in comments) + "- " + "\n  ".join(body))
    return (
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"
        + "\n".join(items)
        + "\nfunctionConfig:\n"
        + _config_yaml("  ")
    )


def kptfile(name: str, images: Sequence[str]) -> str:
    """A Kptfile whose pipeline runs `images` as mutators, each with the shared config."""
    data = "".join(f"      {key}: {value}\n" for key, value in FUNCTION_CONFIG.items())
    steps = "".join(f"  - image: {image}\n    configMap:\n{data}" for image in images)
    pipeline = f"pipeline:\n  mutators:\n{steps}" if images else ""
    return f"apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: {name}\n{pipeline}"


def write_package(directory: Path, count: int, images: Sequence[str], start: int = 0) -> list[Path]:
    """A package of `count` files (one resource each) and a Kptfile; the resource files."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Kptfile").write_text(kptfile(directory.name, images))
    files = []
    for i, doc in enumerate(resources(count, start), start):
        path = directory / f"r{i:05d}.yaml"
        path.write_text(doc)
        files.append(path)
    return files


def write_tree(root: Path, packages: int, per_package: int, images: Sequence[str]) -> list[Path]:
    """A root package (no pipeline) of `packages` subpackages, each with its own pipeline."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "Kptfile").write_text(kptfile(root.name, ()))
    subpackages = []
    for n in range(packages):
        sub = root / f"pkg{n:03d}"
        write_package(sub, per_package, images, start=n * per_package)
        subpackages.append(sub)
    return subpackages
