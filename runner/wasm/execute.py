"""Running one loaded function on a ResourceList's bytes, sandboxed and bounded.

Sandbox: no preopened directory, no environment variable and no argument beyond the function's name,
unless a ``Sandbox`` grants them (``--mount``, ``--env``). Bounds: wall time (epoch interruption,
driven by a watchdog thread), linear memory (store limits) and stdout size (the watchdog watches the
stdout file of a core module; a component's returned string is checked on return).
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import wasmtime
import wasmtime.component

from runner.wasm.engine import Engine, LoadedFunction

__all__ = ["Execution", "Limits", "Mount", "Sandbox", "execute"]

MiB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Per-function bounds; crossing one ends the function with a message saying which."""

    timeout_seconds: float = 60.0
    memory_bytes: int = 1024 * MiB
    output_bytes: int = 256 * MiB


@dataclass(frozen=True)
class Mount:
    """A host directory visible to the function at ``guest`` (read-only unless ``writable``)."""

    host: Path
    guest: str
    writable: bool = False


@dataclass(frozen=True)
class Sandbox:
    """What a function may see beyond its stdin: nothing, unless granted."""

    mounts: tuple[Mount, ...] = ()
    env: tuple[tuple[str, str], ...] = ()


@dataclass
class Execution:
    """What happened when a function ran."""

    exit_code: int | None  # None when it trapped or was stopped
    stdout: bytes
    stderr: bytes
    seconds: float
    problem: str | None = None  # why it did not finish normally (trap, limit), for the user
    component_error: str | None = None  # a component's err(...) result


def _scratch_dir() -> str | None:
    # stdin/stdout go through files: a tmpfs makes them as fast as pipes.
    return "/dev/shm" if os.access("/dev/shm", os.W_OK) else None


class _Watchdog:
    """Stops the running function (via the engine's epoch) on timeout or runaway output."""

    def __init__(self, engine: Engine, limits: Limits, stdout: Path | None) -> None:
        self._engine = engine
        self._limits = limits
        self._stdout = stdout
        self._done = threading.Event()
        self.reason: str | None = None
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        deadline = time.monotonic() + self._limits.timeout_seconds
        interval = 0.005
        while not self._done.wait(interval):
            interval = min(interval * 2, 0.05)
            if time.monotonic() > deadline:
                self.reason = f"exceeded the time limit of {self._limits.timeout_seconds:g}s"
            elif self._stdout is not None and _size(self._stdout) > self._limits.output_bytes:
                self.reason = (
                    f"wrote more than the output limit of {_human(self._limits.output_bytes)}"
                )
            if self.reason:
                self._engine.wasm.increment_epoch()
                return

    @contextmanager
    def running(self) -> Iterator[_Watchdog]:
        self._thread.start()
        try:
            yield self
        finally:
            self._done.set()
            self._thread.join()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _human(size: int) -> str:
    return f"{size / MiB:g} MiB" if size < 1024 * MiB else f"{size / (1024 * MiB):g} GiB"


def _wasi_config(function: LoadedFunction, sandbox: Sandbox) -> wasmtime.WasiConfig:
    wasi = wasmtime.WasiConfig()
    wasi.argv = [function.label]
    wasi.env = [list(pair) for pair in sandbox.env]
    for mount in sandbox.mounts:
        wasi.preopen_dir(str(mount.host), mount.guest, mount.writable)
    return wasi


def _store(engine: Engine, limits: Limits, wasi: wasmtime.WasiConfig) -> wasmtime.Store:
    store = wasmtime.Store(engine.wasm)
    store.set_wasi(wasi)
    store.set_limits(memory_size=limits.memory_bytes)
    store.set_epoch_deadline(1)  # the watchdog's single increment interrupts
    return store


def _trap_problem(error: Exception, watchdog: _Watchdog) -> str:
    if watchdog.reason:
        return watchdog.reason
    # wasmtime's text is "error while executing at wasm backtrace: ... Caused by: <the cause>".
    text = str(error).strip()
    cause = text.rpartition("Caused by:")[2].strip() or text
    lines = [line.strip() for line in cause.splitlines() if line.strip()]
    return f"trapped: {lines[-1] if lines else type(error).__name__}"


def _memory_note(store: wasmtime.Store, instance: wasmtime.Instance | None, limits: Limits) -> str:
    """Say how close a failed function came to the memory limit: the likely cause when near it."""
    if instance is None:
        return ""
    memory = instance.exports(store).get("memory")
    if not isinstance(memory, wasmtime.Memory):
        return ""
    used = memory.data_len(store)
    if used < limits.memory_bytes // 2:
        return ""
    return f" (its memory reached {_human(used)} of the {_human(limits.memory_bytes)} limit)"


