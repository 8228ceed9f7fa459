"""The rectifier's gradient: dL/dx = dL/dy where y = max(x, 0) is positive, else 0.

``y`` is the forward's output (what ReLU keeps for backward; y > 0 exactly where x > 0).
Written with the array's own module (NumPy or CuPy), so the CUDA backend uses it as it is.
"""
from __future__ import annotations


def relu_backward(y, grad):
    """dL/dx from ReLU's output ``y`` and dL/dy ``grad`` (same shape)."""
    return grad * (y > 0)
