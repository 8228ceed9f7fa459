"""Softmax and log-softmax along one axis, as graph nodes (``axis`` already checked)."""
from __future__ import annotations

from ..autograd.function import Function
from ..backend import array_module


class Softmax(Function):
    """y = exp(x - max x) / Σ exp(x - max x) along ``axis`` (shifting by the max avoids
    overflow and changes nothing);  dL/dx = y ⊙ (g - Σ g ⊙ y)."""

    def forward(self, x, *, axis):
        xp = array_module(x)
        shifted = xp.exp(x - x.max(axis=axis, keepdims=True))
        y = shifted / shifted.sum(axis=axis, keepdims=True)
        self.axis = axis
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved_arrays
        return y * (grad - (grad * y).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    """y = x - max x - log Σ exp(x - max x) along ``axis`` (stable for any x);
    dL/dx = g - softmax(x) Σ g.  Each writes into the one full-size array it allocates:
    a temporary costs as much as the arithmetic when its memory is freshly mapped (page
    faults), as large arrays are whenever freed memory has been handed back."""

    def forward(self, x, *, axis):
        xp = array_module(x)
        y = x - x.max(axis=axis, keepdims=True)
        y -= xp.log(xp.exp(y).sum(axis=axis, keepdims=True))
        self.axis = axis
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved_arrays
        xp = array_module(y)
        grad_x = xp.exp(y)
        grad_x *= grad.sum(axis=self.axis, keepdims=True)
        return xp.subtract(grad, grad_x, out=grad_x)


def normalize_along(function, tensor, axis):
    """``function`` (Softmax or LogSoftmax) applied along ``axis``; ``axis`` None (a 0-d
    tensor, as ``softmax_dim`` gives it) normalizes its single value."""
    if axis is None:
        return function.apply(tensor.reshape(1), axis=0).reshape(())
    return function.apply(tensor, axis=axis)
