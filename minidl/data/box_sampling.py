"""Random boxes of a given area fraction and aspect ratio, as RandomResizedCrop and
RandomErasing draw them.

One draw: an area ``s · H · W`` with s uniform in ``scale``, and an aspect ratio r drawn
log-uniformly in ``ratio`` (so r and 1/r are equally likely); the box's sides are

    long = round(sqrt(area · r)),   short = round(sqrt(area / r))

(RandomResizedCrop takes long as the width, RandomErasing as the height).  A caller tries
up to :data:`ATTEMPTS` draws and keeps the first box that fits.
"""
from __future__ import annotations

import math

import numpy as np

ATTEMPTS = 10


def check_scale_ratio(scale, ratio, owner: str) -> tuple[tuple[float, float],
                                                          tuple[float, float]]:
    """``scale`` and ``ratio`` as (low, high) float pairs; raises naming them."""
    pairs = []
    for name, value in (("scale", scale), ("ratio", ratio)):
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise TypeError(f"{owner}: {name} must be a sequence (low, high), got {value!r}")
        low, high = float(value[0]), float(value[1])
        if low > high or low < 0 or (name == "ratio" and low == 0):
            raise ValueError(f"{owner}: {name} must be (low, high) with 0 <= low <= high"
                             f"{' and low > 0' if name == 'ratio' else ''}, got {value!r}")
        pairs.append((low, high))
    return pairs[0], pairs[1]


def draw_sides(rng: np.random.Generator, area: float, scale, ratio) -> tuple[int, int]:
    """(long, short) sides of one random box (see the module docstring)."""
    target = area * rng.uniform(scale[0], scale[1])
    aspect = math.exp(rng.uniform(math.log(ratio[0]), math.log(ratio[1])))
    return int(round(math.sqrt(target * aspect))), int(round(math.sqrt(target / aspect)))
