"""The rectifier y = max(x, 0) (NaN stays NaN, as in PyTorch) and its gradient:
dL/dx = dL/dy where y is positive, else 0.

``y`` is the forward's output (what ReLU keeps for backward; y > 0 exactly where x > 0).
Written with the array's own module (NumPy or CuPy), so the CUDA backend uses it as it is.
"""
from __future__ import annotations

from ...backend import array_module


def relu_forward(x):
    """y = max(x, 0), elementwise: a new array of x's shape and dtype."""
    return array_module(x).maximum(x, 0)


def relu_backward(y, grad):
    """dL/dx from ReLU's output ``y`` and dL/dy ``grad`` (same shape)."""
    return grad * (y > 0)
