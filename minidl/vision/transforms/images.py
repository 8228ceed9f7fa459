"""The three kinds of image torchvision's transforms take, and how minidl runs them.

A Pillow image, an (H, W, C) NumPy array, or a Tensor of shape (..., C, H, W).  The image
operations of :mod:`minidl.data` work on Pillow images and (H, W, C) arrays; a Tensor goes
through them one (C, H, W) image at a time, as an (H, W, C) array, and comes back as a
Tensor of its dtype (:func:`on_images`).  A random transform draws its parameters once per
call, so every image of a batch Tensor gets the same ones, as in torchvision.
"""
from __future__ import annotations

import enum

import numpy as np
from PIL import Image

from ... import creation
from ...data import functional as F
from ...tensor import Tensor


class InterpolationMode(str, enum.Enum):
    """How resizing fills new pixels (torchvision's enum; its values are the names
    :mod:`minidl.data.functional` takes)."""

    NEAREST = "nearest"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"


def mode_name(interpolation) -> str:
    """An InterpolationMode, its string value or a Pillow constant, as minidl's name."""
    pillow = {int(Image.Resampling.NEAREST): "nearest",
              int(Image.Resampling.BILINEAR): "bilinear",
              int(Image.Resampling.BICUBIC): "bicubic"}
    if isinstance(interpolation, InterpolationMode):
        return interpolation.value
    if isinstance(interpolation, int) and int(interpolation) in pillow:
        return pillow[int(interpolation)]
    return str(interpolation)


def on_images(image, operation):
    """Apply an image ``operation`` (Pillow images and (H, W, C) arrays) to a Pillow image,
    an array, or a Tensor of shape (..., C, H, W) — each (C, H, W) image of a Tensor
    goes through as an (H, W, C) array and comes back as a Tensor of the input's dtype."""
    if not isinstance(image, Tensor):
        return operation(image)
    array = image.detach().cpu().numpy()
    if array.ndim < 3:
        raise ValueError(f"expected a Tensor image of shape (..., C, H, W), got {image.shape}")
    flat = array.reshape(-1, *array.shape[-3:])
    done = [np.moveaxis(np.asarray(operation(np.moveaxis(one, 0, -1))), -1, 0) for one in flat]
    result = np.stack(done).reshape(*array.shape[:-3], *done[0].shape)
    return creation.tensor(result.astype(array.dtype, copy=False), device=image.device)




def image_hw(image) -> tuple[int, int]:
    """(height, width) of a Pillow image, an (H, W[, C]) array or a (..., C, H, W) Tensor."""
    if isinstance(image, Tensor):
        if image.ndim < 2:
            raise ValueError(f"expected a Tensor image of shape (..., C, H, W), got "
                             f"{tuple(image.shape)}")
        return int(image.shape[-2]), int(image.shape[-1])
    return F.image_size(image)
