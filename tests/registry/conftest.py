"""A real OCI registry for the registry tests: Debian's ``docker-registry`` (the CNCF distribution
registry), started on a free loopback port with a temporary storage directory and stopped after.

No mock: what the tests push, pull, tamper with and take away is a running registry and its disk.
"""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CliResult

Cli = Callable[..., CliResult]

BINARY = "docker-registry"


def _free_port(address: str) -> int:
    with socket.socket() as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


def bcrypt_htpasswd(user: str, password: str) -> str:
    """An htpasswd line (bcrypt, as the registry requires) from the C library's crypt(3)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt  # deprecated in 3.11, the only bcrypt in the standard library

        hashed = crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH))
    assert hashed.startswith("$2"), "this C library's crypt(3) has no bcrypt"
    return f"{user}:{hashed}\n"


@dataclass
class Registry:
    address: str
    port: int
    storage: Path
    process: subprocess.Popen[bytes]
    auth: tuple[str, str] | None = None
    log: Path = field(default_factory=Path)

    @property
    def host(self) -> str:
        """How references name it: ``localhost:PORT`` on 127.0.0.1, else ``ADDRESS:PORT``."""
        name = "localhost" if self.address == "127.0.0.1" else self.address
        return f"{name}:{self.port}"

    def url(self, path: str) -> str:
        return f"http://{self.address}:{self.port}{path}"

    def get(self, path: str, accept: str = "") -> tuple[bytes, dict[str, str]]:
        request = urllib.request.Request(self.url(path))
        if accept:
            request.add_header("Accept", accept)
        if self.auth:
            token = base64.b64encode(":".join(self.auth).encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read(), dict(response.headers)

    def manifest(self, repository: str, ref: str) -> dict[str, Any]:
        body, _ = self.get(
            f"/v2/{repository}/manifests/{ref}", "application/vnd.oci.image.manifest.v1+json"
        )
        value: dict[str, Any] = json.loads(body)
        return value

    def blob_file(self, digest: str) -> Path:
        """Where the registry keeps a blob on its disk (distribution's filesystem layout)."""
        hexdigest = digest.removeprefix("sha256:")
        return self.storage / "docker/registry/v2/blobs/sha256" / hexdigest[:2] / hexdigest / "data"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_registry(
    directory: Path, *, address: str = "127.0.0.1", auth: tuple[str, str] | None = None
) -> Registry:
    if shutil.which(BINARY) is None:
        pytest.fail(f"{BINARY} is not installed: apt-get install docker-registry (.ci/run does)")
    port = _free_port(address)
    storage = directory / "storage"
    storage.mkdir(parents=True)
    auth_config = ""
    if auth is not None:
        htpasswd = directory / "htpasswd"
        htpasswd.write_text(bcrypt_htpasswd(*auth))
        auth_config = f"auth:\n  htpasswd: {{realm: krm-wasm-test, path: {htpasswd}}}\n"
    config = directory / "config.yml"
    config.write_text(
        "version: 0.1\n"
        "log: {level: error, accesslog: {disabled: true}}\n"
        f"storage:\n  filesystem: {{rootdirectory: {storage}}}\n  delete: {{enabled: true}}\n"
        f"http:\n  addr: {address}:{port}\n" + auth_config
    )
    log = directory / "registry.log"
    with log.open("wb") as out:
        process = subprocess.Popen([BINARY, "serve", str(config)], stdout=out, stderr=out)
    registry = Registry(address, port, storage, process, auth, log)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{BINARY} exited {process.returncode}: {log.read_text()}")
        try:
            urllib.request.urlopen(registry.url("/v2/"), timeout=1).close()
            return registry
        except urllib.error.HTTPError:
            return registry  # 401 with auth on: it is up
        except OSError:
            time.sleep(0.05)
    registry.stop()
    pytest.fail(f"{BINARY} did not answer on {address}:{port} within 15 s: {log.read_text()}")


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., Registry]]:
    """``start(address=..., auth=(user, password))``: a registry stopped after the test."""
    started: list[Registry] = []

    def make(**options: Any) -> Registry:
        registry = start_registry(tmp_path / f"registry-{len(started)}", **options)
        started.append(registry)
        return registry

    yield make
    for registry in started:
        registry.stop()


@pytest.fixture
def registry(start: Callable[..., Registry]) -> Registry:
    """A plain-HTTP registry on 127.0.0.1, named ``localhost:PORT``."""
    return start()


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A fresh function store for this test (``$KRM_WASM_STORE``); created by the runner."""
    return tmp_path / "store"


@pytest.fixture
def docker_config(tmp_path: Path) -> Path:
    """An empty ``$DOCKER_CONFIG`` directory: the tests never read the machine's credentials."""
    path = tmp_path / "docker-config"
    path.mkdir()
    return path


@pytest.fixture
def run(cli: Cli, store: Path, docker_config: Path) -> Cli:
    def call(*args: str | Path, env: dict[str, str] | None = None, **kw: object) -> CliResult:
        base = {"KRM_WASM_STORE": str(store), "DOCKER_CONFIG": str(docker_config)}
        return cli(*args, env={**base, **(env or {})}, **kw)

    return call
