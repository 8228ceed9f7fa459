"""Geometric transforms that keep the pixel values: resize, crop, flip, pad.

They take Pillow images, (H, W, C) arrays and (..., C, H, W) Tensors (see
:mod:`.images`); a random one draws once per call, so a batch Tensor moves as one.
"""
from __future__ import annotations

import numpy as np

from ...data import functional as F
from ...data import transforms as T
from ...data.seeding import sample_generator
from ...tensor import Tensor
from .images import InterpolationMode, image_hw, mode_name, on_images


class Resize:
    """Resize to ``size``: an int sets the shorter side (the longer follows the aspect
    ratio, truncated), a pair (height, width) sets both; ``max_size`` caps the longer side
    of an int resize (torchvision's rule, :func:`output_size`).  ``antialias=False`` (or
    None) on a Tensor is plain bilinear / bicubic interpolation, as
    ``F.interpolate(..., align_corners=False, antialias=False)``; Pillow images are always
    antialiased, as in torchvision."""

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None,
                 antialias: bool | None = True):
        self.size, self.max_size, self.antialias = size, max_size, antialias
        self.interpolation = mode_name(interpolation)
        if self.interpolation not in F.INTERPOLATIONS:
            raise ValueError(f"Resize: interpolation must be one of "
                             f"{tuple(F.INTERPOLATIONS)}, got {interpolation!r}")
        if size is None and max_size is None:
            raise ValueError("Resize: size can only be None when max_size is given")

    def _size_for(self, image):
        return output_size(image_hw(image), self.size, self.max_size)

    def __call__(self, image):
        return resize_image(image, self._size_for(image), self.interpolation, self.antialias)

    def __repr__(self) -> str:
        return (f"Resize(size={self.size}, interpolation={self.interpolation}, "
                f"max_size={self.max_size}, antialias={self.antialias})")


def output_size(image_size, size, max_size=None) -> tuple[int, int]:
    """(height, width) of a resize, torchvision's ``_compute_resized_output_size``: an int
    (or one-element list) sets the short side and the long one is int(size · long / short);
    if that long side exceeds ``max_size`` it becomes max_size and the short side
    int(max_size · new_short / new_long).  ``size=None`` scales the long side to max_size."""
    height, width = image_size
    if isinstance(size, list | tuple) and len(size) == 1:
        size = size[0]
    if size is not None and not isinstance(size, int):
        if max_size is not None:
            raise ValueError("Resize: max_size is only supported when size is an int "
                             f"(the shorter side), got size={size!r}")
        return F.size_pair(tuple(size), "resize")
    short, long = (width, height) if width <= height else (height, width)
    if size is None:
        new_long = max_size
        new_short = int(max_size * short / long)
    else:
        if max_size is not None and max_size <= size:
            raise ValueError(f"Resize: max_size = {max_size} must be strictly greater than "
                             f"the requested size for the smaller edge, {size}")
        new_short, new_long = size, int(size * long / short)
        if max_size is not None and new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    new_short, new_long = max(1, new_short), max(1, new_long)
    return (new_long, new_short) if width <= height else (new_short, new_long)


def resize_image(image, hw: tuple[int, int], interpolation: str = "bilinear",
                 antialias: bool | None = True):
    """Resize to exactly ``hw`` = (height, width); a Tensor with ``antialias`` False/None
    and bilinear or bicubic interpolation is interpolated without antialiasing."""
    if isinstance(image, Tensor) and not antialias and interpolation in ("bilinear",
                                                                         "bicubic"):
        return on_images(image, lambda im: plain_resize(im, hw, interpolation))
    return on_images(image, lambda im: F.resize(im, tuple(hw), interpolation))


