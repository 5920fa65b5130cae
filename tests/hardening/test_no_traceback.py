"""Hostile input of every kind ends in ``ErrorType: message`` naming what is wrong, no traceback.

One case per input of issue 12's "Hangs, crashes, tracebacks": each builds real files (a package, a
WAT function, a cache, a FIFO) in a temp directory, runs the CLI in a subprocess with a hang timeout
and checks the exit code, the error's type and what it names.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import wasmtime

from buildtools.common import METADATA_SECTION, append_custom_section
from tests import wat_modules
from tests.conftest import ROOT, CliResult
from tests.hardening.conftest import HANG_SECONDS, STREAM

KPTFILE = "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: pkg\n"
CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"
RLIST = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"
DEEP = 100_000  # levels of nesting: PyYAML's C composer runs out of stack long before


def _laughs(indent: str) -> str:
    """Billion laughs: 9 levels of 9 aliases each, a few hundred bytes naming 3.8e8 strings."""
    lines = [f"a0: &a0 [{','.join(['lol'] * 9)}]"]
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    return "".join(f"{indent}{line}\n" for line in lines)


# An anchor whose value holds its own alias: a value that contains itself (go-yaml refuses it).
SELF_ITEM = (
    "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: self}\n  data: &a\n    k: [*a]\n"
)

BOMB_ITEM = "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: bomb}\n  data:\n" + _laughs(
    "    "
)


@dataclass(frozen=True)
class Case:
    """``args`` (``{pkg}``, ``{fn}``, ``{tmp}`` filled in) after ``setup`` built the files."""

    reason: str
    args: tuple[str, ...]
    needles: tuple[str, ...]
    setup: Callable[[Path], None] = lambda tmp: None
    stdin: str | bytes = STREAM
    output: bytes | None = None  # the function (at {fn}) writes exactly this to stdout
    exit_code: int = 1
    xfail: str = ""
    absent: tuple[str, ...] = ()  # must not be in stderr
    env: dict[str, str] = field(default_factory=dict)


def _package(tmp: Path, **files: str | bytes) -> None:
    root = tmp / "pkg"
    root.mkdir(exist_ok=True)
    (root / "Kptfile").write_text(KPTFILE)
    (root / "cm.yaml").write_text(CONFIG_MAP)
    for name, text in files.items():
        path = root / name.replace("__", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)


def _files(**files: str | bytes) -> Callable[[Path], None]:
    return lambda tmp: _package(tmp, **files)


def _item(annotations: str) -> bytes:
    return (
        f"{RLIST}items:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: x\n"
        f"    annotations:\n{annotations}"
    ).encode()


def _symlink_loop(tmp: Path) -> None:
    _package(tmp)
    (tmp / "pkg" / "loop1.yaml").symlink_to("loop2.yaml")
    (tmp / "pkg" / "loop2.yaml").symlink_to("loop1.yaml")


def _krmignore_dir(tmp: Path) -> None:
    _package(tmp)
    (tmp / "pkg" / ".krmignore").mkdir()


def _fifo(name: str) -> Callable[[Path], None]:
    def setup(tmp: Path) -> None:
        _package(tmp)
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(path)

    return setup


def _file(name: str, data: bytes = b"") -> Callable[[Path], None]:
    def setup(tmp: Path) -> None:
        _package(tmp)
        (tmp / name).write_bytes(data)

    return setup


def _bad_index(text: str) -> Callable[[Path], None]:
    def setup(tmp: Path) -> None:
        _package(tmp)
        (tmp / "fns").mkdir()
        (tmp / "fns" / "index.json").write_text(text)

    return setup


def _meta_name_not_string(tmp: Path) -> None:
    _package(tmp)
    wasm = tmp / "fn.wasm"
    wasm.write_bytes(wasmtime.wat2wasm(wat_modules.exit_with(0, "")))
    append_custom_section(wasm, METADATA_SECTION, json.dumps({"name": ["x"]}).encode())


EVAL_FN = ("eval", "{pkg}", "--exec", "{fn}")
EVAL_SN = ("eval", "{pkg}", "-o", "stdout", "--image", "set-namespace", "--", "namespace=x")

CASES = [
    # A function's output.
    Case(
        "output not YAML",
        EVAL_FN,
        ("fn", "output:2:1:", "invalid YAML"),
        _files(),
        output=b"items: [a\n",
    ),
    Case(
        "output two documents",
        EVAL_FN,
        ("fn", "document"),
        _files(),
        output=f"{RLIST}items: []\n---\n{RLIST}items: []\n".encode(),
    ),
    Case(
        "output unhashable key",
        EVAL_FN,
        ("fn",),
        _files(),
        output=f"{RLIST}items:\n- ? [a, b]\n  : 1\n".encode(),
    ),
    Case(
        "output non-string annotation key",
        EVAL_FN,
        ("fn", "annotations"),
        _files(),
        output=_item("      1: x\n"),
    ),
    Case(
        "output NUL in a path annotation",
        EVAL_FN,
        ("PackageError", "ConfigMap/x", "path"),
        _files(),
        output=_item('      internal.config.kubernetes.io/path: "a\\0.yaml"\n'),
    ),
    Case(
        "output path name too long",
        EVAL_FN,
        ("PackageError", "ConfigMap/x", "path"),
        _files(),
        output=_item(f"      internal.config.kubernetes.io/path: {'a' * 300}.yaml\n"),
    ),
    Case(
        "output path too long",
        EVAL_FN,
        ("PackageError", "ConfigMap/x", "path"),
        _files(),
        output=_item(f"      internal.config.kubernetes.io/path: {'a/' * 3000}x.yaml\n"),
    ),
    Case("output not UTF-8", EVAL_FN, ("fn", "UTF-8"), _files(), output=b"\xff\xfe\x00items: []"),
    Case("output a scalar", EVAL_FN, ("fn", "ResourceList"), _files(), output=b"42\n"),
    Case(
        "output items not a list",
        EVAL_FN,
        ("fn", "field items: expected a list"),
        _files(),
        output=f"{RLIST}items: 5\n".encode(),
    ),
    Case(
        "output results not a list",
        EVAL_FN,
        ("fn", "results"),
        _files(),
        output=f"{RLIST}items: []\nresults: 7\n".encode(),
    ),
    Case(
        "output deeply nested",
        EVAL_FN,
        ("fn", "nesting depth"),
        _files(),
        output=b"items: " + b"[" * DEEP,
    ),
    Case(
        "JSON output deeply nested",
        EVAL_FN,
        ("fn", "not valid JSON"),
        _files(),
        output=b'{"items": ' + b"[" * DEEP,
    ),
    Case(
        "output alias bomb",
        EVAL_FN,
        ("fn", "alias"),
        _files(),
        output=f"{RLIST}items:\n{BOMB_ITEM}".encode(),
    ),
    Case(
        "output with a recursive alias",
        EVAL_FN,
        ("fn", "contains its own alias"),
        _files(),
        output=f"{RLIST}items:\n{SELF_ITEM}".encode(),
    ),
    Case(
        # Python's json reads `"\ud800"`; neither the next function's JSON nor the output file
        # can hold it as UTF-8. The function that wrote it is named, not the next one.
        "output with half a UTF-16 pair, then a JSON function",
        ("run", "{fn}", "dist/functions/set-namespace.rust.wasm"),
        ("fn.wasm output: ConfigMap/cm: field data.a: a string holds a lone UTF-16 surrogate",),
        _files(),
        output=b'{"kind":"ResourceList","items":[{"apiVersion":"v1","kind":"ConfigMap",'
        b'"metadata":{"name":"cm"},"data":{"a":"\\ud800"}}]}',
        absent=("set-namespace.rust.wasm:",),
    ),
    Case(
        # An escaped backslash before `ud800` and a whole pair are text; `\udc00` alone is not.
        "output with half a UTF-16 pair, the last step",
        EVAL_FN,
        ("fn.wasm output: ConfigMap/cm: field data.b[0]: a string holds a lone UTF-16 surrogate",),
        _files(),
        output=b'{"kind":"ResourceList","items":[{"apiVersion":"v1","kind":"ConfigMap",'
        b'"metadata":{"name":"cm"},"data":{"a":"\\\\ud800 \\ud83d\\ude00","b":["x\\udc00"]}}]}',
    ),
    Case(
        "output with half a UTF-16 pair in a key",
        EVAL_FN,
        ("fn.wasm output: ConfigMap/cm: field data.'\\udc00': a string holds a lone UTF-16",),
        _files(),
        output=b'{"kind":"ResourceList","items":[{"apiVersion":"v1","kind":"ConfigMap",'
        b'"metadata":{"name":"cm"},"data":{"\\udc00":"a"}}]}',
    ),
    Case(
        "JSON output with a duplicate key",
        EVAL_FN,
        ('fn.wasm output: not valid JSON: duplicate key "a"',),
        _files(),
        output=b'{"kind":"ResourceList","items":[],"a":1,"a":2}',
    ),
    Case(
        "output with NaN",
        EVAL_FN,
        ("output: not valid JSON: NaN is not a JSON value",),
        _files(),
        output=b'{"kind":"ResourceList","items":[{"apiVersion":"v1","kind":"ConfigMap",'
        b'"metadata":{"name":"cm"},"data":{"a":NaN}}]}',
    ),
    # The package.
    Case(
        "package file not YAML",
        EVAL_SN,
        ("InputError", "bad.yaml"),
        _files(**{"bad.yaml": "a: [b\n"}),
    ),
    Case(
        "package file not UTF-8",
        EVAL_SN,
        ("bad.yaml", "UTF-8"),
        _files(**{"bad.yaml": b"\xff\xfe"}),
    ),
    Case("package file with NUL", EVAL_SN, ("bad.yaml",), _files(**{"bad.yaml": b"a: b\x00\n"})),
    Case(
        "package file deeply nested",
        EVAL_SN,
        ("deep.yaml", "nesting depth"),
        _files(**{"deep.yaml": "[" * DEEP}),
    ),
    Case(
        "package file deeply nested in block style",
        EVAL_SN,
        ("deep.yaml", "nesting depth"),
        _files(**{"deep.yaml": "- " * DEEP + "x\n"}),
    ),
    Case("Kptfile not YAML", EVAL_SN, ("Kptfile",), _files(Kptfile="a: [\n")),
    Case("Kptfile a list", EVAL_SN, ("Kptfile",), _files(Kptfile="- a\n")),
    Case("symlink loop", EVAL_SN, ("PackageError", "loop1.yaml", "symlink loop"), _symlink_loop),
    Case(".krmignore a directory", EVAL_SN, ("PackageError", ".krmignore"), _krmignore_dir),
    Case(
        ".krmignore not UTF-8",
        EVAL_SN,
        ("PackageError", ".krmignore", "UTF-8"),
        _files(**{".krmignore": b"\xff\xfe\n"}),
    ),
    Case("FIFO as a package file", EVAL_SN, ("not a regular file",), _fifo("pkg/x.yaml")),
    Case("FIFO as .krmignore", EVAL_SN, ("not a regular file",), _fifo("pkg/.krmignore")),
    Case("FIFO as a sub Kptfile", EVAL_SN, ("not a regular file",), _fifo("pkg/sub/Kptfile")),
    Case(
        # kpt reads it (kustomize's own file) and gives it to no function: no one to blame.
        "kustomization.yaml without apiVersion",
        EVAL_SN,
        ("[PASS]",),
        _files(**{"kustomization.yaml": "resources:\n- cm.yaml\n"}),
        exit_code=0,
        absent=("apiVersion",),
    ),
    Case(
        "package file alias bomb",
        EVAL_SN,
        ("bomb.yaml", "alias"),
        _files(**{"bomb.yaml": CONFIG_MAP.replace("cm", "bomb") + "data:\n" + _laughs("  ")}),
    ),
    Case(
        "package file with a recursive alias",
        EVAL_SN,
        ("self.yaml:5:7", "contains its own alias"),
        _files(**{"self.yaml": CONFIG_MAP.replace("cm", "self") + "data: &a\n  k: *a\n"}),
    ),
    Case(
        "Kptfile with a recursive alias",
        EVAL_SN,
        ("Kptfile", "contains its own alias"),
        _files(Kptfile=KPTFILE + "info: &i\n  description: [*i]\n"),
    ),
    Case(
        # go-yaml reads YAML 1.1's !!binary, !!set and !!omap as written (text, map, sequence);
        # PyYAML's bytes and set reached the JSON encoder and a traceback.
        "package file with YAML 1.1 tags",
        EVAL_SN,
        ("[PASS]",),
        _files(
            **{
                "tags.yaml": CONFIG_MAP.replace("cm", "tags")
                + "data: {b: !!binary aGk=, s: !!set {x, y}, o: !!omap [k: v], t: !!bool maybe}\n"
            }
        ),
        exit_code=0,
    ),
    Case(
        "package file with a collection tagged as a scalar",
        EVAL_SN,
        ("c.yaml:5:11", "expected a scalar node, but found sequence"),
        _files(**{"c.yaml": CONFIG_MAP.replace("cm", "c") + "data: {a: !!int [1]}\n"}),
    ),
    Case(
        "package file with .nan for a JSON function",
        EVAL_SN,
        ("InputError", "ConfigMap/nan: field data.a: .nan", "JSON has no NaN"),
        _files(**{"nan.yaml": CONFIG_MAP.replace("cm", "nan") + "data: {a: .nan, b: 1e400}\n"}),
    ),
    # stdin.
    Case(
        "run stdin with a recursive alias",
        ("run", "dist/functions/set-namespace.rust.wasm"),
        ("stdin", "contains its own alias"),
        stdin=f"{RLIST}items:\n{SELF_ITEM}",
    ),
    Case(
        "exec stdin alias bomb",
        ("exec", "dist/functions/set-namespace.rust.wasm"),
        ("stdin", "alias"),
        stdin=f"{RLIST}items:\n{BOMB_ITEM}",
    ),
    Case(
        "eval stdin alias bomb",
        ("eval", "-", "--image", "set-namespace", "--", "namespace=x"),
        ("stdin", "alias"),
        stdin=f"{RLIST}items:\n{BOMB_ITEM}",
    ),
    Case(
        "stdin JSON with Infinity",
        ("run", "dist/functions/set-namespace.rust.wasm"),
        ("stdin", "Infinity is not a JSON value"),
        stdin='{"kind": "ResourceList", "items": [], "x": Infinity}',
    ),
    Case("stdin not YAML", ("eval", "-", "--image", "set-namespace"), ("stdin",), stdin="a: [\n"),
    Case(
        "stdin not UTF-8",
        ("eval", "-", "--image", "set-namespace"),
        ("stdin", "UTF-8"),
        stdin=b"\xff\xfe",
    ),
    Case(
        "stdin deeply nested",
        ("eval", "-", "--image", "set-namespace"),
        ("stdin", "nesting depth"),
        stdin="[" * DEEP,
    ),
    # Flags and their files.
    Case(
        "--fn-config /dev/zero",
        ("eval", "{pkg}", "--image", "set-namespace", "--fn-config", "/dev/zero"),
        ("/dev/zero", "not a regular file"),
        _files(),
    ),
    Case(
        "--fn-config a directory",
        ("eval", "{pkg}", "--image", "set-namespace", "--fn-config", "{tmp}"),
        ("PackageError", "not a regular file"),
        _files(),
    ),
    Case(
        "--fn-config a FIFO",
        ("eval", "{pkg}", "--image", "set-namespace", "--fn-config", "{tmp}/cfg.yaml"),
        ("not a regular file",),
        _fifo("cfg.yaml"),
    ),
    Case(
        "--fn-config not UTF-8",
        ("eval", "{pkg}", "--image", "set-namespace", "--fn-config", "{tmp}/cfg.yaml"),
        ("cfg.yaml", "UTF-8"),
        _file("cfg.yaml", b"\xff\xfe"),
    ),
    Case(
        "--fn-path a FIFO",
        ("eval", "{pkg}", "--image", "nothing", "--fn-path", "{tmp}/fns"),
        ("fns",),
        _fifo("fns"),
    ),
    Case(
        "index.json not JSON",
        ("eval", "{pkg}", "--image", "nothing", "--fn-path", "{tmp}/fns"),
        ("index.json",),
        _bad_index("{"),
    ),
    Case(
        "index.json deeply nested",
        ("eval", "{pkg}", "--image", "nothing", "--fn-path", "{tmp}/fns"),
        ("index.json",),
        _bad_index("[" * DEEP + "]" * DEEP),
    ),
    Case(
        "index.json functions not a list",
        ("eval", "{pkg}", "--image", "nothing", "--fn-path", "{tmp}/fns"),
        ("index.json",),
        _bad_index('{"functions": 5}'),
    ),
    Case(
        "--results-dir a file",
        (*EVAL_SN[:4], "--results-dir", "{tmp}/results", *EVAL_SN[4:]),
        ("PackageError", "--results-dir", "results"),
        _file("results"),
    ),
    Case(
        "--results-dir cannot be created",
        (*EVAL_SN[:4], "--results-dir", "{tmp}/results/sub/dir", *EVAL_SN[4:]),
        ("PackageError", "--results-dir"),
        _file("results"),
    ),
    Case(
        "--memory-limit too large",
        ("eval", "{pkg}", "--image", "set-namespace", "--memory-limit", "9" * 400 + "Gi"),
        ("UsageError", "--memory-limit"),
        _files(),
    ),
    Case(
        "--max-output too large",
        ("eval", "{pkg}", "--image", "set-namespace", "--max-output", "1e400"),
        ("UsageError", "--max-output"),
        _files(),
    ),
    Case(
        "--timeout too large",
        ("eval", "{pkg}", "--image", "set-namespace", "--timeout", "1e400s"),
        ("UsageError", "--timeout"),
        _files(),
    ),
    # Paths too long for the file system, given as arguments.
    *(
        Case(f"{name} name too long", tuple(args.split()), ("File name too long",), _files())
        for name, args in [
            ("PKG_DIR", "eval {long} --image set-namespace"),
            ("-o DIR", "eval {pkg} -o {long} --image set-namespace -- namespace=x"),
            ("--exec", "eval {pkg} --exec {long}"),
            ("--fn-path", "eval {pkg} --image set-namespace --fn-path {long}"),
            ("--fn-config", "eval {pkg} --image set-namespace --fn-config {long}"),
            ("--results-dir", "eval {pkg} --results-dir {long} --image set-namespace"),
        ]
    ),
    # The cache and the wasm file.
    Case(
        "cache root is a file",
        ("eval", "{pkg}", "-o", "stdout", "--exec", "{fn}"),
        ("cache",),
        _file("cachefile"),
        output=f"{RLIST}items: []\n".encode(),
        exit_code=0,
        env={"KRM_WASM_CACHE": "{tmp}/cachefile"},
    ),
    Case(
        "metadata name not a string",
        ("eval", "{pkg}", "--exec", "{tmp}/fn.wasm"),
        ("WasmLoadError", "fn.wasm", "name must be a string"),
        _meta_name_not_string,
    ),
]


def _fill(text: str, tmp: Path) -> str:
    return text.format(pkg=tmp / "pkg", fn=tmp / "fn.wasm", tmp=tmp, long=tmp / ("a" * 300))


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            case,
            id=case.reason,
            marks=[pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else [],
        )
        for case in CASES
    ],
)
def test_hostile_input_is_a_clear_error(case: Case, tmp_path: Path, shared_cache: Path) -> None:
    case.setup(tmp_path)
    if case.output is not None:
        (tmp_path / "fn.wasm").write_bytes(wasmtime.wat2wasm(wat_modules.writes_bytes(case.output)))
    cache = Path(_fill(case.env.get("KRM_WASM_CACHE", str(shared_cache)), tmp_path))
    pkg = tmp_path / "pkg"
    before = _snapshot(pkg)
    result = _run([_fill(arg, tmp_path) for arg in case.args], cache, case.stdin)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == case.exit_code, result
    for needle in case.needles:
        assert needle in result.stderr, (needle, result.stderr)
    for needle in case.absent:
        assert needle not in result.stderr, (needle, result.stderr)
    if case.exit_code:
        assert re.search(r"^\s*[A-Z][A-Za-z]+: ", result.stderr, re.M), result.stderr
        assert _snapshot(pkg) == before  # a refused run writes nothing


def _run(args: list[str], cache: Path, stdin: str | bytes) -> CliResult:
    env = {**os.environ, "KRM_WASM_CACHE": str(cache)}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run(
        [sys.executable, "-m", "runner", *args],
        input=stdin.encode() if isinstance(stdin, str) else stdin,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=HANG_SECONDS,
    )
    return CliResult(
        done.returncode,
        done.stdout.decode(errors="replace"),
        done.stderr.decode(errors="replace"),
    )


def _snapshot(root: Path) -> dict[str, bytes]:
    if not root.is_dir():
        return {}
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }
