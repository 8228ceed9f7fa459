"""Tone curves of torchvision's augmentations: invert, posterize, solarize,
autocontrast, equalize.

Pillow images go through ``PIL.ImageOps`` (as torchvision does); (H, W, C) arrays -- a
Tensor image's pixels -- follow torchvision's tensor maths with ``bound`` = 1 for float
and 255 for uint8 images:

    invert(x)          = bound - x
    posterize(x, b)    = x with all but its b high bits cleared          (uint8 only)
    solarize(x, t)     = bound - x where x >= t, else x
    autocontrast(x)    = (x - lo) · bound / (hi - lo) per channel        (lo, hi: its min, max;
                         a flat channel is left as it is)
    equalize(x)        = per channel, the look-up table of Pillow's histogram
                         equalization: step = (pixels - pixels of the top value) // 255,
                         lut[v] = (step // 2 + #pixels below v) // step  (uint8 only)
"""
from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageOps

from .color_adjust import bound


def invert(image):
    """bound - x: the negative image."""
    if isinstance(image, Image.Image):
        return ImageOps.invert(image)
    array = np.asarray(image)
    return (bound(array) - array).astype(array.dtype)


def posterize(image, bits: int):
    """Keep the ``bits`` high bits (0 ... 8) of each uint8 pixel."""
    if not isinstance(bits, int) or not 0 <= bits <= 8:
        raise ValueError(f"posterize: bits must be an int in [0, 8], got {bits!r}")
    if isinstance(image, Image.Image):
        return ImageOps.posterize(image, bits)
    array = np.asarray(image)
    if array.dtype != np.uint8:
        raise TypeError(f"posterize: expected a uint8 image, got {array.dtype}")
    return array & np.uint8((0xFF << (8 - bits)) & 0xFF)


def solarize(image, threshold: float):
    """Invert the pixels at or above ``threshold``."""
    if isinstance(image, Image.Image):
        return ImageOps.solarize(image, math.ceil(threshold))  # integer pixels: same set
    array = np.asarray(image)
    if threshold > bound(array):
        raise ValueError(f"solarize: threshold must be at most {bound(array)} for "
                         f"{array.dtype} images, got {threshold}")
    return np.where(array >= threshold, bound(array) - array, array).astype(array.dtype)


def autocontrast(image):
    """Stretch each channel so its darkest pixel becomes 0 and its brightest ``bound``."""
    if isinstance(image, Image.Image):
        return ImageOps.autocontrast(image)
    array = np.asarray(image)
    values = array.astype(np.float64)
    low = values.min(axis=(0, 1), keepdims=True)
    high = values.max(axis=(0, 1), keepdims=True)
    flat = high == low
    scale = np.where(flat, 1.0, bound(array) / np.where(flat, 1.0, high - low))
    low = np.where(flat, 0.0, low)
    return np.clip((values - low) * scale, 0, bound(array)).astype(array.dtype)


def equalize(image):
    """Histogram equalization of each uint8 channel (Pillow's look-up table)."""
    if isinstance(image, Image.Image):
        return ImageOps.equalize(image)
    array = np.asarray(image)
    if array.dtype != np.uint8:
        raise TypeError(f"equalize: expected a uint8 image, got {array.dtype}")
    out = array.copy()
    for c in range(array.shape[-1] if array.ndim == 3 else 1):
        channel = array[..., c] if array.ndim == 3 else array
        counts = np.bincount(channel.ravel(), minlength=256)
        step = (counts.sum() - counts[np.flatnonzero(counts)[-1]]) // 255
        if step == 0:
            continue
        below = np.concatenate([[0], np.cumsum(counts)[:-1]])
        lut = np.minimum((below + step // 2) // step, 255).astype(np.uint8)
        if array.ndim == 3:
            out[..., c] = lut[channel]
        else:
            out = lut[channel]
    return out
