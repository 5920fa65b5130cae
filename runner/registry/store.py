"""The private, content-addressed store of pulled functions (kept for offline use).

Layout under the root (mode 0700, like the compile cache, or it is refused)::

    blobs/sha256/<hex>               manifests, configs and wasm layers, named by their digest
    refs/<host>/<repository>/<tag>   the manifest digest a tag pointed to when it was pulled

Pulled code is code: every blob is checked against its digest when written and again before use;
a blob that fails the check is removed and reported. Writes go to a temporary file in the same
directory and are renamed into place only after the check, so a half-written pull is never seen;
a tag is recorded last, after everything it points to is stored.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from runner.private_files import cache_home, is_ours_and_private, replace_file
from runner.registry.errors import DigestMismatch, RegistryError
from runner.registry.reference import Reference

__all__ = ["Store", "default_store_dir", "sha256_digest"]


def default_store_dir() -> Path:
    """``$KRM_WASM_STORE``, else ``$XDG_CACHE_HOME/krm-wasm/store`` (``~/.cache`` by default)."""
    if os.environ.get("KRM_WASM_STORE"):
        return Path(os.environ["KRM_WASM_STORE"])
    return cache_home() / "store"


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _is_private(path: Path) -> bool:
    return is_ours_and_private(path.lstat(), others_may_read=False)


class Store:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else default_store_dir()

    def _directory(self, *parts: str, create: bool) -> Path:
        """``root/parts...``, every level created 0700 and checked to be private."""
        path = self.root
        for part in ("", *parts):
            path = path / part if part else path
            if create:
                try:
                    path.mkdir(mode=0o700, parents=not part, exist_ok=True)
                except OSError as error:
                    raise RegistryError(
                        f"cannot create the function store {path}: {error}"
                    ) from None
            if path.exists() and not _is_private(path):
                raise RegistryError(
                    f"function store {path} is not private: it must be a directory owned by you"
                    " with mode 0700 (chmod 700 it, or set $KRM_WASM_STORE)"
                )
        return path

    def blob_path(self, digest: str) -> Path:
        algorithm, _, hexdigest = digest.partition(":")
        return self.root / "blobs" / algorithm / hexdigest

    def has(self, digest: str) -> bool:
        return self.blob_path(digest).is_file()

    def verified_path(self, digest: str) -> Path:
        """The stored blob for ``digest``, checked against it; a damaged copy is removed."""
        self._directory("blobs", "sha256", create=False)
        path = self.blob_path(digest)
        try:
            if not _is_private(path):
                raise RegistryError(
                    f"stored blob {path} is not private (want owner-only mode 0600)"
                )
            data = path.read_bytes()
        except FileNotFoundError:
            raise RegistryError(f"{digest} is not in the function store {self.root}") from None
        actual = sha256_digest(data)
        if actual != digest:
            path.unlink(missing_ok=True)
            raise DigestMismatch(
                f"stored blob {path} is damaged: its content is {actual}, not {digest};"
                " it was removed, pull again"
            )
        return path

    def read(self, digest: str) -> bytes:
        return self.verified_path(digest).read_bytes()

    def write(self, digest: str, data: bytes) -> Path:
        """Store ``data`` as ``digest``; DigestMismatch (and nothing stored) if it is not."""
        actual = sha256_digest(data)
        if actual != digest:
            raise DigestMismatch(f"content is {actual}, not the expected {digest}; not stored")
        directory = self._directory("blobs", "sha256", create=True)
        target = directory / digest.partition(":")[2]
        self._write_atomically(target, data)
        return target

    def tag_digest(self, reference: Reference) -> str | None:
        """The manifest digest recorded for ``reference``'s tag, if it was pulled before."""
        path = self._ref_path(reference)
        try:
            text = path.read_text(encoding="ascii").strip()
        except (FileNotFoundError, UnicodeDecodeError):
            return None
        return text if text.startswith("sha256:") and self.has(text) else None

    def record_tag(self, reference: Reference, digest: str) -> None:
        path = self._ref_path(reference)
        parts = path.relative_to(self.root).parts
        self._directory(*parts[:-1], create=True)
        self._write_atomically(path, digest.encode("ascii") + b"\n")

    def _ref_path(self, reference: Reference) -> Path:
        return (
            self.root / "refs" / reference.host / reference.repository / (reference.tag or "latest")
        )

    @staticmethod
    def _write_atomically(target: Path, data: bytes) -> None:
        replace_file(target, data, fsync=True)