def _axis_weights(n_in: int, n_out: int, mode: str) -> np.ndarray:
    """The (n_out, n_in) matrix of PyTorch's upsample kernels, align_corners=False."""
    scale = n_in / n_out
    src = (np.arange(n_out) + 0.5) * scale - 0.5
    weights = np.zeros((n_out, n_in), dtype=np.float64)
    rows = np.arange(n_out)
    if mode == "bilinear":
        src = np.maximum(src, 0.0)
        i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
        i1 = np.minimum(i0 + 1, n_in - 1)
        frac = src - i0
        np.add.at(weights, (rows, i0), 1.0 - frac)
        np.add.at(weights, (rows, i1), frac)
        return weights
    a = -0.75
    i0 = np.floor(src).astype(np.int64)
    t = src - i0
    def near(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1
    def far(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    coefficients = (far(t + 1), near(t), near(1 - t), far(2 - t))
    for offset, coefficient in zip((-1, 0, 1, 2), coefficients, strict=True):
        np.add.at(weights, (rows, np.clip(i0 + offset, 0, n_in - 1)), coefficient)
    return weights


def plain_resize(array, hw, mode: str = "bilinear") -> np.ndarray:
    """An (H, W[, C]) array resized to ``hw`` without antialiasing (PyTorch's
    ``interpolate``, align_corners=False); integer images are rounded and clamped."""
    array = np.asarray(array)
    rows = _axis_weights(array.shape[0], hw[0], mode)
    cols = _axis_weights(array.shape[1], hw[1], mode)
    values = array.astype(np.float64)
    result = np.einsum("oh,hw...->ow...", rows, values)
    result = np.einsum("pw,ow...->op...", cols, result)
    if array.dtype.kind in "ui":
        info = np.iinfo(array.dtype)
        result = np.clip(np.rint(result), info.min, info.max)
    elif array.dtype == bool:
        result = result > 0.5
    return result.astype(array.dtype)


class CenterCrop(T.CenterCrop):
    """The central window (padded with zeros first when the image is smaller)."""

    def __call__(self, image):
        return on_images(image, super().__call__)


class RandomCrop(T.RandomCrop):
    __doc__ = T.RandomCrop.__doc__

    @staticmethod
    def get_params(img, output_size, rng=None) -> tuple[int, int, int, int]:
        """(top, left, height, width) of a random ``output_size`` = (height, width) window
        of ``img`` (a Pillow image, an array or a (..., C, H, W) Tensor), torchvision's
        rule: the whole image when it is exactly that size (no draw), else top then left
        drawn uniformly; apply it with ``F.crop(img, *params)`` to crop an image and its
        mask alike."""
        height, width = image_hw(img)
        crop_height, crop_width = F.size_pair(output_size, "RandomCrop.get_params")
        if height < crop_height or width < crop_width:
            raise ValueError(f"Required crop size {(crop_height, crop_width)} is larger than "
                             f"input image size {(height, width)}")
        if height == crop_height and width == crop_width:
            return 0, 0, height, width
        rng = sample_generator() if rng is None else rng
        top = int(rng.integers(0, height - crop_height + 1))
        left = int(rng.integers(0, width - crop_width + 1))
        return top, left, crop_height, crop_width

    def __call__(self, image):
        if self.padding:
            image = on_images(image, lambda im: F.pad(im, self.padding, self.fill,
                                                      self.padding_mode))
        crop_height, crop_width = self.size
        height, width = image_hw(image)
        if self.pad_if_needed and width < crop_width:
            image = on_images(image, lambda im: F.pad(im, (crop_width - width, 0), self.fill,
                                                      self.padding_mode))
        if self.pad_if_needed and height < crop_height:
            image = on_images(image, lambda im: F.pad(im, (0, crop_height - height),
                                                      self.fill, self.padding_mode))
        top, left, h, w = self.get_params(image, self.size, self.rng)
        return on_images(image, lambda im: F.crop(im, top, left, h, w))


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


def five_crop(img, size) -> tuple:
    """The four corner windows and the central one of ``size`` (an int for a square, or
    (height, width)): (top-left, top-right, bottom-left, bottom-right, center), as
    torchvision's ``five_crop``."""
    if isinstance(size, list | tuple) and len(size) == 1:
        size = (size[0], size[0])
    crop_height, crop_width = F.size_pair(size, "five_crop")
    height, width = image_hw(img)
    if crop_width > width or crop_height > height:
        raise ValueError(f"Requested crop size {(crop_height, crop_width)} is bigger than "
                         f"input size {(height, width)}")

    def window(top, left):
        return on_images(img, lambda im: F.crop(im, top, left, crop_height, crop_width))
    center = on_images(img, lambda im: F.center_crop(im, (crop_height, crop_width)))
    return (window(0, 0), window(0, width - crop_width), window(height - crop_height, 0),
            window(height - crop_height, width - crop_width), center)


def ten_crop(img, size, vertical_flip: bool = False) -> tuple:
    """:func:`five_crop` of the image, then of its horizontal (or, with
    ``vertical_flip``, vertical) mirror image: ten windows."""
    if isinstance(size, list | tuple) and len(size) == 1:
        size = (size[0], size[0])
    first = five_crop(img, size)
    flipped = on_images(img, F.vflip if vertical_flip else F.hflip)
    return first + five_crop(flipped, size)


class FiveCrop:
    """The four corners and the centre of the image, each ``size`` (an int for a square,
    or (height, width)): a tuple of five images, as torchvision's ``FiveCrop``."""

    def __init__(self, size):
        if isinstance(size, list | tuple) and len(size) == 1:
            size = size[0]
        self.size = F.size_pair(size, "FiveCrop")

    def __call__(self, image):
        return five_crop(image, self.size)

    def __repr__(self) -> str:
        return f"FiveCrop(size={self.size})"


class TenCrop:
    """:class:`FiveCrop` of the image and of its horizontal mirror (vertical with
    ``vertical_flip``): a tuple of ten images."""

    def __init__(self, size, vertical_flip: bool = False):
        if isinstance(size, list | tuple) and len(size) == 1:
            size = size[0]
        self.size = F.size_pair(size, "TenCrop")
        self.vertical_flip = vertical_flip

    def __call__(self, image):
        return ten_crop(image, self.size, self.vertical_flip)

    def __repr__(self) -> str:
        return f"TenCrop(size={self.size}, vertical_flip={self.vertical_flip})"
