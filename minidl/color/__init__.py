"""Colour: CIE Lab, grayscale, inversion, k-means palettes and colourization metrics.

Every function takes colours along one axis of size 3 — the last by default, ``(..., 3)``;
pass ``axis=1`` for an NCHW batch or ``axis=0`` for a CHW image. RGB means sRGB in [0, 1]
(uint8 images are read as ``value / 255``).

    from minidl import color
    lab = color.rgb_to_lab(images, axis=1)          # (N, 3, H, W) -> L, a, b
    rgb = color.lab_to_rgb(lab, axis=1)
    gray = color.rgb_to_grayscale(images, axis=1)   # (N, 1, H, W), CIE luminance
    palette = color.kmeans_palette(pixels, k=24, seed=0)
    color.psnr(prediction, target), color.mean_ab_error(...), color.colorfulness(...)
"""
from .grayscale import LUMINANCE_WEIGHTS, REC601_WEIGHTS, rgb_to_grayscale
from .invert import invert
from .lab import (
    D65_WHITE,
    EPSILON,
    KAPPA,
    SRGB_TO_XYZ,
    XYZ_TO_SRGB,
    lab_to_rgb,
    linear_to_srgb,
    rgb_to_lab,
    srgb_to_linear,
)
from .metrics import colorfulness, mean_ab_error, psnr
from .palette import ColorPalette, kmeans_palette, nearest_center

__all__ = [
    "rgb_to_lab", "lab_to_rgb", "srgb_to_linear", "linear_to_srgb", "rgb_to_grayscale",
    "invert", "ColorPalette", "kmeans_palette", "nearest_center", "psnr", "mean_ab_error",
    "colorfulness", "SRGB_TO_XYZ", "XYZ_TO_SRGB", "D65_WHITE", "EPSILON", "KAPPA",
    "LUMINANCE_WEIGHTS", "REC601_WEIGHTS",
]
