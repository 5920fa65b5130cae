"""config_as_written: a ConfigMap functionConfig's data as kpt's functions read it."""

from __future__ import annotations

from runner.krm import text as textio

CONFIG = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fn\n"
    "data:\n  version: 1.10\n  on: true\n  n: 010\n  none: ~\n  word: yes\n"
)


def _doc(text: str) -> textio.Document:
    (doc,) = textio.parse_stream(text, "fn.yaml").documents
    return doc


def test_scalars_that_are_not_strings_become_their_text() -> None:
    doc = _doc(CONFIG)
    written = textio.config_as_written(doc.value, doc)
    assert written["data"] == {
        "version": "1.10",
        "on": "true",
        "n": "010",
        "none": None,
        "word": "yes",
    }
    assert doc.original_value["data"]["version"] == 1.1  # the parsed value is left alone


def test_a_config_that_changed_since_it_was_read_keeps_its_values() -> None:
    doc = _doc(CONFIG)
    value = doc.value
    value["data"]["version"] = 2.5  # a function rewrote it: its text is not the file's
    assert textio.config_as_written(value, doc)["data"]["version"] == 2.5


def test_other_kinds_keep_their_types() -> None:
    doc = _doc(CONFIG.replace("kind: ConfigMap", "kind: SetNamespace"))
    assert textio.config_as_written(doc.value, doc)["data"]["version"] == 1.1


def test_a_config_inside_a_resource_list_is_found_by_path() -> None:
    rl = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n"
    rl += "".join(f"  {line}\n" for line in CONFIG.splitlines())
    doc = _doc(rl)
    config = textio.config_as_written(doc.value["functionConfig"], doc, ("functionConfig",))
    assert config["data"]["version"] == "1.10"
