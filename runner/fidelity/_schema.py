"""Value typing: go-yaml v3's reading of YAML (what kpt's kyaml sees), on PyYAML's C parser.

PyYAML resolves plain scalars with YAML 1.1 rules (`yes` is a bool, `1_0` an int, timestamps
become datetimes). kpt reads YAML with go-yaml v3, which is YAML 1.2 core schema for booleans and
nulls but still reads `0777` as the octal int 511 and strips `_` from numbers (its resolve.go says
"Octals from the 1.1 spec, spelled as 0777, are still decoded by default in v3 as well for
compatibility"). We follow go-yaml v3 so a value means the same thing here as in kpt.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ._bounds import check_unique_keys

__all__ = [
    "FidelityLoader",
    "canonical_key",
    "construct_value",
    "load_yaml_value",
    "resolves_as_non_string",
    "same_value",
]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"

_NULL_RE = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
# Candidates only: the constructor applies Go's strconv rules (underscores stripped first).
_INT_RE = re.compile(r"^[-+]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9_]+)$")
_FLOAT_RE = re.compile(
    r"^(?:[-+]?(?:\.[0-9_]+|[0-9_]+(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9_]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
# go-yaml's yamlStyleFloat, applied after removing underscores.
_GO_FLOAT_RE = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_DIGITS_AND_SIGN = "-+0123456789"


def _go_int(text: str) -> int | None:
    """strconv.ParseInt(text, 0, 64) / ParseUint: base prefixes, and a leading 0 means octal."""
    s = text.replace("_", "")
    sign = 1
    if s[:1] in ("+", "-"):  # not `in "+-"`: the empty string is in every string
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    if not s:
        return None
    try:
        low = s[:2].lower()
        if low == "0x":
            n = int(s[2:], 16)
        elif low == "0o":
            n = int(s[2:], 8)
        elif low == "0b":
            n = int(s[2:], 2)
        elif len(s) > 1 and s[0] == "0":
            n = int(s[1:], 8)
        else:
            n = int(s, 10)
    except ValueError:
        return None
    n *= sign
    if -(2**63) <= n < 2**64:
        return n
    return None


def _go_float(text: str) -> float | None:
    lowered = text.lower()
    if lowered in (".inf", "+.inf"):
        return math.inf
    if lowered == "-.inf":
        return -math.inf
    if lowered == ".nan":
        return math.nan
    s = text.replace("_", "")
    if _GO_FLOAT_RE.match(s):
        return float(s)
    return None


def _number(text: str) -> int | float | str:
    """What go-yaml v3 makes of a plain number-looking scalar (the string itself if nothing)."""
    n = _go_int(text)
    if n is not None:
        return n
    f = _go_float(text)
    if f is not None:
        return f
    return text


class FidelityLoader(yaml.CSafeLoader):
    """CSafeLoader with go-yaml v3 implicit typing and tolerance for unknown tags."""

    # A fresh table: add_implicit_resolver copies the inherited 1.1 table otherwise.
    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML declares it so

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._keys_checked: set[int] = set()

    def resolve(self, kind: type[Node], value: str, implicit: tuple[bool, bool]) -> str:
        # PyYAML's, less what we never use (path and wildcard resolvers): the C composer calls
        # it for every node.
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in _IMPLICIT.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return _STR
        return _SEQ if kind is SequenceNode else _MAP

    def flatten_mapping(self, node: MappingNode) -> None:
        # Every mapping passes here once before `<<` merges add keys to it (which may repeat).
        if id(node) not in self._keys_checked:
            self._keys_checked.add(id(node))
            check_unique_keys(node)
        super().flatten_mapping(node)


for _tag, _regexp, _first in (
    (_NULL, _NULL_RE, ["~", "n", "N", ""]),
    (_BOOL, _BOOL_RE, list("tTfF")),
    (_INT, _INT_RE, list(_DIGITS_AND_SIGN)),
    (_FLOAT, _FLOAT_RE, [*_DIGITS_AND_SIGN, "."]),
    (_MERGE, re.compile(r"^(?:<<)$"), ["<"]),
):
    FidelityLoader.add_implicit_resolver(_tag, _regexp, _first)
_IMPLICIT: dict[str, list[tuple[str, re.Pattern[str]]]] = FidelityLoader.yaml_implicit_resolvers
assert None not in _IMPLICIT and not FidelityLoader.yaml_path_resolvers  # what resolve leaves out


def _construct_number(loader: yaml.SafeLoader, node: Node) -> Any:
    # construct_scalar refuses a collection tagged so (`!!int [1]`), naming where it is.
    return _number(loader.construct_scalar(node))  # type: ignore[arg-type]


def _construct_unknown(loader: yaml.SafeLoader, suffix: str, node: Node) -> Any:
    # go-yaml keeps custom-tagged nodes as their plain content; do the same instead of failing.
    if isinstance(node, MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


def _construct_timestamp_as_str(loader: yaml.SafeLoader, node: Node) -> Any:
    return loader.construct_scalar(node)  # type: ignore[arg-type]


def _construct_bool(loader: yaml.SafeLoader, node: Node) -> Any:
    text = loader.construct_scalar(node)  # type: ignore[arg-type]
    return _BOOLS.get(text.lower(), text)  # `!!bool maybe`: its text, as `!!int x` is


# YAML 1.1's collection and binary types are not go-yaml v3's: it reads a `!!set` as the
# mapping it is written as and `!!omap`/`!!pairs` as the sequence (checked with v3.0.4). It
# decodes `!!binary` into its bytes; we keep the base64 text, which is text whatever the bytes
# are. PyYAML's own give a set, tuples and bytes, which no JSON or diff of ours can hold.
def _construct_as_written(loader: yaml.SafeLoader, node: Node) -> Any:
    return _construct_unknown(loader, "", node)


FidelityLoader.add_constructor(_INT, _construct_number)
FidelityLoader.add_constructor(_FLOAT, _construct_number)
FidelityLoader.add_constructor(_BOOL, _construct_bool)
FidelityLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_as_str)
for _yaml11_tag in ("binary", "set", "omap", "pairs"):
    FidelityLoader.add_constructor(f"tag:yaml.org,2002:{_yaml11_tag}", _construct_as_written)
FidelityLoader.add_multi_constructor("", _construct_unknown)


def load_yaml_value(text: str) -> Any:
    """Load one YAML document with go-yaml v3 typing (`yes` is a string, `0777` is 511).

    Raises yaml.YAMLError for invalid YAML or more than one document.
    """
    loader = FidelityLoader(text)
    try:
        node = loader.get_single_node()
        return construct_value(loader, node, shares_nodes="&" in text)
    finally:
        loader.dispose()


_BOOLS = yaml.constructor.SafeConstructor.bool_values


class _Unusual(Exception):
    """A tag or shape the fast constructor leaves to PyYAML's."""


