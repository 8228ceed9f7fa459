"""Reductions over dimensions: sum, mean, amax/amin, variance, p-norms.

``dim`` follows PyTorch: ``None`` reduces everything, an int or a tuple of ints picks the
dimensions, negative values count from the end; ``keepdim`` keeps reduced dimensions as
size 1.  A reduction's backward spreads the incoming gradient back over the reduced
dimensions (broadcasting), weighted by the derivative.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.graph_backward import operand
from ..backend import array_module
from .graph_backward import LinearMap, diagonal


def expand_reduced(grad, input_shape: tuple, axes: tuple, keepdim: bool):
    """Broadcast a reduction's gradient back to the input's shape."""
    xp = array_module(grad)
    if not keepdim:
        grad = xp.expand_dims(grad, axes) if axes else grad
    return xp.broadcast_to(grad, input_shape)


class Sum(Function):
    """y = Σ_axes x;  dy/dx = 1 for every summed element."""

    def forward(self, x, *, axes=(), keepdim=False):
        self.axes, self.keepdim, self.shape = axes, keepdim, x.shape
        return x.sum(axis=axes, keepdims=keepdim)

    def backward(self, grad):
        return expand_reduced(grad, self.shape, self.axes, self.keepdim)

    def backward_graph(self, grad, needs):
        return (expand_reduced_graph(grad, self.shape, self.axes, self.keepdim),)


def expand_reduced_graph(grad, input_shape: tuple, axes: tuple, keepdim: bool):
    """``expand_reduced`` with recorded operations (a Tensor ``grad``)."""
    from .shape import Expand, Reshape

    if not keepdim and axes:
        grad = Reshape.apply(grad, shape=_reduced_shape(input_shape, axes, True))
    return Expand.apply(grad, shape=tuple(input_shape))


def _reduced_shape(shape, axes, keepdim) -> tuple:
    """The shape a reduction over ``axes`` leaves (1 along them with ``keepdim``)."""
    return tuple(1 if i in axes else size for i, size in enumerate(shape)
                 if keepdim or i not in axes)


class Mean(Function):
    """y = (1/n) Σ_axes x over n elements;  dy/dx = 1/n."""

    def forward(self, x, *, axes=(), keepdim=False):
        self.axes, self.keepdim, self.shape = axes, keepdim, x.shape
        self.count = 1
        for a in axes:
            self.count *= x.shape[a]
        if self.count == 0:          # the mean of nothing: NaN, as PyTorch (no warning)
            return array_module(x).full(_reduced_shape(x.shape, axes, keepdim), np.nan,
                                        dtype=x.dtype)
        return x.mean(axis=axes, keepdims=keepdim)

    def backward(self, grad):
        return expand_reduced(grad / grad.dtype.type(self.count), self.shape, self.axes,
                              self.keepdim)

    def backward_graph(self, grad, needs):
        return (expand_reduced_graph(grad / self.count, self.shape, self.axes,
                                      self.keepdim),)


class Amax(Function):
    """y = max_axes x;  the gradient is shared equally among the elements equal to the max.

    With ``largest=False`` this is amin.
    """

    def forward(self, x, *, axes=(), keepdim=False, largest=True):
        self.axes, self.keepdim = axes, keepdim
        y = x.max(axis=axes, keepdims=True) if largest else x.min(axis=axes, keepdims=True)
        winners = x == y
        self.save_for_backward(winners)
        return y if keepdim else y.squeeze(axis=axes)

    def backward(self, grad):
        (winners,) = self.saved_arrays
        return expand_reduced(grad, winners.shape, self.axes, self.keepdim) * _winner_shares(
            winners, self.axes, grad.dtype)

    def backward_graph(self, grad, needs):
        """A linear map of the gradient whose coefficients, the maxima's shares, are
        constant almost everywhere: g -> expand(g)·share, its adjoint h -> Σ_axes h·share."""
        (winners,) = self.saved_arrays
        axes, keepdim = self.axes, self.keepdim
        return (LinearMap.apply(
            grad,
            apply=lambda g: expand_reduced(g, winners.shape, axes, keepdim) * _winner_shares(
                winners, axes, g.dtype),
            adjoint=lambda h: (h * _winner_shares(winners, axes, h.dtype)).sum(
                axis=axes, keepdims=keepdim)),)


def _winner_shares(winners, axes, dtype):
    """Each element's share of its line's gradient: 1 / (the line's number of maxima) at
    a maximum, 0 elsewhere."""
    return (winners / winners.sum(axis=axes, keepdims=True)).astype(dtype, copy=False)


class Var(Function):
    """y = Σ (x - mean)² / (n - correction);  dy/dx = 2 (x - mean) / (n - correction)."""

    def forward(self, x, *, axes=(), keepdim=False, correction=1):
        self.axes, self.keepdim, self.shape = axes, keepdim, x.shape
        count = 1
        for a in axes:
            count *= x.shape[a]
        centred = x - x.mean(axis=axes, keepdims=True)
        self.divisor = max(count - correction, 0)
        self.save_for_backward(centred)
        with np.errstate(divide="ignore", invalid="ignore"):  # n <= correction: inf/nan
            return (centred * centred).sum(axis=axes, keepdims=keepdim) / x.dtype.type(
                self.divisor)

    def backward(self, grad):
        (centred,) = self.saved_arrays
        scale = grad.dtype.type(2) / grad.dtype.type(self.divisor)
        return expand_reduced(grad, self.shape, self.axes, self.keepdim) * centred * scale

    def backward_graph(self, grad, needs):
        """x - mean x is shift invariant, so the input may be rebuilt on ``centred``
        (which equals it up to a constant per group): the gradient flows on to x."""
        (centred,) = self.saved_arrays
        x = operand(self, 0, centred)
        with np.errstate(divide="ignore"):
            scale = centred.dtype.type(2) / centred.dtype.type(self.divisor)
        return (expand_reduced_graph(grad, self.shape, self.axes, self.keepdim)
                * (x - x.mean(self.axes, keepdim=True)) * scale,)



class Norm(Function):
    """y = (Σ_axes |x|^p)^(1/p) for a finite p > 0;
    dy/dx = sign(x) |x|^(p-1) / y^(p-1)  (0 where y = 0, as PyTorch; x / y for p = 2)."""

    def forward(self, x, *, p=2.0, axes=(), keepdim=False):
        xp = array_module(x)
        self.p, self.axes, self.keepdim = p, axes, keepdim
        y = ((xp.abs(x) ** p).sum(axis=axes, keepdims=True) ** (1 / p)).astype(x.dtype)
        self.save_for_backward(x, y)
        return y if keepdim else y.squeeze(axis=axes)

    def backward(self, grad):
        x, y = self.saved_arrays
        xp = array_module(x)
        if not self.keepdim:
            grad = xp.expand_dims(grad, self.axes) if self.axes else grad
        p = self.p
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = xp.where(y > 0, y ** (1 - p), 0).astype(x.dtype)
        return grad * scale * xp.sign(x) * xp.abs(x) ** (p - 1)

    def backward_graph(self, grad, needs):
        """x / y for p = 2, sign(x) |x|^(p-1) / y^(p-1) otherwise, with y recomputed from
        the rebuilt input (kept dimensions) and 0 where y = 0."""
        x, y = self.saved_arrays
        xp = array_module(x)
        zero = y == 0
        x_in = operand(self, 0, x)
        norm = Norm.apply(x_in, p=self.p, axes=self.axes, keepdim=True) + zero  # never 0
        p = self.p
        if p == 2:
            coefficient = x_in / norm
        else:
            coefficient = x_in.abs() ** (p - 1) * xp.sign(x) / norm ** (p - 1)
        mask = xp.broadcast_to(~zero, x.shape)
        return (diagonal(expand_reduced_graph(grad, x.shape, self.axes, self.keepdim)
                         * coefficient, lambda g: xp.where(mask, g, 0)),)


class StdFromVar(Function):
    """y = √v for a variance v (``std`` is ``var`` followed by this);  dy/dv = 1 / (2 y),
    taken as 0 where y = 0, as PyTorch's std backward masks its division by a zero std:
    a constant line gets gradient 0, not NaN."""

    def forward(self, v):
        y = array_module(v).sqrt(v)
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved_arrays
        xp = array_module(y)
        zero = y == 0
        with np.errstate(divide="ignore", invalid="ignore"):
            return xp.where(zero, 0, grad / (2 * y + zero)).astype(y.dtype, copy=False)

    def backward_graph(self, grad, needs):
        (y,) = self.saved_arrays
        xp = array_module(y)
        zero = y == 0
        root = StdFromVar.apply(operand(self, 0, y * y)) + zero   # never 0
        return (diagonal(grad / (2 * root), lambda g: xp.where(zero, 0, g)),)
