"""Running one loaded function on a ResourceList's bytes, sandboxed and bounded.

Sandbox: no preopened directory, no environment variable and no argument beyond the function's name,
unless a ``Sandbox`` grants them (``--mount``, ``--env``). Bounds (docs/security.md):

- wall time: epoch interruption driven by a watchdog thread; WASI ``poll_oneoff`` (sleeps) is the
  runner's own, waking when the watchdog fires; a function stuck in any other host call past a grace
  period makes the runner exit with an error rather than hang;
- memory for the instance as a whole: store limits on memory size, number of memories, tables,
  table elements and instances;
- stdout and stderr at the byte: checked after the run whatever its timing, and watched while it
  runs so a runaway writer is stopped early.
"""

from __future__ import annotations

import os
import struct
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import wasmtime

from runner.wasm.engine import Engine, LoadedFunction
from runner.wasm.shape import Shape

if TYPE_CHECKING:
    import wasmtime.component  # the engine imports it when it loads a component

__all__ = ["Execution", "Limits", "Mount", "Sandbox", "execute"]

MiB = 1 << 20

# Store limits beyond memory size: memories and tables as many as the function defines
# (runner/wasm/shape.py), instances a fixed bound (componentize-py's components use about 30).
_MAX_INSTANCES = 64
# Tables take this share of the memory limit (8 bytes an element, wasmtime's accounting).
_TABLE_SHARE = 16
# How long a function may stay in a host call after its time is up before the runner gives up on it.
_HOST_CALL_GRACE_SECONDS = 5.0


class Limits(NamedTuple):
    """Per-function bounds; crossing one ends the function with a message saying which."""

    timeout_seconds: float = 60.0
    memory_bytes: int = 1024 * MiB
    output_bytes: int = 256 * MiB
    stderr_bytes: int = 1 * MiB


class Mount(NamedTuple):
    """A host directory visible to the function at ``guest`` (read-only unless ``writable``)."""

    host: Path
    guest: str
    writable: bool = False


class Sandbox(NamedTuple):
    """What a function may see beyond its stdin: nothing, unless granted."""

    mounts: tuple[Mount, ...] = ()
    env: tuple[tuple[str, str], ...] = ()


class Execution(NamedTuple):
    """What happened when a function ran."""

    exit_code: int | None  # None when it trapped or was stopped
    stdout: bytes
    stderr: bytes
    seconds: float
    problem: str | None = None  # why it did not finish normally (trap, limit), for the user
    component_error: str | None = None  # a component's err(...) result


class _ScratchFile:
    """A function's stdin, stdout or stderr: a file with no name, so nothing is left behind.

    wasmtime's WASI takes paths, so the guest opens ``/proc/self/fd/N``, a second open of our own
    anonymous file (``memfd_create``: memory-backed as a tmpfs is, but in no directory). A runner
    killed with SIGKILL leaves no file anywhere, and a full ``/dev/shm`` does not matter.
    Without memfd (not Linux) it is an unlinked temporary file.
    """

    def __init__(self, name: str, data: bytes = b"") -> None:
        if hasattr(os, "memfd_create"):
            self.fd = os.memfd_create(f"krm-wasm-{name}", os.MFD_CLOEXEC)
        else:  # pragma: no cover - Linux has memfd
            import tempfile  # here: only without memfd

            self.fd, name = tempfile.mkstemp(prefix="krm-wasm-")
            os.unlink(name)
        fd_dir = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
        self.path = f"{fd_dir}/{self.fd}"
        view, offset = memoryview(data), 0
        while offset < len(view):  # pwrite: our offset stays 0 (/dev/fd opens may share it)
            offset += os.pwrite(self.fd, view[offset:], offset)

    def size(self) -> int:
        try:
            return os.fstat(self.fd).st_size
        except OSError:
            return 0

    def read(self, limit: int) -> bytes:
        chunks: list[bytes] = []
        offset = 0
        while offset < limit:
            chunk = os.pread(self.fd, min(limit - offset, 1 << 24), offset)
            if not chunk:
                break
            chunks.append(chunk)
            offset += len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        os.close(self.fd)


def _scratch_files(stdin: bytes) -> tuple[_ScratchFile, _ScratchFile, _ScratchFile]:
    files: list[_ScratchFile] = []
    try:
        for name, data in (("stdin", stdin), ("stdout", b""), ("stderr", b"")):
            files.append(_ScratchFile(name, data))
    except OSError:
        for file in files:
            file.close()
        raise
    return files[0], files[1], files[2]


