"""Running sums and products along one axis: ``cumsum`` and ``prod``.

For x of n elements along the axis:

* cumsum: y_i = Σ_{j≤i} x_j, so dL/dx_j = Σ_{i≥j} g_i: the running sum of the incoming
  gradient g taken from the end of the axis;
* prod: y = Π_i x_i, so dy/dx_j = Π_{i≠j} x_i = (Π_{i<j} x_i)·(Π_{i>j} x_i): the product of
  the elements before j times that of the elements after j, both exclusive running
  products.  No division by x_j, so a zero among the x gives the exact gradient (only the
  zero's own entry is non-zero when there is one zero, all are 0 when there are two).
"""
from __future__ import annotations

from ..autograd.function import Function
from ..backend import array_module
from .graph_backward import LinearMap


class Cumsum(Function):
    """y = the running sum of x along ``axis`` (same shape and dtype as x)."""

    def forward(self, x, *, axis):
        self.axis = axis
        return array_module(x).cumsum(x, axis=axis, dtype=x.dtype)

    def backward(self, grad):
        return _sum_from_the_end(grad, self.axis)

    def backward_graph(self, grad, needs):
        """Linear with constant coefficients: the adjoint of the sum from the end is the
        running sum itself."""
        axis = self.axis
        return (LinearMap.apply(grad, apply=lambda g: _sum_from_the_end(g, axis),
                                adjoint=lambda h: array_module(h).cumsum(h, axis=axis,
                                                                         dtype=h.dtype)),)


def _sum_from_the_end(grad, axis):
    """Σ_{i≥j} g_i along ``axis``: the running sum taken from the end."""
    xp = array_module(grad)
    return xp.flip(xp.cumsum(xp.flip(grad, axis), axis=axis), axis)


class Prod(Function):
    """y = the product of x along ``axis`` (size 1 there with ``keepdim``)."""

    def forward(self, x, *, axis, keepdim=False):
        self.axis, self.keepdim = axis, keepdim
        self.save_for_backward(x)
        return x.prod(axis=axis, keepdims=keepdim)

    def backward(self, grad):
        (x,) = self.saved_arrays
        xp = array_module(x)
        last = xp.moveaxis(x, self.axis, -1)  # (..., n)
        ones = xp.ones_like(last[..., :1])
        before = xp.cumprod(xp.concatenate([ones, last[..., :-1]], axis=-1), axis=-1)
        reverse = xp.flip(last, -1)
        after = xp.flip(xp.cumprod(xp.concatenate([ones, reverse[..., :-1]], axis=-1),
                                   axis=-1), -1)
        others = xp.moveaxis(before * after, -1, self.axis)  # Π_{i≠j} x_i
        if not self.keepdim:
            grad = xp.expand_dims(grad, self.axis)
        return grad * others
