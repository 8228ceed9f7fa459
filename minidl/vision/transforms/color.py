"""Colour transforms: ``Grayscale``, ``RandomGrayscale``, ``ColorJitter``.

The pixel maths is :mod:`minidl.data.color_adjust` (Pillow's own enhancers for Pillow
images, torchvision's tensor formulas for Tensors).  ``ColorJitter`` draws, as torchvision:
an order of the four adjustments (a random permutation), then a brightness, contrast and
saturation factor uniform in their ranges and a hue shift uniform in its range, and applies
those that were asked for in that order.  A number b for brightness, contrast or saturation
means the range [max(0, 1 - b), 1 + b]; a number h for hue means [-h, h], 0 <= h <= 0.5.
"""
from __future__ import annotations

import numbers

import numpy as np
from PIL import Image

from ...data import color_adjust as C
from ...data import transforms as T
from ...data.seeding import sample_generator
from ...tensor import Tensor
from .images import on_images


def _channels(image) -> int:
    """The number of channels of a Pillow image or a (..., C, H, W) Tensor."""
    if isinstance(image, Image.Image):
        return len(image.getbands())
    if isinstance(image, Tensor) and image.ndim >= 3:
        return int(image.shape[-3])
    raise TypeError(f"expected a PIL image or a (..., C, H, W) Tensor, got "
                    f"{type(image).__name__}")


def rgb_to_grayscale(image, num_output_channels: int = 1):
    """To gray with 1 or 3 (equal) channels: Pillow images as ``convert("L")`` (ITU-R
    601-2 luma), Tensors (..., 1 or 3, H, W) as 0.2989 R + 0.587 G + 0.114 B."""
    if num_output_channels not in (1, 3):
        raise ValueError(f"rgb_to_grayscale: num_output_channels must be 1 or 3, got "
                         f"{num_output_channels}")
    if _channels(image) not in (1, 3):
        raise TypeError(f"rgb_to_grayscale: expected 1 or 3 channels, got {_channels(image)}")
    if isinstance(image, Image.Image):
        gray = image.convert("L")
        return gray if num_output_channels == 1 else gray.convert("RGB")
    return on_images(image, lambda im: np.repeat(C.grayscale(im), num_output_channels, -1))


class Grayscale:
    """To gray, with ``num_output_channels`` 1 or 3 (see :func:`rgb_to_grayscale`)."""

    def __init__(self, num_output_channels: int = 1):
        if num_output_channels not in (1, 3):
            raise ValueError(f"Grayscale: num_output_channels must be 1 or 3, got "
                             f"{num_output_channels}")
        self.num_output_channels = num_output_channels

    def __call__(self, image):
        return rgb_to_grayscale(image, self.num_output_channels)

    def __repr__(self) -> str:
        return f"Grayscale(num_output_channels={self.num_output_channels})"


class RandomGrayscale(T.RandomTransform):
    """To gray with probability ``p``, keeping the number of channels."""

    def __init__(self, p: float = 0.1):
        super().__init__()
        self.p = T.check_probability(p, "RandomGrayscale")

    def __call__(self, image):
        if self.rng.random() < self.p:
            return rgb_to_grayscale(image, _channels(image))
        return image

    def __repr__(self) -> str:
        return f"RandomGrayscale(p={self.p})"


def _jitter_range(value, name: str, center: float, bound: float | None):
    """A jitter argument as (low, high), or None when it changes nothing."""
    if isinstance(value, numbers.Real):
        if value < 0:
            raise ValueError(f"ColorJitter: {name} must be non-negative when given as one "
                             f"number, got {value}")
        low, high = center - float(value), center + float(value)
        if bound is None:
            low = max(low, 0.0)
    elif isinstance(value, list | tuple) and len(value) == 2:
        low, high = float(value[0]), float(value[1])
    else:
        raise TypeError(f"ColorJitter: {name} must be a number or a pair (low, high), got "
                        f"{value!r}")
    limits = (-bound, bound) if bound is not None else (0.0, float("inf"))
    if not limits[0] <= low <= high <= limits[1]:
        raise ValueError(f"ColorJitter: {name} values must satisfy {limits[0]} <= low <= high "
                         f"<= {limits[1]}, got {value!r}")
    return None if low == high == center else (float(low), float(high))


class ColorJitter(T.RandomTransform):
    """Random brightness, contrast, saturation and hue changes in a random order."""

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0):
        super().__init__()
        self.brightness = _jitter_range(brightness, "brightness", 1.0, None)
        self.contrast = _jitter_range(contrast, "contrast", 1.0, None)
        self.saturation = _jitter_range(saturation, "saturation", 1.0, None)
        self.hue = _jitter_range(hue, "hue", 0.0, 0.5)

    @staticmethod
    def get_params(brightness, contrast, saturation, hue, rng=None):
        """(order of the four adjustments, brightness, contrast, saturation, hue): each
        factor uniform in its range, or None for an adjustment not asked for."""
        rng = sample_generator() if rng is None else rng
        order = rng.permutation(4)
        factors = [None if r is None else float(rng.uniform(r[0], r[1]))
                   for r in (brightness, contrast, saturation, hue)]
        return (order, *factors)

    def __call__(self, image):
        order, *factors = self.get_params(self.brightness, self.contrast, self.saturation,
                                          self.hue, self.rng)
        adjust = (C.adjust_brightness, C.adjust_contrast, C.adjust_saturation, C.adjust_hue)

        def jitter(im):
            for index in order:
                if factors[index] is not None:
                    im = adjust[index](im, factors[index])
            return im
        return on_images(image, jitter)

    def __repr__(self) -> str:
        return (f"ColorJitter(brightness={self.brightness}, contrast={self.contrast}, "
                f"saturation={self.saturation}, hue={self.hue})")
