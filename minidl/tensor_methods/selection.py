"""Elements picked or placed by index or mask: index_select, gather, take_along_dim,
masked_select, take, select, argwhere, unique_consecutive; scatter (with reduce),
scatter_add, scatter_reduce, index_fill, index_copy, index_put, masked_fill,
masked_scatter, fill_diagonal_ and their in-place forms.  (``x[i]`` and ``x[i] = v`` are
in ``tensor.py``.)
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..backend import array_module, to_device
from ..ops.arguments import normalize_dims
from ..ops.elementwise import Where
from ..ops.scatter_reduce import (
    REDUCTIONS,
    IndexPutAccumulate,
    MaskedScatter,
    ScatterReduce,
)
from ..ops.shape import Gather, IndexPut, Scatter
from .base import TensorMethods, _as_tensor

if TYPE_CHECKING:
    from ..tensor import Tensor  # bound at run time by bind(), in __init__.py


class SelectionMethods(TensorMethods):
    """Picking and placing elements by index or mask."""

    __slots__ = ()

    def index_select(self, dim: int, index):
        """The slices at positions ``index`` (a 1-D or 0-d integer tensor) along ``dim``;
        differentiable (repeated positions add their gradients)."""
        axis = normalize_dims(dim, self.ndim, "index_select")[0]
        positions = index.array if isinstance(index, Tensor) else np.asarray(index)
        if positions.ndim > 1 or positions.dtype.kind not in "iu":
            raise RuntimeError(f"index_select: index must be a 1-D integer tensor, got "
                               f"{positions.dtype} of shape {tuple(positions.shape)}")
        return self[(slice(None),) * axis + (positions.reshape(-1),)]

    def _line_index(self, index):
        """A gather or scatter index as a raw array; a 0-d one indexes a 1-D tensor as
        shape (1,) (PyTorch counts a 0-d tensor as 1-D there)."""
        index = index.array if isinstance(index, Tensor) else index
        return index.reshape(1) if index.ndim == 0 and self.ndim == 1 else index

    def gather(self, dim: int, index: Tensor):
        axis = normalize_dims(dim, self.ndim, "gather")[0]
        index = self._line_index(index)
        if index.ndim != self.ndim or index.dtype.kind not in "iu":
            raise RuntimeError(f"gather: index must be an integer tensor with {self.ndim} "
                               f"dimensions, got {index.dtype} of shape {tuple(index.shape)}")
        return Gather.apply(self, index=index, axis=axis)

    def scatter(self, dim: int, index: Tensor, src=None, value=None, *, reduce=None):
        """A copy with values written at ``index`` along ``dim`` (``torch.scatter``): for
        dim 0, ``out[index[i][j]][j] = src[i][j]``; ``src`` may be a number (or pass
        ``value``).  Differentiable with respect to self and a tensor ``src``.  With
        ``reduce`` ('add' or 'multiply') the values are added or multiplied in instead
        (not differentiable, as in PyTorch)."""
        if reduce is not None:
            return self._scatter_with_reduce(dim, index, value if src is None else src,
                                             reduce)
        axis = normalize_dims(dim, self.ndim, "scatter")[0]
        index = self._line_index(index)
        source = value if src is None else src
        if index.ndim != self.ndim or index.dtype.kind not in "iu" or source is None:
            raise RuntimeError(f"scatter: expected an integer index with {self.ndim} "
                               f"dimensions and a src or value, got index {index.dtype} of "
                               f"shape {tuple(index.shape)}")
        if isinstance(source, Tensor):
            if source.ndim and (source.ndim != index.ndim or any(
                    i > s for i, s in zip(index.shape, source.shape))):
                raise RuntimeError(f"scatter: index of shape {tuple(index.shape)} reaches "
                                   f"beyond src of shape {source.shape}")
            source = source if source.dtype == self.dtype else source._cast(self.dtype)
        else:
            source = array_module(self.array).asarray(source, dtype=self.dtype)
        return Scatter.apply(self, source, index=to_device(index, self.device), axis=axis)

    def masked_fill(self, mask, value):
        mask = mask.array if isinstance(mask, Tensor) else mask
        if isinstance(value, Tensor):
            value = value if value.dtype == self.dtype else value._cast(self.dtype)
            return Where.apply(mask, value, self)
        filler = array_module(self.array).asarray(value, dtype=self.dtype)
        return Where.apply(mask, filler, self)

    def take_along_dim(self, indices, dim=None):
        """The elements at ``indices`` along ``dim`` (of the flattened tensor without it);
        input and indices broadcast in the other dimensions."""
        if dim is None:
            return self.reshape(-1).gather(0, indices.reshape(-1))
        axis = normalize_dims(dim, self.ndim, "take_along_dim")[0]
        if indices.ndim != self.ndim:
            raise RuntimeError(f"take_along_dim: input of shape {self.shape} and indices of "
                               f"shape {indices.shape} need the same number of dimensions")
        ones = [list(t.shape) for t in (self, indices)]
        for shape in ones:
            shape[axis] = 1
        common = list(np.broadcast_shapes(*map(tuple, ones)))
        source = self.expand(common[:axis] + [self.shape[axis]] + common[axis + 1:])
        picked = indices.expand(common[:axis] + [indices.shape[axis]] + common[axis + 1:])
        return source.gather(axis, picked)

    def masked_select(self, mask) -> Tensor:
        """The elements where ``mask`` (broadcast with self) holds, as a 1-D tensor."""
        mask = _as_tensor(mask, self)
        if mask.dtype != np.bool_:
            raise RuntimeError(f"masked_select: expected a bool mask, got {mask.dtype}")
        shape = np.broadcast_shapes(tuple(self.shape), tuple(mask.shape))
        xp = array_module(self.array)
        return self.expand(shape)[xp.broadcast_to(mask.array, shape)]

    # ---- scatter_add, scatter_reduce -------------------------------------------------

    def _scatter_arguments(self, op: str, dim: int, index, src):
        """PyTorch's checks of a scatter's arguments: (axis, index array on self's device,
        src as a Tensor of self's dtype)."""
        axis = normalize_dims(dim, max(self.ndim, 1), op)[0]
        index = self._line_index(index)
        if self.ndim == 0 and index.ndim == 0:  # a 0-d tensor counts as 1-D here
            index = index.reshape(1)
        if index.dtype.kind not in "iu":
            raise RuntimeError(f"{op}(): Expected dtype int64 for index, got {index.dtype}")
        if not isinstance(src, Tensor):
            raise TypeError(f"{op}(): argument 'src' must be a Tensor, not "
                            f"{type(src).__name__}")
        if src.ndim == 0 and self.ndim <= 1:
            src = src.reshape(1)
        target_shape = tuple(self.shape) if self.ndim else (1,)
        if index.ndim != len(target_shape):
            raise RuntimeError(f"{op}(): Index tensor must have the same number of dimensions "
                               f"as self tensor ({index.ndim} and {self.ndim})")
        if index.size and src.ndim != index.ndim:
            raise RuntimeError(f"{op}(): Index tensor must have the same number of dimensions "
                               f"as src tensor ({index.ndim} and {src.ndim})")
        if index.size and any(i > s for i, s in zip(index.shape, src.shape)) or any(
                i > s for d, (i, s) in enumerate(zip(index.shape, target_shape)) if d != axis):
            raise RuntimeError(f"{op}(): Expected index {list(index.shape)} to be no larger "
                               f"than self {list(self.shape)} apart from dimension {axis} and "
                               f"to be no larger size than src {list(src.shape)}")
        if src.dtype != self.dtype:
            raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype, got "
                               f"{self.dtype} and {src.dtype}")
        xp = array_module(index)
        if index.size:
            bad = (index < 0) | (index >= target_shape[axis])
            if bool(bad.any()):
                value = int(index[bad].reshape(-1)[0])
                raise RuntimeError(f"{op}(): index {value} is out of bounds for dimension "
                                   f"{axis} with size {target_shape[axis]}")
        index = to_device(xp.asarray(index), self.device)
        return axis, index, src

    def _scatter_reduce(self, op, dim, index, src, reduce, include_self, function=None):
        axis, index, src = self._scatter_arguments(op, dim, index, src)
        target = self.reshape(1) if self.ndim == 0 else self
        out = (function or ScatterReduce).apply(target, src, index=index, axis=axis,
                                                reduce=reduce, include_self=include_self)
        return out.reshape(()) if self.ndim == 0 else out

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        """A copy with ``src`` added at ``index`` along ``dim`` (for dim 0,
        ``out[index[i][j]][j] += src[i][j]``), repeated positions adding up; differentiable
        with respect to self and src."""
        return self._scatter_reduce("scatter_add", dim, index, src, "sum", True)

    def scatter_add_(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return self._inplace("scatter_add_", lambda t: t.scatter_add(dim, index, src), src)

    def scatter_reduce(self, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                       include_self: bool = True) -> Tensor:
        """A copy with ``src`` reduced into it at ``index`` along ``dim`` with ``reduce``
        ('sum', 'prod', 'mean', 'amax' or 'amin'); with ``include_self=False`` the
        positions written to ignore self's values.  Differentiable (float dtypes)."""
        if reduce not in REDUCTIONS:
            raise RuntimeError("reduce argument must be either sum, prod, mean, amax or amin, "
                               f"got {reduce}")
        return self._scatter_reduce("scatter_reduce", dim, index, src, reduce,
                                    bool(include_self))

    def scatter_reduce_(self, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                        include_self: bool = True) -> Tensor:
        return self._inplace("scatter_reduce_", lambda t: t.scatter_reduce(
            dim, index, src, reduce, include_self=include_self), src)

    def _scatter_with_reduce(self, dim, index, source, reduce):
        """``scatter(dim, index, src_or_value, reduce='add'|'multiply')``."""
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        if source is None:
            raise RuntimeError("scatter: expected a src or a value")
        if not isinstance(source, Tensor):
            xp = array_module(self.array)
            shape = self._line_index(index).shape
            source = Tensor._from_array(xp.full(shape, source, dtype=self.dtype))
        return self._scatter_reduce("scatter", dim, index, source,
                                    "sum" if reduce == "add" else "prod", True,
                                    _ScatterWithReduce)

    # ---- index_fill, index_copy, index_put -------------------------------------------

    def _index_vector(self, op: str, dim: int, index, allow_negative: bool):
        """A 0-d or 1-D integer index along ``dim`` as (axis, raw 1-D array), checked."""
        axis = normalize_dims(dim, self.ndim, op)[0]
        positions = index.array if isinstance(index, Tensor) else np.asarray(index)
        if positions.ndim > 1:
            raise RuntimeError(f"{op}(): Index has to be a vector/scalar, got shape "
                               f"{tuple(positions.shape)}")
        if positions.dtype.kind not in "iu":
            raise IndexError(f"{op}(): Expected dtype int64 for index, got {positions.dtype}")
        positions = positions.reshape(-1)
        size = self.shape[axis]
        if positions.size:
            low = -size if allow_negative else 0
            bad = (positions < low) | (positions >= size)
            if bool(bad.any()):
                raise IndexError(f"{op}(): index {int(positions[bad][0])} is out of bounds "
                                 f"for dimension {axis} with size {size}")
        return axis, to_device(positions, self.device)

    def index_fill(self, dim: int, index: Tensor, value) -> Tensor:
        """A copy with ``value`` (a number or 0-d tensor) in the slices at ``index`` along
        ``dim``; differentiable with respect to self and a tensor value."""
        axis, positions = self._index_vector("index_fill", dim, index, allow_negative=True)
        if isinstance(value, Tensor) and value.ndim:
            raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but "
                               f"got tensor with {value.ndim} dimension(s).")
        xp = array_module(self.array)
        mask = xp.zeros(tuple(self.shape), dtype=bool)
        mask[(slice(None),) * axis + (positions,)] = True
        return self.masked_fill(mask, value)

    def index_fill_(self, dim: int, index: Tensor, value) -> Tensor:
        return self._inplace("index_fill_", lambda t: t.index_fill(dim, index, value), value)

    def index_copy(self, dim: int, index: Tensor, source: Tensor) -> Tensor:
        """A copy with the slices of ``source`` along ``dim`` written at ``index``
        (``out[..., index[i], ...] = source[..., i, ...]``); differentiable with respect to
        self and source."""
        op = "index_copy_"
        if not isinstance(source, Tensor):
            raise TypeError(f"{op}(): argument 'source' must be a Tensor, not "
                            f"{type(source).__name__}")
        if source.ndim != self.ndim and not (source.ndim <= 1 and self.ndim <= 1):
            raise IndexError(f"{op}(): When source and destination are not scalars, their "
                             f"dimensionality must match. Source dimensionality "
                             f"({source.ndim}), destination dimensionality ({self.ndim})")
        axis, positions = self._index_vector(op, dim, index, allow_negative=False)
        source_shape = tuple(source.shape) if source.ndim else (1,)
        if positions.size != source_shape[axis]:
            raise IndexError(f"{op}(): Number of indices ({positions.size}) should be equal "
                             f"to source.size(dim) ({source_shape[axis]})")
        for d, (mine, theirs) in enumerate(zip(self.shape, source_shape)):
            if d != axis and mine != theirs:
                raise RuntimeError(f"{op}(): Source/destination tensor must have same slice "
                                   f"shapes. Destination slice shape: {mine} at dimension "
                                   f"{d} and source slice shape: {theirs} at dimension {d}.")
        if source.dtype != self.dtype:
            raise RuntimeError(f"{op}(): self and source expected to have the same dtype, "
                               f"but got (self) {self.dtype} and (source) {source.dtype}")
        if source.ndim != self.ndim:
            source = source.reshape(tuple(self.shape[:axis]) + (positions.size,))
        return IndexPut.apply(self, source, index=(slice(None),) * axis + (positions,))

    def index_copy_(self, dim: int, index: Tensor, source: Tensor) -> Tensor:
        return self._inplace("index_copy_", lambda t: t.index_copy(dim, index, source), source)

    def index_put(self, indices, values, accumulate: bool = False) -> Tensor:
        """A copy with ``values`` (broadcast) written at ``self[indices]`` (a tuple of
        integer or bool tensors, as advanced indexing); with ``accumulate`` they are added
        instead, repeated positions adding up.  Differentiable with respect to self and
        values."""
        if not isinstance(indices, tuple | list):
            raise TypeError("index_put(): argument 'indices' must be a tuple of Tensors, not "
                            f"{type(indices).__name__}")
        xp = array_module(self.array)
        arrays = []
        for k, part in enumerate(indices):
            array = part.array if isinstance(part, Tensor) else xp.asarray(part)
            if array.dtype == np.bool_:
                arrays.extend(xp.nonzero(array))
            elif array.dtype.kind in "iu":
                arrays.append(array)
            else:
                raise IndexError("tensors used as indices must be long, int, byte or bool "
                                 f"tensors, got {array.dtype} at position {k}")
        if len(arrays) > self.ndim:
            raise IndexError(f"too many indices for tensor of dimension {self.ndim} "
                             f"(got {len(arrays)})")
        for axis, array in enumerate(arrays):
            size = self.shape[axis]
            bad = (array < -size) | (array >= size)
            if array.size and bool(bad.any()):
                raise IndexError(f"index {int(array[bad].reshape(-1)[0])} is out of bounds "
                                 f"for dimension {axis} with size {size}")
        index = tuple(to_device(a, self.device) for a in arrays)
        values = _as_tensor(values, self)
        if values.dtype != self.dtype:
            raise RuntimeError("Index put requires the source and destination dtypes match, "
                               f"got {self.dtype} for the destination and {values.dtype} for "
                               "the source.")
        try:
            picked = np.broadcast_shapes(*(tuple(a.shape) for a in arrays)) if arrays else ()
        except ValueError:
            raise IndexError("shape mismatch: indexing tensors could not be broadcast together "
                             f"with shapes {[list(a.shape) for a in arrays]}") from None
        picked = tuple(picked) + tuple(self.shape[len(arrays):])
        try:
            np.broadcast_shapes(tuple(values.shape), picked)
            if np.broadcast_shapes(tuple(values.shape), picked) != picked:
                raise ValueError
        except ValueError:
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(values.shape)} "
                               "cannot be broadcast to indexing result of shape "
                               f"{list(picked)}") from None
        if accumulate:
            return IndexPutAccumulate.apply(self, values, index=index)
        return IndexPut.apply(self, values, index=index)

    def index_put_(self, indices, values, accumulate: bool = False) -> Tensor:
        return self._inplace("index_put_", lambda t: t.index_put(indices, values, accumulate),
                             values)

    # ---- masked_scatter, fill_diagonal_ ----------------------------------------------

    def masked_scatter(self, mask, source: Tensor) -> Tensor:
        """A copy with the elements of ``source``, in order, written where ``mask`` (a bool
        tensor broadcast with self) holds; differentiable with respect to self and
        source."""
        mask = _as_tensor(mask, self)
        if mask.dtype != np.bool_:
            raise RuntimeError("masked_scatter_ only supports boolean masks, but got mask "
                               f"with dtype {mask.dtype}")
        if not isinstance(source, Tensor):
            raise TypeError("masked_scatter(): argument 'source' must be a Tensor, not "
                            f"{type(source).__name__}")
        if source.dtype != self.dtype:
            raise RuntimeError("masked_scatter: expected self and source to have same dtypes "
                               f"but got {self.dtype} and {source.dtype}")
        try:
            shape = np.broadcast_shapes(tuple(self.shape), tuple(mask.shape))
        except ValueError:
            raise RuntimeError(f"masked_scatter: mask of shape {list(mask.shape)} and self of "
                               f"shape {list(self.shape)} don't broadcast") from None
        xp = array_module(self.array)
        mask_array = xp.broadcast_to(mask.array, shape)
        if int(mask_array.sum()) > source.numel():
            raise RuntimeError("Number of elements of source < number of ones in mask")
        target = self if tuple(self.shape) == shape else self.expand(shape)
        return MaskedScatter.apply(target, source, mask=mask_array)

    def masked_scatter_(self, mask, source: Tensor) -> Tensor:
        mask_shape = tuple(mask.shape)
        try:
            fits = np.broadcast_shapes(mask_shape, tuple(self.shape)) == tuple(self.shape)
        except ValueError:
            fits = False
        if not fits:
            raise RuntimeError(f"masked_scatter_: mask of shape {list(mask_shape)} doesn't "
                               f"broadcast to self of shape {list(self.shape)}")
        return self._inplace("masked_scatter_", lambda t: t.masked_scatter(mask, source),
                             source)

    def fill_diagonal_(self, fill_value, wrap: bool = False) -> Tensor:
        """Write ``fill_value`` on the main diagonal (every dimension the same index) in
        place; a tall matrix with ``wrap`` starts the diagonal again every ``ncol + 1``
        rows, as PyTorch and NumPy."""
        if self.ndim < 2:
            raise RuntimeError("dimensions must larger than 1")
        if self.ndim > 2 and len(set(self.shape)) != 1:
            raise RuntimeError("all dimensions of input must be of equal length")
        mask = np.zeros(tuple(self.shape), dtype=bool)
        np.fill_diagonal(mask, True, wrap=bool(wrap))
        mask = to_device(mask, self.device)
        return self._inplace("fill_diagonal_", lambda t: t.masked_fill(mask, fill_value),
                             fill_value)

    # ---- take, select, argwhere, unique_consecutive ----------------------------------

    def take(self, index) -> Tensor:
        """The elements of the flattened tensor at ``index`` (negative positions count from
        the end), in ``index``'s shape; differentiable."""
        positions = index.array if isinstance(index, Tensor) else np.asarray(index)
        if positions.dtype.kind not in "iu":
            raise RuntimeError(f"take(): Expected a long tensor for index, but got "
                               f"{positions.dtype}")
        size = self.numel()
        bad = (positions < -size) | (positions >= size)
        if positions.size and bool(bad.any()):
            raise IndexError(f"out of range: tried to access index "
                             f"{int(positions[bad].reshape(-1)[0])} on a tensor of {size} "
                             "elements.")
        xp = array_module(self.array)
        positions = to_device(xp.where(positions < 0, positions + size, positions)
                              .astype(np.int64), self.device)
        return self.reshape(-1)[positions]

    def select(self, dim: int, index: int) -> Tensor:
        """The slice at ``index`` along ``dim`` (``x.select(1, i)`` is ``x[:, i]``), a view
        without that dimension; negative ``index`` counts from the end."""
        if self.ndim == 0:
            raise IndexError("select() cannot be applied to a 0-dim tensor.")
        axis = normalize_dims(dim, self.ndim, "select")[0]
        index = int(index.item() if isinstance(index, Tensor) else index)
        size = self.shape[axis]
        if not -size <= index < size:
            raise IndexError(f"select(): index {index} out of range for tensor of size "
                             f"{list(self.shape)} at dimension {axis}")
        return self[(slice(None),) * axis + (index % size,)]

    def argwhere(self) -> Tensor:
        """The indices of the non-zero elements, an int64 tensor of shape (count, ndim)."""
        return self.nonzero()

    def unique_consecutive(self, return_inverse: bool = False, return_counts: bool = False,
                           dim=None):
        """Each run of equal consecutive elements (of the flattened tensor, or slices along
        ``dim``) kept once; with ``return_inverse`` the run of each element (slice), with
        ``return_counts`` each run's length (int64)."""
        xp = array_module(self.array)
        if dim is None:
            flat = self.array.reshape(-1)
            starts = xp.ones(flat.shape, dtype=bool)
            if flat.size:
                starts[1:] = flat[1:] != flat[:-1]
            values = flat[starts]
            inverse_shape = tuple(self.shape)
        else:
            axis = normalize_dims(dim, self.ndim, "unique_consecutive")[0]
            moved = xp.moveaxis(self.array, axis, 0)
            lines = moved.reshape(moved.shape[0], -1)
            starts = xp.ones(moved.shape[0], dtype=bool)
            if moved.shape[0]:
                starts[1:] = (lines[1:] != lines[:-1]).any(axis=1)
            values = xp.moveaxis(moved[starts], 0, axis)
            inverse_shape = (moved.shape[0],)
        out = [Tensor._from_array(xp.ascontiguousarray(values))]
        if return_inverse:
            inverse = xp.cumsum(starts).astype(np.int64) - 1
            out.append(Tensor._from_array(inverse.reshape(inverse_shape)))
        if return_counts:
            edges = xp.concatenate([xp.nonzero(starts)[0], xp.asarray([starts.size])])
            out.append(Tensor._from_array(xp.diff(edges).astype(np.int64)))
        return out[0] if len(out) == 1 else tuple(out)


class _ScatterWithReduce(ScatterReduce):
    """``scatter(..., reduce=...)``: PyTorch has no derivative for it."""

    def backward(self, grad):
        raise NotImplementedError("derivative for scatter with reduce is not implemented "
                                  "(use scatter_reduce, which is differentiable)")
