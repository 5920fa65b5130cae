"""The Kptfile (apiVersion kpt.dev/v1, kind Kptfile): package name and function pipeline.

Validation follows kpt's pkg/api/kptfile/v1 (types.go, validation.go): unknown fields are
errors (kpt decodes with KnownFields), each pipeline entry needs exactly one of `image` /
`exec` and at most one of `configPath` / `configMap`; `configPath` must be relative, stay in
the package, and name a file holding exactly one KRM resource. Every error names the
Kptfile and the field, e.g. `pkg/Kptfile: pipeline.mutators[1]: needs exactly one of image
or exec`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.errors import PackageError
from runner.kpt.package import KPTFILE
from runner.kpt.paths import inside_package, resolves_inside
from runner.krm import text as textio
from runner.krm.resource import missing_krm_field, scalar_text
from runner.krm.text import YamlStream
from runner.pipeline.selectors import SELECTOR_FIELDS, Selector

__all__ = [
    "API_VERSION",
    "Function",
    "Kptfile",
    "Pipeline",
    "config_map_function_config",
    "read_config_file",
    "read_kptfile",
]

API_VERSION = "kpt.dev/v1"
_DEPRECATED_VERSIONS = ("kpt.dev/v1alpha1", "kpt.dev/v1alpha2")

_TOP_FIELDS = {
    "apiVersion",
    "kind",
    "metadata",
    "upstream",
    "upstreamLock",
    "info",
    "pipeline",
    "inventory",
    "status",
}
_FUNCTION_FIELDS = {
    "image",
    "tag",
    "exec",
    "configPath",
    "configMap",
    "name",
    "selectors",
    "exclude",
}


@dataclass(frozen=True)
class Function:
    """One pipeline entry.

    `field` is where it sits in the Kptfile (`pipeline.mutators[0]`), for messages; `config` is
    its functionConfig (from configPath or configMap), read once with the Kptfile. `tag`
    (kpt's Function.Tag) replaces the image's tag: a tag, or a version constraint (`~0.4`).
    """

    @property
    def tagged_image(self) -> str | None:
        """The image with `tag` in place of its own tag and digest, as kpt resolves it."""
        if self.image is None or self.tag is None:
            return self.image
        reference = self.image.partition("@")[0]
        repository, slash, last = reference.rpartition("/")
        return f"{repository}{slash}{last.partition(':')[0]}:{self.tag}"

    field: str
    image: str | None = None
    tag: str | None = None
    exec: str | None = None
    config_path: str | None = None
    config_map: dict[str, str] | None = None
    name: str | None = None
    selectors: tuple[Selector, ...] = ()
    exclude: tuple[Selector, ...] = ()
    config: dict[str, Any] | None = dataclasses.field(default=None, repr=False)

    @property
    def display(self) -> str:
        """The function's name, else its image or exec, for messages."""
        return self.name or self.image or self.exec or self.field


@dataclass(frozen=True)
class Pipeline:
    """Mutators run first, in order, then validators."""

    mutators: tuple[Function, ...] = ()
    validators: tuple[Function, ...] = ()

    def is_empty(self) -> bool:
        """True when the Kptfile declares no function."""
        return not self.mutators and not self.validators


@dataclass(frozen=True)
class Kptfile:
    """A parsed Kptfile; `value` is the whole document as read."""

    path: Path
    name: str
    pipeline: Pipeline
    value: dict[str, Any] = field(repr=False)

    @property
    def package_dir(self) -> Path:
        """The directory of the package this Kptfile describes."""
        return self.path.parent


class _Fail:
    """Builds PackageErrors that name the Kptfile."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self, where: str, message: str) -> PackageError:
        return PackageError(
            f"{self.path}: {where}: {message}" if where else f"{self.path}: {message}"
        )


def read_kptfile(package_dir: Path, stream: YamlStream | None = None) -> Kptfile:
    """Parse `<package_dir>/Kptfile` (or `stream`, its text already read with the package),
    and read each pipeline entry's functionConfig.

    Raises:
        PackageError: missing file, wrong apiVersion/kind, a field of the wrong type, an
            unknown field, or an invalid pipeline entry (naming the field).
        InputError: invalid YAML (naming the line).
    """
    path = Path(package_dir) / KPTFILE
    fail = _Fail(path)
    if stream is None:
        if not path.is_file():
            raise PackageError(f"{path}: no Kptfile (a kpt package needs one)")
        stream = textio.read_file(path, str(path))
    docs = [d for d in stream.documents if d.value is not None]
    if len(docs) != 1:
        raise fail("", f"must hold exactly one document, found {len(docs)}")
    value = docs[0].value
    if not isinstance(value, dict):
        raise fail("", "must be a mapping")
    api_version, kind = value.get("apiVersion"), value.get("kind")
    if kind != "Kptfile":
        raise fail("kind", f"must be Kptfile, got {kind!r}")
    if api_version in _DEPRECATED_VERSIONS:
        raise fail(
            "apiVersion", f"old resource version {api_version!r}; kpt {API_VERSION} is needed"
        )
    if api_version != API_VERSION:
        raise fail("apiVersion", f"must be {API_VERSION}, got {api_version!r}")
    _no_unknown(value, _TOP_FIELDS, "", fail)
    metadata = _mapping(value.get("metadata"), "metadata", fail)
    name = metadata.get("name")
    if not isinstance(name, str) or not name:
        raise fail("metadata.name", "must be a non-empty string")
    pipeline_value = _mapping(value.get("pipeline"), "pipeline", fail)
    _no_unknown(pipeline_value, {"mutators", "validators"}, "pipeline", fail)
    written = _Written(docs[0])
    # kpt validates configPath files when it reads the Kptfile, before running anything.
    pipeline = Pipeline(
        mutators=_with_configs(
            _functions(pipeline_value, "mutators", fail, written), Path(package_dir)
        ),
        validators=_with_configs(
            _functions(pipeline_value, "validators", fail, written), Path(package_dir)
        ),
    )
    return Kptfile(path=path, name=name, pipeline=pipeline, value=value)


def _with_configs(functions: tuple[Function, ...], package_dir: Path) -> tuple[Function, ...]:
    return tuple(
        dataclasses.replace(function, config=_function_config(function, package_dir))
        for function in functions
    )


def _function_config(function: Function, package_dir: Path) -> dict[str, Any] | None:
    """The functionConfig of a pipeline entry: the resource at configPath, a ConfigMap built
    from configMap, or None.

    Note: kpt render gives a mutator the configPath resource as it is in the pipeline's
    current items (earlier mutators may have changed it); this reads it from disk.

    Raises:
        PackageError: the configPath file is missing, holds more or less than one resource,
            or that resource lacks apiVersion, kind or metadata.name.
    """
    if function.config_map is not None:
        return config_map_function_config(function.config_map)
    if function.config_path is None:
        return None
    where = f"{function.field}.configPath"
    fail = _Fail(Path(package_dir) / KPTFILE)
    path = Path(package_dir) / function.config_path
    if not resolves_inside(path, Path(package_dir)):
        raise fail(where, f"{function.config_path!r}: resolves outside the package (a symlink)")
    if not path.is_file():
        raise fail(
            where, f"{function.config_path!r}: functionConfig must exist in the current package"
        )
    try:
        return read_config_file(path, function.config_path)
    except ValueError as problem:
        raise fail(where, str(problem)) from None


def read_config_file(path: Path, name: str) -> dict[str, Any]:
    """The one KRM resource a functionConfig file holds (Kptfile configPath, eval --fn-config).

    Raises:
        ValueError: saying what is wrong with the file (callers add where it was named).
    """
    stream = textio.read_file(path, str(path))
    docs = [d for d in stream.documents if d.value is not None]
    if len(docs) != 1:
        raise ValueError(f"functionConfig {name!r} must hold exactly one resource, got {len(docs)}")
    value = docs[0].value
    if missing := missing_krm_field(value):
        raise ValueError(f"functionConfig {name!r}: resource must have `{missing}`")
    assert isinstance(value, dict)
    return textio.config_as_written(value, docs[0])


def config_map_function_config(data: Mapping[str, str]) -> dict[str, Any]:
    """The ConfigMap kpt builds from a `configMap:` entry (fnruntime.NewConfigMap)."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "function-input"},
        "data": dict(data),
    }


