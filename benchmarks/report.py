"""The benchmark's results as one readable report, the issue's targets met or missed."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from typing import Any

__all__ = ["lines", "ratio", "targets"]

Results = dict[str, Any]


def ratio(a: dict[str, Any], b: dict[str, Any]) -> dict[str, float]:
    """a / b run by run (the runs were taken in turn: A B A B ...): the median and the range."""
    pairs = [x / y for x, y in zip(a["times_ms"], b["times_ms"], strict=True)]
    return {"median": statistics.median(pairs), "low": min(pairs), "high": max(pairs)}


def _ms(row: dict[str, Any] | None) -> str:
    if not row:
        return "-"
    if "unavailable" in row:
        return "n/a"
    spread = f"{row['min_ms']:.0f}-{row['max_ms']:.0f}"
    rss = f" {row['peak_rss_mib']:.0f} MiB" if row.get("peak_rss_mib") else ""
    return f"{row['median_ms']:.0f} ({spread}){rss}"


def _ratio(row: dict[str, Any], other: str) -> str:
    value = row.get(f"vs_{other}")
    return f"{value['median']:.2f}x" if value else "-"


def _run_table(results: Results) -> Iterator[str]:
    yield "run: ms, median (min-max), peak RSS in MiB; ratio = runner / chain, runs taken in turn"
    head = ("pipeline", "res.", "KiB", "runner", "native chain", "wasmtime chain", "/nat", "/wt")
    widths = (9, 6, 6, 24, 24, 24, 7, 7)
    yield "  ".join(h.rjust(w) for h, w in zip(head, widths, strict=True))
    for name, pipeline in results["pipelines"].items():
        for row in pipeline["rows"]:
            cells = (
                name,
                str(row["resources"]),
                f"{row['input_kib']:.0f}",
                _ms(row["runner"]),
                _ms(row["native"]),
                _ms(row["wasmtime"]),
                _ratio(row, "native"),
                _ratio(row, "wasmtime"),
            )
            yield "  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True))
    for name, pipeline in results["pipelines"].items():
        for what in ("native", "wasmtime"):
            reason = next(
                (r[what]["unavailable"] for r in pipeline["rows"] if "unavailable" in r[what]),
                None,
            )
            if reason:
                yield f"  {name}, {what} chain n/a: {reason}"


def _profile(title: str, row: dict[str, Any]) -> Iterator[str]:
    yield (
        f"  {title:6} {_ms(row['wall']):>28}; functions' compute "
        f"{row['compute_ms']:.0f} ms; runner-owned {row['runner_share']:.0%}"
    )
    if "kernel_ms" in (wall := row["wall"]):
        yield (
            f"  {'':6} CPU (the same runs, medians): user {wall['user_ms']:.0f} ms, kernel "
            f"{wall['kernel_ms']:.0f} ms (its system calls: start-up, reading and writing files)"
        )


def _top(entries: list[dict[str, Any]]) -> Iterator[str]:
    for entry in entries:
        yield (
            f"    {entry['cumulative_ms']:8.0f} ms cum {entry['own_ms']:7.0f} ms own "
            f"{entry['calls']:>7}  {entry['function']}"
        )


def lines(results: Results) -> Iterator[str]:
    failed = {k: v["failed"] for k, v in results.items() if isinstance(v, dict) and "failed" in v}
    results = {k: v for k, v in results.items() if k not in failed}
    results.setdefault("pipelines", {})
    yield f"machine: {results['machine']}"
    for name, error in failed.items():
        yield f"FAILED: {name}: {error}"
    yield f"load average before/after: {results['load_before']} / {results['load_after']}"
    yield f"runs per figure: {results['repeat']} (after one warm-up that fills the caches)"
    sections = ", ".join(f"{k} {v:.0f} s" for k, v in results.get("section_seconds", {}).items())
    yield f"time taken: {sections}"
    yield from _run_table(results)
    if run := results["pipelines"].get("rust", {}).get("profile"):
        yield f"where `run` of 5 x Rust over {run['resources']} resources spends its time:"
        yield from _profile("run", run)
        yield "  profile (cProfile, runner code, by cumulative time):"
        yield from _top(run["profile_top"])
    if package := results.get("package"):
        yield ""
        yield (
            f"package of {package['files']} files, five-function Rust pipeline (ms; eval: five "
            "`eval` processes, one per function; render: one process):"
        )
        for what in ("eval", "render"):
            yield from _profile(what, package[what])
        yield "  profile of render (cProfile, runner code, by cumulative time):"
        yield from _top(package["profile_top"])
    if tree := results.get("tree"):
        yield ""
        yield (
            f"tree of {tree['packages']} packages ({tree['per_package']} resources each), "
            "five-function Rust pipeline each (ms, the whole tree; chains: one per package):"
        )
        for what in ("runner", "native", "wasmtime"):
            row = tree[what]
            per = f"{row['per_pipeline_ms']:.1f} ms/pipeline" if "per_pipeline_ms" in row else ""
            yield f"  {what:8} {_ms(row):>28}  {per}{row.get('unavailable', '')}"
    if cold := results.get("cold_start"):
        yield ""
        yield "cold start, 1 function on 1 resource (ms):"
        for name, row in cold.items():
            if isinstance(row, dict) and "median_ms" in row:
                yield f"  {name:26} {_ms(row):>28}"
        yield f"  compiled again on a second run: {cold['recompiled']}"
        if "imports_ms" in cold:
            yield from _imports(cold)
    if memory := results.get("memory"):
        yield from _memory(memory)
    if build := results.get("build"):
        yield ""
        for name, seconds in build.items():
            yield f"build: {name}: " + (
                f"{seconds:.1f} s" if isinstance(seconds, float) else str(seconds)
            )
    yield ""
    yield "targets (issue 10):"
    for target in results["targets"]:
        yield f"  {target['verdict']:>6}  {target['target']}: {target['measured']}"


def _imports(cold: dict[str, Any]) -> Iterator[str]:
    """The cold start's difference from `import wasmtime`, package by package."""
    runner, yardstick = cold["imports_ms"]["runner"], cold["imports_ms"]["import wasmtime"]
    yield "  where it goes: each package's imports (-X importtime, in-process ms, medians):"
    yield f"    {'':22} {'runner':>8} {'import wasmtime':>16}"
    for owner in sorted(set(runner) | set(yardstick), key=lambda o: -runner.get(o, 0.0)):
        yield f"    {owner:22} {runner.get(owner, 0.0):8.1f} {yardstick.get(owner, 0.0):16.1f}"
    wall = cold["runner_cache_warm"]["median_ms"], cold["python_import_wasmtime"]["median_ms"]
    rest = [w - sum(i.values()) for w, i in zip(wall, (runner, yardstick), strict=True)]
    yield f"    {'the rest of the wall':22} {rest[0]:8.1f} {rest[1]:16.1f}  (start, exit, command)"
    own = runner.get("PyYAML", 0.0) + runner.get("runner", 0.0)
    yield (
        f"    the target allows {1.5 * wall[1]:.0f} ms, {0.5 * wall[1]:.0f} beyond `import "
        f"wasmtime`; PyYAML's and the runner's own imports alone take {own:.0f} (timed under "
        "-X importtime, which slows every import a little)"
    )


