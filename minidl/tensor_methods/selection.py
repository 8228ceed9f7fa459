"""Elements picked or placed by index or mask: index_select, gather, take_along_dim,
masked_select; scatter, masked_fill.  (``x[i]`` and ``x[i] = v`` are in ``tensor.py``.)
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..backend import array_module, to_device
from ..ops.arguments import normalize_dims
from ..ops.elementwise import Where
from ..ops.shape import Gather, Scatter
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

    def scatter(self, dim: int, index: Tensor, src=None, value=None):
        """A copy with values written at ``index`` along ``dim`` (``torch.scatter``): for
        dim 0, ``out[index[i][j]][j] = src[i][j]``; ``src`` may be a number (or pass
        ``value``).  Differentiable with respect to self and a tensor ``src``."""
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
