"""C's remainder: r = fmod(a, b) = a - trunc(a / b)·b, with the sign of a (``%`` and
``remainder`` take b's sign instead, rounded_division.py).

dr/da = 1, dr/db = -trunc(a / b) (PyTorch's gradients); broadcasting inputs get their
gradients summed back to their shapes.  Integer division by zero is the caller's to refuse.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..backend import array_module
from .arithmetic import sum_to_shape
from .rounded_division import trunc_divide


class Fmod(Function):
    """r = fmod(a, b) elementwise, in the operands' common dtype."""

    def forward(self, a, b):
        self.shapes = (a.shape, b.shape)
        self.save_for_backward(a if self.needs_input_grad[1] else None, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return array_module(a).fmod(a, b)

    def backward(self, grad):
        a, b = self.saved_arrays
        shape_a, shape_b = self.shapes
        return (sum_to_shape(grad, shape_a) if self.needs_input_grad[0] else None,
                sum_to_shape(-grad * trunc_divide(a, b), shape_b) if self.needs_input_grad[1]
                else None)
