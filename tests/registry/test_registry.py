"""push, pull, and registry images in eval/render, against a real registry (see conftest.py).

Every command runs as a user runs it: ``python -m runner ...`` in a subprocess, with its own
function store (``$KRM_WASM_STORE``) and an empty Docker config unless a test gives one.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import stat
import tarfile
import urllib.request
from collections.abc import Callable
from pathlib import Path

from tests.conftest import CliResult
from tests.registry.conftest import Cli, Registry

CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n"


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def pushed_digest(done: CliResult) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().rsplit("@", 1)[1]


def write_package(root: Path, image: str, namespace: str = "prod") -> Path:
    root.mkdir(parents=True)
    (root / "Kptfile").write_text(
        "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: app\npipeline:\n"
        f"  mutators:\n    - image: {image}\n      configMap:\n        namespace: {namespace}\n"
    )
    (root / "settings.yaml").write_text(CONFIGMAP)
    return root


def test_push_writes_the_cncf_wasm_artifact(
    run: Cli, registry: Registry, functions: dict[str, Path]
) -> None:
    wasm = functions["set-namespace@rust"]
    done = run("push", wasm, f"{registry.host}/fns/set-namespace:v1.2.0", "--tag", "stable")
    digest = pushed_digest(done)
    assert done.stdout.strip() == f"{registry.host}/fns/set-namespace@{digest}"
    manifest = registry.manifest("fns/set-namespace", "stable")
    body, headers = registry.get(
        "/v2/fns/set-namespace/manifests/v1.2.0", "application/vnd.oci.image.manifest.v1+json"
    )
    assert digest_of(body) == digest == headers["Docker-Content-Digest"]
    assert manifest["config"]["mediaType"] == "application/vnd.wasm.config.v0+json"
    [layer] = manifest["layers"]
    assert layer["mediaType"] == "application/wasm"
    assert layer["digest"] == digest_of(wasm.read_bytes())
    config = json.loads(
        registry.get(f"/v2/fns/set-namespace/blobs/{manifest['config']['digest']}")[0]
    )
    assert config["architecture"] == "wasm" and config["os"] == "wasip1"
    assert config["layerDigests"] == [layer["digest"]]
    notes = manifest["annotations"]
    assert notes["dev.krm-wasm.function.name"] == "set-namespace"
    assert notes["dev.krm-wasm.function.lang"] == "rust"
    assert notes["dev.krm-wasm.function.version"] == "v1.2.0"
    assert notes["dev.krm-wasm.function.input"] in ("json", "yaml")
    assert notes["dev.krm-wasm.function.toolchain"].startswith("rustc")
    assert json.loads(notes["dev.krm-wasm.function.section"])["name"] == "set-namespace"


def test_pull_stores_verified_private_copies(
    run: Cli, registry: Registry, functions: dict[str, Path], store: Path, tmp_path: Path
) -> None:
    wasm = functions["set-namespace@go"]
    ref = f"{registry.host}/fns/set-namespace:v1"
    digest = pushed_digest(run("push", wasm, ref))
    out = tmp_path / "pulled.wasm"
    pulled = run("pull", ref, "-o", out)
    assert pulled.returncode == 0, pulled.stderr
    assert pulled.stdout.strip() == f"{registry.host}/fns/set-namespace@{digest}"
    assert out.read_bytes() == wasm.read_bytes()
    blob = store / "blobs/sha256" / digest_of(wasm.read_bytes()).removeprefix("sha256:")
    assert blob.read_bytes() == wasm.read_bytes()
    for path in [store, *store.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{path} is {oct(mode)}"
    assert not [p for p in store.rglob(".partial-*")]
    # By digest: the same function, pinned.
    by_digest = run("pull", f"{registry.host}/fns/set-namespace@{digest}")
    assert by_digest.returncode == 0, by_digest.stderr
    assert digest in by_digest.stdout


def test_render_pulls_registry_images_then_runs_offline(
    run: Cli, registry: Registry, functions: dict[str, Path], store: Path, tmp_path: Path
) -> None:
    # A name no local build has: only the registry can supply it.
    image = f"{registry.host}/platform/ns-setter:v2"
    assert run("push", functions["set-namespace@rust"], image).returncode == 0
    package = write_package(tmp_path / "pkg", image)
    done = run("render", package)
    assert done.returncode == 0, done.stderr
    assert "namespace: prod" in (package / "settings.yaml").read_text()
    assert list((store / "refs" / registry.host / "platform/ns-setter").iterdir())

    registry.stop()
    offline = write_package(tmp_path / "offline", image, namespace="qa")
    again = run("render", offline)  # IfNotPresent: the stored copy, no registry needed
    assert again.returncode == 0, again.stderr
    assert "namespace: qa" in (offline / "settings.yaml").read_text()
    never = run("render", offline, "--image-pull-policy", "Never")
    assert never.returncode == 0, never.stderr
    always = run("render", offline, "--image-pull-policy", "Always")
    assert always.returncode == 1
    assert f"RegistryError: cannot reach registry {registry.host}" in always.stderr
    assert "Traceback" not in always.stderr


def test_eval_image_by_digest(run: Cli, registry: Registry, functions: dict[str, Path]) -> None:
    digest = pushed_digest(run("push", functions["name-prefix@rust"], f"{registry.host}/fns/np:v1"))
    done = run(
        "eval", "-", "--image", f"{registry.host}/fns/np@{digest}", "--", "prefix=p-",
        stdin=CONFIGMAP,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "name: p-settings" in done.stdout


def test_never_with_an_empty_store_is_a_clear_error(
    run: Cli, registry: Registry, functions: dict[str, Path]
) -> None:
    image = f"{registry.host}/fns/set-namespace:v1"
    assert run("push", functions["set-namespace@rust"], image).returncode == 0
    done = run(
        "eval", "-", "--image", image, "--image-pull-policy", "Never", "--", "namespace=x",
        stdin=CONFIGMAP,
    )  # fmt: skip
    assert done.returncode == 1
    assert f"NotInStore: {image} is not in the function store" in done.stderr
    assert "--image-pull-policy is Never" in done.stderr
    bad = run("eval", "-", "--image", image, "--image-pull-policy", "Sometimes", stdin=CONFIGMAP)
    assert bad.returncode == 1
    assert "want one of Always, IfNotPresent, Never" in bad.stderr


def test_tampered_blob_is_rejected_and_not_stored(
    run: Cli, registry: Registry, functions: dict[str, Path], store: Path
) -> None:
    wasm = functions["set-namespace@rust"].read_bytes()
    image = f"{registry.host}/fns/set-namespace:v1"
    assert run("push", functions["set-namespace@rust"], image).returncode == 0
    layer = digest_of(wasm)
    on_disk = registry.blob_file(layer)
    data = bytearray(on_disk.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, different content
    on_disk.write_bytes(bytes(data))
    done = run("pull", image)
    assert done.returncode == 1
    assert "DigestMismatch" in done.stderr
    assert layer in done.stderr and digest_of(bytes(data)) in done.stderr
    assert not (store / "blobs/sha256" / layer.removeprefix("sha256:")).exists()
    assert not (store / "refs").exists()


def test_pin_that_the_registry_does_not_serve_names_both_digests(
    run: Cli, registry: Registry, functions: dict[str, Path]
) -> None:
    repo = f"{registry.host}/fns/set-namespace"
    first = pushed_digest(run("push", functions["set-namespace@rust"], f"{repo}:v1"))
    moved = pushed_digest(run("push", functions["set-namespace@go"], f"{repo}:v1"))
    assert first != moved
    done = run("pull", f"{repo}:v1@{first}")  # the tag has moved on since it was pinned
    assert done.returncode == 1
    assert "DigestMismatch" in done.stderr
    assert first in done.stderr and moved in done.stderr
    # A pin the registry serves with other bytes (its copy of the manifest was altered).
    manifest_file = registry.blob_file(moved)
    manifest_file.write_bytes(manifest_file.read_bytes().replace(b'"v1"', b'"v9"'))
    altered = run("pull", f"{repo}@{moved}")
    assert altered.returncode == 1
    assert "DigestMismatch" in altered.stderr
    assert moved in altered.stderr and digest_of(manifest_file.read_bytes()) in altered.stderr


def _put(registry: Registry, repository: str, data: bytes) -> str:
    digest = digest_of(data)
    start = urllib.request.Request(registry.url(f"/v2/{repository}/blobs/uploads/"), method="POST")
    with urllib.request.urlopen(start, timeout=10) as response:
        location = response.headers["Location"]
    sep = "&" if "?" in location else "?"
    upload = location if location.startswith("http") else registry.url(location)
    put = urllib.request.Request(f"{upload}{sep}digest={digest}", data=data, method="PUT")
    put.add_header("Content-Type", "application/octet-stream")
    urllib.request.urlopen(put, timeout=10).close()
    return digest


def _put_manifest(registry: Registry, repository: str, tag: str, body: dict[str, object]) -> None:
    data = json.dumps(body).encode()
    request = urllib.request.Request(
        registry.url(f"/v2/{repository}/manifests/{tag}"), data=data, method="PUT"
    )
    request.add_header("Content-Type", str(body["mediaType"]))
    urllib.request.urlopen(request, timeout=10).close()


def test_kpt_alpha_format_is_refused_with_the_wasi_build_named(
    run: Cli, registry: Registry
) -> None:
    """What ``kpt alpha wasm push`` writes: an index, platform js/wasm, a gzipped tar layer."""
    repository = "kpt/set-namespace"
    module = b"\0asm\x01\x00\x00\x00"  # stands in for a GOOS=js module
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        info = tarfile.TarInfo("set-namespace.wasm")
        info.size = len(module)
        tar.addfile(info, io.BytesIO(module))
    layer = gzip.compress(archive.getvalue())
    config = json.dumps({"architecture": "wasm", "os": "js", "rootfs": {"type": "layers"}}).encode()
    image = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": _put(registry, repository, config),
            "size": len(config),
        },
        "layers": [
            {
                "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                "digest": _put(registry, repository, layer),
                "size": len(layer),
            }
        ],
    }
    _put_manifest(registry, repository, "image", image)
    image_bytes = json.dumps(image).encode()
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {
                "mediaType": image["mediaType"],
                "digest": digest_of(image_bytes),
                "size": len(image_bytes),
                "platform": {"architecture": "wasm", "os": "js"},
            }
        ],
    }
    _put_manifest(registry, repository, "v0.1", index)
    for tag in ("v0.1", "image"):  # as kpt pushes it, and its single image alone
        done = run("pull", f"{registry.host}/{repository}:{tag}")
        assert done.returncode == 1, done.stdout
        assert "KptAlphaArtifact" in done.stderr
        assert "GOOS=js" in done.stderr and "not WASI" in done.stderr
        assert "a WASI build of set-namespace is available locally" in done.stderr
        assert "set-namespace@rust" in done.stderr
        assert "Traceback" not in done.stderr


def test_credentials_come_from_the_docker_config_and_are_not_printed(
    run: Cli, start: Callable[..., Registry], functions: dict[str, Path], docker_config: Path
) -> None:
    password = "not-for-printing-7c1e"
    registry = start(auth=("tester", password))
    image = f"{registry.host}/fns/set-namespace:v1"
    denied = run("push", functions["set-namespace@rust"], image)
    assert denied.returncode == 1
    assert f"refused the credentials (or found none) in {docker_config / 'config.json'}" in (
        denied.stderr
    )
    secret = base64.b64encode(f"tester:{password}".encode()).decode()
    (docker_config / "config.json").write_text(
        json.dumps({"auths": {registry.host: {"auth": secret}}})
    )
    pushed = run("push", functions["set-namespace@rust"], image)
    assert pushed.returncode == 0, pushed.stderr
    pulled = run("pull", image)
    assert pulled.returncode == 0, pulled.stderr
    wrong = base64.b64encode(b"tester:wrong-password").decode()
    (docker_config / "config.json").write_text(
        json.dumps({"auths": {registry.host: {"auth": wrong}}})
    )
    refused = run("pull", image)
    assert refused.returncode == 1
    for done in (denied, pushed, pulled, refused):
        for text in (done.stdout, done.stderr):
            assert password not in text and secret not in text and "wrong-password" not in text


def test_https_by_default_plain_http_only_when_asked(
    run: Cli, start: Callable[..., Registry], functions: dict[str, Path]
) -> None:
    # 127.0.0.2 is a loopback address, but not a name the runner trusts with plain HTTP.
    registry = start(address="127.0.0.2")
    image = f"{registry.host}/fns/set-namespace:v1"
    refused = run("push", functions["set-namespace@rust"], image)
    assert refused.returncode == 1
    assert f"cannot reach registry {registry.host} over https" in refused.stderr
    assert f"--insecure-registry {registry.host}" in refused.stderr
    allowed = run(
        "push", functions["set-namespace@rust"], image, "--insecure-registry", registry.host
    )
    assert allowed.returncode == 0, allowed.stderr
    done = run(
        "eval", "-", "--image", image, "--insecure-registry", registry.host, "--", "namespace=z",
        stdin=CONFIGMAP,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "namespace: z" in done.stdout


def test_a_damaged_store_entry_is_caught_before_use(
    run: Cli, registry: Registry, functions: dict[str, Path], store: Path
) -> None:
    wasm = functions["set-namespace@rust"].read_bytes()
    image = f"{registry.host}/fns/set-namespace:v1"
    assert run("push", functions["set-namespace@rust"], image).returncode == 0
    assert run("pull", image).returncode == 0
    stored = store / "blobs/sha256" / digest_of(wasm).removeprefix("sha256:")
    stored.write_bytes(stored.read_bytes()[:-1] + b"\0")
    registry.stop()
    done = run("eval", "-", "--image", image, "--", "namespace=x", stdin=CONFIGMAP)
    assert done.returncode == 1
    assert "DigestMismatch: stored blob" in done.stderr and "is damaged" in done.stderr
    assert not stored.exists()


def test_a_store_that_is_not_private_is_refused(
    run: Cli, registry: Registry, functions: dict[str, Path], store: Path
) -> None:
    store.mkdir(mode=0o755)
    store.chmod(0o755)
    image = f"{registry.host}/fns/set-namespace:v1"
    assert run("push", functions["set-namespace@rust"], image).returncode == 0
    done = run("pull", image)
    assert done.returncode == 1
    assert f"function store {store} is not private" in done.stderr
