"""Activation functions and (log-)softmax.

The rectifiers with hard corners (hardtanh, relu6, hardsigmoid, hardswish, threshold,
prelu) and the compositions (mish, softsign, logsigmoid, celu, selu, glu, softmin) are
built from differentiable Tensor operations, so their gradients are exact by construction;
at a corner they take PyTorch's one-sided choice (hardtanh passes no gradient at
``min_val`` or ``max_val`` themselves).
"""
from __future__ import annotations

import math

from ... import random as _random
from ...backend import array_module, to_device
from ...creation import where
from ...ops import elementwise as E
from ...ops import smooth_activations as S
from ...ops.arguments import normalize_dims, softmax_dim
from ...ops.softmax import LogSoftmax, Softmax, normalize_along
from ...tensor import Tensor
from .inplace import in_place


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    if inplace:
        return in_place("relu", input, relu)
    return E.ReLU.apply(input)


def relu_(input: Tensor) -> Tensor:
    return relu(input, inplace=True)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    if inplace:
        return in_place("leaky_relu", input, lambda x: leaky_relu(x, negative_slope))
    return E.LeakyReLU.apply(input, negative_slope=negative_slope)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return leaky_relu(input, negative_slope, inplace=True)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, else α(eˣ - 1)."""
    if inplace:
        return in_place("elu", input, lambda x: elu(x, alpha))
    return S.ELU.apply(input, alpha=alpha)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return elu(input, alpha, inplace=True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, α(e^(x/α) - 1)) = α·elu(x/α)."""
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0 (it divides x)")
    if inplace:
        return in_place("celu", input, lambda x: celu(x, alpha))
    return elu(input / alpha) * alpha


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return celu(input, alpha, inplace=True)


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """λ·elu(x, α) with Klambauer et al.'s self-normalizing λ ≈ 1.0507, α ≈ 1.6733."""
    if inplace:
        return in_place("selu", input, selu)
    return elu(input, SELU_ALPHA) * SELU_SCALE


def selu_(input: Tensor) -> Tensor:
    return selu(input, inplace=True)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """x clamped into [min_val, max_val]; gradient 1 strictly inside, 0 elsewhere."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val cannot be greater than max_val, got "
                         f"min_val={min_val} and max_val={max_val}")
    if inplace:
        return in_place("hardtanh", input, lambda x: hardtanh(x, min_val, max_val))
    inside = (input > min_val) & (input < max_val)
    return where(inside, input, input.detach().clamp(min_val, max_val))


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(0, x), 6) = hardtanh(x, 0, 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, linear between."""
    if inplace:
        return in_place("hardsigmoid", input, hardsigmoid)
    return relu6(input + 3) / 6


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x · relu6(x + 3) / 6 (MobileNetV3)."""
    if inplace:
        return in_place("hardswish", input, hardswish)
    return input * hardsigmoid(input)


def _threshold(input: Tensor, level: float, value: float) -> Tensor:
    return where(input > level, input, value)


def threshold(input: Tensor, threshold: float, value: float,
              inplace: bool = False) -> Tensor:
    """x where x > threshold, else ``value``."""
    if inplace:
        return threshold_(input, threshold, value)
    return _threshold(input, threshold, value)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    return in_place("threshold", input, lambda x: _threshold(x, threshold, value))


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x for x > 0, else a·x: ``weight`` holds the slopes a, one for all (shape (1,)) or
    one per channel (shape (C,), C = input.shape[1])."""
    if not isinstance(weight, Tensor):
        raise TypeError(f"prelu: weight must be a Tensor, got {type(weight).__name__}")
    if weight.ndim > 1:
        raise ValueError(f"prelu: weight must be 1-D (one slope, or one per channel), got "
                         f"shape {weight.shape}")
    slopes = weight.numel()
    if slopes == 1:
        return where(input > 0, input, input * weight.reshape(()))
    channels = input.shape[1] if input.ndim >= 2 else 1
    if channels != slopes:
        raise ValueError(f"prelu: {slopes} slopes need an input with as many channels (dim "
                         f"1), got shape {input.shape}")
    weight = weight.reshape((slopes,) + (1,) * (input.ndim - 2))
    return where(input > 0, input, input * weight)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x · tanh(ln(1 + eˣ)) (Misra, 2019)."""
    if inplace:
        return in_place("mish", input, mish)
    return input * softplus(input, threshold=math.inf).tanh()


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def logsigmoid(input: Tensor) -> Tensor:
    """ln σ(x) = -ln(1 + e^(-x)), stable for large |x|."""
    return -softplus(-input, threshold=math.inf)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a ⊙ σ(b), a and b the two halves of ``input`` along ``dim`` (which must be even)."""
    if input.ndim == 0:
        raise ValueError("glu: does not support 0-d tensors")
    size = input.shape[normalize_dims(dim, input.ndim, "glu")[0]]
    if size % 2:
        raise ValueError(f"glu: halving dimension must be even, but dimension {dim} of "
                         f"shape {input.shape} is size {size}")
    a, b = input.chunk(2, dim)
    return a * b.sigmoid()


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


def _in_dtype(input: Tensor, dtype) -> Tensor:
    """``input`` cast to ``dtype`` first, as softmax's ``dtype=`` asks (None: as it is)."""
    return input if dtype is None else input.to(dtype)


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype=None) -> Tensor:
    input = _in_dtype(input, dtype)
    return normalize_along(Softmax, input, softmax_dim(input, dim, "softmax"))


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype=None) -> Tensor:
    input = _in_dtype(input, dtype)
    return normalize_along(LogSoftmax, input, softmax_dim(input, dim, "log_softmax"))


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype=None) -> Tensor:
    """softmax(-x, dim)."""
    input = _in_dtype(input, dtype)
    return softmax(-input, softmax_dim(input, dim, "softmin"))


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    return input - E.Tanh.apply(input)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > λ, else 0."""
    return where(input.abs() > lambd, input, 0.0)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - λ above λ, x + λ below -λ, else 0 (λ >= 0)."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return where(input > lambd, input - lambd, where(input < -lambd, input + lambd, 0.0))


def _rrelu(input: Tensor, lower: float, upper: float, training: bool) -> Tensor:
    if not training:
        return leaky_relu(input, (lower + upper) / 2)
    slopes = _random.generator().uniform(lower, upper, input.shape)
    xp = array_module(input.array)
    slopes = xp.asarray(to_device(slopes, input.device), dtype=input.dtype)
    return where(input > 0, input, input * Tensor._from_array(slopes))


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
          training: bool = False, inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU: x for x > 0, else a·x with a drawn uniformly from
    [lower, upper] per element in training, a = (lower + upper) / 2 otherwise."""
    if lower > upper:
        raise ValueError(f"rrelu: lower bound {lower} must be at most upper bound {upper}")
    if inplace:
        return in_place("rrelu", input, lambda x: _rrelu(x, lower, upper, training))
    return _rrelu(input, lower, upper, training)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Tensor:
    return rrelu(input, lower, upper, training, inplace=True)
