"""Figures for the built functions: compile vs cached load, one call on N resources, end to end.

Prints a table; asserts nothing (speed targets live here, not in unit tests).
Usage: ``nox -s bench`` or ``python benchmarks/bench.py [--resources N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runner.wasm.engine import Engine  # noqa: E402  (needs ROOT on sys.path)
from runner.wasm.execute import execute  # noqa: E402

DIST = ROOT / "dist" / "functions"
FUNCTIONS = ["set-namespace.rust.wasm", "set-namespace.go.wasm", "set-namespace.py.wasm"]


def _median_ms(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _resource(i: int) -> dict[str, object]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": f"app-{i}", "labels": {"app": f"app-{i}"}},
        "spec": {
            "replicas": 2,
            "template": {
                "spec": {"containers": [{"name": "app", "image": f"registry/app:{i}"}]}
            },
        },
    }


def _resource_list(count: int) -> bytes:
    value = {
        "apiVersion": "config.kubernetes.io/v1",
        "kind": "ResourceList",
        "items": [_resource(i) for i in range(count)],
        "functionConfig": {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "c"},
            "data": {"namespace": "prod"},
        },
    }
    return json.dumps(value).encode()


def load_and_call(count: int) -> None:
    print(f"{'function':28} {'compile':>10} {'cached load':>12} {f'call ({count} res.)':>18}")
    stdin = _resource_list(count)
    for name in FUNCTIONS:
        with tempfile.TemporaryDirectory() as cache:
            os.chmod(cache, 0o700)
            compile_ms, load_ms, call_ms = _measure(DIST / name, Path(cache), stdin)
        print(f"{name:28} {compile_ms:>8.0f}ms {load_ms:>10.1f}ms {call_ms:>16.1f}ms")


def _measure(path: Path, cache: Path, stdin: bytes) -> tuple[float, float, float]:
    started = time.perf_counter()
    Engine(cache).load(path)
    compile_ms = (time.perf_counter() - started) * 1000
    load_ms = _median_ms(lambda: Engine(cache).load(path), 5)
    engine = Engine(cache)
    function = engine.load(path)
    call_ms = _median_ms(lambda: execute(engine, function, stdin), 5)
    return compile_ms, load_ms, call_ms


def _package(directory: Path, count: int) -> None:
    (directory / "Kptfile").write_text(
        "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: bench\npipeline:\n"
        "  mutators:\n  - image: set-namespace:rust\n    configMap:\n      namespace: prod\n"
        "  - image: set-namespace:go\n    configMap:\n      namespace: prod\n"
        "  - image: set-namespace:py\n    configMap:\n      namespace: prod\n"
    )
    for i in range(count):
        (directory / f"app-{i}.yaml").write_text(
            f"# app {i}\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n"
            f"spec:\n  replicas: 2 # scaled\n  template:\n    spec:\n      containers:\n"
            f"      - name: app\n        image: registry/app:{i}\n"
        )


def end_to_end(count: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        package = Path(tmp) / "pkg"
        package.mkdir()
        _package(package, count)
        command = [sys.executable, "-m", "runner", "render", str(package), "-q"]
        subprocess.run(command, check=True, env=env)  # warm the compile cache
        runs = []
        for _ in range(3):
            _package(package, count)  # back to the unrendered files
            started = time.perf_counter()
            subprocess.run(command, check=True, env=env)
            runs.append(time.perf_counter() - started)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f"render, {count} files, Rust+Go+Python pipeline: {statistics.median(runs):.2f}s "
            f"(median of 3; peak RSS {peak:.0f} MiB)"
        )
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        print(f"python startup alone: {(time.perf_counter() - started) * 1000:.0f}ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--resources", type=int, default=1000)
    args = parser.parse_args()
    missing = [name for name in FUNCTIONS if not (DIST / name).exists()]
    if missing:
        sys.exit(f"not built: {', '.join(missing)} (run `nox -s build` first)")
    load_and_call(args.resources)
    end_to_end(args.resources)


if __name__ == "__main__":
    main()
