"""Where each output position of an interpolation reads its input, along one axis: PyTorch's
source-index rules for mode="nearest" and the linear modes, as index and weight arrays.

Interpolation in minidl is separable: resizing (..., H, W) to (..., OH, OW) resizes the
rows, then the columns, each by a 1-D rule ``y[j] = Σ_k w_k[j] · x[i_k[j]]`` (``Taps``).
The positions are computed on the host, in the precision PyTorch computes them in (float32
for float32 and half inputs, float64 for float64), then copied to the input's device.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Taps(NamedTuple):
    """The 1-D rule ``y[j] = Σ_k weights[k][j] · x[indices[k][j]]`` for j < output length.

    ``size`` is the input's length along the axis; ``indices`` holds K non-decreasing int64
    arrays of the output's length (the backward pass relies on the order); ``weights`` K
    arrays of the input's dtype, or None for a single tap of weight 1 (nearest).
    """

    size: int
    indices: tuple
    weights: tuple | None

    def to(self, xp) -> Taps:
        """The same taps as arrays of the array module ``xp`` (NumPy or CuPy)."""
        weights = None if self.weights is None else tuple(xp.asarray(w) for w in self.weights)
        return Taps(self.size, tuple(xp.asarray(i) for i in self.indices), weights)


def _scale_precision(dtype) -> type:
    """PyTorch's ``opmath`` type: positions of a float64 input in float64, else float32."""
    return np.float64 if np.dtype(dtype) == np.float64 else np.float32


def nearest_indices(size: int, out_size: int, scale_factor: float | None,
                    keep_copies: bool) -> np.ndarray:
    """PyTorch's legacy 'nearest' source index of each of the ``out_size`` outputs:

    i[j] = min(⌊j · s⌋, in - 1),  s = 1 / scale_factor when a scale factor is used, else
    in / out, both in float32 (as PyTorch computes them, for every dtype).

    With ``keep_copies`` (PyTorch's rule for images, on the CPU) out = in copies the input,
    i[j] = j, and out = 2·in repeats each input twice, i[j] = ⌊j / 2⌋, whatever the scale
    factor; 1-D inputs use the formula for every size.  Returns an int64 (out_size,) array.
    """
    positions = np.arange(out_size)
    if keep_copies and out_size == size:
        return positions
    if keep_copies and out_size == 2 * size:
        return positions // 2
    if scale_factor is not None and scale_factor > 0:
        scale = np.float32(1.0 / scale_factor)
    else:
        scale = np.float32(size) / np.float32(out_size)
    sources = np.floor(positions.astype(np.float32) * scale).astype(np.int64)
    return np.minimum(sources, size - 1)


def _source_positions(size: int, out_size: int, align_corners: bool,
                      scale_factor: float | None, real) -> np.ndarray:
    """Where in the input each of ``out_size`` outputs sits, in the scalar type ``real``:
    j · (in - 1) / (out - 1) with ``align_corners`` (0 when out = 1), else s · (j + ½) - ½
    (not clamped), s = 1 / scale_factor when a scale factor is used, else in / out."""
    positions: np.ndarray = np.arange(out_size).astype(real)
    if align_corners:
        scale = real(size - 1) / real(out_size - 1) if out_size > 1 else real(0)
        return positions * scale
    if scale_factor is not None and scale_factor > 0:
        scale = real(1.0 / scale_factor)
    else:
        scale = real(size) / real(out_size)
    return scale * (positions + real(0.5)) - real(0.5)


