"""Every functions-py/*/testdata case, run natively through the SDK (no wasm).

The runner's tests run the same cases against the built components; this one keeps the
Python functions honest without a build.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

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
    rl = {
        "apiVersion": "config.kubernetes.io/v1",
        "kind": "ResourceList",
        "items": [d for d in yaml.safe_load_all(resources.read_text()) if d is not None],
    }
    if (case / "fn-config.yaml").exists():
        rl["functionConfig"] = yaml.safe_load((case / "fn-config.yaml").read_text())
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
        assert out.get("results") == yaml.safe_load((case / "expected-results.yaml").read_text())
