"""A package loses nothing and lets nothing out: atomic writes, locks, hostile paths and files.

Real packages on disk, real subprocesses of the CLI (killed mid-write where that is the point),
WAT functions for hostile output.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from runner.errors import PackageError
from runner.kpt.package import read_package
from runner.kpt.package_write import plan_writes
from runner.kpt.transaction import TRANSACTION_DIR, package_lock, recover, write_atomically
from tests import wat_modules
from tests.conftest import CliResult
from tests.hardening.conftest import eval_command, eval_env
from tests.kpt.conftest import values_of

Cli = Callable[..., CliResult]
KPTFILE = "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: pkg\n"
CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n"


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def _resources_of(tree: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in tree.items() if name != "Kptfile"}


def _resources(root: Path) -> dict[str, bytes]:
    return _resources_of(_tree(root))


def _package(root: Path, files: int = 1) -> Path:
    root.mkdir(parents=True)
    (root / "Kptfile").write_text(KPTFILE)
    for number in range(files):
        (root / f"cm-{number:05}.yaml").write_text(CONFIG_MAP.format(name=f"cm-{number}"))
    return root


def _returning(items_yaml: str) -> str:
    """A function that replaces every item with ``items_yaml`` (a YAML list, indented by 0)."""
    body = "".join(f"{line}\n" for line in items_yaml.strip("\n").splitlines())
    return wat_modules.writes(
        f"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{body}"
    )


# --------------------------------------------------------------------------------------------
# All or nothing on disk.


def _signal_while_writing(
    command: list[str], shared_cache: Path, package: Path, signum: signal.Signals
) -> None:
    """Run ``command`` and send it ``signum`` as soon as its write journal exists."""
    journal = package / TRANSACTION_DIR / "journal.json"
    process = subprocess.Popen(command, env=eval_env(shared_cache), stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not journal.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.0005)
    process.send_signal(signum)
    process.wait()


def test_a_run_killed_mid_write_leaves_the_old_or_the_new_package(
    tmp_path: Path, functions: dict[str, Path], shared_cache: Path
) -> None:
    package = _package(tmp_path / "pkg", files=3000)
    before = _tree(package)
    command = eval_command(package, functions)
    subprocess.run(command, env=eval_env(shared_cache), capture_output=True, check=True)  # compiles
    after = _tree(package)
    assert after != before
    # Back to the old files, then kill a second run as soon as its journal exists.
    for name, data in before.items():
        (package / name).write_bytes(data)
    _signal_while_writing(command, shared_cache, package, signal.SIGKILL)
    interrupted = (package / TRANSACTION_DIR / "journal.json").exists()
    note = recover(package)
    assert not (package / TRANSACTION_DIR).exists()
    tree = _tree(package)
    assert tree in (before, after), "a mixed package"
    if interrupted:
        assert note is not None and "rolled back" in note
        assert tree == before


def test_sigterm_during_the_write_waits_for_the_commit(
    tmp_path: Path, functions: dict[str, Path], shared_cache: Path
) -> None:
    package = _package(tmp_path / "pkg", files=3000)
    before = _tree(package)
    command = eval_command(package, functions)
    _signal_while_writing(command, shared_cache, package, signal.SIGTERM)
    tree = _tree(package)
    assert not (package / TRANSACTION_DIR).exists()
    if tree != before:  # the signal came during the renames: held back until the commit
        assert all(b"namespace: changed" in data for name, data in tree.items() if "cm-" in name)


def test_an_interrupted_write_is_rolled_back_by_the_next_run(cli: Cli, tmp_path: Path) -> None:
    package = _package(tmp_path / "pkg")
    before = _tree(package)
    # What a killed run leaves: one file replaced, its old content linked in the journal.
    txn = package / TRANSACTION_DIR
    txn.mkdir()
    os.link(package / "cm-00000.yaml", txn / "old-0")
    (package / "cm-00000.yaml").unlink()
    (package / "cm-00000.yaml").write_text("half: written\n")
    (package / "new.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: new}\n")
    (txn / "journal.json").write_text(
        '{"operations": [{"path": "cm-00000.yaml", "new": null, "old": "old-0", "dirs": []},'
        ' {"path": "new.yaml", "new": null, "old": null, "dirs": []}]}'
    )
    done = cli("render", package)
    assert done.returncode == 0, done.stderr
    assert f"recovered {package}: an interrupted write was rolled back" in done.stderr
    assert _resources(package) == _resources_of(before)
    assert not txn.exists()


def test_a_failure_midway_restores_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = _package(tmp_path / "pkg", files=3)
    (package / "gone.yaml").write_text(CONFIG_MAP.format(name="gone"))
    before = _tree(package)
    pkg = read_package(package)
    values = [v for v in values_of(pkg) if v["metadata"]["name"] != "gone"]
    for value in values:
        value["data"] = {"k": "v"}
    values.append(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": "n",
                "annotations": {"internal.config.kubernetes.io/path": "new/dir/n.yaml"},
            },
        }
    )
    plan = plan_writes(pkg, values)
    # Fault injection: the disk fills up at the third rename, after two files were replaced.
    real_replace = os.replace
    calls = []

    def replace(source: object, target: object) -> None:
        calls.append(target)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr("runner.kpt.transaction.os.replace", replace)
    with pytest.raises(PackageError, match=r"cannot replace file: No space left.*every file was"):
        write_atomically(package, plan)
    monkeypatch.undo()
    assert _tree(package) == before
    assert not (package / "new").exists()
    assert not (package / TRANSACTION_DIR).exists()


# --------------------------------------------------------------------------------------------
# Concurrent runs.


def test_a_second_run_waits_for_the_first(tmp_path: Path, shared_cache: Path) -> None:
    package = _package(tmp_path / "pkg")
    command = [sys.executable, "-m", "runner", "eval", str(package), "-o", "stdout"]
    command += ["--image", "set-namespace", "--", "namespace=x"]
    with package_lock(package, notify=lambda message: None):
        process = subprocess.Popen(
            command,
            env=eval_env(shared_cache),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stderr is not None
        first = process.stderr.readline()  # it says so before anything else, then waits
        assert f"waiting for another run on {package} to finish" in first
        time.sleep(0.3)
        assert process.poll() is None  # still waiting while the lock is held
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    assert "namespace: x" in stdout


def test_a_file_changed_since_it_was_read_is_not_overwritten(tmp_path: Path) -> None:
    package = _package(tmp_path / "pkg", files=2)
    pkg = read_package(package)
    values = values_of(pkg)
    for value in values:
        value["data"] = {"k": "v"}
    plan = plan_writes(pkg, values)
    (package / "cm-00001.yaml").write_text(CONFIG_MAP.format(name="edited-meanwhile"))
    edited = _tree(package)
    with pytest.raises(PackageError, match=r"cm-00001\.yaml: changed on disk since"):
        write_atomically(package, plan, pkg.stamps)
    assert _tree(package) == edited


# --------------------------------------------------------------------------------------------
# What a function's output may write.


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("Kptfile", "names a Kptfile: functions cannot add resources to one"),
        ("sub/Kptfile", "names a Kptfile"),
        (".git/hooks/pre-commit.yaml", "is inside .git/"),
        (".krmignore", "names an existing file that is not part of the package"),
        ("notes.txt", "must end in .yaml or .yml"),
        ("hidden/x.yaml", "is in a directory .krmignore hides"),
        ("../outside.yaml", "must not be outside the package"),
        (f"{TRANSACTION_DIR}/journal.yaml", "is inside .krm-wasm-transaction/"),
    ],
)
def test_a_function_cannot_write_outside_its_resource_files(
    cli: Cli, wat: Callable[[str, str], Path], tmp_path: Path, path: str, message: str
) -> None:
    package = _package(tmp_path / "pkg")
    (package / ".krmignore").write_text("hidden/\n")
    (package / ".git").mkdir()
    before = _tree(package)
    evil = wat(
        "evil",
        _returning(
            "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: x\n"
            f"    annotations:\n      internal.config.kubernetes.io/path: '{path}'\n"
        ),
    )
    done = cli("eval", package, "--exec", evil)
    assert done.returncode == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert _tree(package) == before


# --------------------------------------------------------------------------------------------
# What the runner reads.


def test_config_path_through_a_symlink_to_outside_is_refused(cli: Cli, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text(CONFIG_MAP.format(name="secret") + "data:\n  password: hunter2\n")
    package = _package(tmp_path / "pkg")
    (package / ".git").mkdir()
    (package / ".git" / "config.yaml").symlink_to(secret)
    (package / "Kptfile").write_text(
        KPTFILE + "pipeline:\n  mutators:\n  - image: set-namespace\n"
        "    configPath: .git/config.yaml\n"
    )
    done = cli("render", package)
    assert done.returncode == 1
    assert "configPath: '.git/config.yaml': resolves outside the package" in done.stderr
    assert "hunter2" not in done.stdout + done.stderr


def test_an_exec_outside_the_package_needs_allow_exec(
    cli: Cli, functions: dict[str, Path], tmp_path: Path
) -> None:
    package = _package(tmp_path / "pkg")
    (package / "Kptfile").write_text(
        KPTFILE + "pipeline:\n  mutators:\n"
        f"  - exec: {functions['set-namespace@rust']}\n    configMap: {{namespace: prod}}\n"
    )
    before = _tree(package)
    refused = cli("render", package)
    assert refused.returncode == 1
    assert "is outside the package; run with --allow-exec" in refused.stderr
    assert _resources(package) == _resources_of(before)  # the Kptfile records the failure
    allowed = cli("render", package, "--allow-exec")
    assert allowed.returncode == 0, allowed.stderr
    assert b"namespace: prod" in (package / "cm-00000.yaml").read_bytes()


@pytest.mark.parametrize("where", ["x.yaml", ".krmignore", "sub/Kptfile"])
def test_a_fifo_in_the_package_is_an_error_not_a_hang(cli: Cli, tmp_path: Path, where: str) -> None:
    package = _package(tmp_path / "pkg")
    (package / where).parent.mkdir(exist_ok=True)
    os.mkfifo(package / where)
    done = cli("eval", package, "-o", "stdout", "--image", "set-namespace", "--", "namespace=x")
    assert done.returncode == 1
    assert "not a regular file" in done.stderr
    assert "Traceback" not in done.stderr


def test_fn_config_from_a_device_is_refused(cli: Cli, tmp_path: Path) -> None:
    package = _package(tmp_path / "pkg")
    done = cli("eval", package, "--image", "set-namespace", "--fn-config", "/dev/zero")
    assert done.returncode != 0
    assert "/dev/zero: not a regular file" in done.stderr


# --------------------------------------------------------------------------------------------
# Errors, not tracebacks.


def test_a_symlink_loop_is_named(cli: Cli, tmp_path: Path) -> None:
    package = _package(tmp_path / "pkg")
    (package / "loop1.yaml").symlink_to("loop2.yaml")
    (package / "loop2.yaml").symlink_to("loop1.yaml")
    done = cli("eval", package, "-o", "stdout", "--image", "set-namespace", "--", "namespace=x")
    assert done.returncode == 1
    assert "PackageError: loop1.yaml: symlink loop" in done.stderr


def test_results_dir_that_is_a_file(cli: Cli, tmp_path: Path) -> None:
    package = _package(tmp_path / "pkg")
    (tmp_path / "results").write_text("")
    done = cli(
        "eval",
        package,
        "-o",
        "stdout",
        "--results-dir",
        tmp_path / "results",
        "--image",
        "set-namespace",
        "--",
        "namespace=x",
    )
    assert done.returncode == 1
    assert f"PackageError: --results-dir {tmp_path / 'results'}: cannot create" in done.stderr


def test_closed_stdout_is_an_error_not_a_traceback(tmp_path: Path, shared_cache: Path) -> None:
    package = _package(tmp_path / "pkg")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "runner",
            "eval",
            str(package),
            "-o",
            "stdout",
            "--image",
            "set-namespace",
            "--",
            "namespace=x",
        ],
        env=eval_env(shared_cache),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        close_fds=True,
        pass_fds=(),
        preexec_fn=lambda: os.close(1),
        check=False,
    )
    assert done.returncode == 1
    assert "stdout is closed" in done.stderr
    assert "Traceback" not in done.stderr
