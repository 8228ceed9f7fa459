"""Sub-pixel rearrangement (``pixel_shuffle`` / ``pixel_unshuffle``), the upsampling layer
of ESPCN super-resolution: channels become space and back, no arithmetic.

pixel_shuffle with factor r: (*, C·r², H, W) -> (*, C, H·r, W·r) with
y[c, h·r + i, w·r + j] = x[c·r² + i·r + j, h, w]; pixel_unshuffle is its inverse.
Both are a reshape, a permutation and a reshape, so the gradient is the inverse
rearrangement (autograd through ``reshape``/``permute``).
"""
from __future__ import annotations

from numbers import Integral

from ...tensor import Tensor


def _check(op: str, input: Tensor, factor) -> int:
    if not isinstance(factor, Integral) or factor < 1:
        raise ValueError(f"{op}: the factor must be a positive int, got {factor!r}")
    if input.ndim < 3:
        raise ValueError(f"{op}: expected an input of at least 3 dimensions (*, C, H, W), "
                         f"got shape {input.shape}")
    return int(factor)


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C·r², H, W) -> (*, C, H·r, W·r) for r = ``upscale_factor``."""
    r = _check("pixel_shuffle", input, upscale_factor)
    *batch, channels, height, width = input.shape
    if channels % (r * r):
        raise ValueError(f"pixel_shuffle: the input's {channels} channels (shape "
                         f"{input.shape}) must be divisible by upscale_factor² = {r * r}")
    k = len(batch)
    x = input.reshape(*batch, channels // (r * r), r, r, height, width)
    x = x.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)
    return x.reshape(*batch, channels // (r * r), height * r, width * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H·r, W·r) -> (*, C·r², H, W) for r = ``downscale_factor``."""
    r = _check("pixel_unshuffle", input, downscale_factor)
    *batch, channels, height, width = input.shape
    if height % r or width % r:
        raise ValueError(f"pixel_unshuffle: height and width (shape {input.shape}) must be "
                         f"divisible by downscale_factor = {r}")
    k = len(batch)
    x = input.reshape(*batch, channels, height // r, r, width // r, r)
    x = x.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return x.reshape(*batch, channels * r * r, height // r, width // r)
