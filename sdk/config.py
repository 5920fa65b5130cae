"""The functionConfig: a ConfigMap's ``data``, or a typed model (a dataclass).

A model is a dataclass whose fields are read from the ConfigMap's ``data`` (strings, converted
to the field's type) or, for any other kind, from the object's top level (``spec``-style
configs declare a ``spec`` field holding a nested dataclass). A field's key is its name in
camelCase unless the field says otherwise with ``metadata={"key": "..."}``; a model may pin
the kinds it accepts with ``KINDS: ClassVar[tuple[str, ...]]`` (ConfigMap is always accepted).

Every problem raises :class:`~sdk.errors.ConfigError` naming the field in the contract's words
(docs/sdk.md), with the functionConfig as its resourceRef: ``functionConfig is missing; want a
ConfigMap``, ``functionConfig ConfigMap/my-config: missing field data.namespace``.

Example::

    @dataclass
    class Config:
        namespace: str
        replicas: int = 1

    config = sdk.config.parse(rl.function_config, Config)
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from sdk.errors import ConfigError
from sdk.resource import KubeObject
from sdk.resourcelist import config_label, type_name

__all__ = ["data", "parse"]

T = TypeVar("T")
_CONFIG_MAP = "ConfigMap"
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def data(function_config: KubeObject | None, *, required: bool = True) -> dict[str, str]:
    """The ``data`` of a ConfigMap functionConfig.

    Args:
        function_config: The ResourceList's functionConfig.
        required: Whether a missing functionConfig is an error (else ``{}``).

    Raises:
        ConfigError: It is missing (when required), not a ConfigMap, or ``data`` is not a map of
            strings.
    """
    if function_config is None:
        if required:
            raise ConfigError("functionConfig is missing; want a ConfigMap", "functionConfig")
        return {}
    if function_config.kind != _CONFIG_MAP:
        raise ConfigError(
            f"functionConfig has kind {function_config.kind!r}: expected a ConfigMap", "kind"
        )
    raw = function_config.get("data")
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"functionConfig data is a {type(raw).__name__}, not a map", "data")
    for key, value in raw.items():
        if not isinstance(value, str):
            raise ConfigError(
                f"functionConfig data.{key} is a {type(value).__name__}, not a string",
                f"data.{key}",
            )
    return dict(raw)


def parse(function_config: KubeObject | None, model: type[T]) -> T:
    """Read the functionConfig into ``model``, a dataclass.

    Args:
        function_config: The ResourceList's functionConfig.
        model: The dataclass to fill.

    Returns:
        An instance of ``model``.

    Raises:
        ConfigError: The functionConfig is missing, of a kind ``model`` does not accept, lacks a
            required field, or a value does not convert to the field's type.
        TypeError: ``model`` is not a dataclass (a programming error, not a config error).
    """
    if not (isinstance(model, type) and dataclasses.is_dataclass(model)):
        raise TypeError(f"config model {model!r} is not a dataclass")
    kinds: tuple[str, ...] = tuple(getattr(model, "KINDS", ()))
    if function_config is None:
        expected = " or ".join((_CONFIG_MAP, *kinds))
        raise ConfigError(f"functionConfig is missing; want a {expected}", "functionConfig")
    title = config_label(function_config)
    kind = function_config.kind
    if kind == _CONFIG_MAP:
        source = function_config.get("data") or {}
        prefix = "data"
    elif kinds and kind not in kinds:
        expected = " or ".join((_CONFIG_MAP, *kinds))
        raise ConfigError(f"{title}: kind is {kind!r}, want {expected}", "kind", function_config)
    else:
        source = function_config.to_dict()
        prefix = ""
    if not isinstance(source, Mapping):
        raise ConfigError(
            f"{title}: field {prefix} is a {type_name(source)}, want a mapping",
            prefix,
            function_config,
        )
    try:
        return cast(T, _build(model, source, prefix, title, from_strings=kind == _CONFIG_MAP))
    except ConfigError as error:
        error.obj = function_config  # the resourceRef of the result
        raise


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _join(prefix: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else key


def _build(
    model: type[Any], source: Mapping[str, Any], prefix: str, title: str, *, from_strings: bool
) -> Any:
    hints = typing.get_type_hints(model)
    values: dict[str, Any] = {}
    for spec in dataclasses.fields(model):
        if not spec.init:
            continue
        key = spec.metadata.get("key", _camel(spec.name))
        path = _join(prefix, key)
        if key not in source or source[key] is None:
            has_default = (
                spec.default is not dataclasses.MISSING
                or spec.default_factory is not dataclasses.MISSING
            )
            if not has_default:
                raise ConfigError(f"{title}: missing field {path}", path)
            continue
        values[spec.name] = _convert(source[key], hints[spec.name], path, title, from_strings)
    return model(**values)


def _convert(value: Any, hint: Any, path: str, title: str, from_strings: bool) -> Any:
    def fail(expected: str) -> ConfigError:
        shown = (
            repr(value) if isinstance(value, str | int | float | bool) else f"a {type_name(value)}"
        )
        return ConfigError(f"{title}: field {path} is {shown}, want {expected}", path)

    origin = typing.get_origin(hint)
    if hint is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        errors = []
        for option in options:
            try:
                return _convert(value, option, path, title, from_strings)
            except ConfigError as error:
                errors.append(error)
        raise errors[0] if errors else fail("nothing")
    if hint is str:
        if isinstance(value, str):
            return value
        raise fail("a string")
    if hint is bool:
        if isinstance(value, bool):
            return value
        if from_strings and isinstance(value, str) and value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
        raise fail("a boolean")
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if from_strings and isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                pass
        raise fail("an integer")
    if hint is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if from_strings and isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise fail("a number")
    if origin is list:
        if not isinstance(value, list):
            raise fail("a sequence")
        (item_hint,) = typing.get_args(hint) or (Any,)
        return [
            _convert(item, item_hint, _join(path, index), title, from_strings)
            for index, item in enumerate(value)
        ]
    if origin is dict:
        if not isinstance(value, Mapping):
            raise fail("a mapping")
        _, item_hint = typing.get_args(hint) or (str, Any)
        return {
            str(key): _convert(item, item_hint, _join(path, str(key)), title, from_strings)
            for key, item in value.items()
        }
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(value, Mapping):
            raise fail("a mapping")
        return _build(hint, value, path, title, from_strings=from_strings)
    raise TypeError(f"config field {path}: unsupported type {hint!r}")
