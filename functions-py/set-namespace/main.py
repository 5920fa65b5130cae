"""set-namespace: sets ``metadata.namespace`` of every item to the functionConfig's namespace.

The functionConfig is a ConfigMap::

    apiVersion: v1
    kind: ConfigMap
    metadata: {name: my-config}
    data:
      namespace: prod

Run natively: ``python -m main < resource-list.json`` (with the repository root on PYTHONPATH).
"""

from __future__ import annotations

from dataclasses import dataclass

import sdk


@dataclass
class Config:
    """The functionConfig: ``data.namespace`` of a ConfigMap."""

    namespace: str


@sdk.function(config=Config)
def set_namespace(rl: sdk.ResourceList, config: Config) -> None:
    """Set every item's namespace."""
    if not config.namespace:
        raise sdk.ConfigError("functionConfig data.namespace is empty", "data.namespace")
    for item in rl.items:
        item.namespace = config.namespace


if __name__ == "__main__":
    set_namespace.main()
