"""Activation functions and (log-)softmax."""
from __future__ import annotations

from ...autograd.function import Function
from ...backend import array_module
from ...ops import elementwise as E
from ...ops import smooth_activations as S
from ...ops.reduction import normalize_dims
from ...tensor import Tensor


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    return E.ReLU.apply(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    return E.LeakyReLU.apply(input, negative_slope=negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, else α(eˣ - 1)."""
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
    return S.SiLU.apply(input)


def sigmoid(input: Tensor) -> Tensor:
    return E.Sigmoid.apply(input)


def tanh(input: Tensor) -> Tensor:
    return E.Tanh.apply(input)


class Softmax(Function):
    """y = exp(x - max x) / Σ exp(x - max x) along ``axis`` (shifting by the max avoids
    overflow and changes nothing);  dL/dx = y ⊙ (g - Σ g ⊙ y)."""

    def forward(self, x, *, axis):
        xp = array_module(x)
        shifted = xp.exp(x - x.max(axis=axis, keepdims=True))
        y = shifted / shifted.sum(axis=axis, keepdims=True)
        self.axis = axis
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved_arrays
        return y * (grad - (grad * y).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    """y = x - max x - log Σ exp(x - max x) along ``axis`` (stable for any x);
    dL/dx = g - softmax(x) Σ g."""

    def forward(self, x, *, axis):
        xp = array_module(x)
        shifted = x - x.max(axis=axis, keepdims=True)
        y = shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))
        self.axis = axis
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved_arrays
        xp = array_module(y)
        return grad - xp.exp(y) * grad.sum(axis=self.axis, keepdims=True)


def _softmax_axis(input: Tensor, dim, name: str) -> int:
    if dim is None:
        raise TypeError(f"{name}: give dim explicitly (PyTorch's implicit choice is "
                        "deprecated)")
    if input.dtype.kind != "f":
        raise TypeError(f"{name}: needs a floating point input, got {input.dtype}")
    return normalize_dims(dim, input.ndim, name)[0]


def softmax(input: Tensor, dim: int | None = None) -> Tensor:
    return Softmax.apply(input, axis=_softmax_axis(input, dim, "softmax"))


def log_softmax(input: Tensor, dim: int | None = None) -> Tensor:
    return LogSoftmax.apply(input, axis=_softmax_axis(input, dim, "log_softmax"))
