"""Nearest-neighbour upsampling of (N, C, H, W) inputs by integer factors
(``torch.nn.functional.interpolate`` with mode="nearest")."""
from __future__ import annotations

from numbers import Real

from ...ops.upsample import UpsampleNearest2d
from ...tensor import Tensor


def _whole_factor(value):
    """A positive whole number (2 or 2.0) as an int, else None."""
    if isinstance(value, bool) or not isinstance(value, Real):
        return None
    if value < 1 or value != int(value):
        return None
    return int(value)


def _scale_factors(input: Tensor, size, scale_factor) -> tuple[int, int]:
    """(sH, sW) from exactly one of ``size`` and ``scale_factor``."""
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor, got "
                         f"size={size!r}, scale_factor={scale_factor!r}")
    height, width = input.shape[2:]
    if size is not None:
        sizes = tuple(size) if isinstance(size, tuple | list) else (size, size)
        if len(sizes) != 2 or not all(isinstance(s, int) and s > 0 for s in sizes):
            raise ValueError(f"interpolate: size must be a positive int or a pair of them, "
                             f"got {size!r}")
        if sizes[0] % height or sizes[1] % width:
            raise ValueError(f"interpolate: size {sizes} is not a whole multiple of the "
                             f"input's size ({height}, {width}); minidl's nearest "
                             "upsampling takes integer scale factors only")
        return sizes[0] // height, sizes[1] // width
    factors = tuple(scale_factor) if isinstance(scale_factor, tuple | list) \
        else (scale_factor, scale_factor)
    whole = tuple(_whole_factor(f) for f in factors)
    if len(factors) != 2 or None in whole:
        raise ValueError(f"interpolate: scale_factor must be a whole number >= 1 or a pair of "
                         f"them (nearest upsampling by integer factors), got {scale_factor!r}")
    return whole


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
                align_corners=None, recompute_scale_factor=None) -> Tensor:
    """Upsample (N, C, H, W) to (N, C, H·sH, W·sW) by repeating each pixel into an sH×sW
    block.  Give ``scale_factor`` (whole numbers) or ``size`` (whole multiples of H, W).
    Only mode="nearest" is implemented.  (``recompute_scale_factor`` changes nothing for
    whole factors.)"""
    if mode != "nearest":
        raise NotImplementedError(f"interpolate: mode {mode!r} is not implemented; minidl "
                                  "offers mode='nearest' only")
    if align_corners is not None:
        raise ValueError("interpolate: align_corners can only be set with the interpolating "
                         "modes (linear, bilinear, bicubic, trilinear), not 'nearest'")
    if input.ndim != 4:
        raise ValueError(f"interpolate: expected a 4-D (N, C, H, W) input, got shape "
                         f"{input.shape}")
    if input.dtype.kind != "f":
        raise TypeError(f"interpolate: input must be floating point, got {input.dtype}")
    scale_h, scale_w = _scale_factors(input, size, scale_factor)
    return UpsampleNearest2d.apply(input, scale_h=scale_h, scale_w=scale_w)


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """``interpolate(input, size, scale_factor, mode="nearest")`` (PyTorch's older name)."""
    return interpolate(input, size=size, scale_factor=scale_factor, mode="nearest")
