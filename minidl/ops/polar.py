"""The angle and the radius of the point (x, y): ``atan2(y, x)`` and ``hypot(x, y)``.

Both broadcast their two inputs; backward sums each gradient back to its input's shape.

* θ = atan2(y, x), the angle of (x, y) in (-π, π]:  dθ/dy = x / r²,  dθ/dx = -y / r²
  with r² = x² + y² (at the origin both are 0, as PyTorch gives them);
* r = hypot(x, y) = √(x² + y²) without overflow:  dr/dx = x / r,  dr/dy = y / r (at the
  origin 0/0: NaN, as in PyTorch).
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..backend import array_module
from .arithmetic import sum_to_shape


class Atan2(Function):
    """θ = atan2(a, b), a the ordinate y and b the abscissa x (PyTorch's input, other)."""

    def forward(self, a, b):
        self.shapes = (a.shape, b.shape)
        self.save_for_backward(a, b)
        return array_module(a).arctan2(a, b)

    def backward(self, grad):
        a, b = self.saved_arrays
        xp = array_module(a)
        squared = a * a + b * b
        origin = squared == 0
        scaled = xp.where(origin, 0, grad / (squared + origin))  # 0 at the origin
        shape_a, shape_b = self.shapes
        return (sum_to_shape(scaled * b, shape_a) if self.needs_input_grad[0] else None,
                sum_to_shape(-scaled * a, shape_b) if self.needs_input_grad[1] else None)


class Hypot(Function):
    """r = √(a² + b²)."""

    def forward(self, a, b):
        self.shapes = (a.shape, b.shape)
        r = array_module(a).hypot(a, b)
        self.save_for_backward(a, b, r)
        return r

    def backward(self, grad):
        a, b, r = self.saved_arrays
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = grad / r
        shape_a, shape_b = self.shapes
        return (sum_to_shape(scaled * a, shape_a) if self.needs_input_grad[0] else None,
                sum_to_shape(scaled * b, shape_b) if self.needs_input_grad[1] else None)
