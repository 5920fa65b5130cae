"""Running a function: the pure text→text core and its three front ends.

:meth:`Function.run` is the core: ResourceList text in, (output text, exit code) out. The same
core serves

* tests, in-process: ``output, code = fn.run(text)``;
* a native process (``python -m main``, kpt's ``--exec``): :meth:`Function.main` reads stdin,
  writes stdout, exits with the code;
* the wasm component: ``sdk.component`` calls :meth:`Function.process`.

Whatever the function does, a ResourceList is written, and the exit code is 1 iff a result has
severity error. When the function fails (raises) the output is the input's items and
functionConfig unchanged, the results added so far, then the failure as an error result: an
:class:`~sdk.errors.Error` with its message, resourceRef and field; any other exception as
``function panicked: TypeName: message`` (the words of krm-fn and of the Go SDK's recovered
panic). Only input that is not a ResourceList at all gives no output
(:class:`~sdk.errors.InputError`). The contract is in docs/sdk.md; tests/contract checks it.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

from sdk import config as config_module
from sdk.errors import Error, InputError
from sdk.resourcelist import ResourceList
from sdk.results import Result

__all__ = ["Function", "function", "registered"]

C = TypeVar("C")
Processor = Callable[[ResourceList], object]
ConfiguredProcessor = Callable[[ResourceList, C], object]

# Functions declared in this interpreter, in order; the component entry takes the only one.
_REGISTRY: list[Function[Any]] = []


class Function(Generic[C]):
    """A declared KRM function. Create one with :func:`function`.

    Args:
        body: The author's code: ``body(rl)`` or, with a config model, ``body(rl, config)``.
        config: A dataclass to parse the functionConfig into before ``body`` runs (see
            :func:`sdk.config.parse`); None to leave the functionConfig to ``body``.
    """

    def __init__(self, body: Callable[..., object], config: type[C] | None = None) -> None:
        self.body = body
        self.config = config
        self.name = getattr(body, "__name__", "function")
        self.__doc__ = body.__doc__

    def apply(self, rl: ResourceList) -> None:
        """Run the body on ``rl`` in place; a failure restores its items and adds the result."""
        items = copy.deepcopy(rl.items)
        config = copy.deepcopy(rl.function_config)
        failure = self._call(rl)
        if failure is not None:
            rl.items, rl.function_config = items, config
            rl.results.append(failure)

    def _call(self, rl: ResourceList) -> Result | None:
        """Run the body; the failure's result when it raised, else None."""
        try:
            if self.config is None:
                self.body(rl)
            else:
                self.body(rl, config_module.parse(rl.function_config, self.config))
        except Error as error:
            return rl.results.make(error.message, "error", error.obj, error.field)
        except Exception as error:  # the contract: any failure is a result, not a crash
            return rl.results.make(f"function panicked: {_describe(error)}", "error")
        return None

    def run(self, text: str | bytes) -> tuple[str, int]:
        """Process a ResourceList given as text.

        Args:
            text: The input ResourceList, JSON or YAML (see :func:`sdk.resourcelist.decode_as`).

        Returns:
            The output ResourceList in the input's format (YAML keeps its comments), and the exit
            code (1 iff a result has severity error).

        Raises:
            InputError: ``text`` is not a ResourceList; there is nothing to write back.
        """
        rl = ResourceList.parse(text)
        failure = self._call(rl)
        if failure is not None:
            # Half-done edits are not written: the input again, with this run's results.
            unchanged = ResourceList.parse(text)
            unchanged.results = rl.results
            unchanged.results.append(failure)
            rl = unchanged
        return rl.to_text(), rl.results.exit_code

    def process(self, text: str) -> str:
        """The component's export: the output text; the exit code is read from its results.

        Raises:
            InputError: ``text`` is not a ResourceList (the component returns ``err``).
        """
        output, _ = self.run(text)
        return output

    def main(self) -> None:
        """Run as a process: stdin → stdout, exit with the code.

        Input that is not a ResourceList is reported on stderr with exit code 1.
        """
        try:
            output, code = self.run(sys.stdin.buffer.read())
        except InputError as error:
            sys.stderr.write(f"{self.name}: {error}\n")
            sys.exit(1)
        sys.stdout.write(output)
        sys.stdout.flush()
        sys.exit(code)

    def __call__(self, rl: ResourceList) -> ResourceList:
        """Apply the function to a ResourceList object in place and return it."""
        self.apply(rl)
        return rl

    def __repr__(self) -> str:
        return f"Function({self.name})"


@overload
def function(body: Processor, /) -> Function[None]: ...


@overload
def function(*, config: type[C]) -> Callable[[ConfiguredProcessor[C]], Function[C]]: ...


def function(
    body: Processor | None = None, /, *, config: type[C] | None = None
) -> Function[Any] | Callable[[ConfiguredProcessor[C]], Function[C]]:
    """Declare a KRM function.

    Use it bare, for a body that reads the functionConfig itself::

        @sdk.function
        def fn(rl: sdk.ResourceList) -> None: ...

    or with a config model, a dataclass the functionConfig is parsed into first (a missing or
    malformed config then gives an error result naming the field, and the body does not run)::

        @sdk.function(config=Config)
        def fn(rl: sdk.ResourceList, config: Config) -> None: ...

    Returns:
        The :class:`Function`, registered for the component build.
    """
    if body is not None:
        return _register(Function[None](body))

    def decorate(inner: ConfiguredProcessor[C]) -> Function[C]:
        return _register(Function(inner, config))

    return decorate


def registered() -> list[Function[Any]]:
    """The functions declared so far in this interpreter, in order."""
    return list(_REGISTRY)


def _register(fn: Function[C]) -> Function[C]:
    _REGISTRY.append(fn)
    return fn


def _describe(error: BaseException) -> str:
    message = str(error)
    return f"{type(error).__name__}: {message}" if message else type(error).__name__
