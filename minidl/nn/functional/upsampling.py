"""Resizing (N, C, L) and (N, C, H, W) inputs (``torch.nn.functional.interpolate``):
modes "nearest", "nearest-exact" and "area" for both, "linear" for the first and
"bilinear" and "bicubic" for the second, with PyTorch's output sizes and source
positions."""
from __future__ import annotations

import math
from numbers import Integral

import numpy as np

from ...backend import array_module
from ...ops.arguments import check_number
from ...ops.interpolation_taps import (
    Taps,
    cubic_taps,
    linear_taps,
    nearest_exact_indices,
    nearest_indices,
)
from ...ops.upsample import Resample2d, UpsampleNearest2d
from ...tensor import Tensor
from .pooling import adaptive_avg_pool2d
from .pooling1d import adaptive_avg_pool1d

INPUT_SHAPES = {3: "3-D (N, C, L)", 4: "4-D (N, C, H, W)"}
MODE_DIMS = {"nearest": (3, 4), "linear": (3,), "bilinear": (4,), "bicubic": (4,),
             "area": (3, 4), "nearest-exact": (3, 4)}
"""The implemented modes and the input ranks each takes."""
NOT_IMPLEMENTED_MODES = ("trilinear",)
INTERPOLATING_MODES = ("linear", "bilinear", "bicubic", "trilinear")


def check_mode(op: str, mode, align_corners) -> None:
    """``mode`` is implemented, and ``align_corners`` is only set for a linear mode."""
    if mode in NOT_IMPLEMENTED_MODES:
        raise NotImplementedError(f"{op}: mode {mode!r} is not implemented; minidl offers "
                                  f"{', '.join(map(repr, MODE_DIMS))}")
    if mode not in MODE_DIMS:
        raise ValueError(f"{op}: mode must be one of {(*MODE_DIMS, *NOT_IMPLEMENTED_MODES)}, "
                         f"got {mode!r}")
    if mode not in INTERPOLATING_MODES and align_corners is not None:
        raise ValueError(f"{op}: align_corners can only be set with the interpolating modes "
                         f"(linear, bilinear, bicubic, trilinear), not {mode!r}")
    if align_corners not in (None, True, False):
        raise TypeError(f"{op}: align_corners must be a bool or None, got {align_corners!r}")


def _per_dim(value, count: int, name: str, input: Tensor) -> tuple:
    """``value`` (one item or a sequence) as one item per spatial dimension."""
    if not isinstance(value, tuple | list):
        return (value,) * count
    if len(value) != count:
        raise ValueError(f"interpolate: {name} {value!r} must have one entry per spatial "
                         f"dimension of the input (shape {input.shape}: {count})")
    return tuple(value)


def _output_sizes(input: Tensor, size, scale_factor, recompute_scale_factor):
    """The output's spatial sizes, and the scale factor each dimension's source positions
    use (None: PyTorch's input/output ratio).  From ``size``, or ⌊in · scale_factor⌋."""
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor, got "
                         f"size={size!r}, scale_factor={scale_factor!r}")
    spatial = input.shape[2:]
    if size is not None:
        if recompute_scale_factor:
            raise ValueError("interpolate: recompute_scale_factor is not meaningful with an "
                             f"explicit size (size={size!r})")
        sizes = _per_dim(size, len(spatial), "size", input)
        if not all(isinstance(s, Integral) and not isinstance(s, bool) and int(s) > 0
                   for s in sizes):
            raise ValueError(f"interpolate: size must be a positive int or one per spatial "
                             f"dimension, got {size!r}")
        return tuple(int(s) for s in sizes), (None,) * len(spatial)
    factors = _per_dim(scale_factor, len(spatial), "scale_factor", input)
    for factor in factors:
        check_number("interpolate", "scale_factor", factor, 0, low_open=True)
    sizes = tuple(math.floor(length * float(f)) for length, f in zip(spatial, factors))
    if min(sizes) < 1:
        raise ValueError(f"interpolate: scale_factor {scale_factor!r} leaves an output of "
                         f"size {sizes} for an input of shape {input.shape}; each output "
                         "size must be at least 1")
    used = (None,) * len(spatial) if recompute_scale_factor else \
        tuple(float(f) for f in factors)
    return sizes, used


