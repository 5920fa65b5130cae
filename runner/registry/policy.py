"""How registry images are fetched: kpt's pull policies and the options a command passes down.

Light on purpose (no HTTP client imported): every ``eval``/``render`` builds these, and most of
them never talk to a registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from runner.errors import UsageError

__all__ = ["PullOptions", "PullPolicy"]


class PullPolicy(Enum):
    """kpt's ``--image-pull-policy`` values (kpt's default is IfNotPresent)."""

    ALWAYS = "Always"
    IF_NOT_PRESENT = "IfNotPresent"
    NEVER = "Never"

    @classmethod
    def parse(cls, text: str) -> PullPolicy:
        for policy in cls:
            if policy.value.lower() == text.lower():
                return policy
        raise UsageError(
            f"--image-pull-policy {text!r}: want one of {', '.join(p.value for p in cls)}"
        )


@dataclass(frozen=True)
class PullOptions:
    policy: PullPolicy = PullPolicy.IF_NOT_PRESENT
    insecure_registries: tuple[str, ...] = ()
    store_dir: Path | None = None  # None: store.default_store_dir()
