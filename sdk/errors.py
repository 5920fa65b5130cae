"""The SDK's exceptions.

The hierarchy::

    SdkError                 base of everything the SDK raises on purpose
    ├── InputError           the input is not a ResourceList: no output can be produced
    └── ConfigError          functionConfig is missing or malformed: an error result, exit 1
"""

from __future__ import annotations

__all__ = ["ConfigError", "InputError", "SdkError"]


class SdkError(Exception):
    """Base class of the SDK's exceptions."""


class InputError(SdkError):
    """The input could not be read as a ResourceList (not JSON, wrong shape).

    The runtime cannot write a ResourceList back for such input: natively it prints the message
    to stderr and exits 1; as a component it returns ``err(message)``.
    """


class ConfigError(SdkError):
    """The functionConfig is missing or does not fit the function's config model.

    Raised from a function (or from :func:`sdk.config.parse`), it becomes a result with severity
    error whose ``field.path`` is :attr:`field`; the ResourceList is still written.

    Args:
        message: What is wrong, naming the field.
        field: The field's path in the functionConfig, e.g. ``data.namespace``.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
