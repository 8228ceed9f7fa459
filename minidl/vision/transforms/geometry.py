"""Geometric transforms that keep the pixel values: resize, crop, flip, pad.

They take Pillow images, (H, W, C) arrays and (..., C, H, W) Tensors (see
:mod:`.images`); a random one draws once per call, so a batch Tensor moves as one.
"""
from __future__ import annotations

from ...data import functional as F
from ...data import transforms as T
from .images import InterpolationMode, mode_name, on_images


class Resize:
    """Resize to ``size``: an int sets the shorter side (the longer follows the aspect
    ratio, truncated), a pair (height, width) sets both; ``max_size`` caps the longer side
    of an int resize."""

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None,
                 antialias: bool | None = True):
        self.size, self.max_size = size, max_size
        self.interpolation = mode_name(interpolation)
        if self.interpolation not in F.INTERPOLATIONS:
            raise ValueError(f"Resize: interpolation must be one of "
                             f"{tuple(F.INTERPOLATIONS)}, got {interpolation!r}")

    def _size_for(self, image):
        size = self.size[0] if isinstance(self.size, list | tuple) and len(self.size) == 1 \
            else self.size
        if not isinstance(size, int) or self.max_size is None:
            return size
        height, width = F.image_size(image)
        short, long = sorted((height, width))
        if int(size * long / short) > self.max_size:
            size = int(self.max_size * short / long)
        return size

    def __call__(self, image):
        return on_images(image, lambda im: F.resize(im, self._size_for(im),
                                                     self.interpolation))

    def __repr__(self) -> str:
        return (f"Resize(size={self.size}, interpolation={self.interpolation}, "
                f"max_size={self.max_size})")


class CenterCrop(T.CenterCrop):
    """The central window (padded with zeros first when the image is smaller)."""

    def __call__(self, image):
        return on_images(image, super().__call__)


class RandomCrop(T.RandomCrop):
    __doc__ = T.RandomCrop.__doc__

    def __call__(self, image):
        return on_images(image, super().__call__)


class RandomHorizontalFlip(T.RandomHorizontalFlip):
    """Mirror left <-> right with probability ``p`` (a whole batch Tensor at once)."""

    def __call__(self, image):
        return on_images(image, F.hflip) if self.rng.random() < self.p else image


class RandomVerticalFlip(T.RandomVerticalFlip):
    """Mirror top <-> bottom with probability ``p`` (a whole batch Tensor at once)."""

    def __call__(self, image):
        return on_images(image, F.vflip) if self.rng.random() < self.p else image


class Pad:
    """Add ``padding`` pixels (int, (left/right, top/bottom) or (left, top, right, bottom))
    of ``fill``, or by ``padding_mode`` "edge", "reflect" or "symmetric"."""

    def __init__(self, padding, fill=0, padding_mode: str = "constant"):
        F.padding_sides(padding)
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode

    def __call__(self, image):
        return on_images(image, lambda im: F.pad(im, self.padding, self.fill,
                                                  self.padding_mode))

    def __repr__(self) -> str:
        return (f"Pad(padding={self.padding}, fill={self.fill}, "
                f"padding_mode={self.padding_mode})")
