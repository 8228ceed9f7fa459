"""Colourization pairs from any dataset of RGB images: what the model sees and must predict.

Wrap a dataset whose samples are an RGB image ``(3, H, W)`` float32 in [0, 1] (alone, as
in ``FlatImageFolder``, or first in a tuple with a label, as in ``ImageFolder`` and
``CIFAR10``)::

    GrayscaleColorization(CIFAR10("train", ["horse"]))
        -> gray (1, H, W) float32 in [0, 1] (CIE luminance), rgb (3, H, W)   [colorize-cifar]
    LabColorization(NCD("train"), ab_range="sigmoid", target_size=64, with_label=True)
        -> L (1, H, W), ab (2, h, w), label                                   [iizuka]
    LabColorization(MIRFlickr("train"), ab_range="tanh")
        -> L (1, H, W), ab (2, H, W)                                          [lab-colorize]

Scalings (CIE Lab from :func:`minidl.color.rgb_to_lab`; L in [0, 100], a and b within
[-128, 127]):

* ``L / 100`` in [0, 1], the input;
* ``ab_range="tanh"``: ``ab / 128`` in [-1, 1) (a tanh output, the lab-colorize study);
* ``ab_range="sigmoid"``: ``(ab + 128) / 255`` in [0, 1] (a sigmoid output, Iizuka).

``target_size`` resizes the ab target (bilinear, with Pillow's antialiasing): the Iizuka
network predicts ab at half the input size. :func:`ab_to_lab_units` undoes the scaling.
"""
from __future__ import annotations

import numpy as np

from minidl.color import rgb_to_grayscale, rgb_to_lab
from minidl.data import Dataset
from minidl.data.functional import resize, size_pair

AB_RANGES = ("tanh", "sigmoid")


def scale_ab(ab: np.ndarray, ab_range: str) -> np.ndarray:
    """Lab's a, b -> the model's range (see the module docstring)."""
    _check_range(ab_range)
    return ab / 128.0 if ab_range == "tanh" else (ab + 128.0) / 255.0


def ab_to_lab_units(scaled: np.ndarray, ab_range: str) -> np.ndarray:
    """The inverse of :func:`scale_ab`: a model's output back to Lab's a, b."""
    _check_range(ab_range)
    return scaled * 128.0 if ab_range == "tanh" else scaled * 255.0 - 128.0


class _RGBWrapper(Dataset):
    """Shared by the two wrappers: take the RGB image (and label) out of a sample."""

    def __init__(self, dataset, with_label: bool):
        self.dataset, self.with_label = dataset, with_label

    def _rgb_and_label(self, index):
        sample = self.dataset[index]
        rgb, label = (sample[0], sample[1]) if isinstance(sample, tuple) else (sample, None)
        rgb = np.asarray(rgb)
        if rgb.ndim != 3 or rgb.shape[0] != 3 or rgb.dtype.kind != "f":
            raise ValueError(f"{type(self).__name__}: the wrapped dataset must give (3, H, W) "
                             f"float RGB images, got shape {rgb.shape} {rgb.dtype}")
        if self.with_label and label is None:
            raise ValueError(f"{type(self).__name__}: with_label=True but the wrapped "
                             "dataset's samples have no label")
        return rgb, label

    def _output(self, parts, label):
        return (*parts, label) if self.with_label else parts

    def __len__(self) -> int:
        return len(self.dataset)


class GrayscaleColorization(_RGBWrapper):
    """``(gray, rgb[, label])``: gray (1, H, W) is the CIE-luminance grayscale of rgb."""

    def __init__(self, dataset, with_label: bool = False):
        super().__init__(dataset, with_label)

    def __getitem__(self, index):
        rgb, label = self._rgb_and_label(index)
        return self._output((rgb_to_grayscale(rgb, axis=0), rgb), label)


class LabColorization(_RGBWrapper):
    """``(L / 100, scaled ab[, label])``, float32 (see the module docstring)."""

    def __init__(self, dataset, ab_range: str = "tanh", target_size=None,
                 with_label: bool = False):
        super().__init__(dataset, with_label)
        _check_range(ab_range)
        self.ab_range = ab_range
        self.target_size = None if target_size is None else size_pair(target_size,
                                                                        "LabColorization")

    def __getitem__(self, index):
        rgb, label = self._rgb_and_label(index)
        lab = rgb_to_lab(rgb.astype(np.float32), axis=0)
        ab = lab[1:]
        if self.target_size is not None:
            ab = resize(ab.transpose(1, 2, 0), self.target_size).transpose(2, 0, 1)
        parts = (lab[:1] / np.float32(100.0), scale_ab(ab, self.ab_range).astype(np.float32))
        return self._output(parts, label)


def _check_range(ab_range: str) -> None:
    if ab_range not in AB_RANGES:
        raise ValueError(f"ab_range must be one of {AB_RANGES}, got {ab_range!r}")
