"""docs/registry.md's walk-through, run as written: publish with nox, pull, render the Kptfile."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.registry.conftest import Cli, Registry
from tests.registry.test_registry import CONFIGMAP

DOC = ROOT / "docs" / "registry.md"
DOC_HOST = "localhost:5000"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), flags=re.S)


@pytest.mark.slow
def test_walk_through(
    run: Cli, registry: Registry, tmp_path: Path, store: Path, docker_config: Path
) -> None:
    commands = [line.split("  #")[0].strip() for line in _blocks("sh")[0].splitlines()]
    assert commands[0].startswith("docker-registry serve")  # the fixture's job
    assert commands[1] == "python3 -m nox -s build"  # done before the tests run
    package = tmp_path / "my-pkg"
    package.mkdir()
    (package / "Kptfile").write_text(_blocks("yaml")[0].replace(DOC_HOST, registry.host))
    (package / "settings.yaml").write_text(CONFIGMAP)
    env = {"KRM_WASM_STORE": str(store), "DOCKER_CONFIG": str(docker_config)}
    for command in commands[2:]:
        argv = shlex.split(command.replace(DOC_HOST, registry.host))
        if argv[:3] == ["python3", "-m", "nox"]:
            done = subprocess.run(
                [sys.executable, *argv[1:]], cwd=ROOT, capture_output=True, text=True, timeout=600
            )
            assert done.returncode == 0, done.stdout + done.stderr
            assert f"{registry.host}/fns/set-namespace@sha256:" in done.stdout
            continue
        assert argv[:3] == ["python", "-m", "runner"], command
        args = [str(package) if a == "my-pkg" else a for a in argv[3:]]
        result = run(*args, env=env)
        assert result.returncode == 0, f"{command}: {result.stderr}"
    assert "namespace: prod" in (package / "settings.yaml").read_text()
    tags = registry.get("/v2/fns/set-namespace/tags/list")[0].decode()
    for tag in ("v0.1.0", "latest", "v0.1.0-rust", "v0.1.0-go", "v0.1.0-py"):
        assert f'"{tag}"' in tags
    # The Python build is a component: os wasip2, with its WIT world in the config, and it runs.
    manifest = registry.manifest("fns/set-namespace", "v0.1.0-py")
    config = json.loads(
        registry.get(f"/v2/fns/set-namespace/blobs/{manifest['config']['digest']}")[0]
    )
    assert config["os"] == "wasip2"
    assert config["component"]["exports"]
    assert any(name.startswith("wasi:cli/") for name in config["component"]["imports"])
    image = f"{registry.host}/fns/set-namespace:v0.1.0-py"
    done = run("eval", "-", "--image", image, "--", "namespace=py", stdin=CONFIGMAP, env=env)
    assert done.returncode == 0, done.stderr
    assert "namespace: py" in done.stdout
