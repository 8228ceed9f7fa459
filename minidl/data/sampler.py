"""Samplers (``torch.utils.data.sampler``): which indices an epoch visits, in which order.

A sampler is an iterable of indices with a length; the DataLoader cuts its order into
batches (``DataLoader(sampler=...)``), or a batch sampler yields whole batches of indices
(``DataLoader(batch_sampler=...)``).  Each ``iter()`` is one epoch: the random samplers
draw a new order from their ``generator`` every time (an int seed, a ``minidl.Generator``
or a NumPy Generator; None: minidl's global generator, so ``minidl.manual_seed`` fixes
them).
"""
from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor
from .seeding import as_generator


class Sampler:
    """Base class: subclasses implement ``__iter__`` (the indices) and ``__len__``."""

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


def _count(name: str, value, minimum: int) -> int:
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} should be an int >= {minimum}, got {value!r}")
    return int(value)


class RandomSampler(Sampler):
    """A random permutation of the indices each epoch; with ``replacement``,
    ``num_samples`` (default: the dataset's length) indices drawn uniformly with
    replacement.  Without replacement, ``num_samples`` larger than the dataset takes
    whole permutations one after the other, as PyTorch."""

    def __init__(self, data_source, replacement: bool = False, num_samples=None,
                 generator=None):
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: replacement should be a bool, got "
                            f"{replacement!r}")
        self.data_source, self.replacement, self.generator = data_source, replacement, \
            generator
        self._num_samples = None if num_samples is None else _count(
            "RandomSampler: num_samples", num_samples, 1)
        as_generator(generator, "RandomSampler")        # a clear error now if it is wrong

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n, rng = len(self.data_source), as_generator(self.generator, "RandomSampler")
        if self.replacement:
            return iter(rng.integers(0, n, self.num_samples).tolist())
        rounds = math.ceil(self.num_samples / n) if n else 0
        order = np.concatenate([rng.permutation(n) for _ in range(rounds)]) if rounds \
            else np.empty(0, np.int64)
        return iter(order[:self.num_samples].tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a random order each epoch."""

    def __init__(self, indices, generator=None):
        self.indices, self.generator = indices, generator
        as_generator(generator, "SubsetRandomSampler")

    def __iter__(self):
        order = as_generator(self.generator, "SubsetRandomSampler").permutation(
            len(self.indices))
        return iter([self.indices[i] for i in order.tolist()])

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices i drawn with probability weights[i] / Σ weights (with
    replacement by default; without, each index at most once)."""

    def __init__(self, weights, num_samples: int, replacement: bool = True, generator=None):
        array = weights.detach().numpy() if isinstance(weights, Tensor) else weights
        self.weights = np.asarray(array, dtype=np.float64).reshape(-1)
        if self.weights.size == 0 or not np.all(np.isfinite(self.weights)) \
                or np.any(self.weights < 0) or self.weights.sum() <= 0:
            raise ValueError("WeightedRandomSampler: weights must be finite, non-negative "
                             "and not all zero")
        self.num_samples = _count("WeightedRandomSampler: num_samples", num_samples, 1)
        if not replacement and self.num_samples > np.count_nonzero(self.weights):
            raise RuntimeError(f"WeightedRandomSampler: cannot draw {self.num_samples} "
                               f"samples without replacement from "
                               f"{np.count_nonzero(self.weights)} with non-zero weight")
        self.replacement, self.generator = replacement, generator
        as_generator(generator, "WeightedRandomSampler")

    def __iter__(self):
        rng = as_generator(self.generator, "WeightedRandomSampler")
        chosen = rng.choice(self.weights.size, self.num_samples, replace=self.replacement,
                            p=self.weights / self.weights.sum())
        return iter(chosen.tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """The indices of ``sampler`` in lists of ``batch_size`` (the last one shorter, or
    left out with ``drop_last``)."""

    def __init__(self, sampler, batch_size: int, drop_last: bool):
        self.sampler = sampler
        self.batch_size = _count("BatchSampler: batch_size", batch_size, 1)
        if not isinstance(drop_last, bool):
            raise ValueError(f"BatchSampler: drop_last should be a bool, got {drop_last!r}")
        self.drop_last = drop_last

    def __iter__(self):
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        count = len(self.sampler) / self.batch_size
        return math.floor(count) if self.drop_last else math.ceil(count)
