"""Activation functions and (log-)softmax."""
from __future__ import annotations

from ...ops import elementwise as E
from ...ops import smooth_activations as S
from ...ops.arguments import softmax_dim
from ...ops.softmax import LogSoftmax, Softmax, normalize_along
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


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, else α(eˣ - 1)."""
    if inplace:
        return in_place("elu", input, lambda x: elu(x, alpha))
    return S.ELU.apply(input, alpha=alpha)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """ln(1 + e^(βx)) / β; x itself where βx > threshold."""
    if beta == 0:
        raise ValueError("softplus: beta must be non-zero")
    return S.Softplus.apply(input, beta=beta, threshold=threshold)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x Φ(x) with Φ the standard normal CDF (``approximate="tanh"``: its tanh form)."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return S.GELU.apply(input, approximate=approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x σ(x) (also called swish)."""
    if inplace:
        return in_place("silu", input, silu)
    return S.SiLU.apply(input)


def sigmoid(input: Tensor) -> Tensor:
    return E.Sigmoid.apply(input)


def tanh(input: Tensor) -> Tensor:
    return E.Tanh.apply(input)


def softmax(input: Tensor, dim: int | None = None) -> Tensor:
    return normalize_along(Softmax, input, softmax_dim(input, dim, "softmax"))


def log_softmax(input: Tensor, dim: int | None = None) -> Tensor:
    return normalize_along(LogSoftmax, input, softmax_dim(input, dim, "log_softmax"))
