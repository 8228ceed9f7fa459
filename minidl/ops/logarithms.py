"""Logarithms to base 2 and 10: ``log2``, ``log10``.

y = log_b x = ln x / ln b;  dy/dx = 1 / (x ln b).  The forward pass calls the library's own
``log2`` / ``log10`` (exact at powers of the base, where ln x / ln b may be off by an ulp);
0 gives -inf and negative x NaN, as IEEE (and PyTorch) say, without NumPy's warnings.
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function
from ..backend import array_module


class LogBase(Function):
    """y = log_base x (``base`` 2 or 10), same shape and dtype as x."""

    def forward(self, x, *, base):
        self.scale = x.dtype.type(1 / math.log(base))
        self.save_for_backward(x)
        xp = array_module(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return xp.log2(x) if base == 2 else xp.log10(x)

    def backward(self, grad):
        (x,) = self.saved_arrays
        return grad * self.scale / x
