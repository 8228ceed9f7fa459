"""Where the colour channels are: the one axis of size 3 that every colour function reads.

Every function of :mod:`minidl.color` takes its colours along one axis of size 3 — the last
one by default (``(..., 3)``: a pixel list ``(N, 3)``, an image ``(H, W, 3)``), or any
other through ``axis=`` (``axis=0`` for one CHW image, ``axis=1`` for an NCHW batch).
Inside, the functions move that axis last, compute, and move it back.
"""
from __future__ import annotations

import numpy as np

from ..backend import array_module
from ..ops.arguments import normalize_dims


def channels_last(values, axis: int, function: str, channels: int = 3):
    """``(xp, array with the colour axis moved last, the axis as a non-negative int)``.

    Raw NumPy or CuPy arrays pass through; anything else (lists, CPU tensors) goes through
    ``np.asarray``. A clear error names ``function`` when the axis does not hold
    ``channels`` values.
    """
    xp = array_module(values)
    array = values if xp is not np else np.asarray(values)
    if array.ndim == 0:
        raise ValueError(f"{function}: expected colours along an axis of size {channels}, "
                         "got a scalar")
    axis = normalize_dims(axis, array.ndim, function)[0]
    if array.shape[axis] != channels:
        raise ValueError(f"{function}: expected {channels} colour channels on axis {axis}, "
                         f"got shape {tuple(array.shape)}")
    return xp, xp.moveaxis(array, axis, -1), axis


def as_unit_float(xp, array):
    """Colours as float64 in [0, 1] for computing: uint8 is divided by 255."""
    if array.dtype == np.uint8:
        return array.astype(np.float64) / 255.0
    return array.astype(np.float64)


def result_dtype(array) -> np.dtype:
    """Floating inputs keep their dtype; integer inputs (uint8 images) give float32."""
    return array.dtype if array.dtype.kind == "f" else np.dtype(np.float32)
