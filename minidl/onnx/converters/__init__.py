"""From minidl's Functions to ONNX nodes: one converter per Function class.

A converter receives the graph and an :class:`Operation` (one recorded
``Function.apply``, seen in every trace) and appends the nodes that compute the
operation's output under ``op.output.name``.  ``CONVERTERS`` maps each Function class to
its converter; the modules below fill it when imported.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ...backend import to_device
from ..errors import ExportError
from ..graph import Value

CONVERTERS: dict = {}


def converts(*functions):
    """Register the decorated converter for these Function classes."""
    def register(convert):
        for function in functions:
            CONVERTERS[function] = convert
        return convert
    return register


def _same(a, b) -> bool:
    """Equality of option values that may hold arrays, tuples and slices."""
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, slice) and isinstance(b, slice):
        return _same((a.start, a.stop, a.step), (b.start, b.stop, b.step))
    if hasattr(a, "shape") or hasattr(b, "shape"):
        return hasattr(a, "shape") and hasattr(b, "shape") and a.shape == b.shape and \
            bool((to_device(a, "cpu") == to_device(b, "cpu")).all())
    return a == b


@dataclass
class Operation:
    """One Function applied by the model: its class, the layer (``scope``, the module
    path) and how errors name it (``where``), its inputs as graph values (None for an
    omitted optional input), its keyword options in each trace, its output, and
    ``resolve`` to turn an option holding a tensor (batch norm's running statistics)
    into a graph value."""
    function: type
    scope: str
    where: str
    inputs: list
    options: list
    output: Value
    resolve: Callable

    @property
    def name(self) -> str:
        return self.function.__name__

    def error(self, problem: str) -> ExportError:
        return ExportError(f"{self.name} in {self.where}: {problem}")

    def option(self, key: str):
        """The option ``key``, which must be the same in every trace."""
        first = self.options[0][key]
        if not all(_same(first, options[key]) for options in self.options[1:]):
            raise self.error(f"its argument {key} changes with the input's size "
                             f"({first!r} vs {[o[key] for o in self.options[1:]]!r}), which "
                             "an exported graph cannot follow; export without dynamic_axes")
        return first

    def option_value(self, key: str) -> Value | None:
        return self.resolve([options[key] for options in self.options], self)


from . import elementwise, layers, shape  # noqa: E402,F401  (they register converters)
