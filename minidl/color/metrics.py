"""Numbers for comparing colourizations (the studies call colourization "hard to quantify").

``psnr(prediction, target, data_range=1.0)``
    Peak signal-to-noise ratio of the whole array, in dB:
    ``10 log10(data_range^2 / MSE)``; identical arrays give ``inf``. Higher is better.
``mean_ab_error(prediction, target, axis=-1)``
    Mean over pixels of the distance in the (a, b) chroma plane of CIE Lab,
    ``sqrt((a_p - a_t)^2 + (b_p - b_t)^2)``: how wrong the colour is, ignoring lightness
    (a colourizer keeps the input's L). Inputs are sRGB in [0, 1] (or uint8). Lower is
    better; about 2.3 is a just-noticeable difference.
``colorfulness(image, axis=-1)``
    Hasler & Suesstrunk (2003), "Measuring colourfulness in natural images", on the 0-255
    scale: with ``rg = R - G`` and ``yb = (R + G)/2 - B`` over the pixels of one image,
    ``M = sqrt(std(rg)^2 + std(yb)^2) + 0.3 sqrt(mean(rg)^2 + mean(yb)^2)``.
    Their scale: 0 not colourful, 15 slightly, 33 moderately, 45 averagely, 59 quite,
    82 highly, 109 extremely. A colourizer stuck on one brownish tint scores low.
    Shapes: ``(..., H, W, 3) -> (...)``: an HWC image gives a float; ``(N, 3, H, W)``
    with ``axis=1`` gives ``(N,)``.

Inputs are NumPy arrays (or anything ``np.asarray`` takes, CPU tensors included).
"""
from __future__ import annotations

import numpy as np

from .channels import as_unit_float, channels_last
from .lab import rgb_to_lab


def psnr(prediction, target, data_range: float = 1.0) -> float:
    """Peak signal-to-noise ratio in dB of two equally shaped arrays."""
    prediction, target = np.asarray(prediction, np.float64), np.asarray(target, np.float64)
    _check_same_shape("psnr", prediction, target)
    mse = np.mean((prediction - target) ** 2)
    if mse == 0:
        return float("inf")
    return float(10.0 * np.log10(data_range ** 2 / mse))


def mean_ab_error(prediction, target, axis: int = -1) -> float:
    """Mean distance in the Lab (a, b) plane between two equally shaped sRGB images."""
    prediction, target = np.asarray(prediction), np.asarray(target)
    _check_same_shape("mean_ab_error", prediction, target)
    ab_prediction = np.moveaxis(rgb_to_lab(prediction, axis=axis), axis, -1)[..., 1:]
    ab_target = np.moveaxis(rgb_to_lab(target, axis=axis), axis, -1)[..., 1:]
    difference = ab_prediction.astype(np.float64) - ab_target
    return float(np.sqrt((difference ** 2).sum(axis=-1)).mean())


def colorfulness(image, axis: int = -1):
    """Hasler-Suesstrunk colourfulness per image (see the module docstring)."""
    _, rgb, _ = channels_last(image, axis, "colorfulness")
    if rgb.ndim < 3:
        raise ValueError("colorfulness: expected images of shape (..., H, W, 3) after moving "
                         f"the colour axis last, got {rgb.shape}")
    rgb = as_unit_float(np, rgb) * 255.0
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    rg = red - green
    yb = 0.5 * (red + green) - blue
    spatial = (-2, -1)
    spread = np.sqrt(rg.var(axis=spatial) + yb.var(axis=spatial))
    offset = np.sqrt(rg.mean(axis=spatial) ** 2 + yb.mean(axis=spatial) ** 2)
    result = spread + 0.3 * offset
    return float(result) if result.ndim == 0 else result


def _check_same_shape(function, prediction, target):
    if prediction.shape != target.shape:
        raise ValueError(f"{function}: prediction has shape {prediction.shape}, target has "
                         f"shape {target.shape}; they must be equal")
