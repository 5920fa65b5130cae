"""ResourceList: a function's whole input and output.

Read from JSON (the runner sends JSON to functions whose metadata says ``input: json``; the
stdlib ``json`` keeps key order) and written back as JSON with the same top-level fields in
the same order: ``items`` in their (possibly changed) order, ``results`` appended last when the
input had none.
"""

from __future__ import annotations

import json
from typing import Any

from sdk.errors import InputError
from sdk.resource import KubeObject
from sdk.results import Result, Results
from sdk.select import select

__all__ = ["API_VERSION", "KIND", "ResourceList", "decode"]

API_VERSION = "config.kubernetes.io/v1"
KIND = "ResourceList"


def decode(text: str | bytes) -> dict[str, Any]:
    """Parse a ResourceList's text into a dict.

    JSON always works. YAML works only where PyYAML is importable (a native run, e.g. under
    ``kpt fn eval --exec``); inside the component there is no YAML parser, and the runner sends
    JSON anyway.

    Raises:
        InputError: The text is neither, or not a mapping.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InputError(f"input is not UTF-8 text: {error}") from None
    stripped = text.lstrip()
    if not stripped:
        raise InputError("input is empty: expected a ResourceList")
    if stripped[0] in "{[":
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as error:
            raise InputError(
                f"input is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
            ) from None
    else:
        data = _decode_yaml(stripped)
    if not isinstance(data, dict):
        raise InputError(f"input is a {type(data).__name__}, not a ResourceList (a mapping)")
    return data


def _decode_yaml(text: str) -> Any:
    try:
        import yaml  # optional: only for native runs on YAML
    except ImportError:
        raise InputError(
            "input is not JSON: this function reads a JSON ResourceList "
            "(set `input: json` in metadata.yaml so the runner sends JSON; "
            "to feed it YAML natively: pip install PyYAML)"
        ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InputError(f"input is neither JSON nor valid YAML: {error}") from None


class ResourceList:
    """The items, the functionConfig and the results of one run.

    Attributes:
        items: The resources, in order; edit them in place, or add, drop and reorder them.
        function_config: The functionConfig, or None when the input had none.
        results: Results of earlier functions, then this function's.
    """

    def __init__(
        self,
        items: list[KubeObject] | None = None,
        function_config: KubeObject | None = None,
        results: Results | None = None,
        *,
        raw: dict[str, Any] | None = None,
    ) -> None:
        self.items: list[KubeObject] = list(items or [])
        self.function_config = function_config
        self.results = results if results is not None else Results()
        # The input's top level, to write back unknown fields in their order.
        self._raw: dict[str, Any] = (
            raw if raw is not None else {"apiVersion": API_VERSION, "kind": KIND}
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ResourceList:
        """Wrap a decoded ResourceList (its item dicts are kept, not copied).

        Raises:
            InputError: It is not a ResourceList: wrong kind, ``items`` not a list of mappings,
                ``functionConfig`` not a mapping.
        """
        kind = data.get("kind")
        if kind != KIND:
            raise InputError(f"input has kind {kind!r}: expected {KIND!r}")
        raw_items = data.get("items")
        if raw_items is None:
            raw_items = []
        if not isinstance(raw_items, list):
            raise InputError(f"ResourceList.items is a {type(raw_items).__name__}, not a list")
        items = []
        for index, item in enumerate(raw_items):
            if not isinstance(item, dict):
                raise InputError(
                    f"ResourceList.items[{index}] is a {type(item).__name__}, not a mapping"
                )
            items.append(KubeObject(item))
        config = data.get("functionConfig")
        if config is not None and not isinstance(config, dict):
            raise InputError(
                f"ResourceList.functionConfig is a {type(config).__name__}, not a mapping"
            )
        raw_results = data.get("results") or []
        if not isinstance(raw_results, list):
            raise InputError(f"ResourceList.results is a {type(raw_results).__name__}, not a list")
        results = Results([Result.from_dict(r) for r in raw_results if isinstance(r, dict)])
        return cls(
            items,
            KubeObject(config) if config is not None else None,
            results,
            raw=data,
        )

    @classmethod
    def parse(cls, text: str | bytes) -> ResourceList:
        """Read a ResourceList from JSON text (or YAML natively, see :func:`decode`).

        Raises:
            InputError: The text is not a ResourceList.
        """
        return cls.from_dict(decode(text))

    @property
    def api_version(self) -> str:
        """The input's apiVersion (kept on output)."""
        return str(self._raw.get("apiVersion", API_VERSION))

    def select(self, **criteria: Any) -> list[KubeObject]:
        """The items that match; see :func:`sdk.select.select` for the criteria."""
        return select(self.items, **criteria)

    def to_dict(self) -> dict[str, Any]:
        """The output ResourceList: the input's fields in order, with items and results updated."""
        out = dict(self._raw)
        out["items"] = [item.to_dict() for item in self.items]
        if self.function_config is not None:
            out["functionConfig"] = self.function_config.to_dict()
        else:
            out.pop("functionConfig", None)
        if len(self.results):
            out["results"] = self.results.to_list()
        else:
            out.pop("results", None)
        return out

    def to_json(self) -> str:
        """The output ResourceList as compact JSON text ending in a newline."""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")) + "\n"

    def __repr__(self) -> str:
        return f"ResourceList({len(self.items)} items, {len(self.results)} results)"
