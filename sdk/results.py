"""Results: what a function found, in kpt's format.

Each entry is written to the output ResourceList's ``results``::

    {message, severity: error|warning|info, resourceRef: {apiVersion, kind, name, namespace},
     field: {path}, file: {path, index}, tags}

with empty parts left out. A result with severity error makes the exit code 1; a function
should keep going after one, so that the user sees every finding at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as _field
from typing import Any, Literal, cast

from sdk.resource import KubeObject, Path, format_path

__all__ = ["Result", "Results", "Severity"]

Severity = Literal["error", "warning", "info"]
_SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass
class Result:
    """One finding.

    Attributes:
        message: What was found, in words a user can act on.
        severity: ``error`` (exit code 1), ``warning`` or ``info``.
        resource_ref: Which resource: apiVersion, kind, name, namespace.
        field: The field's path within the resource, e.g. ``metadata.namespace``.
        file: Where the resource came from: ``{"path": ..., "index": ...}``.
        tags: Free-form labels for tools that group results.
    """

    message: str
    severity: Severity = "error"
    resource_ref: dict[str, str] = _field(default_factory=dict)
    field: str = ""
    file: dict[str, Any] = _field(default_factory=dict)
    tags: dict[str, str] = _field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The result as kpt writes it, without empty parts."""
        out: dict[str, Any] = {"message": self.message, "severity": self.severity}
        if self.resource_ref:
            out["resourceRef"] = dict(self.resource_ref)
        if self.field:
            out["field"] = {"path": self.field}
        if self.file:
            out["file"] = dict(self.file)
        if self.tags:
            out["tags"] = dict(self.tags)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Result:
        """Read a result written by an earlier function (unknown severities become ``info``)."""
        severity = data.get("severity", "info")
        field_value = data.get("field")
        return cls(
            message=str(data.get("message", "")),
            severity=cast(Severity, severity) if severity in _SEVERITIES else "info",
            resource_ref=dict(data.get("resourceRef") or {}),
            field=str(field_value.get("path", "")) if isinstance(field_value, Mapping) else "",
            file=dict(data.get("file") or {}),
            tags=dict(data.get("tags") or {}),
        )


class Results:
    """The results of a run, in order; new ones are appended with the helpers.

    Args:
        results: Results to start with (those of earlier functions in a pipeline).
    """

    def __init__(self, results: list[Result] | None = None) -> None:
        self._results: list[Result] = list(results or [])

    def add(
        self,
        message: str,
        severity: Severity = "error",
        obj: KubeObject | None = None,
        field: Path | None = None,
        file: Mapping[str, Any] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Result:
        """Append a result.

        Args:
            message: What was found.
            severity: ``error``, ``warning`` or ``info``.
            obj: The resource it is about: fills ``resourceRef`` and ``file`` (from kpt's
                path/index annotations).
            field: The field's path within the resource.
            file: Overrides the file taken from ``obj``.
            tags: Free-form labels.

        Returns:
            The new result.
        """
        result = self.make(message, severity, obj, field, file, tags)
        self._results.append(result)
        return result

    @staticmethod
    def make(
        message: str,
        severity: Severity = "error",
        obj: KubeObject | None = None,
        field: Path | None = None,
        file: Mapping[str, Any] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Result:
        """A result built as :meth:`add` builds it, not appended."""
        if severity not in _SEVERITIES:
            raise ValueError(f"severity must be one of {', '.join(_SEVERITIES)}, not {severity!r}")
        result = Result(
            message=message,
            severity=severity,
            resource_ref=obj.resource_ref() if obj is not None else {},
            field=format_path(field) if field is not None else "",
            file=dict(file) if file is not None else _file_of(obj),
            tags=dict(tags or {}),
        )
        return result

    def error(
        self, message: str, obj: KubeObject | None = None, field: Path | None = None
    ) -> Result:
        """Append a result with severity error (the run exits 1). See :meth:`add`."""
        return self.add(message, "error", obj, field)

    def warning(
        self, message: str, obj: KubeObject | None = None, field: Path | None = None
    ) -> Result:
        """Append a result with severity warning. See :meth:`add`."""
        return self.add(message, "warning", obj, field)

    def info(
        self, message: str, obj: KubeObject | None = None, field: Path | None = None
    ) -> Result:
        """Append a result with severity info. See :meth:`add`."""
        return self.add(message, "info", obj, field)

    def append(self, result: Result) -> None:
        """Append a result built elsewhere (e.g. with :meth:`make`)."""
        self._results.append(result)

    def has_errors(self) -> bool:
        """Whether any result has severity error."""
        return any(result.severity == "error" for result in self._results)

    @property
    def exit_code(self) -> int:
        """1 when a result has severity error, else 0 (kpt's rule)."""
        return 1 if self.has_errors() else 0

    def to_list(self) -> list[dict[str, Any]]:
        """Every result as kpt writes it."""
        return [result.to_dict() for result in self._results]

    def __iter__(self) -> Iterator[Result]:
        return iter(self._results)

    def __len__(self) -> int:
        return len(self._results)

    def __getitem__(self, index: int) -> Result:
        return self._results[index]

    def __repr__(self) -> str:
        return f"Results({self._results!r})"


def _file_of(obj: KubeObject | None) -> dict[str, Any]:
    if obj is None or not obj.file_path:
        return {}
    file: dict[str, Any] = {"path": obj.file_path}
    if obj.file_index is not None:
        file["index"] = obj.file_index
    return file
