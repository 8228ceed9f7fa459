"""Sorting: sort, argsort and topk (the values are gathered at the sorted indices, so the
gradient goes back to them), and unique.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..backend import array_module
from ..ops.arguments import normalize_dims
from ..ops.ordering import sort_order
from .base import TensorMethods, ValuesIndices

if TYPE_CHECKING:
    from ..tensor import Tensor  # bound at run time by bind(), in __init__.py


class SortingMethods(TensorMethods):
    """Elements in order."""

    __slots__ = ()

    def _ordered(self, op: str, dim: int, descending: bool, count: int | None = None):
        """The elements along ``dim`` in order (the first ``count`` only, if given) and their
        indices: values are gathered at the indices, so the gradient goes back to them."""
        line = self.reshape(1) if self.ndim == 0 else self
        axis = normalize_dims(dim, line.ndim, op)[0]
        order = sort_order(line.array, axis, descending)
        if count is not None:
            order = order[(slice(None),) * axis + (slice(0, count),)]
        indices = Tensor._from_array(order.astype(np.int64, copy=False))
        values = line.gather(axis, indices)
        if self.ndim == 0:
            values, indices = values.reshape(()), indices.reshape(())
        return ValuesIndices(values, indices)

    def sort(self, dim: int = -1, descending: bool = False, *, stable: bool = False):
        """``(values, indices)`` of the elements sorted along ``dim`` (ascending unless
        ``descending``; NaN counts as the largest).  Always stable: equal elements keep
        their order (PyTorch's ``stable=True``)."""
        return self._ordered("sort", dim, descending)

    def argsort(self, dim: int = -1, descending: bool = False, *, stable: bool = False):
        return self.sort(dim, descending).indices

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
        """``(values, indices)`` of the ``k`` largest elements along ``dim`` (the smallest
        with ``largest=False``), largest first (always sorted)."""
        size = self.shape[normalize_dims(dim, self.ndim, "topk")[0]] if self.ndim else 1
        if not isinstance(k, int | np.integer) or not 0 <= k <= size:
            raise RuntimeError(f"topk: selected index k={k} out of range: dimension {dim} of "
                               f"shape {self.shape} has {size} elements")
        return self._ordered("topk", dim, largest, int(k))

    def unique(self, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
               return_counts: bool = False, dim=None):
        """The distinct elements in ascending order (always sorted), with, on request, the
        position of each input element among them (``inverse``, self's shape; along
        ``dim``, one per slice) and how often each occurs (``counts``), both int64."""
        xp = array_module(self.array)
        axis = None if dim is None else normalize_dims(dim, self.ndim, "unique")[0]
        found = xp.unique(self.array.reshape(-1) if axis is None else self.array,
                          return_inverse=True, return_counts=True, axis=axis)
        values, inverse, counts = found
        if axis is None:
            inverse = inverse.reshape(self.shape)
        results = [Tensor._from_array(values)]
        if return_inverse:
            results.append(Tensor._from_array(inverse.reshape(-1) if axis is not None
                                              else inverse).long())
        if return_counts:
            results.append(Tensor._from_array(counts).long())
        return results[0] if len(results) == 1 else tuple(results)
