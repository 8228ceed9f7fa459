"""Datasets: anything with ``len(dataset)`` and ``dataset[i]`` -> one sample.

A sample is whatever the dataset returns for one index, usually a tuple
``(image, label)`` of NumPy arrays and ints; the DataLoader's collate turns a list of
samples into a batch of Tensors. Names and behaviour follow ``torch.utils.data``.
"""
from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor
from .seeding import as_generator


class Dataset:
    """Base class: subclasses implement ``__getitem__(index)`` and ``__len__()``."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")

    def __add__(self, other) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """Base class of a stream of samples: subclasses implement ``__iter__`` (and may
    implement ``__len__``); the DataLoader reads it in order and batches it."""

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")

    def __getitem__(self, index):
        raise TypeError(f"{type(self).__name__} is an IterableDataset: iterate over it")


class ConcatDataset(Dataset):
    """The samples of several datasets one after the other: index i of the whole is
    index i - cumulative_sizes[k-1] of the k-th dataset holding it."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for dataset in self.datasets:
            if isinstance(dataset, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index):
        if index < 0:
            if -index > len(self):
                raise ValueError(f"ConcatDataset: absolute value of index {index} should not "
                                 f"exceed dataset length {len(self)}")
            index += len(self)
        if index >= len(self):
            raise IndexError(f"ConcatDataset: index {index} is out of range for "
                             f"{len(self)} samples")
        k = int(np.searchsorted(self.cumulative_sizes, index, side="right"))
        start = self.cumulative_sizes[k - 1] if k else 0
        return self.datasets[k][index - start]


class TensorDataset(Dataset):
    """Rows of equally long Tensors (or arrays): sample ``i`` is ``(a[i], b[i], ...)``, as
    Tensors sharing memory with the given data (PyTorch's behaviour), so
    ``model(dataset[i][0])`` works.

    The data are kept as NumPy arrays (``self.arrays``; ``self.tensors`` shows them as
    Tensors), so samples can be built in worker threads.
    """

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("TensorDataset: expected at least one array")
        self.arrays = tuple(np.asarray(a) for a in arrays)
        lengths = [len(a) for a in self.arrays]
        if len(set(lengths)) != 1:
            raise ValueError("TensorDataset: all arrays need the same first dimension, got "
                             f"shapes {[a.shape for a in self.arrays]}")

    @property
    def tensors(self) -> tuple:
        return tuple(Tensor._from_array(a) for a in self.arrays)

    def __getitem__(self, index):
        return tuple(Tensor._from_array(np.asarray(a[index])) for a in self.arrays)

    def __len__(self) -> int:
        return len(self.arrays[0])


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order. When ``dataset`` builds
    whole batches (``__getitems__``), so does the subset."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices                     # as given (random_split's: a list)
        self._positions = np.asarray(indices, dtype=np.int64).reshape(-1)
        if self._positions.size and (self._positions.min() < 0
                                     or self._positions.max() >= len(dataset)):
            raise IndexError(f"Subset: indices must lie in [0, {len(dataset) - 1}] for a "
                             f"dataset of {len(dataset)} samples")

    def __getitem__(self, index):
        return self.dataset[int(self._positions[index])]

    @property
    def __getitems__(self):
        """The samples at a list of indices, from ``dataset.__getitems__``; absent
        (AttributeError, so ``hasattr`` is False) when ``dataset`` has none."""
        load_batch = getattr(self.dataset, "__getitems__", None)
        if load_batch is None:
            raise AttributeError(f"{type(self.dataset).__name__} has no __getitems__")
        return lambda indices: load_batch(self._positions[np.asarray(indices, dtype=np.int64)]
                                          .tolist())

    def __len__(self) -> int:
        return len(self._positions)


def random_split(dataset, lengths, generator=None) -> list[Subset]:
    """Split ``dataset`` into disjoint random subsets of the given lengths.

    ``lengths`` are counts summing to ``len(dataset)``, or fractions summing to 1 (counts
    are then floored and the remainder handed out one by one from the first subset, as
    in PyTorch). ``generator``: a NumPy Generator, an int seed, or None for minidl's
    global generator (so ``minidl.manual_seed`` fixes the split).
    """
    sizes = split_sizes(len(dataset), lengths)
    order = as_generator(generator, "random_split").permutation(len(dataset))
    bounds = np.cumsum([0] + sizes)
    return [Subset(dataset, order[start:stop].tolist())
            for start, stop in zip(bounds[:-1], bounds[1:])]


def split_sizes(total: int, lengths) -> list[int]:
    """Counts for :func:`random_split` from counts or fractions (see there)."""
    lengths = list(lengths)
    if lengths and all(isinstance(x, int | np.integer) for x in lengths):
        if sum(lengths) != total or min(lengths) < 0:
            raise ValueError(f"random_split: lengths {lengths} must be non-negative and sum "
                             f"to the dataset's length {total}")
        return [int(x) for x in lengths]
    if not lengths or not math.isclose(sum(lengths), 1.0) or min(lengths) < 0:
        raise ValueError(f"random_split: lengths must be counts summing to {total} or "
                         f"fractions summing to 1, got {lengths}")
    sizes = [int(math.floor(total * f)) for f in lengths]
    for i in range(total - sum(sizes)):
        sizes[i % len(sizes)] += 1
    return sizes



class StackDataset(Dataset):
    """Several datasets of one length read side by side: ``StackDataset(a, b)[i]`` is
    ``(a[i], b[i])``, ``StackDataset(x=a, y=b)[i]`` is ``{"x": a[i], "y": b[i]}``."""

    def __init__(self, *args, **kwargs):
        if args and kwargs:
            raise ValueError("Supported either ``tuple``- (via ``args``) or"
                             "``dict``- (via ``kwargs``) like input/output, but both types "
                             "are given.")
        if not args and not kwargs:
            raise ValueError("At least one dataset should be passed")
        self.datasets = args if args else kwargs
        lengths = {len(d) for d in (args if args else kwargs.values())}
        if len(lengths) != 1:
            raise ValueError("Size mismatch between datasets")
        self._length = lengths.pop()

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {key: dataset[index] for key, dataset in self.datasets.items()}
        return tuple(dataset[index] for dataset in self.datasets)

    def __getitems__(self, indices: list):
        parts = self.datasets.items() if isinstance(self.datasets, dict) else enumerate(
            self.datasets)
        columns = {}
        for key, dataset in parts:
            load = getattr(dataset, "__getitems__", None)
            column = load(indices) if load is not None else [dataset[i] for i in indices]
            if len(column) != len(indices):
                raise ValueError(f"Nested dataset's output size mismatch. Expected "
                                 f"{len(indices)}, got {len(column)}")
            columns[key] = column
        if isinstance(self.datasets, dict):
            return [{key: column[n] for key, column in columns.items()}
                    for n in range(len(indices))]
        return [tuple(column[n] for column in columns.values())
                for n in range(len(indices))]

    def __len__(self) -> int:
        return self._length


class ChainDataset(IterableDataset):
    """Several IterableDatasets read one after the other (the streams chained on the
    fly); its length is the sum of theirs."""

    def __init__(self, datasets) -> None:
        super().__init__()
        self.datasets = datasets

    def __iter__(self):
        for dataset in self.datasets:
            if not isinstance(dataset, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from dataset

    def __len__(self) -> int:
        total = 0
        for dataset in self.datasets:
            if not isinstance(dataset, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            try:
                total += len(dataset)
            except NotImplementedError:  # a stream without a length: len() is undefined
                raise TypeError(f"object of type '{type(dataset).__name__}' has no "
                                f"len()") from None
        return total
