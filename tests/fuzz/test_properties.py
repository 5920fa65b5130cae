"""Property tests of the package reader/writer, the fidelity layer and every untrusted text input.

Generated KRM documents are read and written back unchanged; random bytes and random YAML as a
package file, as stdin and as a function's output give a RunnerError or a correct result, never
another exception or a hang. ``nox -s fuzz`` runs the long profile (tests/fuzz/conftest.py).
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import wasmtime
import yaml
from hypothesis import given
from hypothesis import strategies as st

from runner import fidelity
from runner.errors import RunnerError
from runner.kpt.package import read_package
from runner.kpt.package_write import plan_writes
from runner.krm import text as textio
from runner.pipeline.on_text import stream_items
from runner.pipeline.run import Item, Step, run_step
from runner.wasm.engine import Engine
from runner.wasm.execute import Limits
from tests import wat_modules
from tests.fuzz.conftest import no_hang
from tests.fuzz.strategies import hostile_outputs, krm_documents, raw_bytes, yaml_text

KPTFILE = "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: pkg\n"


def _package(files: dict[str, str | bytes]) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "Kptfile").write_text(KPTFILE)
        for name, text in files.items():
            path = root / name
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(text, newline="")
        yield root


def _round_trip(root: Path) -> None:
    """Reading the package and writing back what was read changes no file."""
    package = read_package(root)
    values = [textio.copy_value(resource.value) for resource in package.resources]
    plan = plan_writes(package, values)
    for relpath, text in plan.items():
        assert text is not None, relpath
        assert text.encode() == (root / relpath).read_bytes(), relpath


@given(krm_documents())
def test_a_rendered_document_reads_back_as_its_value(value: dict[str, Any]) -> None:
    with no_hang():
        text = fidelity.render_document(value)
        stream = fidelity.parse_yaml_stream(text, "generated.yaml")
        [document] = [doc for doc in stream.documents if doc.value is not None]
        assert fidelity.same_value(document.value, value), text
        assert fidelity.update_document(document, value) == document.text


@given(st.lists(krm_documents(), min_size=1, max_size=5), st.integers(1, 3), st.booleans())
def test_a_package_is_written_back_unchanged(
    values: list[dict[str, Any]], file_count: int, crlf: bool
) -> None:
    newline = "\r\n" if crlf else "\n"
    files: dict[str, list[str]] = {}
    for number, value in enumerate(values):
        files.setdefault(f"f{number % file_count}.yaml", []).append(
            fidelity.render_document(value, None, newline)
        )
    texts: dict[str, str | bytes] = {
        name: fidelity.join_documents(docs, newline) for name, docs in files.items()
    }
    with no_hang():
        for root in _package(texts):
            package = read_package(root)
            assert len(package.resources) == len(values)
            _round_trip(root)


def _json_like(value: Any) -> bool:
    """Only what JSON holds (and a function can be given): no bytes, sets or tuples."""
    if isinstance(value, dict):
        return all(isinstance(k, str) for k in value) and all(map(_json_like, value.values()))
    if isinstance(value, list):
        return all(map(_json_like, value))
    return value is None or isinstance(value, str | int | float)


def _reads_or_refuses(data: str | bytes) -> None:
    for root in _package({"x.yaml": data}):
        try:
            package = read_package(root)
        except RunnerError:
            return
        for resource in package.resources:
            assert _json_like(resource.value), resource.value
        _round_trip(root)  # what was read is written back byte for byte


@given(raw_bytes)
def test_random_bytes_as_a_package_file(data: bytes) -> None:
    with no_hang():
        _reads_or_refuses(data)


@given(yaml_text)
def test_random_yaml_as_a_package_file(text: str) -> None:
    with no_hang():
        _reads_or_refuses(text)


@given(st.one_of(yaml_text, raw_bytes.map(lambda b: b.decode("utf-8", "replace"))))
def test_random_text_as_stdin(text: str) -> None:
    # What `eval -` and `fn sink` do with stdin: a ResourceList, or a stream of resources.
    with no_hang():
        with contextlib.suppress(RunnerError):
            textio.parse_resource_list(text, "<stdin>")
        with contextlib.suppress(RunnerError):
            stream_items(text, "<stdin>")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(use_cache=False)


def _yaml_bytes(value: Any) -> bytes:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False).encode()


@given(
    st.one_of(
        raw_bytes,
        yaml_text.map(str.encode),
        hostile_outputs().map(_yaml_bytes),
        hostile_outputs().map(lambda value: json.dumps(value, default=str).encode()),
    )
)
def test_random_output_of_a_function(engine: Engine, data: bytes) -> None:
    for root in _package({"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"}):
        wasm = root / "fn.wasm"
        wasm.write_bytes(wasmtime.wat2wasm(wat_modules.writes_bytes(data)))
        package = read_package(root)
        items = [Item(textio.copy_value(r.value), r.document) for r in package.resources]
        with no_hang():
            step = Step(engine.load(wasm), label="fn")
            output, outcome = run_step(engine, step, items, limits=Limits(timeout_seconds=10))
            if outcome.error is not None:
                assert outcome.error.startswith("fn"), outcome.error
                return
            with contextlib.suppress(RunnerError):
                plan_writes(package, [item.value for item in output])
