"""Colour adjustments of an image by a factor, as torchvision's ``adjust_*`` functions.

Pillow images go through Pillow's own ``ImageEnhance`` (what torchvision does for them);
(H, W, C) arrays -- a Tensor image's pixels -- follow torchvision's tensor maths, with
``bound`` = 1 for float images and 255 for uint8 ones:

    blend(a, b, r)   = clip(r · a + (1 - r) · b, 0, bound)      (uint8: truncated)
    brightness(x, f) = blend(x, 0, f)
    contrast(x, f)   = blend(x, mean(gray(x)), f)                mean over the image
    saturation(x, f) = blend(x, gray(x), f)
    sharpness(x, f)  = blend(x, smooth(x), f)   smooth: [[1,1,1],[1,5,1],[1,1,1]] / 13 inside,
                                                the border pixels kept
    hue(x, h)        = hsv -> rgb of (H + h mod 1, S, V)          h in [-0.5, 0.5]
    gray(x)          = 0.2989 R + 0.587 G + 0.114 B             (torchvision's weights)

A factor of 1 gives the image back; 0 gives black, the mean grey, the grey image, the
smoothed image.  One-channel images have no saturation or hue to change.
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageEnhance

from .functional import to_array

GRAY_WEIGHTS = (0.2989, 0.587, 0.114)


def bound(array: np.ndarray) -> float:
    """The largest pixel value of an image of this dtype: 1 for floats, 255 for uint8."""
    return 1.0 if array.dtype.kind == "f" else 255.0


def blend(image: np.ndarray, other, ratio: float) -> np.ndarray:
    """clip(ratio · image + (1 - ratio) · other, 0, bound), in the image's dtype."""
    mixed = ratio * image.astype(np.float64) + (1.0 - ratio) * np.asarray(other, np.float64)
    return np.clip(mixed, 0.0, bound(image)).astype(image.dtype)


def grayscale(image: np.ndarray) -> np.ndarray:
    """An (H, W, 3) array -> (H, W, 1), 0.2989 R + 0.587 G + 0.114 B (integers truncated);
    a one-channel image is returned as it is."""
    array = to_array(image)
    if array.shape[-1] == 1:
        return array
    if array.shape[-1] != 3:
        raise ValueError(f"grayscale: expected 1 or 3 channels, got {array.shape[-1]}")
    gray = array.astype(np.float64) @ np.asarray(GRAY_WEIGHTS)
    return gray[..., None].astype(array.dtype)


def _check_factor(factor: float, name: str) -> None:
    if factor < 0:
        raise ValueError(f"adjust_{name}: {name}_factor must be non-negative, got {factor}")


def adjust_brightness(image, brightness_factor: float):
    """Multiply the pixels by ``brightness_factor`` (0: black, 1: unchanged)."""
    _check_factor(brightness_factor, "brightness")
    if isinstance(image, Image.Image):
        return ImageEnhance.Brightness(image).enhance(brightness_factor)
    array = np.asarray(image)
    return blend(array, 0.0, brightness_factor)


def adjust_contrast(image, contrast_factor: float):
    """Move the pixels away from (factor > 1) or towards (< 1) the image's mean grey."""
    _check_factor(contrast_factor, "contrast")
    if isinstance(image, Image.Image):
        return ImageEnhance.Contrast(image).enhance(contrast_factor)
    array = np.asarray(image)
    mean = grayscale(array).astype(np.float64).mean()
    return blend(array, mean, contrast_factor)


def adjust_saturation(image, saturation_factor: float):
    """Move the colours away from (factor > 1) or towards (< 1) their grey."""
    _check_factor(saturation_factor, "saturation")
    if isinstance(image, Image.Image):
        return ImageEnhance.Color(image).enhance(saturation_factor)
    array = np.asarray(image)
    if to_array(array).shape[-1] == 1:
        return array
    return blend(array, grayscale(array), saturation_factor)


def adjust_sharpness(image, sharpness_factor: float):
    """Sharpen (factor > 1) or smooth (< 1) against a 3x3 smoothed copy."""
    _check_factor(sharpness_factor, "sharpness")
    if isinstance(image, Image.Image):
        return ImageEnhance.Sharpness(image).enhance(sharpness_factor)
    array = np.asarray(image)
    height, width = array.shape[:2]
    if height <= 2 or width <= 2:
        return array
    values = array.astype(np.float64)
    inside = 4 * values[1:-1, 1:-1]
    for dy in range(3):
        for dx in range(3):
            inside = inside + values[dy:height - 2 + dy, dx:width - 2 + dx]
    smooth = values.copy()
    smooth[1:-1, 1:-1] = inside / 13.0
    if array.dtype.kind != "f":
        smooth = np.rint(smooth)
    return blend(array, smooth, sharpness_factor)


def adjust_hue(image, hue_factor: float):
    """Turn the hue by ``hue_factor`` of a full turn (in [-0.5, 0.5]) in HSV space."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"adjust_hue: hue_factor must lie in [-0.5, 0.5], got {hue_factor}")
    if isinstance(image, Image.Image):
        if image.mode in ("L", "1", "I", "F"):
            return image
        h, s, v = image.convert("HSV").split()
        shift = int(hue_factor * 255) % 256  # Pillow's hue is a uint8 that wraps
        hue = ((np.asarray(h, dtype=np.int64) + shift) % 256).astype(np.uint8)
        turned = Image.merge("HSV", (Image.fromarray(hue, "L"), s, v)).convert("RGB")
        return turned.convert(image.mode) if image.mode != "RGB" else turned
    array = np.asarray(image)
    if to_array(array).shape[-1] == 1:
        return array
    values = array.astype(np.float64) / bound(array)
    hue, saturation, value = _rgb_to_hsv(values)
    rgb = _hsv_to_rgb((hue + hue_factor) % 1.0, saturation, value)
    return (rgb * bound(array)).astype(array.dtype)


def _rgb_to_hsv(rgb: np.ndarray):
    """(..., 3) RGB in [0, 1] -> hue in [0, 1), saturation, value."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    value = rgb.max(axis=-1)
    delta = value - rgb.min(axis=-1)
    saturation = np.divide(delta, value, out=np.zeros_like(value), where=value > 0)
    safe = np.where(delta > 0, delta, 1.0)
    hue = np.where(value == r, (g - b) / safe,
                   np.where(value == g, 2.0 + (b - r) / safe, 4.0 + (r - g) / safe))
    hue = np.where(delta > 0, hue / 6.0 % 1.0, 0.0)
    return hue, saturation, value


def _hsv_to_rgb(hue, saturation, value) -> np.ndarray:
    """The inverse of :func:`_rgb_to_hsv`: the six sectors of the hue circle."""
    sector = np.floor(hue * 6.0)
    fraction = hue * 6.0 - sector
    p = value * (1.0 - saturation)
    q = value * (1.0 - saturation * fraction)
    t = value * (1.0 - saturation * (1.0 - fraction))
    sector = sector.astype(np.int64) % 6
    choices = [(value, t, p), (q, value, p), (p, value, t), (p, q, value), (t, p, value),
               (value, p, q)]
    channels = [np.choose(sector, [c[i] for c in choices]) for i in range(3)]
    return np.stack(channels, axis=-1)
