"""sRGB <-> linear RGB <-> CIE XYZ <-> CIE L*a*b*, D65 white, exact CIE constants.

Shapes: colours lie along one axis of size 3, the last by default (``(..., 3)``); pass
``axis=0`` for a CHW image or ``axis=1`` for an NCHW batch. Results keep the input's
shape. Floating inputs keep their dtype (the sums run in float64); uint8 RGB is read as
``value / 255`` and gives float32. NumPy and CuPy arrays both work.

Ranges: RGB in [0, 1]; L in [0, 100]; a and b about [-86, 98] and [-108, 94] for sRGB
colours (commonly scaled as if they spanned [-128, 127]).

The maths, step by step (Lindbloom; IEC 61966-2-1; CIE 15:2004):

1. sRGB companding, per channel c in [0, 1]::

       linear = c / 12.92                    if c <= 0.04045
              = ((c + 0.055) / 1.055)^2.4     otherwise

   and back: ``c = 12.92 linear`` if ``linear <= 0.0031308``, else
   ``1.055 linear^(1/2.4) - 0.055``.
2. linear RGB -> XYZ with the sRGB primaries and D65 white: ``XYZ = M @ rgb`` (``M``
   below). The reference white is ``(Xn, Yn, Zn) = M @ (1, 1, 1)``, about
   ``(0.95047, 1.0, 1.08883)``, so white maps to exactly ``L = 100, a = b = 0``.
3. XYZ -> Lab with ``epsilon = 216/24389`` and ``kappa = 24389/27``::

       f(t) = t^(1/3)                 if t > epsilon
            = (kappa t + 16) / 116    otherwise
       L = 116 f(Y/Yn) - 16,  a = 500 (f(X/Xn) - f(Y/Yn)),  b = 200 (f(Y/Yn) - f(Z/Zn))

4. Lab -> XYZ inverts step 3: ``fy = (L + 16)/116``, ``fx = fy + a/500``,
   ``fz = fy - b/200``; ``t = f^3`` if ``f^3 > epsilon`` else ``(116 f - 16)/kappa``
   (for Y the test is ``L > kappa epsilon``, which is the same threshold).

Reference value: sRGB (255, 0, 0) -> Lab (53.24, 80.09, 67.20).
"""
from __future__ import annotations

import numpy as np

from ..backend import array_module
from .channels import as_unit_float, channels_last, result_dtype

EPSILON = 216 / 24389
KAPPA = 24389 / 27

#: linear sRGB -> XYZ (rows X, Y, Z), sRGB primaries with the D65 white point.
SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                        [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
XYZ_TO_SRGB = np.linalg.inv(SRGB_TO_XYZ)
#: the D65 reference white in XYZ: the image of RGB white (1, 1, 1).
D65_WHITE = SRGB_TO_XYZ.sum(axis=1)


def srgb_to_linear(values):
    """Undo the sRGB transfer curve (step 1), value by value: encoded [0, 1] -> linear
    light [0, 1]. Any shape; uint8 is read as ``value / 255``."""
    xp = array_module(values)
    values = values if xp is not np else np.asarray(values)
    return _decode(xp, as_unit_float(xp, values)).astype(result_dtype(values))


def linear_to_srgb(values, clip: bool = True):
    """Apply the sRGB transfer curve (step 1), value by value: linear light -> encoded.

    With ``clip`` (default) values are clipped to [0, 1] first (out-of-gamut colours from a
    model's prediction); without it, values outside are encoded with the curve mirrored
    at 0, so nothing becomes NaN.
    """
    xp = array_module(values)
    values = values if xp is not np else np.asarray(values)
    return _encode(xp, values.astype(np.float64), clip).astype(result_dtype(values))


def rgb_to_lab(rgb, axis: int = -1):
    """sRGB in [0, 1] (or uint8) -> CIE Lab, D65. Shapes as in the module docstring."""
    xp, c, axis = channels_last(rgb, axis, "rgb_to_lab")
    xyz = _decode(xp, as_unit_float(xp, c)) @ xp.asarray(SRGB_TO_XYZ.T)
    f = _lab_f(xp, xyz / xp.asarray(D65_WHITE))
    lab = xp.stack([116.0 * f[..., 1] - 16.0,
                    500.0 * (f[..., 0] - f[..., 1]),
                    200.0 * (f[..., 1] - f[..., 2])], axis=-1)
    return xp.moveaxis(lab.astype(result_dtype(c)), -1, axis)


def lab_to_rgb(lab, axis: int = -1, clip: bool = True):
    """CIE Lab (D65) -> sRGB in [0, 1]; the inverse of :func:`rgb_to_lab`.

    Lab values outside the sRGB gamut (common in predicted colours) are clipped to [0, 1]
    in linear light when ``clip`` is set (the default).
    """
    xp, c, axis = channels_last(lab, axis, "lab_to_rgb")
    dtype = result_dtype(c)
    c = c.astype(np.float64)
    light, a, b = c[..., 0], c[..., 1], c[..., 2]
    fy = (light + 16.0) / 116.0
    fx = fy + a / 500.0
    fz = fy - b / 200.0
    y = xp.where(light > KAPPA * EPSILON, fy ** 3, light / KAPPA)
    xyz = xp.stack([_lab_f_inverse(xp, fx), y, _lab_f_inverse(xp, fz)], axis=-1)
    linear = (xyz * xp.asarray(D65_WHITE)) @ xp.asarray(XYZ_TO_SRGB.T)
    rgb = _encode(xp, linear, clip)
    return xp.moveaxis(rgb.astype(dtype), -1, axis)


def _decode(xp, c):
    return xp.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _encode(xp, linear, clip: bool):
    if clip:
        linear = xp.clip(linear, 0.0, 1.0)
    magnitude = xp.abs(linear)
    encoded = xp.where(magnitude <= 0.0031308, 12.92 * magnitude,
                       1.055 * magnitude ** (1 / 2.4) - 0.055)
    return encoded if clip else xp.sign(linear) * encoded


def _lab_f(xp, t):
    return xp.where(t > EPSILON, xp.cbrt(xp.maximum(t, EPSILON)), (KAPPA * t + 16.0) / 116.0)


def _lab_f_inverse(xp, f):
    cube = f ** 3
    return xp.where(cube > EPSILON, cube, (116.0 * f - 16.0) / KAPPA)
