"""Hypothesis profiles: ``short`` for every test run (seconds), ``long`` for ``nox -s fuzz``.

Each example also runs under a hang guard: an input that makes the runner loop forever fails the
example (with its seed and the input) instead of stalling the run.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import HealthCheck, settings

settings.register_profile(
    "short",
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "long",
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("KRM_WASM_FUZZ_PROFILE", "short"))

HANG_SECONDS = 20


class Hang(Exception):
    """An example ran longer than HANG_SECONDS."""


@contextmanager
def no_hang(seconds: float = HANG_SECONDS) -> Iterator[None]:
    """Fail (raise Hang) if the body runs longer than ``seconds`` (main thread only)."""

    def alarm(signum: int, frame: object) -> None:
        raise Hang(f"no answer within {seconds}s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
