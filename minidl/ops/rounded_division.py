"""Division that rounds, and its remainder, with PyTorch's semantics.

* floor division (``a // b``, ``torch.floor_divide``, ``div(rounding_mode="floor")``):
  q = ⌊a / b⌋, rounded towards -∞ (Python's ``//``);
* truncating division (``div(rounding_mode="trunc")``): q = trunc(a / b), towards 0 (C's
  integer division);
* remainder (``a % b``, ``torch.remainder``): r = a - ⌊a / b⌋·b, which has the sign of b
  (Python's ``%``; ``fmod`` would take a's sign).

The quotients are step functions, constants for autograd (PyTorch's gradient of a rounded
division is 0).  The remainder is differentiable: dr/da = 1, dr/db = -⌊a / b⌋.
Integer division by zero is the caller's to refuse; float division by zero gives ±inf or
NaN, as IEEE (and PyTorch) say, without NumPy's warnings.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..backend import array_module
from .arithmetic import sum_to_shape


def floor_divide(a, b):
    """⌊a / b⌋ elementwise, broadcasting, in the operands' (common) dtype."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return array_module(a).floor_divide(a, b)


def trunc_divide(a, b):
    """trunc(a / b) elementwise: integers as floor division moved up by one where the
    quotient is negative and inexact (-7 // 2 = -4 -> -3)."""
    xp = array_module(a)
    with np.errstate(divide="ignore", invalid="ignore"):
        if a.dtype.kind == "f":
            return xp.trunc(a / b)
        quotient = xp.floor_divide(a, b)
        return quotient + ((quotient < 0) & (quotient * b != a)).astype(quotient.dtype)


class Remainder(Function):
    """r = a - ⌊a / b⌋·b (the sign of b);  dr/da = 1, dr/db = -⌊a / b⌋."""

    def forward(self, a, b):
        self.shapes = (a.shape, b.shape)
        self.save_for_backward(a if self.needs_input_grad[1] else None, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return array_module(a).remainder(a, b)

    def backward(self, grad):
        a, b = self.saved_arrays
        shape_a, shape_b = self.shapes
        return (sum_to_shape(grad, shape_a) if self.needs_input_grad[0] else None,
                sum_to_shape(-grad * floor_divide(a, b), shape_b) if self.needs_input_grad[1]
                else None)
