"""The SDK's exceptions.

The hierarchy::

    SdkError                 base of everything the SDK raises on purpose
    ├── InputError           the input is not a ResourceList: no output can be produced
    └── Error                the function fails: the input's items unchanged + an error result
        └── ConfigError      functionConfig is missing or malformed

``Error`` is the parallel of krm-fn's ``Error`` (Rust) and of the ``error`` a Go processor
returns: the contract in docs/sdk.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sdk.resource import KubeObject

__all__ = ["ConfigError", "Error", "InputError", "SdkError"]


class SdkError(Exception):
    """Base class of the SDK's exceptions."""


class InputError(SdkError):
    """The input could not be read as a ResourceList (not JSON, wrong shape).

    The runtime cannot write a ResourceList back for such input: natively it prints the message
    to stderr and exits 1; as a component it returns ``err(message)``.
    """


class Error(SdkError):
    """The function cannot go on (krm-fn's ``Error``, a Go processor's ``error``).

    Raised from a function, it fails the run: the output is the input's items and functionConfig
    unchanged, the results added so far, then this error as a result (its message as is, with
    ``resourceRef`` from ``obj`` and ``field.path`` from ``field``); exit code 1.

    Args:
        message: What is wrong, in words a user can act on.
        obj: The resource it is about.
        field: The field's path within that resource, e.g. ``data.namespace``.
    """

    def __init__(
        self, message: str, obj: KubeObject | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.obj = obj
        self.field = field


class ConfigError(Error):
    """The functionConfig is missing or does not fit the function's config model.

    Raised from a function (or from :func:`sdk.config.parse`), it fails the run like
    :class:`Error`; ``field`` is the field's path in the functionConfig (``functionConfig`` when
    it is missing), ``obj`` the functionConfig when there is one.
    """

    def __init__(
        self, message: str, field: str | None = None, obj: KubeObject | None = None
    ) -> None:
        super().__init__(message, obj, field)
