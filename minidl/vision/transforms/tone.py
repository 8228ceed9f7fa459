"""Random tone changes, each applied with probability ``p`` (torchvision's
``RandomInvert``, ``RandomPosterize``, ``RandomSolarize``, ``RandomAdjustSharpness``,
``RandomAutocontrast``, ``RandomEqualize``); the maths is :mod:`minidl.data.tone` and
:func:`minidl.data.color_adjust.adjust_sharpness`."""
from __future__ import annotations

from ...data import color_adjust, tone
from ...data import transforms as T
from .images import on_images


class _WithProbability(T.RandomTransform):
    """Apply ``self.operation`` (an image -> image function) with probability ``p``."""

    def __init__(self, p: float):
        super().__init__()
        self.p = T.check_probability(p, type(self).__name__)

    def operation(self, image):
        raise NotImplementedError

    def __call__(self, image):
        return on_images(image, self.operation) if self.rng.random() < self.p else image

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"


class RandomInvert(_WithProbability):
    """bound - x with probability ``p``."""

    def __init__(self, p: float = 0.5):
        super().__init__(p)

    def operation(self, image):
        return tone.invert(image)


class RandomPosterize(_WithProbability):
    """Keep the ``bits`` high bits of each uint8 pixel, with probability ``p``."""

    def __init__(self, bits: int, p: float = 0.5):
        super().__init__(p)
        if not isinstance(bits, int) or not 0 <= bits <= 8:
            raise ValueError(f"RandomPosterize: bits must be an int in [0, 8], got {bits!r}")
        self.bits = bits

    def operation(self, image):
        return tone.posterize(image, self.bits)


class RandomSolarize(_WithProbability):
    """Invert the pixels at or above ``threshold``, with probability ``p``."""

    def __init__(self, threshold: float, p: float = 0.5):
        super().__init__(p)
        self.threshold = threshold

    def operation(self, image):
        return tone.solarize(image, self.threshold)


class RandomAdjustSharpness(_WithProbability):
    """Sharpen by ``sharpness_factor`` (0: smoothed, 1: unchanged, 2: sharper) with
    probability ``p``."""

    def __init__(self, sharpness_factor: float, p: float = 0.5):
        super().__init__(p)
        if sharpness_factor < 0:
            raise ValueError(f"RandomAdjustSharpness: sharpness_factor must be non-negative, "
                             f"got {sharpness_factor}")
        self.sharpness_factor = sharpness_factor

    def operation(self, image):
        return color_adjust.adjust_sharpness(image, self.sharpness_factor)


class RandomAutocontrast(_WithProbability):
    """Stretch each channel to the full range, with probability ``p``."""

    def __init__(self, p: float = 0.5):
        super().__init__(p)

    def operation(self, image):
        return tone.autocontrast(image)


class RandomEqualize(_WithProbability):
    """Equalize the histogram of each uint8 channel, with probability ``p``."""

    def __init__(self, p: float = 0.5):
        super().__init__(p)

    def operation(self, image):
        return tone.equalize(image)