_Path = tuple[str | int, ...]
_TextOf = Callable[[str], str | None]  # a map's key -> its value's text as written


class _Written:
    """The Kptfile's scalars as written, by path: kpt's string fields take `1.10` as "1.10"
    (go-yaml sets a string field to the scalar's text). Looked up in the parse tree only for a
    field that holds a value that is not a string."""

    def __init__(self, doc: textio.Document) -> None:
        self._doc = doc

    def under(self, path: _Path) -> _TextOf:
        return lambda key: self._text((*path, key))

    def at(self, path: _Path) -> Callable[[], str | None]:
        return lambda: self._text(path)

    def _text(self, path: _Path) -> str | None:
        text = textio.written_texts(self._doc, path)
        return text if isinstance(text, str) else None


def _mapping(value: Any, where: str, fail: _Fail) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise fail(where, "must be a mapping")
    return value


def _no_unknown(value: Mapping[str, Any], known: set[str], where: str, fail: _Fail) -> None:
    for key in value:
        if key not in known:
            at = f"{where}.{key}" if where else str(key)
            raise fail(at, f"unknown field (known: {', '.join(sorted(known))})")


def _string(
    value: Any, where: str, fail: _Fail, written: Callable[[], str | None] | None = None
) -> str | None:
    """A string field; a number or boolean there is its text as written (`tag: 1.10` is
    "1.10"), as go-yaml sets a Go string field."""
    if value is None or value == "":
        return None
    if isinstance(value, bool | int | float) and written is not None:
        text = written()
        if text is not None:
            return text
    if not isinstance(value, str):
        raise fail(where, f"must be a string, got {type(value).__name__}")
    return value


