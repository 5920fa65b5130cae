"""sdk.comments and YAML ResourceLists: comments read, values set in style, YAML written back."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

import sdk
from runner.krm import text as textio
from sdk import comments

TEXT = """\
apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: app # kpt-set: ${app}
  spec:
    replicas: 1 # replicas
    image: "nginx:1.7" # image
    args: # block
    - a # first
    env: [x] # flow
    nested: # a mapping
      k: v
"""


def _rl() -> sdk.ResourceList:
    return sdk.ResourceList.parse(TEXT)


def test_yaml_input_is_read_round_trip() -> None:
    rl = _rl()
    assert rl.format == "yaml"
    assert rl.items[0].name == "app"
    assert rl.items[0].get("spec.args[0]") == "a"


@dataclass
class CommentCase:
    reason: str
    path: str
    want: str


COMMENT_CASES = [
    CommentCase("a scalar's comment follows its value", "metadata.name", "# kpt-set: ${app}"),
    CommentCase("a quoted scalar", "spec.image", "# image"),
    CommentCase("a block sequence's comment follows its key", "spec.args", "# block"),
    CommentCase("a flow sequence's comment follows it", "spec.env", "# flow"),
    CommentCase("a sequence element", "spec.args[0]", "# first"),
    CommentCase("a block mapping's comment follows its key", "spec.nested", "# a mapping"),
    CommentCase("no comment", "spec.nested.k", ""),
]


@pytest.mark.parametrize("case", COMMENT_CASES, ids=lambda c: c.reason)
def test_line_comment(case: CommentCase) -> None:
    fields = {f.path: f for f in comments.walk(_rl().items[0])}
    assert fields[case.path].comment == case.want, case.reason


def test_walk_goes_depth_first_in_document_order() -> None:
    paths = [f.path for f in comments.walk(_rl().items[0])]
    assert paths[:5] == ["apiVersion", "kind", "metadata", "metadata.name", "spec"]
    assert paths.index("spec.args") < paths.index("spec.args[0]") < paths.index("spec.env")


def test_json_input_has_no_comments() -> None:
    rl = sdk.ResourceList.parse(json.dumps(yaml.safe_load(TEXT)))
    assert rl.format == "json"
    assert {f.comment for f in comments.walk(rl.items[0])} == {""}
    with pytest.raises(TypeError, match="read from JSON"):
        comments.set_line_comment(rl.items[0].to_dict(), "kind", "# x")


@dataclass
class ScalarCase:
    text: str
    like: Any
    want: Any


SCALAR_CASES = [
    ScalarCase("5", 1, 5),
    ScalarCase("5", "old", 5),  # a plain string takes the new text's type, as kyaml's
    ScalarCase("true", "x", True),
    ScalarCase("1.5", 1, 1.5),
    ScalarCase("0x1f", 1, 31),
    ScalarCase("null", "x", None),
    ScalarCase("nginx:1.9", "nginx:1.7", "nginx:1.9"),
    ScalarCase("yes", "x", "yes"),  # YAML 1.2: not a bool
]


@pytest.mark.parametrize("case", SCALAR_CASES, ids=lambda c: f"{c.text}-like-{c.like!r}")
def test_plain_scalar_resolves_as_yaml_1_2(case: ScalarCase) -> None:
    got = comments.plain_scalar(case.text, case.like)
    assert got == case.want and type(got) is type(case.want)


def test_plain_scalar_keeps_quotes_and_quotes_empty() -> None:
    quoted = _rl().items[0].get("spec.image")
    got = comments.plain_scalar("5", quoted)
    assert got == "5" and type(got) is type(quoted)
    empty = comments.plain_scalar("", 1)
    assert empty == "" and type(empty) is not str  # written as ""
    assert math.isinf(comments.plain_scalar(".inf"))


def test_edits_keep_comments_in_the_yaml_written_back() -> None:
    rl = _rl()
    for field in comments.walk(rl.items[0]):
        if field.path == "spec.replicas":
            field.set(comments.plain_scalar("3", field.value))
    comments.set_line_comment(rl.items[0].to_dict()["spec"], "nested", "# changed")
    text = rl.to_text()
    assert "replicas: 3 # replicas" in text
    assert "name: app # kpt-set: ${app}" in text
    assert "# changed" in text and "# a mapping" not in text
    assert yaml.safe_load(text)["items"][0]["spec"]["replicas"] == 3


def test_a_function_given_yaml_answers_in_yaml() -> None:
    @sdk.function
    def touch(rl: sdk.ResourceList) -> None:
        rl.items[0].set_label("touched", "yes")

    output, code = touch.run(TEXT)
    assert code == 0
    assert "name: app # kpt-set: ${app}" in output
    # `yes` is written plain: a string in YAML 1.2 and to go-yaml v3, as the runner reads it.
    assert textio.load_value(output)["items"][0]["metadata"]["labels"] == {"touched": "yes"}


def test_invalid_yaml_is_an_input_error() -> None:
    with pytest.raises(sdk.InputError, match="neither JSON nor valid YAML"):
        sdk.ResourceList.parse("kind: [\n")


def test_the_example_in_docs_sdk_md_runs() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "sdk.md").read_text()
    section = page[page.index("## Reading YAML with comments") :]
    code = section[section.index("```python\n") + len("```python\n") :]
    namespace: dict[str, Any] = {}
    exec(code[: code.index("```")], namespace)  # the page's own code, as a reader copies it
    text = TEXT.replace("# replicas", "# TODO: scale")
    output, code_ = namespace["mark_todo"].run(text)
    [result] = textio.load_value(output)["results"]
    assert (code_, result["severity"], result["field"]["path"]) == (0, "warning", "spec.replicas")
