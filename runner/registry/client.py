"""One registry, spoken to through oras-py (the ORAS project's Python client).

oras does the distribution API work: reference URLs, the Docker-config credential lookup
(``auths``, ``credHelpers``, ``credsStore``), the Bearer-token and Basic challenge dance, and
monolithic blob uploads. This module adds what a runner of pulled code needs on top: exact
manifest bytes (a digest is over bytes, not over re-serialized JSON), size bounds, a timeout,
one attempt per request instead of oras's minutes of retries, and errors that say what failed
without printing credentials.

HTTPS by default. Plain HTTP only for a loopback registry (``localhost``, ``127.0.0.1``, ``[::1]``;
HTTPS is tried first, as Docker does) or a host named with ``--insecure-registry``.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import oras.container
import oras.provider
import requests

from runner.registry.artifact import MANIFEST_ACCEPT, MANIFEST_MEDIA_TYPE
from runner.registry.credentials import docker_config_path, load_docker_config
from runner.registry.errors import DigestMismatch, RegistryError
from runner.registry.reference import Reference, is_loopback
from runner.registry.store import sha256_digest

__all__ = ["MAX_BLOB_BYTES", "MAX_MANIFEST_BYTES", "RegistryClient"]

# oras logs through the standard library; the runner reports failures itself.
logging.getLogger("oras.logger").addHandler(logging.NullHandler())
logging.getLogger("oras.logger").propagate = False

MAX_MANIFEST_BYTES = 4 << 20  # containerd's limit for a manifest
MAX_BLOB_BYTES = 512 << 20  # well above the largest built function (a Python component)
TIMEOUT_SECONDS = 60.0


class _TimeoutSession(requests.Session):
    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT_SECONDS)
        return super().request(*args, **kwargs)


class _Registry(oras.provider.Registry):  # type: ignore[misc]
    """oras's Registry with one attempt per request: retries with 3..83 s sleeps hide an
    unreachable registry for minutes; the caller reports the failure at once."""

    do_request = oras.provider.Registry.do_request.__wrapped__


_REASONS = (
    ("NameResolutionError", "its name does not resolve"),
    ("Connection refused", "connection refused"),
    ("timed out", "timed out"),
    ("SSL", "the TLS handshake failed"),
)


def _short(error: Exception) -> str:
    """The cause in a few words (requests' messages run to several hundred characters)."""
    text = str(error)
    for marker, reason in _REASONS:
        if marker in text:
            return reason
    return text if len(text) < 200 else text[:200] + "..."


class RegistryClient:
    def __init__(self, host: str, insecure_hosts: Iterable[str] = ()) -> None:
        self.host = host
        self._insecure = host in set(insecure_hosts)
        self._registry: Any = None

    # -- connection -------------------------------------------------------------------------

    def _connect(self) -> Any:
        """Pick the scheme and auth backend from a ``GET /v2/`` probe; load credentials."""
        if self._registry is not None:
            return self._registry
        schemes = ["http"] if self._insecure else ["https"]
        if is_loopback(self.host) and not self._insecure:
            schemes.append("http")
        failure: Exception | None = None
        for scheme in schemes:
            session = _TimeoutSession()
            try:
                probe = session.get(f"{scheme}://{self.host}/v2/")
            except requests.exceptions.SSLError as error:
                failure = error
                continue
            except requests.exceptions.RequestException as error:
                failure = error
                continue
            challenge = probe.headers.get("Www-Authenticate", "")
            backend = "basic" if challenge.lower().startswith("basic") else "token"
            registry = _Registry(
                hostname=self.host, insecure=scheme == "http", auth_backend=backend
            )
            registry.session = session
            registry.auth.session = session
            registry.auth._auth_config = load_docker_config()
            registry.auth.load_configs(self._container(Reference(self.host, "probe")))
            if not getattr(registry.auth, "_basic_auth", None):
                registry.auth._basic_auth = None  # oras's basic backend reads it unguarded
            self.scheme = scheme
            self._registry = registry
            return registry
        hint = (
            f"; if it serves plain HTTP, pass --insecure-registry {self.host}"
            if isinstance(failure, requests.exceptions.SSLError)
            else ""
        )
        tried, reason = " or ".join(schemes), _short(failure or Exception())
        raise RegistryError(f"cannot reach registry {self.host} over {tried}: {reason}{hint}")

    def _container(self, reference: Reference) -> Any:
        return oras.container.Container(
            f"{reference.host}/{reference.repository}:{reference.tag or 'latest'}",
            registry=reference.host,
        )

    def _request(self, method: str, url: str, what: str, **kwargs: Any) -> requests.Response:
        registry = self._connect()
        try:
            response: requests.Response = registry.do_request(url, method, **kwargs)
        except requests.exceptions.RequestException as error:
            raise RegistryError(f"{what}: {self.host} did not answer: {_short(error)}") from None
        except ValueError:  # oras: "Cannot respond to request for authentication."
            raise RegistryError(f"{what}: {self._denied()}") from None
        if response.status_code in (401, 403):
            raise RegistryError(f"{what}: {self._denied()}")
        return response

    def _denied(self) -> str:
        return (
            f"{self.host} refused the credentials (or found none) in {docker_config_path()};"
            " log in with `docker login` or set $DOCKER_CONFIG"
        )

    @staticmethod
    def _failed(what: str, response: requests.Response) -> RegistryError:
        detail = ""
        try:
            errors = response.json().get("errors", [])
            detail = "; ".join(str(e.get("message", e.get("code", ""))) for e in errors)
        except (ValueError, AttributeError):
            pass
        return RegistryError(
            f"{what}: HTTP {response.status_code} {response.reason}"
            + (f" ({detail})" if detail else "")
        )

    def _url(self, path: str) -> str:
        self._connect()
        return f"{self.scheme}://{path}"

    # -- reading ----------------------------------------------------------------------------

    @staticmethod
    def _read_bounded(response: requests.Response, limit: int, what: str) -> bytes:
        chunks, total = [], 0
        for chunk in response.iter_content(chunk_size=1 << 16):
            total += len(chunk)
            if total > limit:
                response.close()
                raise RegistryError(f"{what}: more than {limit} bytes; refused")
            chunks.append(chunk)
        return b"".join(chunks)

    def get_manifest(self, reference: Reference) -> bytes:
        """The manifest's exact bytes; a digest reference is checked against them."""
        container = self._container(reference)
        what = f"manifest of {reference}"
        url = self._url(container.manifest_url(reference.manifest_ref))
        response = self._request(
            "GET", url, what, headers={"Accept": ", ".join(MANIFEST_ACCEPT)}, stream=True
        )
        if response.status_code == 404:
            raise RegistryError(
                f"{reference}: not found on {self.host} (no such repository, tag or digest)"
            )
        if response.status_code != 200:
            raise self._failed(what, response)
        data = self._read_bounded(response, MAX_MANIFEST_BYTES, what)
        if reference.digest is not None and sha256_digest(data) != reference.digest:
            raise DigestMismatch(
                f"{reference}: the registry served a manifest whose digest is"
                f" {sha256_digest(data)}, not the pinned {reference.digest}"
            )
        return data

    def get_blob(
        self, reference: Reference, digest: str, size: int, limit: int = MAX_BLOB_BYTES
    ) -> bytes:
        """A blob's bytes, checked against ``digest`` and ``size`` (DigestMismatch names both)."""
        what = f"blob {digest} of {reference}"
        if size > limit:
            raise RegistryError(
                f"{what}: {size} bytes is more than the {limit}-byte limit; refused"
            )
        url = self._url(self._container(reference).get_blob_url(digest))
        response = self._request("GET", url, what, stream=True)
        if response.status_code != 200:
            raise self._failed(what, response)
        data = self._read_bounded(response, size, what)
        actual = sha256_digest(data)
        if actual != digest or len(data) != size:
            raise DigestMismatch(
                f"{what}: the registry served {len(data)} bytes whose digest is {actual}, not the"
                f" {size} bytes of {digest} the manifest names; rejected, nothing stored"
            )
        return data

    # -- writing ----------------------------------------------------------------------------

    def push_blob(self, reference: Reference, data: bytes, media_type: str) -> None:
        layer = {"mediaType": media_type, "digest": sha256_digest(data), "size": len(data)}
        registry = self._connect()
        container = self._container(reference)
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / "blob"
            path.write_bytes(data)
            try:
                response = registry.upload_blob(str(path), container, layer)
            except requests.exceptions.RequestException as error:
                raise RegistryError(
                    f"upload to {reference}: {self.host} did not answer: {_short(error)}"
                ) from None
            except ValueError:
                raise RegistryError(f"upload to {reference}: {self._denied()}") from None
        if response.status_code in (401, 403):
            raise RegistryError(f"upload to {reference}: {self._denied()}")
        if response.status_code not in (200, 201, 202):
            raise self._failed(f"upload of {layer['digest']} to {reference}", response)

    def put_manifest(self, reference: Reference, tag: str, data: bytes) -> str:
        """Tag ``data`` as the manifest of ``reference``'s repository; its digest."""
        what = f"manifest upload to {reference.host}/{reference.repository}:{tag}"
        url = self._url(self._container(reference).manifest_url(tag))
        response = self._request(
            "PUT", url, what, data=data, headers={"Content-Type": MANIFEST_MEDIA_TYPE}
        )
        if response.status_code not in (200, 201, 202):
            raise self._failed(what, response)
        digest = sha256_digest(data)
        served = response.headers.get("Docker-Content-Digest")
        if served and served != digest:
            raise DigestMismatch(f"{what}: the registry recorded {served}, not {digest}")
        return digest
