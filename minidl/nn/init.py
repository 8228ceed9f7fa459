"""Weight initialization (``torch.nn.init``): fill a tensor in place, outside the graph.

The scaled schemes keep the variance of activations roughly constant from layer to layer:
Xavier/Glorot uses std = gain·√(2 / (fan_in + fan_out)), Kaiming/He uses
std = gain / √fan, where fan_in = in_features × receptive field (kernel area).
A uniform distribution on [-b, b] has std b/√3, hence the √3 in the uniform bounds.
"""
from __future__ import annotations

import math

import numpy as np

from .. import random as _random
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The gain that preserves the activation variance through ``nonlinearity``."""
    linear = {"linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
              "conv_transpose2d", "conv_transpose3d", "sigmoid"}
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """fan_in = shape[1] × kernel area, fan_out = shape[0] × kernel area (PyTorch)."""
    if tensor.ndim < 2:
        raise ValueError(f"fan in and fan out need a tensor with at least 2 dimensions, "
                         f"got shape {tensor.shape}")
    receptive_field = 1
    for size in tensor.shape[2:]:
        receptive_field *= size
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _fan(tensor: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


@no_grad()
def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    return tensor.uniform_(a, b, generator=generator)


@no_grad()
def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    return tensor.normal_(mean, std, generator=generator)


@no_grad()
def constant_(tensor: Tensor, val: float) -> Tensor:
    return tensor.fill_(val)


def zeros_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 1.0)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std, generator)


@no_grad()
def orthogonal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Fill ``tensor`` (2 or more dimensions, seen as rows = shape[0] and columns = the
    rest) with a random (semi-)orthogonal matrix times ``gain`` (Saxe et al., 2013): the
    Q of the QR decomposition of a standard normal matrix, with the signs of R's diagonal
    moved into Q so that Q is uniformly distributed (PyTorch's recipe).  Orthonormal rows
    when rows ≤ columns, orthonormal columns otherwise."""
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_: only tensors with 2 or more dimensions are "
                         f"supported, got shape {tensor.shape}")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    columns = tensor.numel() // rows
    flat = _random.stream(generator, "orthogonal_").standard_normal((rows, columns))
    if rows < columns:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < columns:
        q = q.T
    return tensor.copy_((gain * q).reshape(tensor.shape))


@no_grad()
def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator=None) -> Tensor:
    """Fill ``tensor`` from N(mean, std²) truncated to [a, b] (absolute bounds, not in
    units of std, as PyTorch).  Draws from minidl's global stream (or ``generator``) by
    rejection: normal draws outside [a, b] are drawn again, so each value keeps the
    normal density restricted to [a, b]; that takes 1/P(a ≤ X ≤ b) draws per value."""
    if not a < b:
        raise ValueError(f"trunc_normal_: a must be smaller than b, got a={a}, b={b}")
    if not std > 0:
        raise ValueError(f"trunc_normal_: std must be positive, got {std}")
    cdf = [(1 + math.erf((bound - mean) / (std * math.sqrt(2)))) / 2 for bound in (a, b)]
    if cdf[1] - cdf[0] < 1e-6:
        raise ValueError(f"trunc_normal_: [a, b] = [{a}, {b}] holds under 1e-6 of the mass "
                         f"of N({mean}, {std}²); rejection sampling would not end")
    stream = _random.stream(generator, "trunc_normal_")
    values = np.empty(tensor.numel())
    missing = np.arange(values.size)
    while missing.size:
        draws = stream.normal(mean, std, missing.size)
        inside = (draws >= a) & (draws <= b)
        values[missing[inside]] = draws[inside]
        missing = missing[~inside]
    return tensor.copy_(values.reshape(tensor.shape))


@no_grad()
def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D ``tensor`` with the identity matrix (ones on the main diagonal)."""
    if tensor.ndim != 2:
        raise ValueError(f"eye_: only tensors with 2 dimensions are supported, got shape "
                         f"{tensor.shape}")
    return tensor.copy_(np.eye(*tensor.shape))


@no_grad()
def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a convolution weight (out, in, *kernel), 3 to 5 dimensions, with the Dirac
    delta: each of the ``groups`` groups' output channel i passes input channel i through
    the kernel's centre unchanged (the extra outputs of a group stay 0)."""
    if tensor.ndim not in (3, 4, 5):
        raise ValueError(f"dirac_: only tensors with 3, 4 or 5 dimensions are supported, "
                         f"got shape {tensor.shape}")
    if not isinstance(groups, int) or groups < 1 or tensor.shape[0] % groups:
        raise ValueError(f"dirac_: dim 0 ({tensor.shape[0]}) must be divisible by groups, "
                         f"got groups={groups!r}")
    per_group = tensor.shape[0] // groups
    weight = np.zeros(tensor.shape)
    centre = tuple(size // 2 for size in tensor.shape[2:])
    for g in range(groups):
        for i in range(min(per_group, tensor.shape[1])):
            weight[(g * per_group + i, i) + centre] = 1
    return tensor.copy_(weight)


@no_grad()
def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator=None) -> Tensor:
    """Fill a 2-D ``tensor`` from N(0, std²), then zero ⌈sparsity · rows⌉ randomly chosen
    rows of each column (Martens, 2010)."""
    if tensor.ndim != 2:
        raise ValueError(f"sparse_: only tensors with 2 dimensions are supported, got shape "
                         f"{tensor.shape}")
    stream = _random.stream(generator, "sparse_")
    rows, columns = tensor.shape
    weight = stream.normal(0.0, std, (rows, columns))
    zeros = math.ceil(sparsity * rows)
    for column in range(columns):
        weight[stream.permutation(rows)[:zeros], column] = 0
    return tensor.copy_(weight)


def default_layer_init_(weight: Tensor, bias: Tensor | None) -> None:
    """PyTorch's default for Linear and Conv layers: W ~ U(-1/√fan_in, 1/√fan_in)
    (kaiming_uniform_ with a = √5, which works out to that bound) and the same for b."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = _calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        uniform_(bias, -bound, bound)
