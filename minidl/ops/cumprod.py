"""The running product along one axis: ``cumprod``, with an exact gradient at zeros.

For a line x_0 … x_{n-1}, y_i = Π_{j≤i} x_j and dL/dx_k = Σ_{i≥k} g_i Π_{j≤i, j≠k} x_j.
Let z be the position of the line's first zero (n if none) and y' the running product of
the line with that zero replaced by 1.  Then, exactly:

* k < z:  dL/dx_k = (Σ_{k≤i<z} g_i y_i) / x_k    (x_k ≠ 0 there; y_i = y'_i for i < z)
* k = z:  dL/dx_z = Σ_{i≥z} g_i y'_i             (every y_i, i ≥ z, is y'_i without x_z)
* k > z:  dL/dx_k = 0                            (every product through x_k holds x_z = 0)

Each sum from k to a bound is a running sum taken from the end of the line: O(n), no
division by zero.  Limitation: the division by x_k (k < z) loses relative accuracy when
x_k is tiny but not zero and the products are huge (PyTorch divides the same way).
"""
from __future__ import annotations

from ..autograd.function import Function
from ..backend import array_module


def _reverse_cumsum(xp, values):
    """s_k = Σ_{i≥k} values_i along the last axis."""
    return xp.flip(xp.cumsum(xp.flip(values, -1), axis=-1), -1)


class Cumprod(Function):
    """y = the running product of x along ``axis`` (same shape and dtype as x)."""

    def forward(self, x, *, axis):
        self.axis = axis
        self.save_for_backward(x)
        return array_module(x).cumprod(x, axis=axis, dtype=x.dtype)

    def backward(self, grad):
        (x,) = self.saved_arrays
        xp = array_module(x)
        x, grad = xp.moveaxis(x, self.axis, -1), xp.moveaxis(grad, self.axis, -1)
        zero = x == 0
        seen = xp.cumsum(zero, axis=-1)          # zeros up to and including position i
        before = seen == 0                       # i < z
        first = zero & (seen == 1)               # i = z
        y_prime = xp.cumprod(xp.where(first, x.dtype.type(1), x), axis=-1)
        terms = grad * y_prime
        safe_x = xp.where(before, x, x.dtype.type(1))
        lead = _reverse_cumsum(xp, xp.where(before, terms, 0)) / safe_x
        at_zero = _reverse_cumsum(xp, xp.where(before, 0, terms))
        result = xp.where(before, lead, xp.where(first, at_zero, 0)).astype(x.dtype)
        return xp.moveaxis(result, -1, self.axis)
