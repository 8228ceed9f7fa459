"""Activation functions and (log-)softmax."""
from __future__ import annotations

from ...ops import elementwise as E
from ...ops.arguments import softmax_dim
from ...ops.softmax import LogSoftmax, Softmax
from ...tensor import Tensor
from .inplace import in_place


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    if inplace:
        return in_place("relu", input, relu)
    return E.ReLU.apply(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    if inplace:
        return in_place("leaky_relu", input, lambda x: leaky_relu(x, negative_slope))
    return E.LeakyReLU.apply(input, negative_slope=negative_slope)


def sigmoid(input: Tensor) -> Tensor:
    return E.Sigmoid.apply(input)


def tanh(input: Tensor) -> Tensor:
    return E.Tanh.apply(input)


def softmax(input: Tensor, dim: int | None = None) -> Tensor:
    return Softmax.apply(input, axis=softmax_dim(input, dim, "softmax"))


def log_softmax(input: Tensor, dim: int | None = None) -> Tensor:
    return LogSoftmax.apply(input, axis=softmax_dim(input, dim, "log_softmax"))
