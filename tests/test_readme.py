"""The README's runner commands, executed: the quick start's render and every "Running functions"
example (placeholders PKG, FN.wasm and resource-list.yaml filled in with real files)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT

README = (ROOT / "README.md").read_text()


def _runner_commands() -> list[str]:
    """Every ``python3 -m runner ...`` command in the README's sh blocks (continuations joined)."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", README, re.S):
        joined = block.replace("\\\n", " ")
        for line in joined.splitlines():
            for part in line.split("&&"):
                part = part.split("#")[0].strip()
                if part.startswith("python3 -m runner"):
                    commands.append(" ".join(part.split()))
    return commands


COMMANDS = _runner_commands()


def test_the_readme_has_the_commands_this_test_expects() -> None:
    verbs = [command.split()[3] for command in COMMANDS]
    assert verbs == ["render", "run", "eval", "render", "exec"]


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_command_runs(command: str, tmp_path: Path, shared_cache: Path) -> None:
    package = tmp_path / "pkg"
    shutil.copytree(EXAMPLES / "quickstart", package)
    filled = (
        command.replace("python3", f'"{sys.executable}"', 1)
        .replace(" PKG", f" {package}")
        .replace("FN.wasm", str(ROOT / "dist" / "functions" / "set-namespace.go.wasm"))
        .replace("resource-list.yaml", str(EXAMPLES / "poc" / "resourceList.yaml"))
    )
    env = {**os.environ, "KRM_WASM_CACHE": str(shared_cache), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        ["bash", "-c", filled], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{filled}\n{done.stderr}"
    assert "namespace: prod" in done.stdout or "namespace: prod" in _package_text(package)


def _package_text(package: Path) -> str:
    return "".join(path.read_text() for path in sorted(package.rglob("*.yaml")))