def _output_limit_problem(limit: int) -> str:
    return f"wrote more than the output limit of {_human(limit)} (--max-output)"


def _stderr_limit_problem(limit: int) -> str:
    return f"wrote more than the stderr limit of {_human(limit)} to stderr"


class _Watchdog:
    """Stops the running function (via the engine's epoch) on timeout or runaway output.

    The looking is done by the process's one watcher thread (``_Watcher``), not a thread per call:
    starting and joining a thread took 0.1-0.9 ms a call here, most of a small function's.
    """

    def __init__(
        self,
        engine: Engine,
        function: LoadedFunction,
        limits: Limits,
        outputs: tuple[tuple[_ScratchFile, int, str], ...],
    ) -> None:
        self._engine = engine
        self._function = function
        self._limits = limits
        self._outputs = outputs  # (file, limit, problem when over)
        self.fired = threading.Event()  # wakes the runner's poll_oneoff
        self.reason: str | None = None
        self._deadline = self._next_look = self._fired_at = 0.0
        self._interval = 0.005

    def look(self, now: float) -> float:
        """One look (by the watcher, holding its lock); returns when it wants the next."""
        if self.reason is not None:  # stopped: it has the grace period to come back
            if now >= self._fired_at + _HOST_CALL_GRACE_SECONDS:
                self._give_up()
            return self._fired_at + _HOST_CALL_GRACE_SECONDS
        if now < self._next_look:
            return self._next_look
        if now > self._deadline:
            self.reason = f"exceeded the time limit of {self._limits.timeout_seconds:g}s"
        for file, limit, problem in self._outputs:
            if not self.reason and file.size() > limit:
                self.reason = problem
        if self.reason:
            self._fired_at = now
            self.fired.set()
            self._engine.wasm.increment_epoch()
            return now + _HOST_CALL_GRACE_SECONDS
        self._interval = min(self._interval * 2, 0.02)
        self._next_look = now + self._interval
        return self._next_look

    def _give_up(self) -> None:
        # The guest sits in a host call that epoch interruption cannot reach (a blocking read of
        # a mounted FIFO, a component's WASI p2 sleep). A thread cannot be killed: end the process
        # with the error, before any package file is written, rather than hang. The scratch
        # files have no names: nothing is left behind.
        print(
            f"FunctionTimeout: {self._function.label}: {self.reason} and did not stop within "
            f"{_HOST_CALL_GRACE_SECONDS:g}s (stuck in a host call); nothing was written",
            file=sys.stderr,
            flush=True,
        )
        os._exit(1)

    @contextmanager
    def running(self) -> Iterator[_Watchdog]:
        _ACTIVE.watchdog = self
        now = time.monotonic()
        self._deadline = now + self._limits.timeout_seconds
        self._next_look = now + self._interval
        _WATCHER.watch(self)
        try:
            yield self
        finally:
            _WATCHER.unwatch(self)  # after this no look: no epoch increment meant for it
            _ACTIVE.watchdog = None


