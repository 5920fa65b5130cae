"""apply-setters: kpt's ``gcr.io/kpt-fn/apply-setters`` v0.2.0, on the SDK's YAML view.

Fields carry a setter comment, and the functionConfig's ``data`` gives the setters' values::

    metadata:
      name: my-app  # kpt-set: ${app}
    spec:
      image: nginx:1.7  # kpt-set: nginx:${tag}
      env:  # kpt-set: ${env}
      - dev

    apiVersion: v1
    kind: ConfigMap
    metadata: {name: setters}
    data: {app: shop, tag: "1.9", env: "[dev, prod]"}

Mirrors ``applysetters/apply_setters.go`` and ``walk.go`` of
github.com/GoogleContainerTools/kpt-functions-catalog/functions/go/apply-setters v0.2.0, and its
``main.go`` for the results:

* A scalar whose line comment is ``# kpt-set: PATTERN`` becomes PATTERN with each ``${name}``
  replaced by the setter's value, when at least one setter it names is given. Names not given
  take the value they have now, read back through the pattern (``nginx:${tag}`` on
  ``nginx:1.7`` gives ``tag`` = ``1.7``); a name that cannot be read back is an error.
* A sequence field (``env:  # kpt-set: ${env}``, or ``env: [a]  # kpt-set: ${env}``) takes a
  YAML list parsed from the value; an empty value gives ``[]``; a pattern that is not exactly
  one ``${name}`` is an error.
* The functionConfig may be of any kind: its ``data`` map is read, as kpt's ``GetDataMap``
  does (no functionConfig: no setters). A value that is not a string (a YAML list in the data)
  counts as its text, and a mapping or sequence as ``""``, as in kyaml.
* Results: ``set field value to "VALUE"`` (info) per field set, or one ``no matches for input
  setter(s)``; a failure is ``failed to apply setters: ...`` and leaves every item unchanged.

metadata.yaml says ``input: yaml``: the runner sends the resources as YAML with their comments,
and the build bundles ruamel.yaml.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any

import sdk
from sdk.comments import line_comment, plain_scalar

SETTER_COMMENT = "# kpt-set: "
_REFERENCE = re.compile(r"\$\{([^}]*)\}")


@dataclass
class Applied:
    """One field set (kpt's ``Result``)."""

    obj: sdk.KubeObject
    path: str
    value: str


@dataclass
class Setters:
    """The user's values, and what applying them did."""

    values: dict[str, str]
    applied: list[Applied] = field(default_factory=list)
    # A list setter's value parsed once (YAML parsing is the slow part in a component).
    lists: dict[str, list[Any] | None] = field(default_factory=dict)

    def parsed_list(self, given: str) -> list[Any] | None:
        """``given`` parsed as YAML if it is a sequence, else None."""
        if given not in self.lists:
            from sdk import _yaml  # the SDK's parser: the one the input was read with

            try:
                parsed = _yaml.load(given)
            except sdk.InputError:
                parsed = None
            self.lists[given] = list(parsed) if isinstance(parsed, list) else None
        return self.lists[given]


class SetterError(Exception):
    """kpt's ``errors.Errorf`` in the filter: the run fails with this message."""

    def __init__(self, message: str, obj: sdk.KubeObject, path: str) -> None:
        super().__init__(message)
        self.obj, self.path = obj, path


def _text(value: Any) -> str:
    """A data value as kyaml's ``GetValue`` reads it: a scalar's text, "" for a collection."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value)


def read_setters(config: sdk.KubeObject | None) -> Setters:
    """kpt's ``Decode``: the functionConfig's ``data``, whatever its kind."""
    data = config.get("data") if config is not None else None
    if not isinstance(data, dict):
        return Setters({})
    return Setters({str(key): _text(value) for key, value in data.items()})


def setter_pattern(comment: str) -> str:
    """kpt's ``extractSetterPattern``."""
    if not comment.startswith(SETTER_COMMENT):
        return ""
    return comment.removeprefix(SETTER_COMMENT).strip()


def _references(pattern: str) -> list[str]:
    """kpt's ``unresolvedSetters``: the ``${...}`` in ``pattern``, in order."""
    return [match.group(0) for match in _REFERENCE.finditer(pattern)]


def _should_set(pattern: str, setters: Setters) -> bool:
    return any(f"${{{name}}}" in pattern for name in setters.values)


def _current_values(pattern: str, value: str) -> dict[str, str]:
    """kpt's ``currentSetterValues``: the names' values read back from the field's value."""
    references = _references(pattern)
    expression = re.escape(pattern)
    for reference in references:
        expression = expression.replace(re.escape(reference), "(.*)")
    try:
        match = re.search(expression, value)
    except re.error:
        return {}
    if match is None or len(match.groups()) != len(references):
        return {}
    found: dict[str, str] = {}
    for reference, text in zip(references, match.groups(), strict=True):
        if text == "":
            return {}  # any name unread: the user must give them all
        found[reference.strip().removeprefix("${").removesuffix("}")] = text
    return found


def _go_quote(text: str) -> str:
    """Go's ``%q`` for the strings these messages quote."""
    return json.dumps(text, ensure_ascii=False)


def visit_scalar(setters: Setters, obj: sdk.KubeObject, parent: Any, key: Any, path: str) -> None:
    """kpt's ``visitScalar``: ``parent[key]`` is a scalar; set it if its comment says so."""
    pattern = setter_pattern(line_comment(parent, key))
    if not pattern or not _should_set(pattern, setters):
        return
    current = parent[key]
    value = pattern
    for name, given in setters.values.items():
        value = value.replace(f"${{{name}}}", given)
    for name, derived in _current_values(pattern, _text(current)).items():
        value = value.replace(f"${{{name}}}", derived)
    unresolved = _references(value)
    if unresolved:
        raise SetterError(
            f"values for setters [{' '.join(unresolved)}] must be provided", obj, path
        )
    parent[key] = plain_scalar(value, like=current)
    setters.applied.append(Applied(obj, path, value))


def visit_mapping(
    setters: Setters, obj: sdk.KubeObject, mapping: dict[str, Any], path: str
) -> None:
    """kpt's ``visitMapping``: a sequence field whose comment names a setter takes its list."""
    for key, value in list(mapping.items()):
        if not isinstance(value, list):
            continue
        pattern = setter_pattern(line_comment(mapping, key))
        if not pattern or not _should_set(pattern, setters):
            continue
        field_path = f"{path}.{key}".removeprefix(".")
        references = _references(pattern)
        if not (len(references) == 1 and pattern.startswith("${") and pattern.endswith("}")):
            raise SetterError(
                f"invalid setter pattern for array node: {_go_quote(pattern)}", obj, field_path
            )
        given = setters.values.get(pattern.removeprefix("${").removesuffix("}").strip(), "")
        mapping[key] = _sequence(setters, given, obj, field_path)
        setters.applied.append(Applied(obj, field_path, given))


def _sequence(setters: Setters, given: str, obj: sdk.KubeObject, path: str) -> list[Any]:
    """The list a sequence setter's value gives: ``[]`` (flow) when empty, else block style."""
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq()
    if given == "":
        seq.fa.set_flow_style()
        return seq
    parsed = setters.parsed_list(given)
    if parsed is None:
        raise SetterError(
            f"input to array setter must be an array of values, but found {_go_quote(given)}",
            obj,
            path,
        )
    # Scalars are immutable and can be shared; a mapping or list element is copied per field.
    seq.extend(copy.deepcopy(v) if isinstance(v, dict | list) else v for v in parsed)
    seq.fa.set_block_style()
    return seq


def accept(setters: Setters, obj: sdk.KubeObject, node: Any, path: str) -> None:
    """kpt's ``acceptImpl``: mappings (their sequence setters first), sequences, scalars."""
    if isinstance(node, dict):
        visit_mapping(setters, obj, node, path)
        for key in list(node):
            _accept_child(setters, obj, node, key, f"{path}.{key}")
    elif isinstance(node, list):
        for index in range(len(node)):
            _accept_child(setters, obj, node, index, f"{path}[{index}]")


def _accept_child(setters: Setters, obj: sdk.KubeObject, parent: Any, key: Any, path: str) -> None:
    child = parent[key]
    if isinstance(child, dict | list):
        accept(setters, obj, child, path)
    else:
        visit_scalar(setters, obj, parent, key, path.removeprefix("."))


def _as_read(item: sdk.KubeObject) -> sdk.KubeObject:
    """The item's identity as it came in: results name the resource before its name is set."""
    metadata = {
        key: item.get(["metadata", key])
        for key in ("name", "namespace")
        if item.has(["metadata", key])
    }
    metadata["annotations"] = item.annotations
    return sdk.KubeObject({"apiVersion": item.api_version, "kind": item.kind, "metadata": metadata})


@sdk.function
def apply_setters(rl: sdk.ResourceList) -> None:
    """Apply the setters in functionConfig.data to the fields their comments name."""
    setters = read_setters(rl.function_config)
    try:
        for item in rl.items:
            accept(setters, _as_read(item), item.to_dict(), "")
    except SetterError as error:
        raise sdk.Error(f"failed to apply setters: {error}", error.obj, error.path) from None
    if not setters.applied:
        rl.results.info("no matches for input setter(s)")
    for applied in setters.applied:
        rl.results.info(
            f"set field value to {_go_quote(applied.value)}", applied.obj, applied.path
        )


if __name__ == "__main__":
    apply_setters.main()
