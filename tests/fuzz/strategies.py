"""Generated KRM documents and hostile text for the property tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

# Strings that YAML readers like to retype or that need quoting: each must survive a round trip.
TRICKY = [
    "",
    " ",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "true",
    "False",
    "null",
    "~",
    "0777",
    "0x1F",
    "1e3",
    "1_000",
    ".inf",
    "-.nan",
    "12:30:00",
    "2001-12-14",
    "a: b",
    "- a",
    "#x",
    "x #y",
    "'q'",
    '"q"',
    "{a}",
    "[a]",
    "&a",
    "*a",
    "!tag",
    "%x",
    "@x",
    "`x",
    "|",
    ">",
    "a\nb",
    "a\tb",
    "\u00e9",
    "\u2028",
    "\ufeff",
    "multi\nline\n",
    " lead",
    "trail ",
    "---",
    "...",
    "<<",
]

_text = st.one_of(st.sampled_from(TRICKY), st.text(max_size=20))
_key = st.one_of(
    st.sampled_from(TRICKY[2:]), st.from_regex(r"[a-zA-Z][a-zA-Z0-9._/-]{0,15}", fullmatch=True)
)
_scalar = st.one_of(
    _text,
    st.integers(min_value=-(2**53), max_value=2**53),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
)
values: st.SearchStrategy[Any] = st.recursive(
    _scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_key, inner, max_size=4)),
    max_leaves=20,
)
_name = st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)


@st.composite
def krm_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A KRM resource: apiVersion, kind, metadata (name, labels, annotations) and any data."""
    metadata: dict[str, Any] = {"name": draw(_name)}
    if draw(st.booleans()):
        metadata["labels"] = draw(st.dictionaries(_key, _text, max_size=3))
    if draw(st.booleans()):
        annotations = draw(st.dictionaries(_key, _text, max_size=3))
        metadata["annotations"] = {k: v for k, v in annotations.items() if "kubernetes.io" not in k}
    document: dict[str, Any] = {
        "apiVersion": draw(st.sampled_from(["v1", "apps/v1", "example.com/v1beta1"])),
        "kind": draw(st.sampled_from(["ConfigMap", "Deployment", "Thing"])),
        "metadata": metadata,
    }
    for key in draw(st.lists(_key, max_size=3, unique=True)):
        if key not in document:
            document[key] = draw(values)
    return document


# Pieces of YAML that random characters seldom spell: tags (YAML 1.1's among them), anchors and
# aliases, merge keys, special floats. Joined at random they make `a: &x [*x]`, `!!int [1]`.
_FRAGMENTS = [
    "a: ", "b: ", "? ", "- ", "<<: ", "\n", "\n  ", "\n- ", "[", "]", "{", "}", ", ",
    "&x ", "*x", "&y ", "*y", "!!binary ", "!!set ", "!!omap ", "!!pairs ", "!!int ",
    "!!float ", "!!bool ", "!!null ", "!!str ", "!!timestamp ", "!!map ", "!!seq ", "!!merge ",
    "!x ", "1", "0x1F", ".nan", "-.inf", "1e400", "aGk=", "maybe", "2001-12-14", "~", "'q'",
    '"\\ud800"', "---\n", "# c\n",
]  # fmt: skip
yaml_text = st.one_of(
    st.text(alphabet=st.sampled_from(list(":-?[]{},&*!|>'\"%@`#\n \t.aZ0~\\")), max_size=200),
    st.text(max_size=200),
    st.lists(st.sampled_from(_FRAGMENTS), max_size=30).map("".join),
)
raw_bytes = st.binary(max_size=300)


_path_text = st.one_of(
    st.sampled_from(
        [
            "Kptfile",
            "../x.yaml",
            "/etc/x.yaml",
            ".git/x.yaml",
            "a/../../x.yaml",
            "x.txt",
            "a\0b.yaml",
        ]
    ),
    st.text(max_size=300),
    st.from_regex(r"([a-z.]{1,300}/){0,40}[a-z]{1,20}\.ya?ml", fullmatch=True),
)
_odd_key = st.one_of(_key, st.integers(-5, 5), st.booleans(), st.none())


@st.composite
def hostile_outputs(draw: st.DrawFn) -> dict[str, Any]:
    """A ResourceList value as a hostile function might return it: odd paths, keys and types."""
    items: list[Any] = []
    for document in draw(st.lists(krm_documents(), max_size=4)):
        annotations: dict[Any, Any] = {}
        if draw(st.booleans()):
            annotations["internal.config.kubernetes.io/path"] = draw(_path_text)
        if draw(st.booleans()):
            annotations["internal.config.kubernetes.io/index"] = draw(
                st.one_of(st.integers(-3, 5), st.text(max_size=5))
            )
        annotations.update(draw(st.dictionaries(_odd_key, values, max_size=2)))
        document["metadata"]["annotations"] = annotations
        if draw(st.booleans()):
            document["metadata"]["labels"] = draw(st.dictionaries(_odd_key, values, max_size=2))
        items.append(
            draw(st.one_of(st.just(document), values)) if draw(st.booleans()) else document
        )
    output: dict[str, Any] = {"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList"}
    output["items"] = items
    if draw(st.booleans()):
        output["results"] = draw(st.one_of(values, st.lists(st.dictionaries(_key, values))))
    return output
