"""Gaussian blur, as torchvision's ``gaussian_blur``.

The kernel along one axis, of odd size k and standard deviation σ, samples the Gaussian at
the integer offsets x = -(k-1)/2 ... (k-1)/2 and is normalized to sum to 1:

    g(x) = exp(-x² / (2 σ²)) / Σ_x' exp(-x'² / (2 σ²))

The 2-D kernel is g_y(y) · g_x(x) (``kernel_size`` and ``sigma`` are (x, y) = (width,
height) pairs), so the blur runs as two 1-D passes.  The image is first padded by
mirroring without the border pixel ("reflect"), so the output keeps the size.  Pillow
images and uint8 arrays are blurred in float and rounded back, as torchvision does.
"""
from __future__ import annotations

import numpy as np
from PIL import Image

from .functional import to_array


def gaussian_kernel1d(kernel_size: int, sigma: float) -> np.ndarray:
    """The normalized samples g(x) above, as float64."""
    offsets = np.arange(kernel_size, dtype=np.float64) - (kernel_size - 1) / 2.0
    weights = np.exp(-0.5 * (offsets / sigma) ** 2)
    return weights / weights.sum()


def gaussian_blur(image, kernel_size: tuple[int, int], sigma: tuple[float, float]):
    """Blur a Pillow image or an (H, W[, C]) array with the separable Gaussian kernel;
    ``kernel_size`` = (kx, ky) odd positive ints, ``sigma`` = (σx, σy) positive."""
    if isinstance(image, Image.Image):
        return Image.fromarray(gaussian_blur(np.asarray(image), kernel_size, sigma), image.mode)
    array = np.asarray(image)
    values = to_array(array).astype(np.float64)
    for axis, size, spread in ((0, kernel_size[1], sigma[1]), (1, kernel_size[0], sigma[0])):
        values = _convolve_axis(values, gaussian_kernel1d(size, spread), axis)
    if array.dtype.kind != "f":
        info = np.iinfo(array.dtype)
        values = np.clip(np.rint(values), info.min, info.max)
    values = values.astype(array.dtype)
    return values[..., 0] if array.ndim == 2 else values


def _convolve_axis(values: np.ndarray, kernel: np.ndarray, axis: int) -> np.ndarray:
    """Σ_k kernel[k] · padded[i + k] along ``axis``, reflect-padded by len(kernel) // 2."""
    half = len(kernel) // 2
    widths = [(0, 0)] * values.ndim
    widths[axis] = (half, half)
    padded = np.pad(values, widths, mode="reflect")
    length = values.shape[axis]
    out = np.zeros_like(values)
    for k, weight in enumerate(kernel):
        out += weight * np.take(padded, np.arange(k, k + length), axis=axis)
    return out