def _scalar(node: ScalarNode) -> Any:
    tag = node.tag
    if tag == _STR:
        return node.value
    if tag in (_INT, _FLOAT):
        return _number(node.value)
    if tag == _NULL:
        return None
    if tag == _BOOL and node.value.lower() in _BOOLS:
        return _BOOLS[node.value.lower()]
    raise _Unusual


def _fast_value(root: Node) -> Any:
    """The value of a tree of plain maps, sequences and core scalars, built without recursion.

    What FidelityLoader.construct_document gives for such a tree (its per-node bookkeeping
    was half the parse); anything else (merge keys, other tags, unhashable keys) is _Unusual.
    """
    if type(root) is ScalarNode:
        return _scalar(root)
    out: Any = {} if type(root) is MappingNode else []
    stack: list[tuple[Node, Any]] = [(root, out)]
    while stack:
        node, target = stack.pop()
        if type(node) is MappingNode:
            if node.tag != _MAP:
                raise _Unusual
            for k, v in node.value:
                if type(k) is not ScalarNode:
                    raise _Unusual
                key = k.value if k.tag == _STR else _scalar(k)  # most scalars are strings
                if type(v) is ScalarNode:
                    target[key] = v.value if v.tag == _STR else _scalar(v)
                else:
                    child: Any = {} if type(v) is MappingNode else []
                    target[key] = child
                    stack.append((v, child))
            if len(target) != len(node.value):  # a key twice (or two spellings of one value)
                check_unique_keys(node)
        elif type(node) is SequenceNode:
            if node.tag != _SEQ:
                raise _Unusual
            for v in node.value:
                if type(v) is ScalarNode:
                    target.append(v.value if v.tag == _STR else _scalar(v))
                else:
                    child = {} if type(v) is MappingNode else []
                    target.append(child)
                    stack.append((v, child))
        else:
            raise _Unusual
    return out


