"""Softmax and log-softmax along one axis, as graph nodes (``axis`` already checked)."""
from __future__ import annotations

from ..autograd.function import Function
from ..autograd.graph_backward import output
from ..kernels.registry import kernel


class Softmax(Function):
    """y = exp(x - max x) / Σ exp(x - max x) along ``axis``;  dL/dx = y ⊙ (g - Σ g ⊙ y)
    (the ``softmax_forward`` and ``softmax_backward`` kernels)."""

    def forward(self, x, *, axis):
        y = kernel("softmax_forward", x)(x, axis)
        self.axis = axis
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved_arrays
        return kernel("softmax_backward", y)(y, grad, self.axis)

    def backward_graph(self, grad, needs):
        (y,) = self.saved_arrays
        y = output(self, y)
        return (y * (grad - (grad * y).sum(self.axis, keepdim=True)),)


class LogSoftmax(Function):
    """y = x - max x - log Σ exp(x - max x) along ``axis``;  dL/dx = g - softmax(x) Σ g
    (the ``log_softmax_forward`` and ``log_softmax_backward`` kernels)."""

    def forward(self, x, *, axis):
        y = kernel("log_softmax_forward", x)(x, axis)
        self.axis = axis
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved_arrays
        return kernel("log_softmax_backward", y)(y, grad, self.axis)

    def backward_graph(self, grad, needs):
        from .elementwise import Exp

        (y,) = self.saved_arrays
        return (grad - Exp.apply(output(self, y)) * grad.sum(self.axis, keepdim=True),)


def normalize_along(function, tensor, axis):
    """``function`` (Softmax or LogSoftmax) applied along ``axis``; ``axis`` None (a 0-d
    tensor, as ``softmax_dim`` gives it) normalizes its single value."""
    if axis is None:
        return function.apply(tensor.reshape(1), axis=0).reshape(())
    return function.apply(tensor, axis=axis)