def _memory(memory: dict[str, Any]) -> Iterator[str]:
    peaks = memory["peak_rss_mib"]
    yield ""
    yield (
        f"peak RSS of `run`, 5 x Rust over {memory['resources']:,} resources "
        f"({memory['input_mib']:.1f} MiB of YAML), and of its parts (MiB):"
    )
    for name, mib in peaks.items():
        yield f"  {name:28} {mib:7.0f}"
    parse = peaks["the parse alone"] - peaks["imports of the parse alone"]
    rest = peaks["run"] - peaks["run on 1 resource"] - parse
    yield (
        f"  so: fixed {peaks['run on 1 resource']:.0f}, the parsed list {parse:.0f} "
        f"({parse / memory['input_mib']:.0f}x the input), the steps and the output {rest:.0f}"
    )


def _verdict(value: float | None, limit: float) -> str:
    if value is None:
        return "n/a"
    return "met" if value <= limit else "MISSED"


def _target(name: str, value: float | None, limit: float, shown: str) -> dict[str, Any]:
    return {
        "target": name,
        "value": value,
        "limit": limit,
        "verdict": _verdict(value, limit),
        "measured": shown if value is not None else "not measured in this run",
    }


def _row(results: Results, pipeline: str, size: int) -> dict[str, Any] | None:
    rows = results["pipelines"].get(pipeline, {}).get("rows", [])
    return next((row for row in rows if row["resources"] == size), None)


def targets(results: Results) -> list[dict[str, Any]]:
    results = {k: v for k, v in results.items() if not (isinstance(v, dict) and "failed" in v)}
    results.setdefault("pipelines", {})
    out = []
    row = _row(results, "rust", 1000)
    for other, limit in (("wasmtime", 1.0), ("native", 1.5)):
        value = row.get(f"vs_{other}") if row else None
        out.append(
            _target(
                f"run, 5 x Rust, 1,000 resources <= {limit}x the {other} chain",
                value["median"] if value else None,
                limit,
                f"{value['median']:.2f}x ({value['low']:.2f}-{value['high']:.2f})" if value else "",
            )
        )
    package = results.get("package") or {}
    for what in ("eval", "render"):
        share = package.get(what, {}).get("runner_share")
        out.append(
            _target(
                f"{what} of a {package.get('files', 1000):,}-file package: runner-owned <= 25 %",
                share,
                0.25,
                f"{share:.0%}" if share is not None else "",
            )
        )
    cold = results.get("cold_start") or {}
    if cold:
        value = ratio(cold["runner_cache_warm"], cold["python_import_wasmtime"])["median"]
        out.append(
            _target(
                "cold start, cache populated <= 1.5x `import wasmtime`", value, 1.5, f"{value:.2f}x"
            )
        )
        out.append(
            _target(
                "nothing compiled twice",
                0.0 if cold["recompiled"] == "no" else 1.0,
                0.0,
                f"compiled again on a second run: {cold['recompiled']}",
            )
        )
    small, large = _row(results, "rust", 1000), _row(results, "rust", 10000)
    growth = (
        large["runner"]["median_ms"] / small["runner"]["median_ms"] if small and large else None
    )
    out.append(
        _target(
            "10,000 resources <= 11x the time of 1,000",
            growth,
            11.0,
            f"{growth:.1f}x" if growth else "",
        )
    )
    rss = large["runner"]["peak_rss_mib"] * 1024 / large["input_kib"] if large else None
    out.append(
        _target(
            "peak RSS at 10,000 resources <= 10x the input on disk",
            rss,
            10.0,
            f"{rss:.0f}x ({large['runner']['peak_rss_mib']:.0f} MiB for "
            f"{large['input_kib'] / 1024:.1f} MiB)"
            if large and rss
            else "",
        )
    )
    tree = results.get("tree") or {}
    value = None
    if "times_ms" in tree.get("wasmtime", {}):
        value = ratio(tree["runner"], tree["wasmtime"])["median"]  # the same per pipeline
    out.append(
        _target(
            f"render of a {tree.get('packages', 500)}-package tree: per pipeline "
            "<= 0.5x the wasmtime chain",
            value,
            0.5,
            f"{value:.2f}x" if value else "",
        )
    )
    return out
