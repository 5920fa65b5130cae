"""What ``input: yaml`` costs a Python function: build time, component size, call time.

Builds functions-py/set-namespace twice into a temporary directory, as it is (``input: json``)
and with ``input: yaml`` (the builder then bundles ruamel.yaml), then calls each on N resources
in the format it declares, and calls the apply-setters builds (ours and kpt's) on N resources
carrying setter comments. Prints a table; asserts nothing (docs/sdk.md has the last figures).

Usage: ``python benchmarks/py_yaml.py [--resources N] [--componentize-py PATH]`` (by default
the componentize-py of ``.nox/build-py``, where ``nox -s build-py`` installs it with ruamel.yaml).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from buildtools import common, python  # noqa: E402  (needs ROOT on sys.path)
from runner.krm import text as textio  # noqa: E402
from runner.wasm.engine import Engine  # noqa: E402
from runner.wasm.execute import execute  # noqa: E402

DIST = ROOT / "dist" / "functions"


def _median_ms(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _document(i: int) -> str:
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
        f"  name: app-{i} # kpt-set: ${{app}}-{i}\n"
        f"  labels:\n    app: app-{i} # the app\nspec:\n  replicas: 2 # kpt-set: ${{replicas}}\n"
        f"  template:\n    spec:\n      containers:\n      - name: app\n"
        f"        image: registry/app:{i} # kpt-set: registry/app:${{tag}}\n"
        f"        args: # kpt-set: ${{args}}\n        - --verbose\n"
    )


def _config(data: dict[str, str]) -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": data}


def _yaml_list(count: int, data: dict[str, str]) -> bytes:
    sources = [_document(i) for i in range(count)]
    return textio.resource_list_text(sources, _config(data)).encode()


def _json_list(count: int, data: dict[str, str]) -> bytes:
    items = [textio.load_value(_document(i)) for i in range(count)]
    value = {
        "apiVersion": "config.kubernetes.io/v1",
        "kind": "ResourceList",
        "items": items,
        "functionConfig": _config(data),
    }
    return json.dumps(value).encode()


def _build(toolchain: common.Toolchain, out_dir: Path, input_format: str) -> tuple[Path, float]:
    directory = out_dir / "functions-py" / f"set-namespace-{input_format}"
    shutil.copytree(ROOT / "functions-py" / "set-namespace", directory, ignore=_no_testdata)
    source = common.FunctionSource(directory.name, "py", directory, input_format=input_format)
    out = out_dir / f"{directory.name}.py.wasm"
    started = time.perf_counter()
    python.compile(source, out, toolchain)
    elapsed = time.perf_counter() - started
    common.append_custom_section(out, "krm-function", common.metadata_payload(source, toolchain))
    return out, elapsed


def _no_testdata(directory: str, names: list[str]) -> list[str]:
    return [name for name in names if name in ("testdata", "__pycache__")]


def _call(engine: Engine, path: Path, stdin: bytes) -> tuple[float, float]:
    started = time.perf_counter()
    function = engine.load(path)
    load_ms = (time.perf_counter() - started) * 1000
    execution = execute(engine, function, stdin)
    if execution.exit_code != 0:
        stderr = execution.stderr[-2000:]
        raise SystemExit(f"{path.name}: exit code {execution.exit_code}: {stderr!r}")
    return load_ms, _median_ms(lambda: execute(engine, function, stdin), 5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--resources", type=int, default=1000)
    default = ROOT / ".nox" / "build-py" / "bin" / "componentize-py"
    parser.add_argument("--componentize-py", type=Path, default=default)
    parser.add_argument("--no-build", action="store_true", help="call apply-setters only")
    args = parser.parse_args()
    toolchain = python.toolchain_for(args.componentize_py)
    namespace = {"namespace": "prod"}
    setters = {"app": "shop", "replicas": "3", "tag": "2.0", "args": "[--port, '80']"}
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        cache.mkdir(mode=0o700)
        engine = Engine(cache)
        print(f"{'function':34} {'build':>8} {'size':>10} {'compile':>9} {'call':>9}")
        builds = [] if args.no_build else [
            ("json", _json_list(args.resources, namespace)),
            ("yaml", _yaml_list(args.resources, namespace)),
        ]
        for input_format, stdin in builds:
            out, build_s = _build(toolchain, Path(tmp), input_format)
            compile_ms, call_ms = _call(engine, out, stdin)
            size = out.stat().st_size / 1e6
            print(
                f"{'set-namespace, input: ' + input_format:34} {build_s:>7.1f}s {size:>8.2f}MB "
                f"{compile_ms / 1000:>8.1f}s {call_ms:>7.0f}ms"
            )
        for name in ("apply-setters.py.wasm", "apply-setters.kpt-v0.2.0.wasm",
                     "apply-setters.go.wasm"):  # fmt: skip
            path = DIST / name
            if not path.exists():
                continue
            compile_ms, call_ms = _call(engine, path, _yaml_list(args.resources, setters))
            size = path.stat().st_size / 1e6
            print(f"{name:34} {'':>8} {size:>8.2f}MB {compile_ms / 1000:>8.1f}s {call_ms:>7.0f}ms")
    print(f"{args.resources} resources per call; call = median of 5, compile = first load")


if __name__ == "__main__":
    main()
