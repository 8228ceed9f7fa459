"""``RandAugment`` (Cubuk et al., 2020) and ``TrivialAugmentWide`` (Müller and Hutter,
2021): random image operations of a random or fixed strength.

Each operation has a table of magnitudes, one per bin b = 0 ... bins-1 (torchvision's
spaces; W, H the image size):

    operation            RandAugment             TrivialAugmentWide      signed
    Identity             -                       -
    ShearX, ShearY       linspace(0, 0.3)        linspace(0, 0.99)       yes (a slope:
                                                                         angle atan(m))
    TranslateX, -Y       linspace(0, 150/331 W)  linspace(0, 32)         yes (pixels,
                         (H for Y)                                       truncated)
    Rotate               linspace(0, 30)         linspace(0, 135)        yes (degrees)
    Brightness, Color,   linspace(0, 0.9)        linspace(0, 0.99)       yes (factor 1 + m)
    Contrast, Sharpness
    Posterize            8 - round(b / ((bins-1)/4))   8 - round(b / ((bins-1)/6))   no (bits)
    Solarize             linspace(255, 0)        linspace(255, 0)        no (threshold)
    AutoContrast, Equalize  -                    -

A signed magnitude is negated with probability 1/2.  Shears turn about the top-left corner
(0, 0).  RandAugment applies ``num_ops`` operations, each drawn uniformly, at the fixed bin
``magnitude``; TrivialAugmentWide applies one operation at a uniformly drawn bin.  Tensor
images must be uint8 (Posterize, Solarize and Equalize are defined on 0 ... 255).
"""
from __future__ import annotations

import math

import numpy as np

from ...data import color_adjust, tone
from ...data import functional as F
from ...data import transforms as T
from .images import InterpolationMode, image_hw, mode_name, on_images

SIGNED = {"ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Brightness", "Color",
          "Contrast", "Sharpness"}


def augmentation_space(bins: int, height: int, width: int, wide: bool) -> dict:
    """{operation name: magnitudes per bin, or None for an operation without one}."""
    linear = 0.99 if wide else 0.9
    return {
        "Identity": None,
        "ShearX": np.linspace(0.0, 0.99 if wide else 0.3, bins),
        "ShearY": np.linspace(0.0, 0.99 if wide else 0.3, bins),
        "TranslateX": np.linspace(0.0, 32.0 if wide else 150.0 / 331.0 * width, bins),
        "TranslateY": np.linspace(0.0, 32.0 if wide else 150.0 / 331.0 * height, bins),
        "Rotate": np.linspace(0.0, 135.0 if wide else 30.0, bins),
        "Brightness": np.linspace(0.0, linear, bins),
        "Color": np.linspace(0.0, linear, bins),
        "Contrast": np.linspace(0.0, linear, bins),
        "Sharpness": np.linspace(0.0, linear, bins),
        "Posterize": 8 - np.round(np.arange(bins) / ((bins - 1) / (6.0 if wide else 4.0))),
        "Solarize": np.linspace(255.0, 0.0, bins),
        "AutoContrast": None,
        "Equalize": None,
    }


def apply_operation(image, name: str, magnitude: float, interpolation: str, fill):
    """One operation of the table on a Pillow image or an (H, W, C) array."""
    if name in ("ShearX", "ShearY"):
        angle = math.degrees(math.atan(magnitude))
        shear = (angle, 0.0) if name == "ShearX" else (0.0, angle)
        return F.affine(image, 0.0, (0, 0), 1.0, fill, interpolation, shear, center=(0, 0))
    if name in ("TranslateX", "TranslateY"):
        shift = (int(magnitude), 0) if name == "TranslateX" else (0, int(magnitude))
        return F.affine(image, 0.0, shift, 1.0, fill, interpolation)
    if name == "Rotate":
        return F.affine(image, magnitude, fill=fill, interpolation=interpolation)
    factors = {"Brightness": color_adjust.adjust_brightness,
               "Color": color_adjust.adjust_saturation,
               "Contrast": color_adjust.adjust_contrast,
               "Sharpness": color_adjust.adjust_sharpness}
    if name in factors:
        return factors[name](image, 1.0 + magnitude)
    if name == "Posterize":
        return tone.posterize(image, int(magnitude))
    if name == "Solarize":
        return tone.solarize(image, magnitude)
    if name == "AutoContrast":
        return tone.autocontrast(image)
    if name == "Equalize":
        return tone.equalize(image)
    return image  # Identity


class _Augment(T.RandomTransform):
    """What RandAugment and TrivialAugmentWide share: the table and applying one entry."""

    wide = False

    def __init__(self, num_magnitude_bins: int, interpolation, fill):
        super().__init__()
        if not isinstance(num_magnitude_bins, int) or num_magnitude_bins < 2:
            raise ValueError(f"{type(self).__name__}: num_magnitude_bins must be an int >= 2, "
                             f"got {num_magnitude_bins!r}")
        self.num_magnitude_bins = num_magnitude_bins
        self.interpolation = mode_name(interpolation)
        self.fill = 0 if fill is None else fill

    def _apply(self, image, rng, bin_of):
        """Draw an operation (and its sign) and apply it at bin ``bin_of(rng)``."""
        space = augmentation_space(self.num_magnitude_bins, *image_hw(image), self.wide)
        names = list(space)
        name = names[int(rng.integers(len(names)))]
        magnitude = 0.0 if space[name] is None else float(space[name][bin_of(rng)])
        if name in SIGNED and rng.integers(2):
            magnitude = -magnitude
        return on_images(image, lambda im: apply_operation(im, name, magnitude,
                                                           self.interpolation, self.fill))


class RandAugment(_Augment):
    """``num_ops`` random operations at the fixed strength ``magnitude`` (a bin of
    ``num_magnitude_bins``)."""

    def __init__(self, num_ops: int = 2, magnitude: int = 9, num_magnitude_bins: int = 31,
                 interpolation=InterpolationMode.NEAREST, fill=None):
        super().__init__(num_magnitude_bins, interpolation, fill)
        if not isinstance(num_ops, int) or num_ops < 0:
            raise ValueError(f"RandAugment: num_ops must be a non-negative int, got {num_ops!r}")
        if not isinstance(magnitude, int) or not 0 <= magnitude < num_magnitude_bins:
            raise ValueError(f"RandAugment: magnitude must be an int in [0, "
                             f"{num_magnitude_bins - 1}], got {magnitude!r}")
        self.num_ops, self.magnitude = num_ops, magnitude

    def __call__(self, image):
        rng = self.rng
        for _ in range(self.num_ops):
            image = self._apply(image, rng, lambda _: self.magnitude)
        return image

    def __repr__(self) -> str:
        return (f"RandAugment(num_ops={self.num_ops}, magnitude={self.magnitude}, "
                f"num_magnitude_bins={self.num_magnitude_bins})")


class TrivialAugmentWide(_Augment):
    """One random operation at a random strength (one of ``num_magnitude_bins`` bins)."""

    wide = True

    def __init__(self, num_magnitude_bins: int = 31, interpolation=InterpolationMode.NEAREST,
                 fill=None):
        super().__init__(num_magnitude_bins, interpolation, fill)

    def __call__(self, image):
        return self._apply(image, self.rng,
                           lambda rng: int(rng.integers(self.num_magnitude_bins)))

    def __repr__(self) -> str:
        return f"TrivialAugmentWide(num_magnitude_bins={self.num_magnitude_bins})"
