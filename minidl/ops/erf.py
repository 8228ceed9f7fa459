"""The error function: erf x = 2/√π ∫₀ˣ e^(-t²) dt;  d/dx erf x = 2/√π e^(-x²).

The values come from the ``erf`` kernel of the array's backend (``kernels/*/special.py``).
"""
from __future__ import annotations

import math

from ..autograd.function import Function
from ..autograd.graph_backward import operand
from ..backend import array_module
from ..kernels.registry import kernel


class Erf(Function):
    """y = erf x, same shape and dtype as x."""

    def forward(self, x):
        self.save_for_backward(x)
        return kernel("erf", x)(x)

    def backward(self, grad):
        (x,) = self.saved_arrays
        return grad * x.dtype.type(2 / math.sqrt(math.pi)) * array_module(x).exp(-x * x)

    def backward_graph(self, grad, needs):
        from .elementwise import Exp

        (x,) = self.saved_arrays
        x = operand(self, 0, x)
        return (grad * (Exp.apply(-(x * x)) * (2 / math.sqrt(math.pi))),)
