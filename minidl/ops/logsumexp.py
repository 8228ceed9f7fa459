"""log Σ exp over dimensions, without overflow: ``logsumexp``.

    y = m + ln Σ_axes exp(x - m),   m = max_axes x (0 where m is ±inf),
    dy/dx = exp(x - y)              (the softmax of x over the axes)

Subtracting the maximum keeps every exp(x - m) in [0, 1]; a line of -inf gives -inf, a
line with +inf gives +inf, as PyTorch.  Reducing no axes (an empty ``axes``) is x itself.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.graph_backward import operand
from ..backend import array_module
from .reduction import expand_reduced, expand_reduced_graph


class LogSumExp(Function):
    """y = log Σ_axes exp x;  shape of x without ``axes`` (size 1 there with ``keepdim``)."""

    def forward(self, x, *, axes, keepdim=False):
        xp = array_module(x)
        self.axes, self.keepdim = axes, keepdim
        if x.size == 0:
            top = xp.zeros(tuple(1 if i in axes else n for i, n in enumerate(x.shape)), x.dtype)
        else:
            top = x.max(axis=axes, keepdims=True)
            top = xp.where(xp.isinf(top), x.dtype.type(0), top)
        with np.errstate(divide="ignore"):
            y = xp.log(xp.exp(x - top).sum(axis=axes, keepdims=True)) + top
        self.save_for_backward(x, y)
        return y if keepdim else y.reshape(tuple(n for i, n in enumerate(y.shape)
                                                  if i not in axes))

    def backward(self, grad):
        x, y = self.saved_arrays
        grad = expand_reduced(grad, x.shape, self.axes, self.keepdim)
        return grad * array_module(x).exp(x - y)

    def backward_graph(self, grad, needs):
        """dy/dx = exp(x - y) with y recomputed from the rebuilt input, so that the
        softmax's own derivative reaches x too."""
        x, _ = self.saved_arrays
        x_in = operand(self, 0, x)
        y = LogSumExp.apply(x_in, axes=self.axes, keepdim=True)
        return (expand_reduced_graph(grad, x.shape, self.axes, self.keepdim)
                * (x_in - y).exp(),)
