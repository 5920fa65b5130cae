"""Timing figures for the fidelity library (prints; asserts nothing). Run:

PYTHONPATH=. /tmp/devenv/bin/python tests/fidelity/bench_fidelity.py
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from runner.fidelity import (
    load_yaml_value,
    parse_yaml_stream,
    render_document,
    resource_list_yaml,
    update_document,
)

RL = "config.kubernetes.io/v1"  # the KRM spec's ResourceList apiVersion

CORPUS = Path(__file__).parent / "corpus"
DOCS = 200  # documents in the synthetic stream (bounded)


def timed(label: str, n: int, fn: Callable[[], Any]) -> None:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    per = (time.perf_counter() - start) / n
    print(f"{label:<58} {per * 1e3:8.3f} ms")


def main() -> None:
    helm = (CORPUS / "helm.yaml").read_text(encoding="utf-8")
    commented = (CORPUS / "commented.yaml").read_text(encoding="utf-8")
    one = parse_yaml_stream(helm).documents[2]
    lines = one.text.count("\n")
    stream_text = "\n".join([helm] * (DOCS // 4))
    n_docs = len(parse_yaml_stream(stream_text).documents)
    timed(
        f"parse_yaml_stream ({n_docs} docs, {len(stream_text)} chars)",
        5,
        lambda: parse_yaml_stream(stream_text),
    )
    timed(f"load_yaml_value (one {lines}-line doc)", 200, lambda: load_yaml_value(one.text))

    ids = {
        "internal.config.kubernetes.io/id": "12",
        "config.kubernetes.io/index": "3",
        "config.kubernetes.io/path": "helm.yaml",
    }
    annotated = copy.deepcopy(one.value)
    annotated["metadata"].setdefault("annotations", {}).update(ids)
    timed(
        f"update_document: add 3 annotations ({lines}-line doc)",
        500,
        lambda: update_document(one, annotated),
    )
    back = parse_yaml_stream(update_document(one, annotated)).documents[0]
    timed("update_document: remove them again", 500, lambda: update_document(back, one.value))
    timed("update_document: identity", 2000, lambda: update_document(one, one.value))

    doc = parse_yaml_stream(commented).documents[0]
    changed = copy.deepcopy(doc.value)
    c = changed["spec"]["template"]["spec"]["containers"]
    c[0]["image"] = "x:2"
    c.append({"name": "new", "image": "y"})
    del changed["spec"]["replicas"]
    timed(
        "update_document: general edit (commented.yaml)", 300, lambda: update_document(doc, changed)
    )
    timed("render_document (new doc)", 500, lambda: render_document(one.value))
    texts = [d.text for d in parse_yaml_stream(stream_text).documents]
    timed(
        f"resource_list_yaml ({len(texts)} items)",
        20,
        lambda: resource_list_yaml(texts, None, api_version=RL),
    )


if __name__ == "__main__":
    main()
