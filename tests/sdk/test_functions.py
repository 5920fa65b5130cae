"""Every functions-py/*/testdata case, run natively through the SDK (no wasm).

The runner's tests run the same cases against the built components; this one keeps the
Python functions honest without a build. A function whose metadata.yaml says ``input: yaml``
gets the ResourceList as YAML, composed from the case's text (comments included), as the
runner sends it; the others get JSON. Results are compared without ``file``: the runner's
path annotations fill it, and there are none here.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from runner.krm import text as textio
from sdk import Function

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted(ROOT.glob("functions-py/*/testdata/*/resources.yaml"))


def load_function(directory: Path) -> Function[object]:
    spec = importlib.util.spec_from_file_location(f"fn_{directory.name}", directory / "main.py")
    assert spec is not None and spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through it
    sys.path.insert(0, str(directory))  # its sibling modules, as the build puts them beside it
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(directory))
    functions = [v for v in vars(module).values() if isinstance(v, Function)]
    assert len(functions) == 1, f"{directory}/main.py declares {len(functions)} functions"
    return functions[0]


def test_there_are_cases() -> None:
    assert CASES, "no functions-py/*/testdata/*/resources.yaml found"


@pytest.mark.parametrize("resources", CASES, ids=lambda p: f"{p.parts[-4]}/{p.parts[-2]}")
def test_case(resources: Path) -> None:
    case = resources.parent
    fn = load_function(case.parent.parent)
    meta = yaml.safe_load((case.parent.parent / "metadata.yaml").read_text())
    config = (
        yaml.safe_load((case / "fn-config.yaml").read_text())
        if (case / "fn-config.yaml").exists()
        else None
    )
    if meta.get("input") == "yaml":
        stream = textio.parse_stream(resources.read_text(), str(resources))
        sources = [doc.text for doc in stream.documents if doc.value is not None]
        output, code = fn.run(textio.resource_list_text(sources, config))
        out = yaml.safe_load(output)
    else:
        rl = {
            "apiVersion": "config.kubernetes.io/v1",
            "kind": "ResourceList",
            "items": [d for d in yaml.safe_load_all(resources.read_text()) if d is not None],
        }
        if config is not None:
            rl["functionConfig"] = config
        output, code = fn.run(json.dumps(rl))
        out = json.loads(output)
    want_code = (
        int((case / "expected-exit-code").read_text())
        if (case / "expected-exit-code").exists()
        else 0
    )
    assert code == want_code, out.get("results")
    if (case / "expected.yaml").exists():
        want = [d for d in yaml.safe_load_all((case / "expected.yaml").read_text()) if d]
        assert out["items"] == want
    if (case / "expected-results.yaml").exists():
        want_results = yaml.safe_load((case / "expected-results.yaml").read_text())
        assert _without_file(out.get("results")) == _without_file(want_results)


def _without_file(results: list[dict[str, object]] | None) -> list[dict[str, object]]:
    return [{k: v for k, v in r.items() if k != "file"} for r in results or []]
