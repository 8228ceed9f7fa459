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
    dL/dx = g - softmax(x) Σ g."""

    def forward(self, x, *, axis):
        xp = array_module(x)
        shifted = x - x.max(axis=axis, keepdims=True)
        y = shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))
        self.axis = axis
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved_arrays
        xp = array_module(y)
        return grad - xp.exp(y) * grad.sum(axis=self.axis, keepdims=True)
