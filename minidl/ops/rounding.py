"""Rounding and clamping with PyTorch's gradients.

``Floor``, ``Ceil``, ``Round``, ``Sign`` and ``Trunc`` are steps: recorded in the graph (the
output of an input that requires grad requires grad too, as in PyTorch) with a gradient of
0 everywhere.  ``Frac`` (x - trunc x) has gradient 1.  ``ClampBounds`` is clamp with tensor
bounds: the gradient goes to the input where min ≤ x ≤ max (ties go to the input), to
``min`` where x < min and to ``max`` where x > max (PyTorch's ``clamp_backward_min_max``).
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..backend import array_module
from .arithmetic import sum_to_shape
from .graph_backward import diagonal, sum_to_shape_graph


def _zeros_like(g):
    return array_module(g).zeros_like(g)


class _Step(Function):
    """A piecewise constant function: dy/dx = 0 everywhere."""

    def forward(self, x, **options):
        return self.compute(array_module(x), x, **options)

    def compute(self, xp, x, **options):
        raise NotImplementedError

    def backward(self, grad):
        return array_module(grad).zeros_like(grad)

    def backward_graph(self, grad, needs):
        return (diagonal(grad, _zeros_like),)


class Floor(_Step):
    """y = ⌊x⌋;  dy/dx = 0."""

    def compute(self, xp, x):
        return xp.floor(x)


class Ceil(_Step):
    """y = ⌈x⌉;  dy/dx = 0."""

    def compute(self, xp, x):
        return xp.ceil(x)


class Trunc(_Step):
    """y = x rounded towards 0;  dy/dx = 0."""

    def compute(self, xp, x):
        return xp.trunc(x)


class Sign(_Step):
    """y = -1, 0 or 1 (0 for NaN and ±0, as PyTorch);  dy/dx = 0."""

    def compute(self, xp, x):
        return ((x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)).astype(x.dtype, copy=False)


class Round(_Step):
    """y = x rounded to ``decimals`` digits, halves to even;  dy/dx = 0.  With decimals,
    PyTorch's formula: rint(x·10ᵈ)/10ᵈ, or rint(x/10⁻ᵈ)·10⁻ᵈ for negative d."""

    def compute(self, xp, x, decimals=0):
        self.decimals = decimals
        if decimals == 0:
            return xp.rint(x)
        scale = x.dtype.type(10.0 ** abs(decimals))
        if decimals > 0:
            return (xp.rint(x * scale) / scale).astype(x.dtype, copy=False)
        return (xp.rint(x / scale) * scale).astype(x.dtype, copy=False)

    def name(self) -> str:
        return "RoundBackward1" if getattr(self, "decimals", 0) else "RoundBackward0"


class Frac(Function):
    """y = x - trunc(x) (the sign of x);  dy/dx = 1."""

    def forward(self, x):
        with np.errstate(invalid="ignore"):  # ±inf - ±inf: NaN, silently as PyTorch
            return (x - array_module(x).trunc(x)).astype(x.dtype, copy=False)

    def backward(self, grad):
        return grad

    def backward_graph(self, grad, needs):
        return (grad,)


class ClampBounds(Function):
    """y = min(max(x, low), high) with tensor (array) bounds, either of them None, all
    broadcasting.  PyTorch's gradients: to x where low ≤ x ≤ high; to low where x < low
    (and low < high when both are given); to high where x > high, or everywhere high < low
    (y is then high)."""

    def forward(self, x, low, high):
        xp = array_module(x)
        self.shapes = (x.shape, getattr(low, "shape", ()), getattr(high, "shape", ()))
        y = x
        if low is not None:
            y = xp.maximum(y, low)
        if high is not None:
            y = xp.minimum(y, high)
        masks = [None, None, None]
        if self.needs_input_grad[0]:
            inside = xp.ones(y.shape, dtype=bool)
            if low is not None:
                inside = inside & (x >= low)
            if high is not None:
                inside = inside & (x <= high)
            masks[0] = inside
        if low is not None and self.needs_input_grad[1]:
            masks[1] = (x < low) & (low < high) if high is not None else x < low
        if high is not None and self.needs_input_grad[2]:
            masks[2] = (x > high) | (high < low) if low is not None else x > high
        self.masks = [None if m is None else xp.broadcast_to(m, y.shape) for m in masks]
        return y.astype(x.dtype, copy=False)

    def backward(self, grad):
        return tuple(None if mask is None else sum_to_shape(grad * mask, shape)
                     for mask, shape in zip(self.masks, self.shapes))

    def backward_graph(self, grad, needs):
        def part(mask, shape):
            return sum_to_shape_graph(diagonal(grad, lambda g: g * mask), shape)
        return tuple(part(mask, shape) if mask is not None and need else None
                     for mask, shape, need in zip(self.masks, self.shapes, needs))

    def name(self) -> str:
        return "ClampBackward0"
