"""The component's entry module: componentize-py's ``WitWorld`` over the declared function.

Only the component build imports this module (``componentize-py -w krm-function componentize
sdk.component``): it needs the bindings componentize-py generates (``wit_world``) and the
function's module, which by convention is ``main`` (``functions-py/<name>/main.py``). Importing
``main`` runs its ``@sdk.function`` decorator; a module declaring no function, or more than
one, fails the build here with a message that says so.

The contract the runner relies on (``sdk/wit/krm.wit``): ``process(resource-list)`` returns
``ok(output ResourceList)`` whatever the function reported (the exit code is derived from the
output's results) and ``err(message)`` only when the input is not a ResourceList.
"""

from __future__ import annotations

# Found only in the component build: the function's module (on the build's module path), the
# bindings componentize-py generates, and its bundled types.
import main  # type: ignore[import-not-found, unused-ignore]
import wit_world  # type: ignore[import-not-found]
from componentize_py_types import Err  # type: ignore[import-not-found]

from sdk import _yaml
from sdk.errors import InputError
from sdk.runtime import Function, registered

# An `input: yaml` function is built with ruamel.yaml: importing it here puts it in the
# snapshot componentize-py takes, so a call does not import it again (a JSON function has none).
_yaml.warm_up()

__all__ = ["WitWorld"]


def _the_function() -> Function[object]:
    functions = registered()
    if len(functions) != 1:
        names = ", ".join(fn.name for fn in functions) or "none"
        raise RuntimeError(
            f"{main.__file__}: expected exactly one @sdk.function, found {len(functions)} ({names})"
        )
    return functions[0]


_FUNCTION = _the_function()


class WitWorld(wit_world.WitWorld):  # type: ignore[misc]  # the base is generated: Any to mypy
    """Exports ``process`` for componentize-py."""

    def process(self, resource_list: str) -> str:
        """Run the function; raise ``Err`` when there is no ResourceList to return."""
        try:
            return _FUNCTION.process(resource_list)
        except InputError as error:
            raise Err(str(error)) from None
