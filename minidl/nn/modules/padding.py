"""Padding layers: thin Modules around ``minidl.nn.functional.pad``.

``padding`` is an int (every side) or a tuple from the last dimension backwards:
(left, right) for the 1d layers, (left, right, top, bottom) for the 2d ones.
"""
from __future__ import annotations

from numbers import Integral

from .. import functional as F
from .module import Module


class _PadNd(Module):
    mode = "constant"
    dims = 2

    def __init__(self, padding, value: float = 0.0):
        super().__init__()
        name = type(self).__name__
        if isinstance(padding, Integral):
            padding = (int(padding),) * (2 * self.dims)
        padding = tuple(padding)
        if len(padding) != 2 * self.dims or not all(isinstance(p, Integral) for p in padding):
            raise ValueError(f"{name}: padding must be an int or {2 * self.dims} ints, got "
                             f"{padding!r}")
        self.padding = padding
        self.value = value

    def forward(self, input):
        if self.mode == "constant":
            return F.pad(input, self.padding, "constant", self.value)
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_PadNd):
    dims = 1


class ConstantPad2d(_PadNd):
    pass


class ZeroPad1d(ConstantPad1d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ModePad(_PadNd):
    """Padding with the input's own values: no ``value`` argument."""

    def __init__(self, padding):
        super().__init__(padding)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_ModePad):
    mode, dims = "reflect", 1


class ReflectionPad2d(_ModePad):
    mode, dims = "reflect", 2


class ReplicationPad1d(_ModePad):
    mode, dims = "replicate", 1


class ReplicationPad2d(_ModePad):
    mode, dims = "replicate", 2


class CircularPad1d(_ModePad):
    mode, dims = "circular", 1


class CircularPad2d(_ModePad):
    mode, dims = "circular", 2
