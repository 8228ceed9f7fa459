"""Special functions of the gamma family, differentiable (``torch.lgamma``,
``torch.digamma``; the densities of the Beta and Gamma distributions use them):

    lgamma x  = ln |Γ(x)|,              d/dx lgamma x  = ψ(x)
    digamma x = ψ(x) = Γ'(x) / Γ(x),    d/dx ψ(x)      = ψ₁(x)   (trigamma)

ψ and ψ₁ are computed in float64 on the host: the recurrences ψ(x) = ψ(x + 1) - 1/x and
ψ₁(x) = ψ₁(x + 1) + 1/x² carry x to x ≥ 10, where the asymptotic series (Bernoulli
numbers B₂ₖ) are exact to double precision:

    ψ(x)  ~ ln x - 1/(2x) - Σₖ B₂ₖ / (2k x²ᵏ)
    ψ₁(x) ~ 1/x + 1/(2x²) + Σₖ B₂ₖ / x²ᵏ⁺¹

and x < 1/2 is reflected: ψ(x) = ψ(1 - x) - π cot πx,  ψ₁(x) = π² / sin² πx - ψ₁(1 - x).
ψ₁ itself is not differentiable (second derivatives of lgamma are not supported).
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function
from ..backend import device_of, to_device
from ..tensor import Tensor

# B₂ₖ for k = 1 .. 7
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6)
_SHIFT = 10  # recurrence steps: x ≥ 10 before the series


def _lgamma_scalar(x: float) -> float:
    """ln |Γ(x)|, +inf at the poles (0 and the negative integers), as PyTorch."""
    try:
        return math.lgamma(x)
    except ValueError:
        return math.inf


_lgamma = np.vectorize(_lgamma_scalar, otypes=[np.float64])


def _on_host(function, x):
    """function of x's values in float64 on the CPU, returned on x's device in x's dtype."""
    return to_device(function(np.asarray(to_device(x, "cpu"), np.float64)),
                     device_of(x)).astype(x.dtype)


def _digamma(x: np.ndarray) -> np.ndarray:
    reflect = x < 0.5
    y = np.where(reflect, 1 - x, x)
    total = np.zeros_like(y)
    for _ in range(_SHIFT):
        small = y < _SHIFT
        total -= np.where(small, 1 / y, 0)
        y = np.where(small, y + 1, y)
    series = np.log(y) - 1 / (2 * y)
    for k, b in enumerate(_BERNOULLI, start=1):
        series -= b / (2 * k * y ** (2 * k))
    with np.errstate(divide="ignore", invalid="ignore"):
        cotangent = np.cos(np.pi * x) / np.sin(np.pi * x)
    return np.where(reflect, total + series - np.pi * cotangent, total + series)


def _digamma_poles(x: np.ndarray) -> np.ndarray:
    """ψ(x) with PyTorch's values at the poles: -inf at +0, +inf at -0, nan at the negative
    integers (where the reflection would give huge finite numbers)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        value = _digamma(x)
    value = np.where(x == 0, np.where(np.signbit(x), np.inf, -np.inf), value)
    return np.where((x < 0) & (x == np.floor(x)), np.nan, value)


def _trigamma(x: np.ndarray) -> np.ndarray:
    reflect = x < 0.5
    y = np.where(reflect, 1 - x, x)
    total = np.zeros_like(y)
    for _ in range(_SHIFT):
        small = y < _SHIFT
        total += np.where(small, 1 / y ** 2, 0)
        y = np.where(small, y + 1, y)
    series = 1 / y + 1 / (2 * y ** 2)
    for k, b in enumerate(_BERNOULLI, start=1):
        series += b / y ** (2 * k + 1)
    with np.errstate(divide="ignore"):
        reflected = np.pi ** 2 / np.sin(np.pi * x) ** 2
    return np.where(reflect, reflected - (total + series), total + series)


class Lgamma(Function):
    """y = ln |Γ(x)|;  dy/dx = ψ(x)."""

    def forward(self, x):
        self.save_for_backward(x)
        return _on_host(_lgamma, x)

    def backward(self, grad):
        (x,) = self.saved_arrays
        return grad * _on_host(_digamma, x)


class Digamma(Function):
    """y = ψ(x);  dy/dx = ψ₁(x)."""

    def forward(self, x):
        self.save_for_backward(x)
        return _on_host(_digamma_poles, x)

    def backward(self, grad):
        (x,) = self.saved_arrays
        return grad * _on_host(_trigamma, x)


def lgamma(input: Tensor) -> Tensor:
    """ln |Γ(x)| elementwise (``torch.lgamma``), differentiable."""
    return Lgamma.apply(input)


def digamma(input: Tensor) -> Tensor:
    """ψ(x) = d/dx ln Γ(x) elementwise (``torch.digamma``), differentiable once."""
    return Digamma.apply(input)
