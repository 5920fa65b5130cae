"""cli.options in-process: sizes, durations, mounts and env grants from their flag text."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.cli.options import parse_duration, parse_env, parse_mount, parse_size
from runner.errors import UsageError


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("512Mi", 512 << 20),
        ("1Gi", 1 << 30),
        ("100M", 100_000_000),
        ("4096", 4096),
        ("1.5Ki", 1536),
    ],
)
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text, "--memory-limit") == size


@pytest.mark.parametrize(("text", "seconds"), [("60s", 60), ("2m", 120), ("500ms", 0.5), ("3", 3)])
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text, "--timeout") == seconds


@pytest.mark.parametrize("text", ["soon", "-1s", "0", "1 day"])
def test_bad_durations_name_the_flag(text: str) -> None:
    with pytest.raises(UsageError, match="--timeout"):
        parse_duration(text, "--timeout")


def test_mount_forms(tmp_path: Path) -> None:
    long = parse_mount(f"type=bind,src={tmp_path},dst=/data,rw=true")
    short = parse_mount(f"{tmp_path}:/data:rw")
    assert long == short
    assert (long.host, long.guest, long.writable) == (tmp_path.resolve(), "/data", True)
    assert not parse_mount(f"{tmp_path}:/data").writable


def test_env_takes_the_runners_value_for_a_bare_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KRM_TEST_GRANT", "granted")
    assert parse_env("KRM_TEST_GRANT") == ("KRM_TEST_GRANT", "granted")
    assert parse_env("A=b=c") == ("A", "b=c")
    with pytest.raises(UsageError, match="expected KEY=VALUE"):
        parse_env("=x")
