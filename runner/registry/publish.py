"""Push every built function (``dist/functions/index.json``) to a registry: ``nox -s publish``.

``python -m runner.registry.publish [DIST] --registry HOST[:PORT] [--prefix PATH]`` pushes each
``NAME`` in language ``LANG`` as ``HOST/PREFIX/NAME`` tagged ``VERSION-LANG``; the default language
of a name (Rust, then Go, then Python, as bare names resolve) is also tagged ``VERSION`` and
``latest``. ``VERSION`` is the index entry's ``version`` (catalog builds record one), else this
project's version with a ``v`` (``v0.1.0``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path

from runner.catalog.local import DEFAULT_LANGUAGES, PROJECT_DIST, CatalogEntry, catalog
from runner.errors import RunnerError, UsageError
from runner.registry.push import push
from runner.registry.reference import parse_reference

__all__ = ["main", "plan", "project_version"]


def project_version() -> str:
    try:
        return "v" + package_version("krm-wasm")
    except PackageNotFoundError:
        return "v0.0.0"


def plan(
    entries: Sequence[CatalogEntry], default_version: str
) -> list[tuple[CatalogEntry, list[str]]]:
    """Each entry with its tags (see the module docstring)."""
    rank = {lang: i for i, lang in enumerate(DEFAULT_LANGUAGES)}
    default_lang: dict[str, str | None] = {}
    for entry in sorted(entries, key=lambda e: rank.get(e.lang or "", len(rank))):
        default_lang.setdefault(entry.name, entry.lang)
    planned = []
    for entry in entries:
        version = entry.version or default_version
        version = version if version.startswith("v") else "v" + version
        tags = [f"{version}-{entry.lang}"] if entry.lang else []
        if default_lang[entry.name] == entry.lang:
            tags += [version, "latest"]
        planned.append((entry, tags))
    return planned


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m runner.registry.publish")
    parser.add_argument("dist", nargs="?", type=Path, default=PROJECT_DIST, metavar="DIST")
    parser.add_argument("--registry", required=True, metavar="HOST[:PORT]")
    parser.add_argument("--prefix", default="krm-wasm", metavar="PATH")
    parser.add_argument("--insecure-registry", action="append", default=[], metavar="HOST")
    args = parser.parse_args(argv)
    try:
        if not (args.dist / "index.json").is_file():
            raise UsageError(f"{args.dist}: no index.json (build the functions: `nox -s build`)")
        for entry, tags in plan(catalog([args.dist]), project_version()):
            base = f"{args.registry}/{args.prefix.strip('/')}/{entry.name}"
            reference = parse_reference(f"{base}:{tags[0]}")
            if reference is None:
                raise UsageError(f"--registry {args.registry!r}: not a registry host")
            digest = push(
                entry.path,
                reference,
                version=tags[0].split("-")[0],
                extra_tags=tags[1:],
                insecure_registries=args.insecure_registry,
            )
            print(f"{base}@{digest} tags {' '.join(tags)}")
    except RunnerError as error:
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        return error.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
