"""Colour inversion (the photographic negative): every channel c becomes max - c.

``max`` is 255 for uint8 images and 1 for floating images in [0, 1]; the dtype and the
shape are kept. (The colorized-MNIST "inverted" experiment swaps a digit's foreground and
background colours instead; that lives in ``minidl.datasets.colorized_mnist``.)
"""
from __future__ import annotations

import numpy as np

from ..backend import array_module


def invert(image):
    """``255 - image`` for uint8, ``1 - image`` for floats in [0, 1]."""
    xp = array_module(image)
    image = image if xp is not np else np.asarray(image)
    if image.dtype == np.uint8:
        return 255 - image
    if image.dtype.kind != "f":
        raise TypeError(f"invert: expected a uint8 or floating image, got dtype {image.dtype}")
    return 1.0 - image
