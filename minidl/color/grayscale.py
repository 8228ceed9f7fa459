"""Grayscale from colour: CIE luminance (the default) or Rec. 601 luma.

``method="luminance"`` (default) gives the gray that has the colour's CIE luminance::

    Y    = 0.2126 R_lin + 0.7152 G_lin + 0.0722 B_lin   (linear light: the Y row of
                                                        lab.SRGB_TO_XYZ over its sum, Yn)
    gray = sRGB-encode(Y)

These are the "CIE-style luminance weights" of the colorized-MNIST study, applied where
they mean luminance: on linear light. Encoding ``Y`` back with the sRGB curve makes the
gray pixel exactly as luminous as the colour, so its CIE L* equals the colour's L* — the
grayscale input of a colourization model is then the same thing as the L channel of Lab.

``method="rec601"`` gives ``0.299 R + 0.587 G + 0.114 B`` on the *encoded* values: the
luma of JPEG and of Pillow's ``convert("L")``, offered to compare with other libraries. It
is not luminance (it ignores the sRGB curve and uses the old NTSC primaries).

Shapes: colours along ``axis`` (last by default); the result keeps that axis with size 1,
so ``(H, W, 3) -> (H, W, 1)`` and, with ``axis=1``, ``(N, 3, H, W) -> (N, 1, H, W)``.
Floating inputs keep their dtype; uint8 gives float32 in [0, 1].
"""
from __future__ import annotations

import numpy as np

from .channels import as_unit_float, channels_last, result_dtype
from .lab import SRGB_TO_XYZ, linear_to_srgb, srgb_to_linear

LUMINANCE_WEIGHTS = SRGB_TO_XYZ[1] / SRGB_TO_XYZ[1].sum()  # sums to exactly 1: grays stay put
REC601_WEIGHTS = np.array([0.299, 0.587, 0.114])
METHODS = ("luminance", "rec601")


def rgb_to_grayscale(rgb, axis: int = -1, method: str = "luminance"):
    """Gray values in [0, 1] with the colour axis kept at size 1 (see the module docstring)."""
    if method not in METHODS:
        raise ValueError(f"rgb_to_grayscale: method must be one of {METHODS}, got {method!r}")
    xp, c, axis = channels_last(rgb, axis, "rgb_to_grayscale")
    dtype = result_dtype(c)
    c = as_unit_float(xp, c)
    if method == "luminance":
        luminance = srgb_to_linear(c) @ xp.asarray(LUMINANCE_WEIGHTS)
        gray = linear_to_srgb(luminance)[..., None]
    else:
        gray = (c @ xp.asarray(REC601_WEIGHTS))[..., None]
    return xp.moveaxis(gray.astype(dtype), -1, axis)
