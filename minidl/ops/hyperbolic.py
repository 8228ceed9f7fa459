"""Hyperbolic sine and cosine: ``sinh``, ``cosh`` (``tanh`` is an activation, elementwise.py).

sinh x = (eˣ - e⁻ˣ)/2, d/dx = cosh x;  cosh x = (eˣ + e⁻ˣ)/2, d/dx = sinh x.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..backend import array_module


class Sinh(Function):
    """y = sinh x;  dy/dx = cosh x."""

    def forward(self, x):
        self.save_for_backward(x)
        return array_module(x).sinh(x)

    def backward(self, grad):
        (x,) = self.saved_arrays
        return grad * array_module(x).cosh(x)


class Cosh(Function):
    """y = cosh x;  dy/dx = sinh x."""

    def forward(self, x):
        self.save_for_backward(x)
        return array_module(x).cosh(x)

    def backward(self, grad):
        (x,) = self.saved_arrays
        return grad * array_module(x).sinh(x)
