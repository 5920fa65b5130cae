"""Timing figures for `render` of a 1,000-resource package with no-op functions (prints only).

PYTHONPATH=. /tmp/devenv/bin/python tests/pipeline_fidelity/bench_render.py [--files N]

The package: 1,000 commented resources (Deployments, Services, ConfigMaps) in 100 files of 10
documents (or --files 1000: one resource per file). Each pipeline runs in a fresh subprocess
against a warm compile cache (one untimed warm-up run first); the package is checked to be byte
for byte unchanged after every run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import wasmtime

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests import wat_modules  # noqa: E402

RESOURCES = 1000

DEPLOYMENT = """\
# Deployment {i}: the app tier.
apiVersion: apps/v1   # stable
kind: Deployment
metadata:
  name: app-{i}  # kpt-set: ${{name}}
  namespace: shop
  labels:
    app: app-{i}   # selector
spec:
  replicas: 2  # the floor
  template:
    spec:
      containers:
      - name: app
        image: "registry.example.com/app:1.{i}"  # pinned
        args: [--port=8080, --verbose]
        env:
        - name: MODE
          value: production
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: svc-{i}
  annotations:
    note: "yes"  # a string
spec:
  ports:
  - port: 80  # http
    targetPort: 8080
"""
CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg-{i}
data:
  enabled: yes      # a string to go-yaml v3
  mode: 0777        # an int to go-yaml v3
  version: 1.10     # a float
"""
KINDS = (DEPLOYMENT, SERVICE, CONFIGMAP)

PIPELINES = {
    "no pipeline (read + write only)": "",
    "WAT echo (YAML input)": "    - exec: {echo}\n",
    "name-prefix@rust, empty prefix (JSON input)": (
        '    - image: name-prefix:rust\n      configMap:\n        prefix: ""\n'
    ),
    "apply-setters@go, unused setter (YAML input)": (
        "    - image: apply-setters:go\n      configMap:\n        unused: x\n"
    ),
    "set-namespace@py, namespace already set (JSON input)": (
        "    - image: set-namespace:py\n      configMap:\n        namespace: shop\n"
        "      selectors:\n        - namespace: shop\n"
    ),
}


def make_package(root: Path, files: int, pipeline: str) -> None:
    per_file = RESOURCES // files
    for f in range(files):
        docs = [KINDS[i % 3].format(i=i) for i in range(f * per_file, (f + 1) * per_file)]
        (root / f"res-{f:04d}.yaml").write_text("---\n".join(docs), encoding="utf-8")
    kptfile = "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: bench\n"
    if pipeline:
        kptfile += "pipeline:\n  mutators:\n" + pipeline
    (root / "Kptfile").write_text(kptfile, encoding="utf-8")


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(root.iterdir()) if p.is_file()}


def render(root: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "runner", "render", "-q", str(root)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"render failed:\n{done.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=100, help="files holding the resources")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        echo = Path(tmp, "echo.wasm")
        echo.write_bytes(wasmtime.wat2wasm(wat_modules.ECHO))
        cache = Path(tmp, "cache")
        cache.mkdir(mode=0o700)
        env = {**os.environ, "KRM_WASM_CACHE": str(cache), "PYTHONPATH": str(ROOT)}
        startup = min(
            _time([sys.executable, "-c", "import runner.cli.main"], env) for _ in range(3)
        )
        print(f"{RESOURCES} resources in {args.files} files; python startup+import {startup:.2f} s")
        for label, pipeline in PIPELINES.items():
            root = Path(tmp, f"pkg-{len(label)}")
            root.mkdir()
            make_package(root, args.files, pipeline.format(echo=echo))
            before = snapshot(root)
            render(root, env)  # warm-up: compiles the function into the cache
            times = [render(root, env) for _ in range(args.runs)]
            assert snapshot(root) == before, f"{label}: the package changed"
            print(
                f"  {label:<54} median {statistics.median(times):5.2f} s"
                f"  (min {min(times):.2f}, {args.runs} runs, zero diff)"
            )


def _time(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, cwd=ROOT, check=True)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
