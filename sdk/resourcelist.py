"""ResourceList: a function's whole input and output.

Read from JSON (the runner sends JSON to functions whose metadata says ``input: json``; the
stdlib ``json`` keeps key order) or YAML (``input: yaml``: parsed with ruamel.yaml's round-trip
mode, so comments and quoting stay on the values, see :mod:`sdk.comments`), and written back in
the same format with the same top-level fields in the same order: ``items`` in their (possibly
changed) order, ``results`` appended last when the input had none.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from sdk import _yaml
from sdk.errors import Error, InputError
from sdk.resource import KubeObject
from sdk.results import Result, Results
from sdk.select import select

__all__ = [
    "API_VERSION",
    "KIND",
    "Format",
    "ResourceList",
    "config_label",
    "decode",
    "decode_as",
    "type_name",
]

API_VERSION = "config.kubernetes.io/v1"
KIND = "ResourceList"
Format = Literal["json", "yaml"]


def decode(text: str | bytes) -> dict[str, Any]:
    """Parse a ResourceList's text into a dict (see :func:`decode_as`)."""
    return decode_as(text)[0]


def decode_as(text: str | bytes) -> tuple[dict[str, Any], Format]:
    """Parse a ResourceList's text into a dict, and tell which format it was.

    JSON always works. YAML is read with ruamel.yaml's round-trip mode where it is importable
    (an ``input: yaml`` component; natively, the project depends on it), else with PyYAML (a
    native run without ruamel.yaml); a JSON component has neither, and the runner sends it JSON.

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
    found: Format = "json"
    if stripped[0] in "{[":
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as error:
            raise InputError(
                f"input is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
            ) from None
    elif _yaml.available():
        data, found = _yaml.load(text), "yaml"
    else:
        data = _decode_yaml(stripped)
    if not isinstance(data, dict):
        raise InputError(f"input is a {type_name(data)}, want a ResourceList mapping")
    return data, found


def config_label(config: KubeObject) -> str:
    """``functionConfig Kind/name``: how the contract's messages name the functionConfig."""
    return f"functionConfig {config.kind or '<no kind>'}/{config.name or '<no name>'}"


def type_name(value: Any) -> str:
    """A value's type in YAML's words, as krm-fn (Rust) names it in messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "sequence"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__


def _decode_yaml(text: str) -> Any:
    try:
        import yaml  # optional: only for native runs on YAML
    except ImportError:
        raise InputError(
            "input is not JSON: this function reads a JSON ResourceList "
            "(set `input: json` in metadata.yaml so the runner sends JSON, or `input: yaml` "
            "so the build bundles a YAML parser; natively: pip install ruamel.yaml)"
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
        format: What the input was, ``json`` or ``yaml``; :meth:`to_text` writes the same.
    """

    def __init__(
        self,
        items: list[KubeObject] | None = None,
        function_config: KubeObject | None = None,
        results: Results | None = None,
        *,
        raw: dict[str, Any] | None = None,
        format: Format = "json",
    ) -> None:
        self.format: Format = format
        self.items: list[KubeObject] = list(items or [])
        self.function_config = function_config
        self.results = results if results is not None else Results()
        # The input's top level, to write back unknown fields in their order.
        self._raw: dict[str, Any] = (
            raw if raw is not None else {"apiVersion": API_VERSION, "kind": KIND}
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any], format: Format = "json") -> ResourceList:
        """Wrap a decoded ResourceList (its item dicts are kept, not copied).

        Raises:
            InputError: It is not a ResourceList: wrong kind, ``items`` not a list of mappings,
                ``functionConfig`` not a mapping.
        """
        # The contract's input checks (docs/sdk.md), as kpt's Go SDK (fn.ParseResourceList) makes
        # them: kind ResourceList only, items a sequence of mappings, functionConfig a mapping.
        kind = data.get("kind")
        if kind is None:
            raise InputError(f"input has no kind, want kind: {KIND}")
        if kind != KIND:
            raise InputError(f"input has kind {kind}, want {KIND}")
        raw_items = data.get("items")
        if raw_items is None:
            raw_items = []
        if not isinstance(raw_items, list):
            raise InputError(f"input field items is a {type_name(raw_items)}, want a sequence")
        items = []
        for index, item in enumerate(raw_items):
            if not isinstance(item, dict):
                raise InputError(
                    f"input items[{index}] is a {type_name(item)}, "
                    "want a mapping (a Kubernetes object)"
                )
            items.append(KubeObject(item))
        config = data.get("functionConfig")
        if config is not None and not isinstance(config, dict):
            raise InputError(f"input field functionConfig is a {type_name(config)}, want a mapping")
        raw_results = data.get("results") or []
        if not isinstance(raw_results, list):
            raise InputError(f"input field results is a {type_name(raw_results)}, want a sequence")
        results = Results([Result.from_dict(r) for r in raw_results if isinstance(r, dict)])
        return cls(
            items,
            KubeObject(config) if config is not None else None,
            results,
            raw=data,
            format=format,
        )

    @classmethod
    def parse(cls, text: str | bytes) -> ResourceList:
        """Read a ResourceList from JSON or YAML text (see :func:`decode_as`).

        Raises:
            InputError: The text is not a ResourceList.
        """
        return cls.from_dict(*decode_as(text))

    @property
    def api_version(self) -> str:
        """The input's apiVersion (kept on output)."""
        return str(self._raw.get("apiVersion", API_VERSION))

    def config_str(self, path: str) -> str:
        """The string at ``path`` in the functionConfig, e.g. ``data.namespace`` of a ConfigMap.

        The parallel of krm-fn's ``ResourceList::config_str``, in the same words.

        Raises:
            Error: The functionConfig is missing (field ``functionConfig``), or the field is
                missing or not a string (resourceRef: the functionConfig; field: ``path``).
        """
        config = self.function_config
        if config is None:
            raise Error(
                f"functionConfig is missing; want an object with a string field {path}, "
                "such as a ConfigMap",
                field="functionConfig",
            )
        value = config.get(path)
        label = config_label(config)
        if value is None:
            raise Error(f"{label}: missing field {path}", config, path)
        if not isinstance(value, str):
            raise Error(
                f"{label}: field {path} is a {type_name(value)}, want a string", config, path
            )
        return value

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

    def to_text(self) -> str:
        """The output ResourceList in the input's format: JSON, or YAML with its comments."""
        if self.format == "yaml":
            return _yaml.dump(self.to_dict())
        return self.to_json()

    def __repr__(self) -> str:
        return f"ResourceList({len(self.items)} items, {len(self.results)} results)"