def _functions(
    pipeline: Mapping[str, Any], kind: str, fail: _Fail, written: _Written
) -> tuple[Function, ...]:
    entries = pipeline.get(kind)
    if entries is None:
        return ()
    if not isinstance(entries, list):
        raise fail(f"pipeline.{kind}", "must be a list")
    return tuple(
        _function(entry, f"pipeline.{kind}[{i}]", fail, written, ("pipeline", kind, i))
        for i, entry in enumerate(entries)
    )


def _function(entry: Any, where: str, fail: _Fail, written: _Written, path: _Path) -> Function:
    if not isinstance(entry, Mapping):
        raise fail(where, "must be a mapping")
    _no_unknown(entry, _FUNCTION_FIELDS, where, fail)

    def string(key: str) -> str | None:
        return _string(entry.get(key), f"{where}.{key}", fail, written.at((*path, key)))

    image = string("image")
    exec_ = string("exec")
    if (image is None) == (exec_ is None):
        raise fail(where, "needs exactly one of image or exec")
    if image is not None:
        _check_image(image, f"{where}.image", fail)
    tag = string("tag")
    if tag is not None and image is None:
        raise fail(f"{where}.tag", "needs an image (a tag chooses the image's version)")
    config_path = string("configPath")
    raw_map = entry.get("configMap")
    if config_path is not None and raw_map:
        raise fail(where, "may have at most one of configPath or configMap")
    if config_path is not None:
        _check_config_path(config_path, f"{where}.configPath", fail)
    return Function(
        field=where,
        image=image,
        tag=tag,
        exec=exec_,
        config_path=config_path,
        config_map=_config_map(
            raw_map, f"{where}.configMap", fail, written.under((*path, "configMap"))
        ),
        name=string("name"),
        selectors=_selectors(
            entry.get("selectors"), f"{where}.selectors", fail, written, (*path, "selectors")
        ),
        exclude=_selectors(
            entry.get("exclude"), f"{where}.exclude", fail, written, (*path, "exclude")
        ),
    )


def _check_image(image: str, where: str, fail: _Fail) -> None:
    """``NAME@LANG`` is the command line's shorthand; after ``@`` an image reference (what kpt
    reads from a Kptfile) has a digest, so a Kptfile spells a language's build ``NAME:LANG``."""
    reference, at, suffix = image.partition("@")
    if at and not suffix.startswith("sha256:"):
        raise fail(
            where,
            f"{image!r} is not an image reference (after @ comes a digest, sha256:...); "
            f"to pick the {suffix!r} build write {reference}:{suffix}",
        )


def _check_config_path(config_path: str, where: str, fail: _Fail) -> None:
    try:
        inside_package(config_path)
    except ValueError as problem:
        raise fail(where, str(problem)) from None


def _config_map(value: Any, where: str, fail: _Fail, text_of: _TextOf) -> dict[str, str] | None:
    return None if value is None else _string_map(value, where, fail, text_of)


def _selectors(
    value: Any, where: str, fail: _Fail, written: _Written, path: _Path
) -> tuple[Selector, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise fail(where, "must be a list of selectors")
    selectors: list[Selector] = []
    for i, item in enumerate(value):
        at = f"{where}[{i}]"
        if not isinstance(item, Mapping):
            raise fail(at, "must be a mapping")
        _no_unknown(item, set(SELECTOR_FIELDS), at, fail)
        kwargs: dict[str, Any] = {}
        for key, attribute in SELECTOR_FIELDS.items():
            raw = item.get(key)
            if key in ("labels", "annotations"):
                kwargs[attribute] = _string_map(
                    raw, f"{at}.{key}", fail, written.under((*path, i, key))
                )
            else:
                at_key = written.at((*path, i, key))
                kwargs[attribute] = _string(raw, f"{at}.{key}", fail, at_key) or ""
        selectors.append(Selector(**kwargs))
    return tuple(selectors)


def _string_map(value: Any, where: str, fail: _Fail, text_of: _TextOf) -> dict[str, str]:
    """A `map[string]string` field: each value's text as written (`1.10`, `0x1F`; null is "")."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise fail(where, "must be a mapping of strings")
    result: dict[str, str] = {}
    for key, item in value.items():
        if isinstance(item, Mapping | list):
            raise fail(f"{where}.{key}", "must be a string, not a mapping or list")
        if isinstance(item, str) or item is None:
            result[str(key)] = scalar_text(item)
        else:
            result[str(key)] = text_of(str(key)) or scalar_text(item)
    return result
