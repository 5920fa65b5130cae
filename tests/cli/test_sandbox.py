"""The sandbox through the CLI: no files, no environment, unless ``--mount`` / ``--env`` grant them.

The probes are WAT modules that exit with a code telling what happened: 10 when the access
worked (after copying what they read to stderr), 20 + the WASI errno when it did not (WASI exit
codes stop at 125).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import Cli

STREAM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n"
WORKED = "  Exit code: 10"  # kpt's line for a function that exited non-zero
EBADF = 8  # no such descriptor: nothing is preopened at fd 3
EPERM, EROFS, ENOTCAPABLE = 63, 69, 76

_IMPORTS = """
 (import "wasi_snapshot_preview1" "path_open"
   (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "environ_sizes_get"
   (func $environ_sizes_get (param i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
 (memory (export "memory") 2)
 (func $check (param $errno i32)
   (if (local.get $errno) (then (call $proc_exit (i32.add (i32.const 20) (local.get $errno))))))
 (func $to_stderr (param $offset i32) (param $length i32)
   (i32.store (i32.const 0) (local.get $offset)) (i32.store (i32.const 4) (local.get $length))
   (call $check (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8))))
"""


def _open(*, oflags: int, rights: int) -> str:
    # path_open(dirfd 3, no symlink following, the path at 256 (length at 252), oflags, rights,
    # inheriting rights, fdflags, &fd at 16)
    return f"""
   (call $check (call $path_open (i32.const 3) (i32.const 0) (i32.const 256)
     (i32.load (i32.const 252)) (i32.const {oflags}) (i64.const {rights}) (i64.const 0)
     (i32.const 0) (i32.const 16)))"""


def _path(name: str) -> str:
    return f'(data (i32.const 252) "\\{len(name.encode()):02x}\\00\\00\\00{name}")'


def read_file_probe(name: str) -> str:
    """Opens ``name`` in the first preopened directory, copies it to stderr, exits 10."""
    return f"""(module {_IMPORTS} {_path(name)}
 (func (export "_start")
   {_open(oflags=0, rights=2)}
   (i32.store (i32.const 0) (i32.const 1024)) (i32.store (i32.const 4) (i32.const 1024))
   (call $check (call $fd_read (i32.load (i32.const 16)) (i32.const 0) (i32.const 1) (i32.const 8)))
   (call $to_stderr (i32.const 1024) (i32.load (i32.const 8)))
   (call $proc_exit (i32.const 10))))"""


def write_file_probe(name: str, text: str) -> str:
    """Creates ``name`` in the first preopened directory, writes ``text`` into it, exits 10."""
    return f"""(module {_IMPORTS} {_path(name)}
 (data (i32.const 512) "{text}")
 (func (export "_start")
   {_open(oflags=1 | 8, rights=64)}
   (i32.store (i32.const 0) (i32.const 512)) (i32.store (i32.const 4) (i32.const {len(text)}))
   (call $check
     (call $fd_write (i32.load (i32.const 16)) (i32.const 0) (i32.const 1) (i32.const 8)))
   (call $proc_exit (i32.const 10))))"""


# Copies the environment (NUL-separated KEY=VALUE strings) to stderr, exits 10.
ENV_PROBE = f"""(module {_IMPORTS}
 (func (export "_start")
   (call $check (call $environ_sizes_get (i32.const 16) (i32.const 20)))
   (call $check (call $environ_get (i32.const 2048) (i32.const 4096)))
   (call $to_stderr (i32.const 4096) (i32.load (i32.const 20)))
   (call $proc_exit (i32.const 10))))"""


def _exit_code(stderr: str) -> int:
    found = re.search(r"^  Exit code: (\d+)$", stderr, re.MULTILINE)
    assert found, stderr
    return int(found.group(1))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    directory.mkdir()
    (directory / "hello.txt").write_text("secret greeting")
    return directory


def test_no_file_access_without_mount(
    cli: Cli, wat: Callable[[str, str], Path], data_dir: Path
) -> None:
    probe = wat("reader", read_file_probe("hello.txt"))
    done = cli("eval", "-", "--exec", probe, stdin=STREAM, cwd=data_dir)
    assert _exit_code(done.stderr) == 20 + EBADF
    assert "secret greeting" not in done.stderr


@pytest.mark.parametrize("spec", ["{dir}:/data", "type=bind,src={dir},dst=/data"])
def test_mount_grants_reading(
    cli: Cli, wat: Callable[[str, str], Path], data_dir: Path, spec: str
) -> None:
    probe = wat("reader", read_file_probe("hello.txt"))
    done = cli("eval", "-", "--exec", probe, "--mount", spec.format(dir=data_dir), stdin=STREAM)
    assert WORKED in done.stderr
    assert "secret greeting" in done.stderr


def test_mount_is_read_only_by_default(
    cli: Cli, wat: Callable[[str, str], Path], data_dir: Path
) -> None:
    probe = wat("writer", write_file_probe("new.txt", "written"))
    done = cli("eval", "-", "--exec", probe, "--mount", f"{data_dir}:/data", stdin=STREAM)
    # Refused with an errno (EPERM from wasmtime 50; ENOTCAPABLE or EROFS would do as well).
    assert _exit_code(done.stderr) - 20 in (EPERM, ENOTCAPABLE, EROFS)
    assert not (data_dir / "new.txt").exists()
    granted = cli("eval", "-", "--exec", probe, "--mount", f"{data_dir}:/data:rw", stdin=STREAM)
    assert WORKED in granted.stderr
    assert (data_dir / "new.txt").read_text() == "written"


def test_env_only_what_is_granted(cli: Cli, wat: Callable[[str, str], Path]) -> None:
    probe = wat("env", ENV_PROBE)
    env = {"RUNNER_SECRET": "do-not-leak", "PASSED_ON": "by-name"}
    bare = cli("eval", "-", "--exec", probe, stdin=STREAM, env=env)
    assert WORKED in bare.stderr
    assert "do-not-leak" not in bare.stderr
    assert "PATH=" not in bare.stderr
    granted = cli(
        "eval", "-", "--exec", probe, "--env", "GREETING=hello", "-e", "PASSED_ON",
        stdin=STREAM, env=env,
    )  # fmt: skip
    assert WORKED in granted.stderr
    assert "GREETING=hello" in granted.stderr
    assert "PASSED_ON=by-name" in granted.stderr
    assert "do-not-leak" not in granted.stderr
