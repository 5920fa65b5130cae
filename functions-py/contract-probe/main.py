"""contract-probe: the Python side of the SDK contract suite (``tests/contract/``).

Reads the string ``data.value`` of its functionConfig and writes it to every item's
``contract-probe/value`` annotation; then ``data.mode`` says how to end: ``error`` (a warning,
then ``sdk.Error``), ``panic`` (an unexpected exception), ``results`` (an error, a warning and
an info result per item), or normally. The Kptfile and ``config.kubernetes.io/local-config:
"true"`` items are left alone, as kpt's catalog functions leave them. The Go and Rust probes do
the same with their SDKs.
"""

from __future__ import annotations

import sdk


def _is_kptfile(item: sdk.KubeObject) -> bool:
    return item.kind == "Kptfile" and item.api_version.startswith("kpt.dev/")


@sdk.function
def probe(rl: sdk.ResourceList) -> None:
    """Exercise the contract."""
    value = rl.config_str("data.value")
    assert rl.function_config is not None  # config_str raised otherwise
    mode = rl.function_config.get("data.mode") or ""
    items = [i for i in rl.items if not (i.is_local_config() or _is_kptfile(i))]
    for item in items:
        item.set_annotation("contract-probe/value", value)
    if mode == "error":
        rl.results.warning("probe: warning before failing")
        raise sdk.Error("probe: failed")
    if mode == "panic":
        raise RuntimeError("probe: panicked")
    if mode == "results":
        for item in items:
            rl.results.error("probe: error finding", item, "metadata.name")
            rl.results.warning("probe: warning finding", item)
            rl.results.info("probe: info finding", item)


if __name__ == "__main__":
    probe.main()
