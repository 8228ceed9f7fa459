"""``RandomAffine`` and ``RandomRotation`` with torchvision's conventions.

torchvision's ``affine`` turns clockwise for a positive angle and ``rotate``
counter-clockwise (minidl's :func:`minidl.data.functional.affine` turns counter-clockwise),
so ``RandomAffine`` negates its drawn angle and ``RandomRotation`` does not.  Both default
to nearest-neighbour interpolation and draw once per call (a batch Tensor turns as one).
"""
from __future__ import annotations

import math

import numpy as np
from PIL import Image

from ...data import functional as F
from ...data import transforms as T
from .images import InterpolationMode, image_hw, mode_name, on_images


class RandomAffine(T.RandomAffine):
    """A random rotation (``degrees``), shift (``translate``, fractions of the size), scaling
    (``scale``) and shear (``shear``, degrees) about ``center`` (x, y) in pixels (default:
    the image centre); see
    :class:`minidl.data.transforms.RandomAffine` for the forms of each argument."""

    def __init__(self, degrees, translate=None, scale=None, shear=None,
                 interpolation=InterpolationMode.NEAREST, fill=0, center=None):
        super().__init__(degrees, translate=translate, scale=scale, fill=fill,
                         interpolation=mode_name(interpolation), shear=shear)
        self.center = center

    def __call__(self, image):
        angle, shift, scale, shear = self.draw(self.rng, *image_hw(image))
        return on_images(image, lambda im: F.affine(im, -angle, shift, scale, self.fill,
                                                    self.interpolation, shear, self.center))


class RandomRotation(T.RandomAffine):
    """Rotate counter-clockwise by an angle drawn from (-degrees, degrees) or (low, high),
    about ``center`` (default: the image centre), keeping the size; with ``expand`` the
    canvas grows to hold the whole rotated image (:func:`rotate_image`)."""

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand: bool = False,
                 center=None, fill=0):
        super().__init__(degrees, fill=fill, interpolation=mode_name(interpolation))
        self.center, self.expand = center, bool(expand)

    def __call__(self, image):
        angle = self.draw(self.rng, *image_hw(image))[0]
        return on_images(image, lambda im: rotate_image(im, angle, self.interpolation,
                                                        self.expand, self.center, self.fill))

    def __repr__(self) -> str:
        return (f"RandomRotation(degrees={self.degrees}, interpolation={self.interpolation}, "
                f"expand={self.expand})")


def expanded_size(matrix, width: int, height: int) -> tuple[int, int]:
    """(width, height) of an expanded rotation of a Tensor, torchvision's
    ``_compute_affine_output_size``: the four corners (±W/2, ±H/2) through the 2x3
    inverse ``matrix`` (about the image centre), shifted by (W/2, H/2); the size is
    ceil(max) - floor(min) of each coordinate after truncating to 1e-4 (so that 1e-15
    round-off does not add a pixel), in float32 as torchvision computes it."""
    corners = np.array([[-0.5 * width, -0.5 * height, 1.0], [-0.5 * width, 0.5 * height, 1.0],
                        [0.5 * width, 0.5 * height, 1.0], [0.5 * width, -0.5 * height, 1.0]],
                       dtype=np.float32)
    theta = np.asarray(matrix, dtype=np.float32).reshape(2, 3)
    points = corners @ theta.T
    shift = np.array([width * 0.5, height * 0.5], dtype=np.float32)
    low, high = points.min(axis=0) + shift, points.max(axis=0) + shift
    tol = np.float32(1e-4)
    high = np.ceil(np.trunc(high / tol) * tol)
    low = np.floor(np.trunc(low / tol) * tol)
    size = high - low
    return int(size[0]), int(size[1])


def _inverse_rotation(angle: float, center) -> list[float]:
    """torchvision's ``_get_inverse_affine_matrix(center, -angle, [0, 0], 1, [0, 0])``:
    the output point p (relative to the image centre) comes from R(angle) (p - c) + c,
    R(a) = [[cos a, -sin a], [sin a, cos a]] in image coordinates (y down), ``center`` c
    relative to the image centre."""
    cx, cy = center
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    matrix = [cos, -sin, 0.0, sin, cos, 0.0]
    matrix[2] += matrix[0] * -cx + matrix[1] * -cy + cx
    matrix[5] += matrix[3] * -cx + matrix[4] * -cy + cy
    return matrix


def rotate_image(image, angle: float, interpolation: str = "nearest", expand: bool = False,
                 center=None, fill=0):
    """One Pillow image or (H, W[, C]) array rotated ``angle`` degrees counter-clockwise
    about ``center`` (x, y) in pixels (default: the centre).  Without ``expand`` the size is
    kept.  With it, a Pillow image goes through ``Image.rotate(expand=True)`` (as
    torchvision's PIL path) and an array gets the canvas of :func:`expanded_size` (as
    torchvision's Tensor path), the input centre at the output centre; a multiple of 90
    degrees about the centre is an exact ``rot90`` (torchvision v2's fast path, and what
    Pillow does: v1's Tensor formula would give an odd-by-even image a canvas one pixel
    off, e.g. 9x6 for 5x8 at 90 degrees)."""
    fill = 0 if fill is None else fill
    if not expand:
        return F.affine(image, angle, fill=fill, interpolation=interpolation, center=center)
    method = F._interpolation(interpolation)
    if isinstance(image, Image.Image):
        bands = len(image.getbands())
        return image.rotate(angle, method, expand=True, center=center,
                            fillcolor=F._pillow_fill(fill, bands))
    turns = float(angle) % 360 / 90
    if center is None and turns == int(turns):  # torchvision v2's fast path: exact turns
        return np.ascontiguousarray(np.rot90(np.asarray(image), int(turns), axes=(0, 1)))
    height, width = F.image_size(image)
    relative = (0.0, 0.0) if center is None else (center[0] - width * 0.5,
                                                  center[1] - height * 0.5)
    matrix = _inverse_rotation(angle, relative)
    out_width, out_height = expanded_size(matrix, width, height)
    a, b, tx, d, e, ty = matrix
    coefficients = (a, b, tx + width * 0.5 - a * out_width * 0.5 - b * out_height * 0.5,
                    d, e, ty + height * 0.5 - d * out_width * 0.5 - e * out_height * 0.5)

    def warp(im, value):
        return im.transform((out_width, out_height), Image.Transform.AFFINE, coefficients,
                            resample=method, fillcolor=value)
    return F._through_pillow(image, warp, fill)
