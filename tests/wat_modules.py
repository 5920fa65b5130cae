"""Misbehaving (and minimal) WASI command modules, inline in WAT as wasmtime-py's tests do."""

from __future__ import annotations

_IMPORTS = """
 (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
 (memory (export "memory") 2)
"""


def _write(fd: int, offset: int, length: int) -> str:
    # iovec at 0: (offset, length); bytes written go to 8.
    return (
        f"(i32.store (i32.const 0) (i32.const {offset}))"
        f" (i32.store (i32.const 4) (i32.const {length}))"
        f" (drop (call $fd_write (i32.const {fd}) (i32.const 0) (i32.const 1) (i32.const 8)))"
    )


def exit_with(code: int, stderr: str) -> str:
    """Writes ``stderr`` to fd 2 and exits with ``code``."""
    data = stderr.encode()
    return f"""(module {_IMPORTS}
 (data (i32.const 64) "{data.decode()}")
 (func (export "_start") {_write(2, 64, len(data))} (call $proc_exit (i32.const {code}))))"""


def writes(stdout: str) -> str:
    """Writes ``stdout`` and exits 0 (e.g. something that is not a ResourceList)."""
    data = stdout.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f"""(module {_IMPORTS}
 (data (i32.const 64) "{data}")
 (func (export "_start") {_write(1, 64, len(stdout.encode()))}))"""


def writes_bytes(data: bytes) -> str:
    """A WASI command that writes ``data`` (any bytes) to stdout and exits 0."""
    pages = len(data) // 65536 + 2
    escaped = "".join(f"\\{byte:02x}" for byte in data)
    return f"""(module
 (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
 (memory (export "memory") {pages})
 (data (i32.const 64) "{escaped}")
 (func (export "_start")
   (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const {len(data)}))
   (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"""


TRAP = f"""(module {_IMPORTS} (func (export "_start") unreachable))"""

LOOP_FOREVER = """(module (func (export "_start") (loop $l (br $l))))"""

# Grows memory 1 MiB at a time until refused, then traps.
MEMORY_HOG = f"""(module {_IMPORTS}
 (func (export "_start")
   (loop $l (br_if $l (i32.ne (memory.grow (i32.const 16)) (i32.const -1))))
   unreachable))"""

# Writes 4 KiB blocks, at most 4,096 of them (16 MiB): bounded even if the limit failed.
OUTPUT_FLOOD = f"""(module {_IMPORTS}
 (func (export "_start") (local $i i32)
   (loop $l {_write(1, 4096, 4096)}
     (local.set $i (i32.add (local.get $i) (i32.const 1)))
     (br_if $l (i32.lt_u (local.get $i) (i32.const 4096))))))"""


def copy_stdin_to(*fds: int) -> str:
    """Copies stdin unchanged to each of ``fds``; it declares nothing, so it gets YAML."""
    writes = "\n".join(
        f"(drop (call $fd_write (i32.const {fd}) (i32.const 0) (i32.const 1) (i32.const 8)))"
        for fd in fds
    )
    return f"""(module {_IMPORTS}
 (func (export "_start") (local $n i32)
   (loop $l
     (i32.store (i32.const 0) (i32.const 1024)) (i32.store (i32.const 4) (i32.const 64512))
     (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
     (local.set $n (i32.load (i32.const 8)))
     (if (i32.gt_u (local.get $n) (i32.const 0))
       (then
         (i32.store (i32.const 0) (i32.const 1024)) (i32.store (i32.const 4) (local.get $n))
{writes}
         (br $l))))))"""


ECHO = copy_stdin_to(1)


def burst(length: int) -> str:
    """Writes ``length`` bytes in one call and exits at once: faster than any poll."""
    pages = length // 65536 + 2
    header = "apiVersion: config.kubernetes.io/v1\\nkind: ResourceList\\nitems: []\\n"
    imports = _IMPORTS.replace(
        '(memory (export "memory") 2)', f'(memory (export "memory") {pages})'
    )
    return f"""(module {imports}
 (data (i32.const 64) "{header}")
 (func (export "_start") {_write(1, 64, length)}))"""
