"""Fidelity: users' YAML comes back as they wrote it, except for what functions changed.

KRM functions read and write values with plain JSON/YAML libraries that drop comments and may
reorder keys. The runner keeps each document's original text and, after the functions ran,
writes the original text back for unchanged documents and a minimal edit of it for changed ones.

API:
    parse_yaml_stream(text, source) -> YamlStream      documents (exact text + value), trailer,
                                                        newline, indent Style
    load_yaml_value(text) -> Any                        one document, go-yaml v3 typing
    load_yaml_document(text, source) -> Any             the same with the stream's bounds and
                                                        located YamlSyntaxErrors
    load_json(text) -> Any                              json.loads with the same bounds
    update_document(doc, new_value, style) -> str       doc.text if unchanged, else a minimal edit
    render_document(value, style) -> str                a new document, kpt style, no separator
    join_documents(texts, newline) -> str               a stream, `---` added where missing
    resource_list_yaml(item_texts, fn_config_text, api_version=)  a ResourceList keeping items'
                                                        comments
    split_resource_list_items(rl_doc)                   its items as Documents (or None)
    parse_json_resource_list(text) -> JsonResourceList  value + item spans + indent
    render_json_resource_list(original, new_value)      key order, number text, unchanged items kept
    same_value(a, b)                                    the type-strict equality used throughout
    copy_value(value)                                   a fast deep copy of a JSON-like value
    written_texts(doc)                                  its value with scalars as written (`1.10`)
    gc_paused()                                         a block without the cyclic collector

Invariants: ''.join(d.text for d in stream.documents) + stream.trailer == text;
update_document(doc, doc.original_value) == doc.text; load_yaml_value(update_document(doc, v))
== v. Edits are diffed against doc.original_value (the parsed value, which nothing changes);
doc.value is the callers' copy, made on first use, which they may change in place and pass back.
Typing follows go-yaml v3 (kpt): `yes`/`on`/`NO` are strings, `0777` is the int 511, `1.10` a
float, `"1.10"` a string; see docs/fidelity.md.
"""

from ._bounds import MAX_NESTING, load_json
from ._edit import update_document
from ._emit import render_document
from ._gc import gc_paused
from ._json import JsonNumber, JsonResourceList, parse_json_resource_list, render_json_resource_list
from ._model import Document, Style, YamlStream, YamlSyntaxError, copy_value
from ._rlist import resource_list_yaml, split_resource_list_items
from ._schema import load_yaml_value, same_value
from ._stream import join_documents, load_yaml_document, parse_yaml_stream
from ._written import written_texts

__all__ = [
    "MAX_NESTING",
    "Document",
    "JsonNumber",
    "JsonResourceList",
    "Style",
    "YamlStream",
    "YamlSyntaxError",
    "copy_value",
    "gc_paused",
    "join_documents",
    "load_json",
    "load_yaml_document",
    "load_yaml_value",
    "parse_json_resource_list",
    "parse_yaml_stream",
    "render_document",
    "render_json_resource_list",
    "resource_list_yaml",
    "same_value",
    "split_resource_list_items",
    "update_document",
    "written_texts",
]