def execute(
    engine: Engine,
    function: LoadedFunction,
    stdin: bytes,
    *,
    limits: Limits | None = None,
    sandbox: Sandbox | None = None,
) -> Execution:
    """Run ``function`` on ``stdin`` (a ResourceList); never raises for the function's faults."""
    limits = limits or Limits()
    sandbox = sandbox or Sandbox()
    with tempfile.TemporaryDirectory(prefix="krm-wasm-", dir=_scratch_dir()) as scratch:
        if isinstance(function.code, wasmtime.component.Component):
            return _run_component(engine, function, function.code, stdin, limits, sandbox, scratch)
        return _run_module(engine, function, function.code, stdin, limits, sandbox, scratch)


def _run_module(
    engine: Engine,
    function: LoadedFunction,
    module: wasmtime.Module,
    stdin: bytes,
    limits: Limits,
    sandbox: Sandbox,
    scratch: str,
) -> Execution:
    stdin_path, stdout_path, stderr_path = (Path(scratch, n) for n in ("in", "out", "err"))
    stdin_path.write_bytes(stdin)
    wasi = _wasi_config(function, sandbox)
    wasi.stdin_file = str(stdin_path)
    wasi.stdout_file = str(stdout_path)
    wasi.stderr_file = str(stderr_path)
    store = _store(engine, limits, wasi)
    linker = wasmtime.Linker(engine.wasm)
    linker.define_wasi()
    exit_code: int | None = None
    problem: str | None = None
    instance: wasmtime.Instance | None = None
    started = time.perf_counter()
    with _Watchdog(engine, limits, stdout_path).running() as watchdog:
        try:
            instance = linker.instantiate(store, module)
            start = instance.exports(store).get("_start")
            if not isinstance(start, wasmtime.Func):
                problem = "is not a WASI command module (it exports no _start function)"
            else:
                start(store)
                exit_code = 0
        except wasmtime.ExitTrap as error:
            exit_code = error.code
        except (wasmtime.Trap, wasmtime.WasmtimeError) as error:
            problem = _trap_problem(error, watchdog) + _memory_note(store, instance, limits)
    seconds = time.perf_counter() - started
    if watchdog.reason and problem is None:
        problem = watchdog.reason  # it finished just as the watchdog fired
    elif exit_code not in (0, None):
        problem = (
            None if not (note := _memory_note(store, instance, limits)) else note.strip()[1:-1]
        )
    # The watchdog polls: a function can write past the limit and exit between two looks.
    # Checked exactly here, so a truncated output is never taken for the function's.
    over_limit = _size(stdout_path) > limits.output_bytes
    if over_limit and not watchdog.reason:
        problem = f"wrote more than the output limit of {_human(limits.output_bytes)}"
    stopped = (problem is not None and watchdog.reason is not None) or over_limit
    stdout = b"" if stopped else _read(stdout_path, limits.output_bytes)
    return Execution(exit_code, stdout, _read(stderr_path, 1 * MiB), seconds, problem)


def _run_component(
    engine: Engine,
    function: LoadedFunction,
    component: wasmtime.component.Component,
    stdin: bytes,
    limits: Limits,
    sandbox: Sandbox,
    scratch: str,
) -> Execution:
    stderr_path = Path(scratch, "err")
    wasi = _wasi_config(function, sandbox)
    wasi.stderr_file = str(stderr_path)
    store = _store(engine, limits, wasi)
    linker = wasmtime.component.Linker(engine.wasm)
    linker.add_wasip2()
    output = b""
    problem: str | None = None
    component_error: str | None = None
    exit_code: int | None = None
    started = time.perf_counter()
    with _Watchdog(engine, limits, None).running() as watchdog:
        try:
            instance = linker.instantiate(store, component)
            process = instance.get_func(store, "process")
            if process is None:
                problem = "is a component without the krm-function world's `process` export"
            else:
                result = process(store, stdin.decode("utf-8"))
                process.post_return(store)
                tag = getattr(result, "tag", "ok")
                payload = getattr(result, "payload", result)
                if tag == "err":
                    component_error = str(payload)
                    exit_code = 1
                else:
                    output = str(payload).encode("utf-8")
                    exit_code = 0
        except (wasmtime.Trap, wasmtime.WasmtimeError) as error:
            problem = _trap_problem(error, watchdog)
    seconds = time.perf_counter() - started
    if len(output) > limits.output_bytes:
        problem = f"wrote more than the output limit of {_human(limits.output_bytes)}"
        output = b""
    return Execution(
        exit_code, output, _read(stderr_path, 1 * MiB), seconds, problem, component_error
    )


def _read(path: Path, limit: int) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(limit + 1)[: limit + 1]
    except OSError:
        return b""
