"""krm-wasm's Python SDK for KRM functions (kpt's function spec): the standard library, and
ruamel.yaml for functions that read YAML (``input: yaml``).

A function is one decorated callable::

    import sdk

    @sdk.function
    def set_namespace(rl: sdk.ResourceList) -> None:
        namespace = sdk.config.data(rl.function_config)["namespace"]
        for item in rl.items:
            item.namespace = namespace

    if __name__ == "__main__":
        set_namespace.main()

It runs compiled as a wasm component (``sdk.component``), natively (``python -m main``) and
in-process (``set_namespace.run(text) -> (output, exit_code)``). See docs/sdk.md.
"""

from __future__ import annotations

from sdk import comments, config, select
from sdk.errors import ConfigError, Error, InputError, SdkError
from sdk.resource import KubeObject
from sdk.resourcelist import ResourceList
from sdk.results import Result, Results, Severity
from sdk.runtime import Function, function

__all__ = [
    "ConfigError",
    "Error",
    "Function",
    "InputError",
    "KubeObject",
    "ResourceList",
    "Result",
    "Results",
    "SdkError",
    "Severity",
    "comments",
    "config",
    "function",
    "select",
]
