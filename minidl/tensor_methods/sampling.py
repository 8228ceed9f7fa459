"""Random draws: the in-place fills uniform_, normal_ and bernoulli_, and bernoulli and
multinomial, from ``generator`` (the global stream by default, ``minidl/random.py``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import random as _random
from ..backend import to_device
from .base import TensorMethods

if TYPE_CHECKING:
    from ..tensor import Tensor  # bound at run time by bind(), in __init__.py


class SamplingMethods(TensorMethods):
    """Random draws."""

    __slots__ = ()

    def uniform_(self, low: float = 0.0, high: float = 1.0, *, generator=None) -> Tensor:
        return self.copy_(_random.stream(generator, "uniform_").uniform(low, high, self.shape))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
        return self.copy_(_random.stream(generator, "normal_").normal(mean, std, self.shape))

    def multinomial(self, num_samples: int, replacement: bool = False, *,
                    generator=None) -> Tensor:
        """Indices drawn from the categories of each row of non-negative weights (1-D:
        one row), ``num_samples`` per row, int64; without ``replacement`` no category
        repeats in a row.  Drawn on the CPU from ``generator`` (the global stream by
        default), so a seed gives the same indices on every device."""
        weights = np.asarray(self._host(), dtype=np.float64).reshape(-1, self.shape[-1]) \
            if self.ndim in (1, 2) else None
        if weights is None or self.dtype.kind != "f":
            raise RuntimeError(f"multinomial: expected a 1-D or 2-D floating point tensor "
                               f"of probabilities, got {self.dtype} of shape {self.shape}")
        totals = weights.sum(axis=1)
        if not np.isfinite(weights).all() or (weights < 0).any() or (totals <= 0).any():
            raise RuntimeError("multinomial: probabilities must be finite, non-negative and "
                               "have a positive sum in each row")
        positive = (weights > 0).sum(axis=1).min()
        if num_samples <= 0 or (not replacement and num_samples > positive):
            raise RuntimeError(f"multinomial: cannot draw {num_samples} samples "
                               f"{'with' if replacement else 'without'} replacement from "
                               f"{positive} categories of non-zero probability")
        draw = _random.stream(generator, "multinomial")
        rows = [draw.choice(len(row), size=num_samples, replace=replacement, p=row / total)
                for row, total in zip(weights, totals)]
        samples = np.stack(rows).astype(np.int64)
        return Tensor._from_array(to_device(samples.reshape(self.shape[:-1] + (num_samples,)),
                                            self.device))

    def bernoulli(self, p=None, *, generator=None) -> Tensor:
        """1 with probability ``p`` (self's values by default), else 0, in self's dtype."""
        chances = self if p is None else p
        values = chances._host() if isinstance(chances, Tensor) else chances
        if bool(np.any((np.asarray(values) < 0) | (np.asarray(values) > 1))):
            raise RuntimeError("bernoulli: probabilities must be in [0, 1]")
        uniform = _random.stream(generator, "bernoulli").random(tuple(self.shape))
        drawn = (uniform < values).astype(self.dtype)
        return Tensor._from_array(to_device(drawn, self.device))

    def bernoulli_(self, p=0.5, *, generator=None) -> Tensor:
        """Fill self with draws of 1 with probability ``p`` (a number or a tensor)."""
        return self.copy_(self.bernoulli(p, generator=generator).array)
