"""PyTorch's functions that pick or place elements by index or mask, beyond those in
``tensor_functions.py``: scatter_add, scatter_reduce, index_fill, index_copy, index_put,
masked_scatter, take, select, argwhere, isin, unique_consecutive, tril_indices and
triu_indices.  Most are the Tensor methods of ``tensor_methods/selection.py``."""
from __future__ import annotations

import numpy as np

from .backend import array_module, module_for_device, normalize_device
from .dtypes import as_dtype
from .tensor import Tensor

__all__ = [
    "argwhere", "index_copy", "index_fill", "index_put", "index_put_", "isin",
    "masked_scatter", "scatter_add", "scatter_reduce", "select", "take", "tril_indices",
    "triu_indices", "unique_consecutive",
]


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    return input.scatter_add(dim, index, src)


def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    return input.scatter_reduce(dim, index, src, reduce, include_self=include_self)


def index_fill(input: Tensor, dim: int, index: Tensor, value) -> Tensor:
    return input.index_fill(dim, index, value)


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    return input.index_copy(dim, index, source)


def index_put(input: Tensor, indices, values, accumulate: bool = False) -> Tensor:
    return input.index_put(indices, values, accumulate)


def index_put_(input: Tensor, indices, values, accumulate: bool = False) -> Tensor:
    return input.index_put_(indices, values, accumulate)


def masked_scatter(input: Tensor, mask, source: Tensor) -> Tensor:
    return input.masked_scatter(mask, source)


def take(input: Tensor, index: Tensor) -> Tensor:
    return input.take(index)


def select(input: Tensor, dim: int, index: int) -> Tensor:
    return input.select(dim, index)


def argwhere(input: Tensor) -> Tensor:
    return input.argwhere()


def unique_consecutive(input: Tensor, return_inverse: bool = False,
                       return_counts: bool = False, dim=None):
    return input.unique_consecutive(return_inverse, return_counts, dim)


def isin(elements, test_elements, *, assume_unique: bool = False,
         invert: bool = False) -> Tensor:
    """Whether each element of ``elements`` occurs in ``test_elements`` (a bool tensor of
    ``elements``' shape); one of the two may be a number."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() expected elements or test_elements to be a Tensor, got "
                        f"{type(elements).__name__} and {type(test_elements).__name__}")
    like = elements if isinstance(elements, Tensor) else test_elements
    xp = array_module(like.array)
    arrays = [v.array if isinstance(v, Tensor) else xp.asarray(v)
              for v in (elements, test_elements)]
    found = xp.isin(arrays[0], arrays[1], assume_unique=bool(assume_unique),
                    invert=bool(invert))
    return Tensor._from_array(xp.asarray(found, dtype=bool).reshape(arrays[0].shape))


def _triangle_indices(name: str, row: int, col: int, offset: int, dtype, device, lower):
    for label, value in (("row", row), ("col", col)):
        if value < 0:
            raise RuntimeError(f"{name}: {label} must be non-negative, got {value}")
    dtype = np.dtype(np.int64) if dtype is None else as_dtype(dtype)
    if dtype.kind not in "iu":
        raise RuntimeError(f"{name}: dtype must be an integer type, got {dtype}")
    pick = np.tril_indices if lower else np.triu_indices
    rows, cols = pick(int(row), int(offset), int(col))
    xp = module_for_device(normalize_device(device or "cpu"))
    return Tensor._from_array(xp.asarray(np.stack([rows, cols]).astype(dtype)))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None) -> Tensor:
    """The (row, column) indices of the lower triangle of a row x col matrix (below the
    ``offset``-th diagonal), a 2 x N int64 tensor in row-major order."""
    return _triangle_indices("tril_indices", row, col, offset, dtype, device, True)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None) -> Tensor:
    """The (row, column) indices of the upper triangle of a row x col matrix (above the
    ``offset``-th diagonal), a 2 x N int64 tensor in row-major order."""
    return _triangle_indices("triu_indices", row, col, offset, dtype, device, False)
