"""How a study's datasets become the train, validation and test splits of a run.

Studies whose data has a test split hold a validation part out of the training set
(``val_fraction``, drawn with the run's seed); the held-out images come from an
un-augmented copy of the training set, so validation sees the images as the test does.
``--limit N`` then keeps N images of each split, spread evenly over it (the splits of
image folders are sorted by class, so the first N would hold only the first classes).
"""
from __future__ import annotations

import numpy as np

from ..data import Subset


def hold_out(train, plain_train, test, val_fraction: float, seed: int):
    """``(train, val, test)``: ``val_fraction`` of the training images (at least one)
    become the validation split, taken from ``plain_train`` (the same images without
    augmentation)."""
    count = len(train)
    val_count = min(max(int(round(count * val_fraction)), 1), count - 1)
    order = np.random.default_rng([seed, 7]).permutation(count)
    return (Subset(train, np.sort(order[val_count:])),
            Subset(plain_train, np.sort(order[:val_count])), test)


def limited(splits, limit: int | None):
    """Each split cut to ``limit`` images at evenly spaced positions (unchanged for
    None or when it has no more)."""
    if limit is None:
        return tuple(splits)
    return tuple(split if len(split) <= limit else
                 Subset(split, np.linspace(0, len(split) - 1, limit).round().astype(np.int64))
                 for split in splits)
