"""functionConfig: a ConfigMap's data, or a dataclass model, with errors naming the field."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest

from sdk import ConfigError, KubeObject, config


def config_map(data: Any) -> KubeObject:
    return KubeObject(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": data}
    )


@dataclass
class Simple:
    namespace: str
    replicas: int = 1
    dry_run: bool = False
    ratio: float = 0.5
    note: str | None = None


@dataclass
class Target:
    kind: str
    names: list[str] = field(default_factory=list)


@dataclass
class Spec:
    prefix: str
    targets: list[Target] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class Typed:
    KINDS: ClassVar[tuple[str, ...]] = ("NamePrefix",)
    spec: Spec
    image_tag: str = field(default="latest", metadata={"key": "tag"})


@dataclass
class ParseCase:
    reason: str
    model: type[Any]
    function_config: KubeObject | None
    want: Any = None
    error: str = ""  # a fragment of the ConfigError's message
    error_field: str | None = None


PARSE_CASES = [
    ParseCase(
        "ConfigMap strings convert to the field types",
        Simple,
        config_map({"namespace": "prod", "replicas": "3", "dryRun": "true", "ratio": "2"}),
        want=Simple("prod", 3, True, 2.0),
    ),
    ParseCase(
        "defaults fill absent fields",
        Simple,
        config_map({"namespace": "prod"}),
        want=Simple("prod"),
    ),
    ParseCase(
        "a missing functionConfig",
        Simple,
        None,
        error="functionConfig is missing; want a ConfigMap",
        error_field="functionConfig",
    ),
    ParseCase(
        "a missing required field is named",
        Simple,
        config_map({"replicas": "2"}),
        error="missing field data.namespace",
        error_field="data.namespace",
    ),
    ParseCase(
        "a ConfigMap without data",
        Simple,
        config_map(None),
        error="missing field data.namespace",
        error_field="data.namespace",
    ),
    ParseCase(
        "a value that does not convert",
        Simple,
        config_map({"namespace": "p", "replicas": "many"}),
        error="field data.replicas is 'many', want an integer",
        error_field="data.replicas",
    ),
    ParseCase(
        "a bad boolean",
        Simple,
        config_map({"namespace": "p", "dryRun": "maybe"}),
        error="field data.dryRun is 'maybe', want a boolean",
        error_field="data.dryRun",
    ),
    ParseCase(
        "a typed kind reads the object's top level, nested models and lists",
        Typed,
        KubeObject(
            {
                "apiVersion": "fn.kpt.dev/v1",
                "kind": "NamePrefix",
                "tag": "v2",
                "spec": {
                    "prefix": "p-",
                    "targets": [{"kind": "Service", "names": ["a"]}],
                    "labels": {"x": "y"},
                },
            }
        ),
        want=Typed(Spec("p-", [Target("Service", ["a"])], {"x": "y"}), "v2"),
    ),
    ParseCase(
        "typed kinds do not convert strings",
        Typed,
        KubeObject({"kind": "NamePrefix", "spec": {"prefix": 7}}),
        error="field spec.prefix is 7, want a string",
        error_field="spec.prefix",
    ),
    ParseCase(
        "an error deep in a list names its index",
        Typed,
        KubeObject({"kind": "NamePrefix", "spec": {"prefix": "p", "targets": [{}]}}),
        error="missing field spec.targets[0].kind",
        error_field="spec.targets[0].kind",
    ),
    ParseCase(
        "a kind the model does not accept",
        Typed,
        KubeObject({"kind": "Other", "spec": {"prefix": "p"}}),
        error="kind is 'Other', want ConfigMap or NamePrefix",
        error_field="kind",
    ),
    ParseCase(
        "a list where a map is wanted",
        Typed,
        KubeObject({"kind": "NamePrefix", "spec": ["x"]}),
        error="field spec is a sequence, want a mapping",
        error_field="spec",
    ),
]


@pytest.mark.parametrize("case", PARSE_CASES, ids=lambda c: c.reason)
def test_parse(case: ParseCase) -> None:
    if case.error:
        with pytest.raises(ConfigError) as raised:
            config.parse(case.function_config, case.model)
        assert case.error in raised.value.message, f"{case.reason}: got {raised.value.message!r}"
        assert raised.value.field == case.error_field
    else:
        got = config.parse(case.function_config, case.model)
        assert got == case.want, f"{case.reason}: want {case.want}, got {got}"


def test_parse_rejects_a_model_that_is_not_a_dataclass() -> None:
    with pytest.raises(TypeError, match="not a dataclass"):
        config.parse(config_map({}), dict)


@dataclass
class DataCase:
    reason: str
    function_config: KubeObject | None
    required: bool = True
    want: dict[str, str] | None = None
    error: str = ""


DATA_CASES = [
    DataCase("a ConfigMap's data", config_map({"a": "1"}), want={"a": "1"}),
    DataCase("no data is empty", config_map(None), want={}),
    DataCase("missing and optional", None, required=False, want={}),
    DataCase("missing and required", None, error="functionConfig is missing"),
    DataCase("not a ConfigMap", KubeObject({"kind": "Secret"}), error="kind 'Secret'"),
    DataCase("data not a map", config_map(["a"]), error="data is a list, not a map"),
    DataCase("a value not a string", config_map({"n": 3}), error="data.n is a int"),
]


@pytest.mark.parametrize("case", DATA_CASES, ids=lambda c: c.reason)
def test_data(case: DataCase) -> None:
    if case.error:
        with pytest.raises(ConfigError, match=case.error):
            config.data(case.function_config, required=case.required)
    else:
        assert config.data(case.function_config, required=case.required) == case.want
