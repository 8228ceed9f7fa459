"""Shapes: the elements viewed in another shape or rearranged (reshape/view, flatten,
permute, transpose, squeeze/unsqueeze, expand, split/chunk/unbind/tensor_split, narrow,
movedim, flip, roll, rot90), repeated (repeat, repeat_interleave, tile), and diff, their
differences along a dimension.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..ops.arguments import normalize_dims
from ..ops.rearrange import Flip, Roll
from ..ops.shape import Cat, Expand, Permute, Reshape
from ..size import Size
from .base import TensorMethods, _as_tensor, _shape_args

if TYPE_CHECKING:
    from ..tensor import Tensor  # bound at run time by bind(), in __init__.py


class ShapeMethods(TensorMethods):
    """Reshaping, viewing and rearranging."""

    __slots__ = ()

    def reshape(self, *shape):
        target = _resolve_shape(_shape_args(shape), self.numel())
        if target == self.shape:
            return self
        return Reshape.apply(self, shape=target)

    view = reshape

    def view_as(self, other: Tensor):
        return self.reshape(other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        if self.ndim == 0:
            return self.reshape(1)
        start = normalize_dims(start_dim, self.ndim, "flatten")[0]
        end = normalize_dims(end_dim, self.ndim, "flatten")[0]
        if start > end:
            raise RuntimeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        merged = math.prod(self.shape[start:end + 1])  # not -1: ambiguous with 0 elements
        return self.reshape(self.shape[:start] + (merged,) + self.shape[end + 1:])

    def permute(self, *dims):
        dims = _shape_args(dims)
        if sorted(d % max(self.ndim, 1) for d in dims) != list(range(self.ndim)):
            raise RuntimeError(f"permute: dims {list(dims)} are not a permutation of the "
                               f"{self.ndim} dimensions of shape {self.shape}")
        return Permute.apply(self, dims=tuple(d % self.ndim for d in dims))

    def transpose(self, dim0: int, dim1: int):
        a, b = (normalize_dims(d, self.ndim, "transpose")[0] for d in (dim0, dim1))
        dims = list(range(self.ndim))
        dims[a], dims[b] = dims[b], dims[a]
        return Permute.apply(self, dims=tuple(dims))

    @property
    def T(self):
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self):  # noqa: N802  (PyTorch's name)
        """The transpose of the last two dimensions (batches of matrices)."""
        if self.ndim < 2:
            raise RuntimeError(f"mT: expected a tensor with at least 2 dimensions, got shape "
                               f"{self.shape}")
        return self.transpose(-2, -1)

    def t(self):
        if self.ndim > 2:
            raise RuntimeError(f"t(): expects a tensor with <= 2 dimensions, got {self.ndim}")
        return self.T

    def squeeze(self, dim=None):
        if dim is None:
            shape = tuple(s for s in self.shape if s != 1)
        else:
            axes = normalize_dims(dim, self.ndim, "squeeze")
            shape = tuple(s for i, s in enumerate(self.shape) if not (i in axes and s == 1))
        return self.reshape(shape)

    def unsqueeze(self, dim: int):
        axis = normalize_dims(dim, self.ndim + 1, "unsqueeze")[0]
        return self.reshape(self.shape[:axis] + (1,) + self.shape[axis:])

    def expand(self, *shape):
        shape = _shape_args(shape)
        extra = len(shape) - self.ndim
        if extra < 0:
            raise RuntimeError(f"expand: target shape {list(shape)} has fewer dimensions "
                               f"than the tensor's {self.shape}")
        target = tuple(self.shape[i - extra] if s == -1 else s for i, s in enumerate(shape))
        for i, s in enumerate(self.shape):
            if s != 1 and s != target[i + extra]:
                raise RuntimeError(f"expand: size {s} of dimension {i} of shape {self.shape} "
                                   f"can't be expanded to {target[i + extra]}")
        return Expand.apply(self, shape=target)

    def expand_as(self, other: Tensor):
        return self.expand(other.shape)

    def split(self, split_size_or_sections, dim: int = 0) -> tuple:
        """Views of consecutive pieces along ``dim``: of ``split_size`` elements each (the
        last may be smaller), or of the listed sizes."""
        axis = normalize_dims(dim, self.ndim, "split")[0]
        length = self.shape[axis]
        if isinstance(split_size_or_sections, int):
            step = split_size_or_sections
            if step <= 0:
                raise RuntimeError(f"split: split_size must be positive, got {step}")
            sizes = [min(step, length - start) for start in range(0, length, step)] or [0]
        else:
            sizes = [int(size) for size in split_size_or_sections]
            if sum(sizes) != length:
                raise RuntimeError(f"split: sizes {sizes} do not add up to {length}, the "
                                   f"size of dimension {dim} of shape {self.shape}")
        starts = np.cumsum([0] + sizes[:-1])
        lead = (slice(None),) * axis
        return tuple(self[lead + (slice(int(start), int(start) + size),)]
                     for start, size in zip(starts, sizes))

    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        """At most ``chunks`` views of equal size along ``dim`` (the last may be smaller)."""
        if chunks <= 0:
            raise RuntimeError(f"chunk: chunks must be positive, got {chunks}")
        length = self.shape[normalize_dims(dim, self.ndim, "chunk")[0]]
        return self.split(max(math.ceil(length / chunks), 1), dim)

    def unbind(self, dim: int = 0) -> tuple:
        """The slices along ``dim``, that dimension removed."""
        axis = normalize_dims(dim, self.ndim, "unbind")[0]
        lead = (slice(None),) * axis
        return tuple(self[lead + (i,)] for i in range(self.shape[axis]))

    def flip(self, *dims):
        """A copy with the order of the elements reversed along ``dims`` (ints, or one list
        of them); differentiable."""
        axes = normalize_dims(_shape_args(dims), self.ndim, "flip")
        return Flip.apply(self, axes=axes)

    def roll(self, shifts, dims=None):
        """The elements shifted cyclically by ``shifts`` along ``dims`` (an int or tuples
        of the same length); without ``dims``, along the flattened tensor (then reshaped
        back).  Differentiable."""
        shifts = (shifts,) if isinstance(shifts, int | np.integer) else tuple(shifts)
        if dims is None:
            if len(shifts) != 1:
                raise RuntimeError(f"roll: without dims, give one shift, got {list(shifts)}")
            flat = Roll.apply(self.reshape(-1), shifts=(int(shifts[0]),), axes=(0,))
            return flat.reshape(self.shape)
        dims = (dims,) if isinstance(dims, int | np.integer) else tuple(dims)
        if len(dims) != len(shifts):
            raise RuntimeError(f"roll: shifts {list(shifts)} and dims {list(dims)} must have "
                               "the same length")
        axes = tuple(normalize_dims(int(d), self.ndim, "roll")[0] for d in dims)
        return Roll.apply(self, shifts=tuple(int(s) for s in shifts), axes=axes)

    def narrow(self, dim: int, start, length: int):
        """The view of ``length`` elements from ``start`` along ``dim`` (a negative start
        counts from the end)."""
        axis = normalize_dims(dim, self.ndim, "narrow")[0]
        size, start = self.shape[axis], int(start)
        if -size <= start < 0:
            start += size
        if not 0 <= start <= size or length < 0 or start + length > size:
            raise RuntimeError(f"narrow: start {start} and length {length} exceed dimension "
                               f"{dim} of shape {self.shape} (size {size})")
        return self[(slice(None),) * axis + (slice(start, start + length),)]

    def movedim(self, source, destination):
        """The view with dimensions ``source`` moved to positions ``destination`` (ints or
        sequences of the same length), the others keeping their order."""
        source = (source,) if isinstance(source, int) else tuple(source)
        destination = (destination,) if isinstance(destination, int) else tuple(destination)
        if len(source) != len(destination):
            raise RuntimeError(f"movedim: source {list(source)} and destination "
                               f"{list(destination)} must have the same number of dimensions")
        moved = [normalize_dims(d, self.ndim, "movedim")[0] for d in source]
        places = [normalize_dims(d, self.ndim, "movedim")[0] for d in destination]
        if len(set(moved)) != len(moved) or len(set(places)) != len(places):
            raise RuntimeError(f"movedim: repeated dimension in source {list(source)} or "
                               f"destination {list(destination)}")
        order = [d for d in range(self.ndim) if d not in moved]
        for place, axis in sorted(zip(places, moved)):
            order.insert(place, axis)
        return self.permute(order)

    moveaxis = movedim

    def repeat(self, *sizes):
        """The tensor tiled ``sizes[d]`` times along each dimension d (extra leading
        sizes add dimensions), as ``torch.repeat``: an expand of the tensor's
        dimensions interleaved with size-1 ones, then a reshape."""
        sizes = _shape_args(sizes)
        if len(sizes) < self.ndim:
            raise RuntimeError(f"repeat: {len(sizes)} sizes given for a tensor of "
                               f"{self.ndim} dimensions; give at least {self.ndim}")
        shape = (1,) * (len(sizes) - self.ndim) + tuple(self.shape)
        spread = self.reshape([n for size in shape for n in (1, size)])
        tiled = spread.expand([n for repeat, size in zip(sizes, shape) for n in (repeat, size)])
        return tiled.reshape([repeat * size for repeat, size in zip(sizes, shape)])

    def diff(self, n: int = 1, dim: int = -1, prepend=None, append=None):
        """The n-th forward difference along ``dim`` (x[i+1] - x[i], n times; ``!=`` for
        bools), after joining ``prepend`` and ``append`` along ``dim``."""
        if self.ndim == 0:
            raise RuntimeError("diff expects input to be at least one-dimensional")
        axis = normalize_dims(dim, self.ndim, "diff")[0]
        parts = []
        for extra in (prepend, self, append):
            if extra is None:
                continue
            extra = _as_tensor(extra, self)
            if extra.ndim == 0:
                extra = extra.expand(self.shape[:axis] + (1,) + self.shape[axis + 1:])
            parts.append(extra if extra.dtype == self.dtype else extra._cast(self.dtype))
        x = Cat.apply(*parts, axis=axis) if len(parts) > 1 else self
        lead = (slice(None),) * axis
        for _ in range(n):
            later, earlier = x[lead + (slice(1, None),)], x[lead + (slice(None, -1),)]
            x = later != earlier if x.dtype == np.bool_ else later - earlier
        return x

    def repeat_interleave(self, repeats, dim=None, *, output_size=None):
        """Each element (each slice along ``dim``; of the flattened tensor by default)
        repeated ``repeats`` times (an int, or a tensor of one count per slice).
        ``output_size``, PyTorch's hint that spares a device synchronisation, is not
        needed: the counts are read on the host."""
        x = self.reshape(-1) if dim is None else self
        axis = normalize_dims(0 if dim is None else dim, x.ndim, "repeat_interleave")[0]
        counts = np.asarray(repeats._host() if isinstance(repeats, Tensor) else repeats)
        size = x.shape[axis] if x.ndim else 1
        if counts.dtype.kind not in "iu" or counts.ndim > 1 or \
                (counts.ndim == 1 and counts.shape[0] not in (1, size)) or (counts < 0).any():
            raise RuntimeError(f"repeat_interleave: repeats must be a non-negative int or a "
                               f"1-D integer tensor of {size} counts, got {repeats!r}")
        positions = np.repeat(np.arange(size), counts.reshape(-1) if counts.ndim else counts)
        return x.index_select(axis, Tensor._from_array(positions))

    def broadcast_to(self, size):
        return self.expand(size)

    def tile(self, *dims):
        """The tensor repeated ``dims[d]`` times along each dimension d (missing leading
        counts are 1, extra ones add dimensions)."""
        dims = _shape_args(dims)
        return self.repeat(*((1,) * (self.ndim - len(dims)) + tuple(dims)))

    def tensor_split(self, indices_or_sections, dim: int = 0) -> tuple:
        """Views along ``dim``: ``sections`` pieces whose sizes differ by at most one (the
        larger first), or the pieces between the given ``indices``."""
        axis = normalize_dims(dim, self.ndim, "tensor_split")[0]
        split = indices_or_sections
        if isinstance(split, Tensor):
            split = split.item() if split.ndim == 0 else split.tolist()
        size = self.shape[axis]
        if isinstance(split, int | np.integer):
            if split <= 0:
                raise RuntimeError(f"tensor_split: number of sections must be positive, "
                                   f"got {split}")
            small, extra = divmod(size, int(split))
            bounds = [k * small + min(k, extra) for k in range(int(split) + 1)]
        else:
            bounds = [0, *[int(i) for i in split], size]
        lead = (slice(None),) * axis
        return tuple(self[lead + (slice(start, max(start, stop)),)]
                     for start, stop in zip(bounds, bounds[1:]))

    def rot90(self, k: int = 1, dims=(0, 1)):
        """The tensor turned by k·90° in the plane ``dims``, from the first dimension
        towards the second."""
        dims = tuple(dims)
        if len(dims) != 2 or self.ndim < 2:
            raise RuntimeError(f"rot90: expected two dims of a tensor of at least 2 "
                               f"dimensions, got dims {dims} and shape {self.shape}")
        first, second = (normalize_dims(d, self.ndim, "rot90")[0] for d in dims)
        if first == second:
            raise RuntimeError(f"rot90: dims must differ, got {dims}")
        k %= 4
        if k == 1:
            return self.flip(second).transpose(first, second)
        if k == 2:
            return self.flip(first, second)
        if k == 3:
            return self.flip(first).transpose(first, second)
        return self.clone()


def _resolve_shape(shape: tuple, numel: int) -> Size:
    """``shape`` for ``numel`` elements, its one ``-1`` (if any) replaced by the size that
    makes the element counts match (``reshape``'s rule)."""
    unknown = [i for i, s in enumerate(shape) if s == -1]
    if len(unknown) > 1:
        raise RuntimeError(f"reshape: only one dimension can be inferred, got {list(shape)}")
    if any(s < -1 for s in shape):
        raise RuntimeError(f"reshape: invalid shape dimension in {list(shape)}")
    known = math.prod(s for s in shape if s != -1)
    if unknown and known != 0 and numel % known == 0:
        at = unknown[0]
        return Size(shape[:at] + (numel // known,) + shape[at + 1:])
    if unknown or known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return Size(shape)
