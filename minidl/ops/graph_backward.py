"""Pieces the ``backward_graph`` methods share (``create_graph=True``, see
``minidl/autograd/graph_backward.py``).

Many backward passes are linear maps of the incoming gradient whose coefficients are
constants of the forward pass: a ReLU's mask, max pooling's indices, a slice's index.
:class:`LinearMap` records such a map as a node: its forward applies the map to the
gradient, its backward applies the adjoint (the transpose), and its own
``backward_graph`` is a LinearMap the other way round, so it is differentiable to any
order.  The closures given to it must not refer to the Function that made them (a node
frees its attributes after backward): they capture the arrays and settings they need.
"""
from __future__ import annotations

from ..autograd.function import Function


class LinearMap(Function):
    """y = L(g) for a linear map ``apply`` with constant coefficients;  dL/dg = Lᵀ(dL/dy)
    with ``adjoint`` = Lᵀ."""

    def forward(self, g, *, apply, adjoint):
        self.maps = (apply, adjoint)
        return apply(g)

    def backward(self, grad):
        return self.maps[1](grad)

    def backward_graph(self, grad, needs):
        apply, adjoint = self.maps
        return (LinearMap.apply(grad, apply=adjoint, adjoint=apply),)


def diagonal(grad, scale):
    """grad ⊙ s for a constant ``scale(g)`` map that multiplies elementwise (a mask): its
    own adjoint."""
    return LinearMap.apply(grad, apply=scale, adjoint=scale)


def sum_to_shape_graph(grad, shape: tuple):
    """``arithmetic.sum_to_shape`` with recorded operations: ``grad`` (a Tensor) summed over
    the axes broadcasting added or stretched."""
    from .reduction import Sum
    from .shape import Reshape

    shape = tuple(shape)
    if tuple(grad.shape) == shape:
        return grad
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, size in enumerate(shape) if size == 1 and grad.shape[extra + i] != 1)
    summed = Sum.apply(grad, axes=axes, keepdim=True) if axes else grad
    return Reshape.apply(summed, shape=shape)
