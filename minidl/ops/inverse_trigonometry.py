"""Inverse trigonometric functions of one argument: ``asin``, ``acos``, ``atan``.

asin x: d/dx = 1/√(1 - x²);  acos x: d/dx = -1/√(1 - x²);  atan x: d/dx = 1/(1 + x²).
Outside [-1, 1] asin and acos give NaN, and at ±1 their derivative is ±inf, as PyTorch.
(``atan2`` of two arguments is in polar.py.)
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..backend import array_module


class Asin(Function):
    """y = arcsin x;  dy/dx = 1/√(1 - x²)."""

    sign = 1

    def forward(self, x):
        self.save_for_backward(x)
        xp = array_module(x)
        return xp.arcsin(x) if self.sign == 1 else xp.arccos(x)

    def backward(self, grad):
        (x,) = self.saved_arrays
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.sign * grad / array_module(x).sqrt(1 - x * x)


class Acos(Asin):
    """y = arccos x = π/2 - arcsin x;  dy/dx = -1/√(1 - x²)."""

    sign = -1


class Atan(Function):
    """y = arctan x;  dy/dx = 1/(1 + x²)."""

    def forward(self, x):
        self.save_for_backward(x)
        return array_module(x).arctan(x)

    def backward(self, grad):
        (x,) = self.saved_arrays
        return grad / (1 + x * x)
