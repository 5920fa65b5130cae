"""Bounds on what a YAML or JSON text may hold: nesting depth, and unique mapping keys.

Every consumer of a value (copies, diffs, JSON for the functions) recurses once or twice per level,
so a few hundred levels end in a RecursionError and, past libyaml's own 1,000, PyYAML's C composer
recursion was the next thing to break. go-yaml v3 (kpt) bounds nesting in its scanner, as libyaml
0.2.5 does; we use libyaml's bound with a smaller number. Duplicate keys are refused as go-yaml v3
refuses them: same kind, same text ("mapping key already defined").
"""

from __future__ import annotations

import ctypes
import json
import re
from itertools import accumulate
from typing import Any

import yaml
import yaml._yaml
from yaml.events import CollectionEndEvent, CollectionStartEvent
from yaml.nodes import MappingNode, ScalarNode

from ._gc import gc_paused

__all__ = [
    "MAX_NESTING",
    "DuplicateKeyError",
    "check_unique_keys",
    "check_yaml_nesting",
    "load_json",
    "refuse_constant",
    "unique_pairs",
]

# Levels of block indentation, and separately of flow collections ([ {), as libyaml counts them.
MAX_NESTING = 100


def _limit_libyaml(levels: int) -> bool:
    """Set libyaml's nesting bound (a process-wide setting of libyaml >= 0.2.5); False if absent."""
    try:
        library = ctypes.CDLL(yaml._yaml.__file__)
        library.yaml_set_max_nest_level(ctypes.c_int(levels))
    except (OSError, AttributeError):
        return False
    return True


LIBYAML_LIMITED = _limit_libyaml(MAX_NESTING)

# Characters that can open block levels at the start of a line: indentation and `- `, `? `, `: `.
_DEEP_PREFIX = re.compile(rf"^[ \t?:-]{{{MAX_NESTING // 2 - 1},}}", re.MULTILINE)


def check_yaml_nesting(text: str) -> None:
    """Refuse more than MAX_NESTING levels where libyaml cannot bound them itself.

    Needed only with a libyaml older than 0.2.5 (no bound: deep nesting crashes the composer).
    A cheap bound first (a block level starts no later than its line's indentation and `- `
    prefix, at most two levels per column; a flow level needs a bracket), the parser's events
    (iterative, linear) when that bound is not enough.

    Raises:
        yaml.MarkedYAMLError: too deep (the mark is where the level past the bound starts).
    """
    if LIBYAML_LIMITED:
        return
    flow = text.count("[") + text.count("{")
    if flow <= MAX_NESTING and not _DEEP_PREFIX.search(text):
        return
    depth = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > 2 * MAX_NESTING:  # what block and flow levels allow together
                mark: Any = event.start_mark
                raise yaml.scanner.ScannerError(
                    None, None, f"more than {2 * MAX_NESTING} levels of nesting", mark
                )
        elif isinstance(event, CollectionEndEvent):
            depth -= 1


class DuplicateKeyError(yaml.constructor.ConstructorError):
    """A mapping key written twice; first_line is the 0-based line of its first occurrence."""

    def __init__(self, key: str, first: ScalarNode, again: ScalarNode) -> None:
        super().__init__(None, None, f"duplicate key {json.dumps(key)}", again.start_mark)
        self.key = key
        self.first_line = first.start_mark.line


def check_unique_keys(node: MappingNode) -> None:
    """Raise DuplicateKeyError if two scalar keys of the mapping have the same text."""
    keys = [k.value for k, _ in node.value if type(k) is ScalarNode]
    if len(set(keys)) == len(keys):
        return
    seen: dict[str, ScalarNode] = {}
    for k, _ in node.value:
        if type(k) is ScalarNode:
            if k.value in seen:
                raise DuplicateKeyError(k.value, seen[k.value], k)
            seen[k.value] = k


# Bytes, not str: bytes.translate deletes in C and takes UTF-8 text's bytes with the rest.
_NOT_BRACKET_OR_QUOTE = bytes(c for c in range(256) if c not in b'[]{}"')
_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_BYTE_STEP = [0] * 256
_BYTE_STEP[ord("[")] = _BYTE_STEP[ord("{")] = 1
_BYTE_STEP[ord("]")] = _BYTE_STEP[ord("}")] = -1


def _json_depth_over(text: str, limit: int) -> int | None:
    """The offset where JSON nesting passes ``limit`` (brackets in strings skipped), or None."""
    if text.count("[") + text.count("{") <= limit:
        return None
    plain = text.replace("\\\\", "").replace('\\"', "") if "\\" in text else text
    kept = plain.encode("utf-8", "surrogatepass").translate(None, _NOT_BRACKET_OR_QUOTE)
    # Escapes gone, quotes alternate: every other piece is a string's content. Brackets after
    # an unclosed quote do not count (json stops at that string without nesting further).
    brackets = b"".join(kept.split(b'"')[::2])
    if not brackets or max(accumulate(map(_BYTE_STEP.__getitem__, brackets))) <= limit:
        return None
    depth = 0
    for m in _JSON_TOKENS.finditer(text):  # only for the error: where it passed the bound
        depth += _STEP.get(m.group(), 0)
        if depth > limit:
            return m.start()
    return None


def unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's dict (an object_pairs_hook); ValueError if a key repeats."""
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {json.dumps(key)}")
            seen.add(key)
    return value


def load_json(text: str, decoder: json.JSONDecoder | None = None) -> Any:
    """json.loads with the same bounds as YAML: MAX_NESTING levels, no duplicate keys.

    Raises:
        ValueError: invalid JSON, too deep or a duplicate key (json.JSONDecodeError has the line).
    """
    at = _json_depth_over(text, 2 * MAX_NESTING)
    if at is not None:
        raise json.JSONDecodeError(f"more than {2 * MAX_NESTING} levels of nesting", text, at)
    with gc_paused():  # millions of acyclic objects: see _gc
        return (decoder or _DECODER).decode(text)


def refuse_constant(name: str) -> Any:
    """A parse_constant: Python's json takes `NaN` and `Infinity`, which JSON does not have."""
    raise ValueError(f"{name} is not a JSON value (JSON has no NaN or infinity)")


_DECODER = json.JSONDecoder(object_pairs_hook=unique_pairs, parse_constant=refuse_constant)