def construct_value(loader: FidelityLoader, node: Node | None, *, shares_nodes: bool) -> Any:
    """The document's value: the fast constructor, PyYAML's where the tree is unusual.

    A tree that may share nodes (anchors) always goes to PyYAML's, which shares the values too.
    """
    if node is None:
        return None
    if not shares_nodes:
        try:
            return _fast_value(node)
        except _Unusual:
            pass
    return loader.construct_document(node)


_resolver11 = yaml.resolver.Resolver()
_probe = FidelityLoader("")


def resolves_as_non_string(text: str) -> bool:
    """True if `text` written plain would not read back as that string (go-yaml v3 or YAML 1.1).

    New strings are quoted when either reading would type them, as go-yaml v3's encoder does for
    old YAML 1.1 booleans like `yes`, so that no reader of the output gets a surprise.
    """
    if _resolver11.resolve(ScalarNode, text, (True, False)) != _STR:  # type: ignore[no-untyped-call]
        return True
    tag = _probe.resolve(ScalarNode, text, (True, False))
    if tag == _STR:
        return False
    if tag in (_INT, _FLOAT):
        return not isinstance(_number(text), str)
    return True


def same_value(a: Any, b: Any) -> bool:
    """Type-strict equality of JSON-like values.

    Strings, booleans, null and numbers are told apart (`1` vs `"1"` vs `true` differ); ints and
    floats compare by number (`1` equals `1.0`: JSON does not tell them apart). NaN equals NaN.
    """
    if a is b:
        return True
    ta, tb = type(a), type(b)
    if ta is dict or isinstance(a, dict):
        if not isinstance(b, dict) or len(a) != len(b):
            return False
        return all(k in b and same_value(va, b[k]) for k, va in a.items())
    if isinstance(a, list):
        if not isinstance(b, list) or len(a) != len(b):
            return False
        return all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, str):
        return isinstance(b, str) and a == b
    if isinstance(a, bool) or isinstance(b, bool):
        return ta is tb and a == b
    if isinstance(a, int | float):
        if not isinstance(b, int | float):
            return False
        if a != a and b != b:  # both NaN
            return True
        return bool(a == b)
    if a is None or b is None:
        return a is None and b is None
    return bool(ta is tb and a == b)


def canonical_key(value: Any) -> str:
    """A hashable text that is equal for values that are same_value (used to diff lists)."""
    if isinstance(value, dict):
        inner = ",".join(
            f"{canonical_key(k)}:{canonical_key(v)}" for k, v in sorted(value.items(), key=_kstr)
        )
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ",".join(canonical_key(v) for v in value) + "]"
    if isinstance(value, bool):
        return "b" + str(value)
    if isinstance(value, int | float):
        if value != value:
            return "nnan"
        if isinstance(value, float) and value.is_integer():
            return "n" + str(int(value))
        return "n" + repr(value)
    if isinstance(value, str):
        return "s" + repr(value)
    return "o" + repr(value)


def _kstr(item: tuple[Any, Any]) -> str:
    return repr(item[0])