def _whole_factor(indices: np.ndarray, size: int) -> int | None:
    """k when ``indices`` is ⌊j / k⌋ for j < k·size (each input repeated k times)."""
    factor = len(indices) // size
    if factor * size != len(indices):
        return None
    return factor if np.array_equal(indices, np.arange(len(indices)) // factor) else None


def _nearest(image: Tensor, sizes, scales, keep_copies: bool) -> Tensor:
    """(N, C, H, W) -> (N, C, OH, OW) by PyTorch's nearest rule (``keep_copies``: its rule
    for images); whole factors run the nearest-upsampling kernel, other sizes a gather."""
    indices = [nearest_indices(length, out, scale, keep_copies)
               for length, out, scale in zip(image.shape[2:], sizes, scales)]
    factors = [_whole_factor(i, length) for i, length in zip(indices, image.shape[2:])]
    if None not in factors:
        return UpsampleNearest2d.apply(image, scale_h=factors[0], scale_w=factors[1])
    xp = array_module(image.array)
    rows, columns = (Taps(length, (i,), None).to(xp)
                     for i, length in zip(indices, image.shape[2:]))
    return Resample2d.apply(image, rows=rows, columns=columns)


def _nearest_exact(image: Tensor, sizes, scales) -> Tensor:
    """(N, C, H, W) -> (N, C, OH, OW) by PyTorch's 'nearest-exact' rule (a gather)."""
    xp = array_module(image.array)
    rows, columns = (Taps(length, (nearest_exact_indices(length, out, scale),), None).to(xp)
                     for length, out, scale in zip(image.shape[2:], sizes, scales))
    return Resample2d.apply(image, rows=rows, columns=columns)


def _linear(image: Tensor, sizes, scales, align_corners: bool, resize_rows: bool,
            rule=linear_taps) -> Tensor:
    """(N, C, H, W) -> (N, C, OH, OW) by linear (``rule``: cubic) interpolation along the
    columns, and along the rows too when ``resize_rows`` (bilinear, bicubic)."""
    xp = array_module(image.array)
    rows, columns = (Taps(length, *rule(length, out, align_corners, scale,
                                        image.dtype)).to(xp)
                     for length, out, scale in zip(image.shape[2:], sizes, scales))
    # PyTorch's bicubic backward copies the gradient when no size changes
    same = rule is cubic_taps and tuple(sizes) == tuple(image.shape[2:])
    return Resample2d.apply(image, rows=rows if resize_rows else None, columns=columns,
                            copy_backward=same)


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize (N, C, L) to (N, C, OL) or (N, C, H, W) to (N, C, OH, OW).

    Output sizes: ``size`` (an int or one per spatial dimension), or ⌊in · scale_factor⌋
    for ``scale_factor`` (a positive number or one per dimension; below 1 shrinks).
    Output position j reads source position src(j) along each dimension:

    - mode="nearest" (3-D or 4-D): x[min(⌊j · s⌋, in - 1)], s = 1 / scale_factor, or
      in / out when ``size`` is given or ``recompute_scale_factor=True``; for 4-D inputs an
      output as long as the input copies it and one twice as long reads x[⌊j / 2⌋],
      whatever the scale factor (PyTorch's rule on the CPU);
    - mode="linear" (3-D) and "bilinear" (4-D): the linear blend of the two inputs around
      src(j) = j · (in - 1) / (out - 1) with ``align_corners=True``, else
      s · (j + ½) - ½ (pixel centres; the default), separably along each dimension;
    - mode="bicubic" (4-D): the cubic convolution (A = -0.75) of the four inputs around
      src(j) (as for the linear modes, but not clamped at 0), their indices clamped into
      the input (``ops.interpolation_taps.cubic_taps``);
    - mode="nearest-exact" (3-D or 4-D): x[min(⌊(j + ½) · s⌋, in - 1)];
    - mode="area" (3-D or 4-D): adaptive average pooling to the output size.

    The gradient reaches each input from every output that read it, by the same weights.
    """
    op = "interpolate"
    check_mode(op, mode, align_corners)
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not implemented")
    if not isinstance(input, Tensor):
        raise TypeError(f"interpolate: input must be a Tensor, got {type(input).__name__}")
    if input.ndim not in MODE_DIMS[mode]:
        expected = " or ".join(INPUT_SHAPES[d] for d in MODE_DIMS[mode])
        raise ValueError(f"interpolate: mode {mode!r} takes a {expected} input, got shape "
                         f"{input.shape}")
    if input.dtype.kind != "f":
        raise TypeError(f"interpolate: input must be floating point, got {input.dtype}")
    if min(input.shape[2:]) < 1:
        raise ValueError(f"interpolate: the input's spatial sizes must be positive, got "
                         f"shape {input.shape}")
    sizes, scales = _output_sizes(input, size, scale_factor, recompute_scale_factor)
    if mode == "area":
        pool = adaptive_avg_pool1d if input.ndim == 3 else adaptive_avg_pool2d
        return pool(input, sizes if input.ndim == 4 else sizes[0])
    image = input
    if input.ndim == 3:  # (N, C, L) as images of one row, (N, C, 1, L)
        image = input.reshape(*input.shape[:2], 1, input.shape[2])
        sizes, scales = (1, *sizes), (None, *scales)
    if mode == "nearest":
        output = _nearest(image, sizes, scales, input.ndim == 4)
    elif mode == "nearest-exact":
        output = _nearest_exact(image, sizes, scales)
    else:
        rule = cubic_taps if mode == "bicubic" else linear_taps
        output = _linear(image, sizes, scales, bool(align_corners), input.ndim == 4, rule)
    return output if input.ndim == 4 else output.reshape(*input.shape[:2], sizes[1])


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """``interpolate(input, size, scale_factor, mode="nearest")`` (PyTorch's older name)."""
    return interpolate(input, size=size, scale_factor=scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """``interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)``
    (PyTorch's older name)."""
    return interpolate(input, size=size, scale_factor=scale_factor, mode="bilinear",
                       align_corners=True)
