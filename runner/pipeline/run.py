"""Running functions one after another over a list of resources.

Each step: pick the selected items, tag each with an id annotation, encode a ResourceList in the
format the function declared (YAML with the user's comments, or JSON), execute, decode and check
the output, then put the output back in place of the selected items (matched by id; items without
an id are new and go last). A step fails when the function exits non-zero, traps, writes something
that is not a ResourceList, or reports an error result; the pipeline stops there.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from runner.errors import InputError
from runner.krm import annotations as ann
from runner.krm import text as textio
from runner.krm.resource import describe
from runner.krm.resourcelist import check_resource_list, new_resource_list
from runner.pipeline.selectors import Selector, select
from runner.wasm.engine import Engine, LoadedFunction
from runner.wasm.execute import Execution, Limits, Sandbox, execute

__all__ = [
    "Item",
    "Step",
    "StepOutcome",
    "exit_code_of",
    "run_pipeline",
    "run_step",
    "selected_indexes",
    "strip_added_ids",
]


class Item:
    """A resource on its way through the pipeline.

    ``source`` is the text the value was read from (with the user's comments), kept so that
    comment-reading functions get comments and unchanged resources are written back as they were.
    ``added_id`` records that the runner, not the input, put the id annotation on the value (and
    ``added_annotations`` that it created the annotations map): ``strip_added_ids`` undoes both.
    """

    __slots__ = ("added_annotations", "added_id", "source", "value")

    def __init__(
        self,
        value: dict[str, Any],
        source: textio.Document | None = None,
        added_id: bool = False,
        added_annotations: bool = False,
    ) -> None:
        self.value = value
        self.source = source
        self.added_id = added_id
        self.added_annotations = added_annotations


class Step(NamedTuple):
    """One function to run: what it is, its config, which resources it sees."""

    function: LoadedFunction
    label: str  # the image or exec path as the user wrote it: shown and written in results
    config: dict[str, Any] | None = None
    selectors: Sequence[Selector] = ()
    exclude: Sequence[Selector] = ()
    is_validator: bool = False
    kind: str = "exec"  # "image" or "exec": the key results.yaml uses for the label


class StepOutcome:
    """What one step did; ``error`` says why it failed (None when it succeeded)."""

    __slots__ = ("error", "error_is_exit", "execution", "results", "step")

    def __init__(self, step: Step, execution: Execution | None) -> None:
        self.step = step
        self.execution = execution
        self.results: list[dict[str, Any]] = []
        self.error: str | None = None
        # The error only repeats what the exit code and the results already show (no reason of
        # the runner's own to add to the function's stderr).
        self.error_is_exit = False

    @property
    def exit_code(self) -> int:
        """The function's exit code; 1 when it had none (trap, limit) or failed with exit 0."""
        code = self.execution.exit_code if self.execution else None
        if code is None or (code == 0 and self.error):
            return 1
        return code

    @property
    def failed(self) -> bool:
        return self.error is not None


def _item_id(value: dict[str, Any]) -> str | None:
    try:  # three lookups per item per step: the common case without isinstance checks
        item_id = value["metadata"]["annotations"][ann.ID]
    except (KeyError, TypeError, IndexError):  # missing, or not a mapping on the way
        return None
    return item_id if isinstance(item_id, str) else None


def _ensure_ids(items: Sequence[Item]) -> list[str]:
    """Give every item a unique id annotation (kyaml's ``internal.config.kubernetes.io/id``);
    returns the ids, in order.

    Ids from the input are kept (kpt's own, or a package reader's); a duplicate (a function that
    copied a resource) or a missing one gets a fresh id, so each output maps to one input.
    """
    seen: set[str] = set()
    ids: list[str] = []
    fresh = 0
    for item in items:
        item_id = _item_id(item.value)
        if item_id is not None and item_id not in seen:
            seen.add(item_id)
            ids.append(item_id)
            continue
        metadata = item.value.setdefault("metadata", {})
        found = metadata.get("annotations")
        if not isinstance(found, dict):
            found = metadata["annotations"] = {}
            item.added_annotations = True
        while f"new-{fresh}" in seen:
            fresh += 1
        found[ann.ID] = f"new-{fresh}"
        seen.add(found[ann.ID])
        ids.append(found[ann.ID])
        item.added_id = True
    return ids


def strip_added_ids(items: Sequence[Item]) -> list[dict[str, Any]]:
    """The items' values without the id annotations the runner added (for writing out).

    In place: the values are the pipeline's own (copies of the input, or a function's output),
    and this is the last thing done with them (a copy each was 17 ms per 1,000 resources).
    """
    for item in items:
        if item.added_id:
            metadata = item.value["metadata"]
            found = metadata.get("annotations")
            if isinstance(found, dict):
                found.pop(ann.ID, None)
                if not found and item.added_annotations:
                    del metadata["annotations"]
            item.added_id = item.added_annotations = False
    return [item.value for item in items]


def _encode(step: Step, items: Sequence[Item]) -> bytes:
    values = [item.value for item in items]
    if step.function.meta.input_format == "json":
        try:
            return _json_bytes(new_resource_list(values, step.config))
        except ValueError:  # NaN or infinity (JSON has neither), or half a UTF-16 pair
            raise InputError(_not_json(step, values)) from None
    sources = [
        textio.edit(item.source, item.value) if item.source else textio.render(item.value)
        for item in items
    ]
    return textio.resource_list_text(sources, step.config).encode()


def _json_bytes(rlist: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON; ValueError for a value JSON cannot hold.

    orjson takes 0.6 ms per 1,000 resources where json's encoder takes 6.8, but importing it
    costs about as much as json's encoding of 1,000 (it imports dataclasses), so smaller lists
    do without it. It writes NaN and infinity as null and refuses integers past 64 bits,
    non-string keys and half a UTF-16 pair: those lists, and any holding a null, go to json's
    encoder, which refuses NaN.
    """
    if len(rlist["items"]) >= _ORJSON_FROM_ITEMS:
        import orjson  # here, not on top: a run over a few resources is done before its import

        try:
            out = orjson.dumps(rlist, default=_plain_float)
        except orjson.JSONEncodeError:
            pass
        else:
            if b"null" not in out or not _NULL.search(out):  # `in` first: 0.3 ms, the regex 2
                return out
    return _JSON.encode(rlist).encode()


def _plain_float(value: object) -> float:
    if isinstance(value, float):  # a float subclass: JSON input's numbers (fidelity.JsonNumber)
        return float(value)
    raise TypeError


# No value holds itself (YAML's recursive aliases are refused, JSON has none): the encoder's
# check for cycles is 1 ms per 1,000 resources per step. Compact: 5 % less for the function to read.
_JSON = json.JSONEncoder(
    ensure_ascii=False, check_circular=False, separators=(",", ":"), allow_nan=False
)
_NULL = re.compile(rb"[:,\[]null")  # a null value in compact JSON (or a string holding one)
_ORJSON_FROM_ITEMS = 1000


def _not_json(step: Step, values: Sequence[dict[str, Any]]) -> str:
    """Which value a JSON function cannot be given, and where (`.nan`, `.inf`, `1e400`)."""
    sources: list[tuple[str, Any]] = [(describe(v), v) for v in values]
    sources.append(("functionConfig", step.config))
    found = _first_field(sources, _not_json_value)
    if found is None:
        return f"{step.label}: a value cannot be written as JSON"
    where, path, value = found
    if isinstance(value, str):
        return f"{step.label}: {where}: field {path}: {_SURROGATE}"
    written = ".nan" if math.isnan(value) else ("-.inf" if value < 0 else ".inf")
    return (
        f"{step.label}: {where}: field {path}: {written} cannot be given to a function that "
        "reads JSON (JSON has no NaN or infinity); quote it to give it as a string"
    )


_SURROGATE = (
    "a string holds a lone UTF-16 surrogate (a \\u escape of half a character), which is not text"
)
# How a lone surrogate gets in: JSON's `\ud800` (libyaml refuses YAML's). A prefilter: a pair
# and an escaped backslash before `ud800` match too, and the values then say.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _has_surrogate(value: Any) -> bool:
    return isinstance(value, str) and any("\ud800" <= c <= "\udfff" for c in value)


def _not_json_value(value: Any) -> bool:
    return (isinstance(value, float) and not math.isfinite(value)) or _has_surrogate(value)


def _first_field(
    sources: Sequence[tuple[str, Any]], wanted: Callable[[Any], bool]
) -> tuple[str, str, Any] | None:
    """The first value ``wanted`` picks, in text order: (its source, its field path, it)."""
    for where, root in sources:
        stack: list[tuple[str, Any]] = [("", root)]
        while stack:
            path, value = stack.pop()
            if wanted(value):
                return where, path[1:], value
            if isinstance(value, dict):  # reversed: the first in the text is looked at first
                for key in value:
                    if wanted(key):  # shown escaped: the key is the value that is not text
                        return where, f"{path}.{key!a}"[1:], key
                stack.extend(reversed([(f"{path}.{k}", v) for k, v in value.items()]))
            elif isinstance(value, list):
                stack.extend(reversed([(f"{path}[{i}]", v) for i, v in enumerate(value)]))
    return None


def _decode(step: Step, execution: Execution) -> dict[str, Any]:
    try:
        text = execution.stdout.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{step.label}: output is not UTF-8 (byte {error.start})") from None
    if not text.strip():
        raise InputError(f"{step.label}: wrote no ResourceList on stdout")
    try:
        value = textio.load_value(text, f"{step.label} output")
    except ValueError as error:
        raise InputError(str(error)) from None
    rlist = check_resource_list(value, f"{step.label} output")
    if _SURROGATE_ESCAPE.search(text):
        # Written out, half a character is not UTF-8; caught here, the function that wrote it
        # is named, also when it is the last step (nothing is written).
        found = _first_field([(describe(v), v) for v in rlist["items"]], _has_surrogate)
        if found is not None:
            where, path, _ = found
            raise InputError(f"{step.label} output: {where}: field {path}: {_SURROGATE}")
    return rlist


def _merge(
    all_items: list[Item], ids: list[str], selected: Sequence[int], output: list[dict[str, Any]]
) -> list[Item]:
    """Put the function's output where its input items were (by id); new items go last.

    ``ids`` are the items' ids as _ensure_ids gave them (the values have not changed since).
    """
    by_id: dict[str | None, int] = {ids[index]: index for index in selected}
    replaced: dict[int, Item] = {}
    new: list[Item] = []
    for value in output:
        index = by_id.get(_item_id(value))
        if index is None or index in replaced:
            new.append(Item(value))
        else:
            before = all_items[index]
            replaced[index] = Item(value, before.source, before.added_id, before.added_annotations)
    chosen = set(selected)
    merged = [
        replaced.get(index, item)
        for index, item in enumerate(all_items)
        if index not in chosen or index in replaced
    ]
    return merged + new


def selected_indexes(step: Step, items: Sequence[Item]) -> list[int]:
    """The indexes of the items the step's selectors and exclusions give its function."""
    chosen = select([item.value for item in items], step.selectors, step.exclude)
    return [index for index, keep in enumerate(chosen) if keep]


def run_step(
    engine: Engine,
    step: Step,
    items: list[Item],
    *,
    limits: Limits | None = None,
    sandbox: Sandbox | None = None,
    selected: Sequence[int] | None = None,
) -> tuple[list[Item], StepOutcome]:
    """Run one step; returns the new items (the old ones when it failed) and its outcome.

    ``selected``: the step's selected_indexes when the caller already has them.
    """
    if selected is None:
        selected = selected_indexes(step, items)
    ids = _ensure_ids(items)
    selected_items = [items[index] for index in selected]
    execution = execute(
        engine, step.function, _encode(step, selected_items), limits=limits, sandbox=sandbox
    )
    outcome = StepOutcome(step, execution)
    if execution.problem:
        outcome.error = f"{step.label}: {execution.problem}"
        return items, outcome
    if execution.component_error is not None:
        outcome.error = f"{step.label}: {execution.component_error}"
        return items, outcome
    try:
        output = _decode(step, execution)
    except InputError as error:
        if execution.exit_code:
            outcome.error = f"{step.label}: exited with code {execution.exit_code}"
            outcome.error_is_exit = True
        else:
            outcome.error = str(error)
        return items, outcome
    outcome.results = [r for r in output.get("results") or [] if isinstance(r, dict)]
    has_error = any(r.get("severity") == "error" for r in outcome.results)
    if execution.exit_code != 0:
        outcome.error = f"{step.label}: exited with code {execution.exit_code}"
        outcome.error_is_exit = True
        return items, outcome
    if has_error:
        outcome.error = f"{step.label}: reported an error result"
        outcome.error_is_exit = True
        return items, outcome
    if step.is_validator:
        return items, outcome  # validators see a copy and cannot change anything
    return _merge(items, ids, selected, output["items"]), outcome


def exit_code_of(outcomes: Sequence[StepOutcome]) -> int:
    """kpt's exit code for a run: 1 when any step failed, else 0."""
    return 1 if any(outcome.failed for outcome in outcomes) else 0


def run_pipeline(
    engine: Engine,
    steps: Sequence[Step],
    items: list[Item],
    *,
    limits: Limits | None = None,
    sandbox: Sandbox | None = None,
    on_start: Callable[[Step, int], object] = lambda step, count: None,
    on_done: Callable[[StepOutcome], object] = lambda outcome: None,
    prepare: Callable[[Step, list[Item]], Step] = lambda step, items: step,
) -> tuple[list[Item], list[StepOutcome]]:
    """Run ``steps`` in order; stop at the first failure (its outcome is the last one).

    ``prepare`` may replace a step just before it runs, seeing the items as they are then
    (render re-reads a configPath config from them, as kpt does). ``on_start`` is told how many
    items the step selected (eval prints it).
    """
    outcomes: list[StepOutcome] = []
    for step in steps:
        step = prepare(step, items)
        selected = selected_indexes(step, items)
        on_start(step, len(selected))
        items, outcome = run_step(
            engine, step, items, limits=limits, sandbox=sandbox, selected=selected
        )
        outcomes.append(outcome)
        on_done(outcome)
        if outcome.failed:
            break
    return items, outcomes