class _Watcher:
    """The one thread that looks at every running function's watchdog when it asks to be."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._watching: set[_Watchdog] = set()
        self._started = False

    def watch(self, watchdog: _Watchdog) -> None:
        with self._lock:
            if not self._started:
                threading.Thread(target=self._run, name="krm-wasm-watchdog", daemon=True).start()
                self._started = True
            self._watching.add(watchdog)
            self._lock.notify()

    def unwatch(self, watchdog: _Watchdog) -> None:
        with self._lock:
            self._watching.discard(watchdog)

    def _run(self) -> None:
        with self._lock:
            while True:
                now = time.monotonic()
                wake = min((dog.look(now) for dog in list(self._watching)), default=None)
                self._lock.wait(None if wake is None else max(wake - now, 0.0))


def _new_watcher() -> None:
    global _WATCHER
    _WATCHER = _Watcher()  # a forked child has no thread, and maybe a lock held by one


_WATCHER = _Watcher()
os.register_at_fork(after_in_child=_new_watcher)


class _Active(threading.local):
    watchdog: _Watchdog | None = None


_ACTIVE = _Active()  # the watchdog of the function running on this thread, for poll_oneoff

_ERRNO_SUCCESS = 0
_ERRNO_INVAL = 28
_ERRNO_FAULT = 21
# subscription: userdata, tag, clock id, timeout, precision, flags; event: userdata, errno, type,
# nbytes, flags (wasi_snapshot_preview1 layouts, 48 and 32 bytes)
_SUBSCRIPTION = struct.Struct("<QB7xIxxxxQQH6x")
_EVENT = struct.Struct("<QHB5xQH6x")
_CLOCK, _FD_READ, _FD_WRITE = 0, 1, 2
_ABSTIME = 1


def _poll_oneoff(caller: wasmtime.Caller, in_ptr: int, out_ptr: int, count: int, n_ptr: int) -> int:
    """WASI ``poll_oneoff`` that the watchdog can wake: clocks sleep on its event, fds are ready.

    The guest's stdin, stdout and stderr are regular files and mounts are directories, so every fd
    subscription is ready at once (as wasmtime's own implementation reports for files).
    """
    memory = caller.get("memory")
    if not isinstance(memory, wasmtime.Memory):
        return _ERRNO_FAULT
    if count <= 0 or count > 4096:
        return _ERRNO_INVAL
    size = memory.data_len(caller)
    end_in, end_out = in_ptr + count * _SUBSCRIPTION.size, out_ptr + count * _EVENT.size
    if min(in_ptr, out_ptr, n_ptr) < 0 or max(end_in, end_out, n_ptr + 4) > size:
        return _ERRNO_FAULT
    raw = memory.read(caller, in_ptr, end_in)
    subscriptions = [_SUBSCRIPTION.unpack_from(raw, i * _SUBSCRIPTION.size) for i in range(count)]
    ready = [sub for sub in subscriptions if sub[1] in (_FD_READ, _FD_WRITE)]
    if not ready:
        clocks = []
        for userdata, tag, clock_id, timeout, _precision, flags in subscriptions:
            if tag != _CLOCK:
                return _ERRNO_INVAL
            now = time.time_ns() if clock_id == 0 else time.monotonic_ns()
            wait = max(0, timeout - now) if flags & _ABSTIME else timeout
            clocks.append((wait, userdata, tag))
        wait_ns, userdata, tag = min(clocks)
        watchdog = _ACTIVE.watchdog
        if watchdog is None:
            time.sleep(wait_ns / 1e9)
        elif watchdog.fired.wait(wait_ns / 1e9):
            raise wasmtime.Trap(watchdog.reason or "stopped")
        ready = [(userdata, tag, 0, 0, 0, 0)]
    events = b"".join(
        _EVENT.pack(sub[0], _ERRNO_SUCCESS, sub[1], 1 if sub[1] != _CLOCK else 0, 0)
        for sub in ready
    )
    memory.write(caller, events, out_ptr)
    memory.write(caller, struct.pack("<I", len(ready)), n_ptr)
    return _ERRNO_SUCCESS


def _define_core(linker: wasmtime.Linker) -> None:
    linker.define_wasi()
    linker.allow_shadowing = True
    i32 = wasmtime.ValType.i32()
    linker.define_func(
        "wasi_snapshot_preview1",
        "poll_oneoff",
        wasmtime.FuncType([i32, i32, i32, i32], [i32]),
        _poll_oneoff,
        access_caller=True,
    )


def _human(size: int) -> str:
    if size < MiB:
        return f"{size} bytes"
    return f"{size / MiB:g} MiB" if size < 1024 * MiB else f"{size / (1024 * MiB):g} GiB"


def _wasi_config(function: LoadedFunction, sandbox: Sandbox) -> wasmtime.WasiConfig:
    wasi = wasmtime.WasiConfig()
    wasi.argv = [function.label]
    wasi.env = [list(pair) for pair in sandbox.env]
    for mount in sandbox.mounts:
        wasi.preopen_dir(str(mount.host), mount.guest, mount.writable)
    return wasi


def _store(
    engine: Engine, limits: Limits, wasi: wasmtime.WasiConfig, shape: Shape
) -> wasmtime.Store:
    store = wasmtime.Store(engine.wasm)
    store.set_wasi(wasi)
    # The whole instance: store limits bound each memory and table, not their sum, so each of
    # the memories the function defines gets an equal share of the limit (one memory: all but
    # the tables' sixteenth) and allowing no more of them than it defines keeps the sum in it.
    table_budget = limits.memory_bytes // _TABLE_SHARE
    store.set_limits(
        memory_size=max((limits.memory_bytes - table_budget) // shape.memories, 1),
        table_elements=max(table_budget // 8 // shape.tables, 1),
        instances=_MAX_INSTANCES,
        tables=shape.tables,
        memories=shape.memories,
    )
    store.set_epoch_deadline(1)  # the watchdog's single increment interrupts
    return store


def _trap_problem(error: Exception, watchdog: _Watchdog, limits: Limits) -> str:
    if watchdog.reason:
        return watchdog.reason
    # wasmtime's text is "error while executing at wasm backtrace: ... Caused by: <the cause>".
    text = str(error).strip()
    cause = text.rpartition("Caused by:")[2].strip() or text
    lines = [line.strip() for line in cause.splitlines() if line.strip()]
    last = lines[-1] if lines else type(error).__name__
    if "exceeds memory limits" in last or "resource limit exceeded" in last:
        return f"does not fit in --memory-limit {_human(limits.memory_bytes)}: {last}"
    return f"trapped: {last}"


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
    code = function.code
    try:
        files = _scratch_files(stdin if isinstance(code, wasmtime.Module) else b"")
    except OSError as error:
        problem = f"could not be given its input: {error.strerror or error}"
        return Execution(None, b"", b"", 0.0, problem)
    try:
        if isinstance(code, wasmtime.Module):
            return _run_module(engine, function, code, stdin, limits, sandbox, files)
        return _run_component(engine, function, code, stdin, limits, sandbox, files)
    finally:
        for file in files:
            file.close()


def _run_module(
    engine: Engine,
    function: LoadedFunction,
    module: wasmtime.Module,
    stdin: bytes,
    limits: Limits,
    sandbox: Sandbox,
    files: tuple[_ScratchFile, _ScratchFile, _ScratchFile],
) -> Execution:
    stdin_file, stdout_file, stderr_file = files
    wasi = _wasi_config(function, sandbox)
    wasi.stdin_file = stdin_file.path
    wasi.stdout_file = stdout_file.path
    wasi.stderr_file = stderr_file.path
    store = _store(engine, limits, wasi, function.shape)
    linker = engine.core_linker(_define_core)
    exit_code: int | None = None
    problem: str | None = None
    instance: wasmtime.Instance | None = None
    outputs = (
        (stdout_file, limits.output_bytes, _output_limit_problem(limits.output_bytes)),
        (stderr_file, limits.stderr_bytes, _stderr_limit_problem(limits.stderr_bytes)),
    )
    started = time.perf_counter()
    with _Watchdog(engine, function, limits, outputs).running() as watchdog:
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
            problem = _trap_problem(error, watchdog, limits) + _memory_note(store, instance, limits)
    seconds = time.perf_counter() - started
    if watchdog.reason and problem is None:
        problem = watchdog.reason  # it finished just as the watchdog fired
    elif exit_code not in (0, None):
        problem = (
            None if not (note := _memory_note(store, instance, limits)) else note.strip()[1:-1]
        )
    # Exact, whatever the timing: the watchdog may not have looked since the last write.
    over_limit = False
    for file, limit, over in outputs:
        if file.size() > limit:
            over_limit = True
            problem = problem or over
    stopped = (problem is not None and watchdog.reason is not None) or over_limit
    stdout = b"" if stopped else stdout_file.read(limits.output_bytes)
    return Execution(exit_code, stdout, stderr_file.read(limits.stderr_bytes), seconds, problem)


def _run_component(
    engine: Engine,
    function: LoadedFunction,
    component: wasmtime.component.Component,
    stdin: bytes,
    limits: Limits,
    sandbox: Sandbox,
    files: tuple[_ScratchFile, _ScratchFile, _ScratchFile],
) -> Execution:
    stderr_file = files[2]
    wasi = _wasi_config(function, sandbox)
    wasi.stderr_file = stderr_file.path
    store = _store(engine, limits, wasi, function.shape)
    linker = engine.component_linker()
    output = b""
    problem: str | None = None
    component_error: str | None = None
    exit_code: int | None = None
    outputs = ((stderr_file, limits.stderr_bytes, _stderr_limit_problem(limits.stderr_bytes)),)
    started = time.perf_counter()
    with _Watchdog(engine, function, limits, outputs).running() as watchdog:
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
            problem = _trap_problem(error, watchdog, limits)
    seconds = time.perf_counter() - started
    if problem is None and watchdog.reason:
        problem = watchdog.reason
    if problem is None and len(output) > limits.output_bytes:
        problem = _output_limit_problem(limits.output_bytes)
    if problem is None and stderr_file.size() > limits.stderr_bytes:
        problem = _stderr_limit_problem(limits.stderr_bytes)
    if problem:
        output = b""
    return Execution(
        exit_code,
        output,
        stderr_file.read(limits.stderr_bytes),
        seconds,
        problem,
        component_error,
    )