def linear_taps(size: int, out_size: int, align_corners: bool, scale_factor: float | None,
                dtype) -> tuple[tuple, tuple]:
    """The two taps of PyTorch's linear interpolation for each of ``out_size`` outputs.

    An output as long as the input copies it (i0 = i1 = j, λ0 = 1).  Otherwise the source
    position of output j, with s the scale, is

    - align_corners=True: src = j · s,  s = (in - 1) / (out - 1) (0 when out = 1);
    - align_corners=False: src = max(s · (j + ½) - ½, 0),  s = 1 / scale_factor when a scale
      factor is used, else in / out.

    Then i0 = min(⌊src⌋, in - 1), i1 = i0 + 1 (i0 at the last input), λ1 = clamp(src - i0,
    0, 1), λ0 = 1 - λ1, so y[j] = λ0·x[i0] + λ1·x[i1].  Returns ((i0, i1), (λ0, λ1)):
    int64 and ``dtype`` (out_size,) arrays.
    """
    real = _scale_precision(dtype)
    if out_size == size:
        copy = np.arange(size)
        return (copy, copy), (np.ones(size, dtype), np.zeros(size, dtype))
    sources = _source_positions(size, out_size, align_corners, scale_factor, real)
    if not align_corners:
        sources = np.maximum(sources, real(0))
    first = np.minimum(np.floor(sources).astype(np.int64), size - 1)
    second = first + (first < size - 1)
    lambda1 = np.clip(sources - first.astype(real), real(0), real(1))
    lambda0 = real(1) - lambda1
    return (first, second), (lambda0.astype(dtype), lambda1.astype(dtype))


def nearest_exact_indices(size: int, out_size: int, scale_factor: float | None) -> np.ndarray:
    """PyTorch's 'nearest-exact' source index of each of the ``out_size`` outputs:

    i[j] = min(⌊(j + ½) · s⌋, in - 1),  s = 1 / scale_factor when a scale factor is used,
    else in / out (s in float32, the product rounded to float32, as PyTorch computes it).
    Returns an int64 (out_size,) array.
    """
    if scale_factor is not None and scale_factor > 0:
        scale = np.float32(1.0 / scale_factor)
    else:
        scale = np.float32(size) / np.float32(out_size)
    products = (np.arange(out_size) + 0.5) * np.float64(scale)
    sources = np.floor(products.astype(np.float32)).astype(np.int64)
    return np.minimum(sources, size - 1)


CUBIC_A = -0.75
"""The cubic convolution kernel's parameter in PyTorch's bicubic mode (Keys, 1981)."""


def cubic_taps(size: int, out_size: int, align_corners: bool, scale_factor: float | None,
               dtype) -> tuple[tuple, tuple]:
    """The four taps of PyTorch's bicubic interpolation for each of ``out_size`` outputs.

    The source position of output j is src = j · (in - 1) / (out - 1) with
    ``align_corners=True`` (0 when out = 1), else s · (j + ½) - ½ (not clamped at 0), s = 1 /
    scale_factor when a scale factor is used, else in / out.  With i = ⌊src⌋ and
    t = src - i, the taps read x[clamp(i - 1 + k, 0, in - 1)] for k = 0..3 with the weights
    of the cubic convolution kernel (A = -0.75): W(t + 1), W(t), W(1 - t), W(2 - t), where
    W(x) = ((A + 2)|x| - (A + 3))|x|² + 1 for |x| <= 1 and ((A|x| - 5A)|x| + 8A)|x| - 4A
    for 1 < |x| < 2.  Returns four int64 and four ``dtype`` (out_size,) arrays.
    """
    real = _scale_precision(dtype)
    sources = _source_positions(size, out_size, align_corners, scale_factor, real)
    floors = np.floor(sources)
    t = (sources - floors).astype(real)
    first = floors.astype(np.int64)
    a = real(CUBIC_A)

    def near(x):  # |x| <= 1
        return ((a + real(2)) * x - (a + real(3))) * x * x + real(1)

    def far(x):  # 1 < |x| < 2
        return ((a * x - real(5) * a) * x + real(8) * a) * x - real(4) * a

    weights = (far(t + real(1)), near(t), near(real(1) - t), far(real(2) - t))
    indices = tuple(np.clip(first - 1 + k, 0, size - 1) for k in range(4))
    return indices, tuple(w.astype(dtype) for w in weights)
