"""Reductions: sum, mean, prod, var, std, norm, amax/amin, max/min (with their indices along a
dimension), argmax/argmin, logsumexp, nanmean, median, quantile and counts (count_nonzero,
bincount); the running sums and products (cumsum, cumprod).  Bools and integers sum and
multiply as int64, as in PyTorch.
"""
from __future__ import annotations

from collections import namedtuple
from typing import TYPE_CHECKING

import numpy as np

from ..backend import array_module, to_device
from ..dtypes import is_number
from ..ops.arguments import normalize_dims, reduction_dims
from ..ops.cumprod import Cumprod
from ..ops.cumulative import Cumsum, Prod
from ..ops.logsumexp import LogSumExp
from ..ops.ordering import sort_order
from ..ops.reduction import Amax, Mean, Norm, StdFromVar, Sum, Var
from .base import TensorMethods, ValuesIndices, _as_tensor

MinMax = namedtuple("MinMax", ["min", "max"])  # torch.return_types.aminmax

if TYPE_CHECKING:
    from ..tensor import Tensor  # bound at run time by bind(), in __init__.py


class ReductionMethods(TensorMethods):
    """Reductions over dimensions, and running sums and products."""

    __slots__ = ()

    def sum(self, dim=None, keepdim: bool = False, dtype=None):
        """Sum over ``dim`` (all by default); bools and integers sum as int64 (PyTorch)."""
        axes = reduction_dims(dim, self.ndim, "sum")
        source = self if dtype is None else self.to(dtype)
        if source.dtype.kind in "biu":
            return Tensor._from_array(source.array.sum(axis=axes, keepdims=keepdim,
                                                       dtype=np.int64))
        return Sum.apply(source, axes=axes, keepdim=keepdim)

    def _counting(self, dtype) -> Tensor:
        """Self as ``dtype``, or, by default, with bools and integers as int64: the input of
        running sums and products (PyTorch's result types)."""
        if dtype is not None:
            return self.to(dtype)
        return self._cast(np.dtype(np.int64)) if self.dtype.kind in "biu" else self

    def cumsum(self, dim: int, *, dtype=None):
        """The running sum along ``dim``: y_i = x_0 + ... + x_i (bools and integers as
        int64); differentiable."""
        axis = normalize_dims(dim, self.ndim, "cumsum")
        source = self._counting(dtype)
        if not axis:  # a 0-d tensor is its own running sum
            return source * 1
        return Cumsum.apply(source, axis=axis[0])

    def prod(self, dim=None, keepdim: bool = False, *, dtype=None):
        """The product of the elements, along ``dim`` (one dimension; all by default);
        bools and integers multiply as int64.  Differentiable, zeros included (see
        ``ops/cumulative.py``)."""
        source = self._counting(dtype)
        if dim is None:
            product = Prod.apply(source.reshape(-1), axis=0)
            return product.reshape((1,) * self.ndim) if keepdim else product
        if not isinstance(dim, int | np.integer):
            raise TypeError(f"prod: dim must be one int, got {dim!r}")
        axis = normalize_dims(int(dim), self.ndim, "prod")
        if not axis:
            return source * 1
        return Prod.apply(source, axis=axis[0], keepdim=keepdim)

    def mean(self, dim=None, keepdim: bool = False, dtype=None):
        source = self if dtype is None else self.to(dtype)
        if source.dtype.kind != "f":
            raise RuntimeError(f"mean(): needs a floating point tensor, got {source.dtype}")
        return Mean.apply(source, axes=reduction_dims(dim, self.ndim, "mean"), keepdim=keepdim)

    def var(self, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: int | None = None):
        """Variance with Bessel's correction by default (``correction=1``), as PyTorch."""
        if correction is None:
            correction = 0 if unbiased is False else 1
        return Var.apply(self, axes=reduction_dims(dim, self.ndim, "var"),
                         keepdim=keepdim, correction=correction)

    def std(self, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: int | None = None):
        """√var; its gradient is 0 where the std is 0 (a constant line), as PyTorch's."""
        return StdFromVar.apply(self.var(dim, unbiased, keepdim, correction=correction))

    def norm(self, p="fro", dim=None, keepdim: bool = False):
        """The p-norm over ``dim`` (all elements by default): ``p`` a positive number,
        ``"fro"`` (2), ``inf`` (largest absolute value), 0 (count of non-zeros) or
        ``"nuc"`` (the nuclear norm of the matrices over the two dims, the last two by
        default)."""
        if p == "fro" or p is None:
            p = 2.0
        if p == "nuc":  # the sum of the singular values of the matrices over dim
            from ..linalg import matrix_norm
            return matrix_norm(self, "nuc", (-2, -1) if dim is None else dim, keepdim)
        axes = reduction_dims(dim, self.ndim, "norm")
        x = self._floating()
        if p == float("inf"):
            return x.abs().amax(axes, keepdim=keepdim)
        if p == 0:
            return Tensor._from_array((x.array != 0).sum(axis=axes, keepdims=keepdim)
                                      .astype(x.dtype))
        if not is_number(p) or p < 0:
            raise ValueError(f"norm: p must be 'fro', inf or a number >= 0, got {p!r}")
        return Norm.apply(x, p=float(p), axes=axes, keepdim=keepdim)

    def _reducible(self, op: str, dim) -> tuple:
        """The axes a max/min-like reduction ``op`` runs over, refused as PyTorch refuses
        them when they hold no element (there is no largest of nothing)."""
        axes = reduction_dims(dim, self.ndim, op)
        if dim is None and self.numel() == 0:
            raise RuntimeError(f"{op}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the "
                               "'dim' argument.")
        for axis in axes:
            if self.shape[axis] == 0:
                raise IndexError(f"{op}(): Expected reduction dim {axis} to have non-zero "
                                 f"size (input shape {self.shape}).")
        return axes

    def amax(self, dim=None, keepdim: bool = False):
        return Amax.apply(self, axes=self._reducible("amax", dim), keepdim=keepdim,
                          largest=True)

    def amin(self, dim=None, keepdim: bool = False):
        return Amax.apply(self, axes=self._reducible("amin", dim), keepdim=keepdim,
                          largest=False)

    def _extreme(self, dim, keepdim, largest: bool):
        if isinstance(dim, Tensor):  # max(other): the elementwise maximum
            return self.maximum(dim) if largest else self.minimum(dim)
        op = "max" if largest else "min"
        if dim is None:
            self._reducible(op, None)
            return self.amax() if largest else self.amin()
        axis = self._reducible(op, dim)[0]
        xp = array_module(self.array)
        pick = xp.argmax if largest else xp.argmin
        indices = xp.expand_dims(pick(self.array, axis=axis), axis)
        values = self.gather(axis, Tensor._from_array(indices))
        if not keepdim:
            values = values.squeeze(axis)
            indices = indices.squeeze(axis)
        return ValuesIndices(values, Tensor._from_array(indices.astype(np.int64)))

    def max(self, dim=None, keepdim: bool = False):
        """The largest element; ``(values, indices)`` along ``dim``; with a tensor, the
        elementwise maximum (PyTorch)."""
        return self._extreme(dim, keepdim, largest=True)

    def min(self, dim=None, keepdim: bool = False):
        return self._extreme(dim, keepdim, largest=False)

    def argmax(self, dim=None, keepdim: bool = False):
        return self._arg(dim, keepdim, largest=True)

    def argmin(self, dim=None, keepdim: bool = False):
        return self._arg(dim, keepdim, largest=False)

    def _arg(self, dim, keepdim, largest):
        xp = array_module(self.array)
        pick = xp.argmax if largest else xp.argmin
        op = "argmax" if largest else "argmin"
        if dim is None:
            self._reducible(op, None)
            return Tensor._from_array(xp.asarray(pick(self.array), dtype=np.int64))
        axis = self._reducible(op, dim)[0]
        result = pick(self.array, axis=axis).astype(np.int64)
        return Tensor._from_array(xp.expand_dims(result, axis) if keepdim else result)

    def logsumexp(self, dim, keepdim: bool = False):
        """log Σ exp(self) over ``dim``, computed without overflow (ops/logsumexp.py)."""
        return LogSumExp.apply(self._floating(), axes=normalize_dims(dim, self.ndim,
                                                                     "logsumexp"),
                               keepdim=keepdim)

    def cumprod(self, dim: int, *, dtype=None):
        """The running product along ``dim`` (bools and integers as int64); differentiable,
        zeros included (ops/cumprod.py)."""
        axis = normalize_dims(dim, self.ndim, "cumprod")
        source = self._counting(dtype)
        if not axis:
            return source * 1
        return Cumprod.apply(source, axis=axis[0])

    def nanmean(self, dim=None, keepdim: bool = False, *, dtype=None):
        """The mean of the non-NaN elements over ``dim`` (NaN where all are NaN)."""
        source = self if dtype is None else self.to(dtype)
        if source.dtype.kind != "f":
            raise RuntimeError(f"nanmean(): needs a floating point tensor, got {source.dtype}")
        missing = source.isnan()
        total = source.masked_fill(missing, 0).sum(dim, keepdim)
        return total / missing.logical_not().sum(dim, keepdim).to(source.dtype)

    def count_nonzero(self, dim=None) -> Tensor:
        axes = reduction_dims(dim, self.ndim, "count_nonzero")
        return Tensor._from_array((self.array != 0).sum(axis=axes).astype(np.int64))

    def median(self, dim=None, keepdim: bool = False):
        """The lower median (the ((n-1)//2)-th smallest value); with ``dim``, ``(values,
        indices)`` along it.  A line with NaN has median NaN (its first NaN's index)."""
        if dim is None:
            return self.reshape(-1).median(0).values
        line = self.reshape(1) if self.ndim == 0 else self
        axis = normalize_dims(dim, line.ndim, "median")[0]
        if line.shape[axis] == 0:
            raise IndexError(f"median(): dimension {dim} of shape {self.shape} is empty")
        xp = array_module(line.array)
        order = sort_order(line.array, axis, False)
        middle = (line.shape[axis] - 1) // 2
        chosen = order[(slice(None),) * axis + (slice(middle, middle + 1),)]
        nan = xp.isnan(line.array) if line.dtype.kind == "f" else None
        if nan is not None:
            first_nan = xp.argmax(nan, axis=axis, keepdims=True)
            chosen = xp.where(xp.any(nan, axis=axis, keepdims=True), first_nan, chosen)
        indices = Tensor._from_array(chosen.astype(np.int64))
        values = line.gather(axis, indices)
        if not keepdim or self.ndim == 0:
            values, indices = values.squeeze(axis), indices.squeeze(axis)
        return ValuesIndices(values.reshape(self.shape) if self.ndim == 0 else values,
                             indices.reshape(()) if self.ndim == 0 else indices)

    def quantile(self, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear"):
        """The q-th quantiles along ``dim`` (of all elements by default): at rank
        q·(n-1) of the sorted values, between the two nearest ones by ``interpolation``
        ("linear", "lower", "higher", "midpoint", "nearest").  A tensor ``q`` (1-D) adds a
        first dimension, one per quantile.  NaN in a line gives NaN.  Differentiable
        (through the sort)."""
        if self.dtype.kind != "f":
            raise RuntimeError(f"quantile() input tensor must be float or double, got "
                               f"{self.dtype}")
        if interpolation not in ("linear", "lower", "higher", "midpoint", "nearest"):
            raise ValueError(f"quantile() interpolation must be one of linear, lower, higher, "
                             f"midpoint or nearest, got {interpolation!r}")
        scalar_q = not isinstance(q, Tensor)
        qs = np.asarray(to_device(q.array, "cpu") if isinstance(q, Tensor) else q,
                        dtype=np.float64).reshape(-1)
        if (isinstance(q, Tensor) and q.ndim > 1) or not ((qs >= 0) & (qs <= 1)).all():
            raise RuntimeError(f"quantile() q must be a number or a 1-D tensor of values in "
                               f"[0, 1], got {q!r}")
        x = self.reshape(-1) if dim is None else self
        axis = normalize_dims(-1 if dim is None else dim, x.ndim, "quantile")
        x = x.reshape(1) if x.ndim == 0 else x.movedim(axis[0], -1)
        if x.shape[-1] == 0:
            raise IndexError(f"quantile() input tensor must be non-empty, got shape "
                             f"{self.shape}")
        ranks = qs * (x.shape[-1] - 1)
        low, high = np.floor(ranks).astype(np.int64), np.ceil(ranks).astype(np.int64)
        ordered = x.sort(-1).values
        below, above = ordered[..., low], ordered[..., high]
        if interpolation == "lower":
            result = below
        elif interpolation == "higher":
            result = above
        elif interpolation == "nearest":
            result = ordered[..., np.round(ranks).astype(np.int64)]
        else:
            weight = 0.5 if interpolation == "midpoint" else ranks - low
            result = below + (above - below) * _as_tensor(weight, below).to(below.dtype)
        if x.dtype.kind == "f":
            result = result.masked_fill(x.isnan().any(-1, keepdim=True), float("nan"))
        result = result.movedim(-1, 0)  # (len(q), ...)
        if keepdim:
            kept = [1] * self.ndim if dim is None else list(self.shape)
            if dim is not None and self.ndim:
                kept[axis[0]] = 1
            result = result.reshape([len(qs)] + kept)
        return result[0] if scalar_q else result

    def bincount(self, weights=None, minlength: int = 0) -> Tensor:
        """How often each value 0, 1, ... occurs in a 1-D non-negative integer tensor
        (int64), or the sums of ``weights`` there (float weights keep their dtype, others
        give float64); at least ``minlength`` bins."""
        xp = array_module(self.array)
        if self.ndim != 1 or self.dtype.kind not in "iu" or bool((self.array < 0).any()):
            raise RuntimeError(f"bincount only supports 1-d non-negative integral inputs, "
                               f"got {self.dtype} of shape {self.shape}")
        if weights is None:
            return Tensor._from_array(xp.bincount(self.array, minlength=minlength)
                                      .astype(np.int64))
        weights = _as_tensor(weights, self)
        if weights.shape != self.shape:
            raise RuntimeError(f"bincount: weights of shape {weights.shape} must match the "
                               f"input's {self.shape}")
        dtype = weights.dtype if weights.dtype.kind == "f" else np.dtype(np.float64)
        return Tensor._from_array(xp.bincount(self.array, weights=weights.array,
                                              minlength=minlength).astype(dtype))

    # -- running extremes, order statistics, NaN-aware sums, histograms -------------------
    def _running_extreme(self, dim: int, largest: bool):
        """``(values, indices)``: the running max (min) along ``dim``; a tie moves the index
        on to the later element, and a NaN, once met, stays (its latest index), as
        PyTorch.  The values are gathered at the indices: the gradient goes there."""
        op = "cummax" if largest else "cummin"
        line = self.reshape(1) if self.ndim == 0 else self
        axis = normalize_dims(dim, line.ndim, op)[0]
        xp = array_module(line.array)
        x = line.array
        running = (xp.maximum if largest else xp.minimum).accumulate(x, axis=axis)
        steps = xp.arange(x.shape[axis]).reshape([-1 if i == axis else 1
                                                   for i in range(x.ndim)])
        hit = x == running
        if x.dtype.kind == "f":
            hit = hit | xp.isnan(x)
        order = xp.maximum.accumulate(xp.where(hit, steps, 0), axis=axis).astype(np.int64)
        indices = Tensor._from_array(order)
        values = line.gather(axis, indices) if x.size else line.clone()
        if self.ndim == 0:
            values, indices = values.reshape(()), indices.reshape(())
        return ValuesIndices(values, indices)

    def cummax(self, dim: int):
        """``(values, indices)`` of the running maximum along ``dim``."""
        return self._running_extreme(dim, largest=True)

    def cummin(self, dim: int):
        """``(values, indices)`` of the running minimum along ``dim``."""
        return self._running_extreme(dim, largest=False)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False):
        """``(values, indices)`` of the k-th smallest element along ``dim`` (k from 1).
        Among equal elements the index is one of theirs (PyTorch does not fix which)."""
        line = self.reshape(1) if self.ndim == 0 else self
        axis = normalize_dims(dim, line.ndim, "kthvalue")[0]
        if not isinstance(k, int | np.integer) or not 1 <= k <= line.shape[axis]:
            raise RuntimeError(f"kthvalue(): selected number k out of range for dimension "
                               f"{dim} (k={k}, input shape {self.shape})")
        order = sort_order(line.array, axis, False)
        chosen = order[(slice(None),) * axis + (slice(k - 1, k),)]
        return self._picked(line, axis, chosen, keepdim)

    def _picked(self, line, axis, chosen, keepdim):
        """``(values, indices)`` gathered at ``chosen`` (size 1 along ``axis``)."""
        indices = Tensor._from_array(chosen.astype(np.int64))
        values = line.gather(axis, indices)
        if not keepdim or self.ndim == 0:
            values, indices = values.squeeze(axis), indices.squeeze(axis)
        if self.ndim == 0:
            values, indices = values.reshape(()), indices.reshape(())
        return ValuesIndices(values, indices)

    def mode(self, dim: int = -1, keepdim: bool = False):
        """``(values, indices)``: the most frequent value along ``dim`` (the smallest of
        the most frequent ones) and the index of its last occurrence, as PyTorch."""
        line = self.reshape(1) if self.ndim == 0 else self
        axis = normalize_dims(dim, line.ndim, "mode")[0]
        if line.shape[axis] == 0:
            raise IndexError(f"mode(): Expected reduction dim {axis} to have non-zero size "
                             f"(input shape {self.shape}).")
        xp = array_module(line.array)
        x = xp.moveaxis(line.array, axis, -1)
        n = x.shape[-1]
        order = sort_order(x, -1, False)                     # stable: ties by index
        ordered = xp.take_along_axis(x, order, -1)
        same = ordered[..., 1:] == ordered[..., :-1]
        if x.dtype.kind == "f":
            same = same | (xp.isnan(ordered[..., 1:]) & xp.isnan(ordered[..., :-1]))
        steps = xp.arange(n)
        # the start of each run of equal values, then each element's count within its run
        starts = xp.maximum.accumulate(
            xp.where(xp.concatenate([xp.ones(x.shape[:-1] + (1,), bool), ~same], -1),
                     steps, 0), axis=-1)
        lengths = steps - starts + 1   # at a run's last element: the run's length
        run_end = xp.concatenate([~same, xp.ones(x.shape[:-1] + (1,), bool)], -1)
        score = xp.where(run_end, lengths, 0)
        best = xp.argmax(score, axis=-1)                     # first max: smallest value
        chosen = xp.take_along_axis(order, best[..., None], -1)
        return self._picked(line, axis, xp.moveaxis(chosen, -1, axis), keepdim)

    def nansum(self, dim=None, keepdim: bool = False, *, dtype=None):
        """The sum of the non-NaN elements over ``dim`` (all by default)."""
        source = self if dtype is None else self.to(dtype)
        if source.dtype.kind == "f":
            source = source.masked_fill(source.isnan(), 0)
        return source.sum(dim, keepdim)

    def aminmax(self, *, dim=None, keepdim: bool = False):
        """``(min, max)`` over ``dim`` (all elements by default), as two tensors."""
        axes = normalize_dims(dim, self.ndim, "aminmax")
        if self.numel() == 0 or any(self.shape[a] == 0 for a in axes):
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as "
                               f"the operation has no identity (input shape {self.shape}).")
        if dim is None:
            low, high = self.amin(), self.amax()
            if keepdim:
                low, high = low.reshape((1,) * self.ndim), high.reshape((1,) * self.ndim)
            return MinMax(low, high)
        return MinMax(self.amin(dim, keepdim), self.amax(dim, keepdim))

    def dist(self, other, p=2):
        """‖self - other‖_p of all elements (broadcast); p may be 0, inf or -inf."""
        difference = (self - _as_tensor(other, self)).reshape(-1)
        if p == float("-inf"):
            return difference.abs().amin()
        return difference.norm(p)

    def histc(self, bins: int = 100, min=0, max=0):  # noqa: A002  (PyTorch's names)
        """Counts of the elements in ``bins`` equal bins over [min, max] (the elements'
        own range when min == max; elements outside are left out; the last bin holds max).
        Self's dtype; not differentiable."""
        if self.dtype.kind != "f":
            raise NotImplementedError(f'"histogram_cpu" not implemented for {self.dtype}')
        if not isinstance(bins, int | np.integer) or bins <= 0:
            raise RuntimeError(f"torch.histc(): bins must be > 0, but got {bins}")
        if min > max:
            raise RuntimeError(f"torch.histc: max must be larger than min (min={min}, "
                               f"max={max})")
        values = np.asarray(to_device(self.array, "cpu")).reshape(-1)
        low, high = float(min), float(max)
        if low == high and values.size:
            finite = values[np.isfinite(values)]
            if finite.size:
                low, high = float(finite.min()), float(finite.max())
        if low == high:
            low, high = low - 1, high + 1
        if not (np.isfinite(low) and np.isfinite(high)):
            raise RuntimeError(f"torch.histc: range of [{low}, {high}] is not finite")
        kept = values[(values >= low) & (values <= high)]
        counts = np.histogram(kept, bins=int(bins), range=(low, high))[0]
        return Tensor._from_array(counts.astype(self.dtype)).to(self.device)
