"""Softmax and log-softmax along one axis, and their gradients.

    softmax:      y = exp(x - m) / Σ exp(x - m)          m = max x along the axis
    log-softmax:  y = x - m - log Σ exp(x - m)
    dL/dx:        softmax: y ⊙ (g - Σ g ⊙ y)     log-softmax: g - exp(y) ⊙ Σ g

Shifting by the maximum changes nothing mathematically and keeps exp from overflowing.
Each function writes into the one full-size array it returns (``out`` when given, which
must have the result's shape and dtype): a temporary costs as much as the arithmetic when
its memory is freshly mapped.  Written with the array's own module (NumPy or CuPy).
"""
from __future__ import annotations

from ...backend import array_module


def softmax_forward(x, axis: int, out=None):
    xp = array_module(x)
    out = xp.subtract(x, x.max(axis=axis, keepdims=True), out=out)
    xp.exp(out, out=out)
    out /= out.sum(axis=axis, keepdims=True)
    return out


def softmax_backward(y, grad, axis: int, out=None):
    xp = array_module(y)
    out = xp.multiply(grad, y, out=out)
    total = out.sum(axis=axis, keepdims=True)
    xp.subtract(grad, total, out=out)
    out *= y
    return out


def log_softmax_forward(x, axis: int, out=None):
    xp = array_module(x)
    out = xp.subtract(x, x.max(axis=axis, keepdims=True), out=out)
    out -= xp.log(xp.exp(out).sum(axis=axis, keepdims=True))
    return out


def log_softmax_backward(y, grad, axis: int, out=None):
    xp = array_module(y)
    total = grad.sum(axis=axis, keepdims=True)
    if out is None:
        out = xp.exp(y) * total
    else:
        xp.exp(y, out=out)
        out *= total
    return xp.subtract(grad, out, out=out)
