"""Shapes: the elements viewed in another shape or rearranged (reshape/view, flatten,
permute, transpose, squeeze/unsqueeze, expand, split/chunk/unbind/tensor_split, narrow,
movedim, flip, roll, rot90, unflatten, unfold's sliding windows, H/mH/mT), repeated
(repeat, repeat_interleave, tile), and diff, their differences along a dimension; the
memory layout PyTorch shows (stride, storage_offset).
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..ops.arguments import normalize_dims
from ..ops.rearrange import Flip, Roll
from ..ops.shape import Cat, Expand, Permute, Reshape
from ..ops.unfold import Unfold
from ..size import Size
from .base import TensorMethods, _as_tensor, _shape_args


def _is_dtype(value) -> bool:
    """Whether ``value`` names a dtype (``minidl.int32``, ``numpy.float32``)."""
    return isinstance(value, np.dtype) or (isinstance(value, type)
                                           and issubclass(value, np.generic))


def _viewable(array, shape) -> bool:
    """Whether ``array`` can take ``shape`` without a copy (NumPy's reshape with
    copy=False says; CuPy arrays are let through)."""
    if not isinstance(array, np.ndarray):
        return True
    try:
        np.reshape(array, shape, copy=False)
    except ValueError:
        return False
    return True


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

    def reshape_as(self, other: Tensor):
        return self.reshape(other.shape)

    def ravel(self):
        """The elements in one dimension (a view where the memory allows, as PyTorch)."""
        return self.reshape(-1)

    def swapaxes(self, axis0: int, axis1: int):
        return self.transpose(axis0, axis1)

    swapdims = swapaxes

    def view(self, *shape):
        """The same memory in a new shape, or in ``view(dtype)`` as another dtype of the
        same size (the bytes reinterpreted; not differentiable).  As in PyTorch, a shape
        that this tensor's strides cannot give without a copy is an error (``reshape``
        copies then): a change through the view must reach self."""
        if len(shape) == 1 and _is_dtype(shape[0]):
            return self._reinterpreted(np.dtype(shape[0]))
        target = _resolve_shape(_shape_args(shape), self.numel())
        if target != self.shape and not _viewable(self.array, target):
            raise RuntimeError(
                f"view size is not compatible with input tensor's size and stride (at least "
                f"one dimension spans across two contiguous subspaces): shape "
                f"{tuple(self.shape)} to {target}. Use .reshape(...) instead.")
        return self.reshape(target)

    def _reinterpreted(self, dtype) -> Tensor:
        if dtype.itemsize != self.dtype.itemsize:
            raise RuntimeError(f"view(dtype): minidl reinterprets only between dtypes of "
                               f"one size ({self.dtype} is {self.dtype.itemsize} bytes, "
                               f"{dtype} {dtype.itemsize})")
        if self.requires_grad and dtype != self.dtype:
            raise RuntimeError("view(dtype): a tensor that requires grad can only be viewed "
                               "as its own dtype")
        return Tensor._from_array(self.array.view(dtype))

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

    @property
    def mH(self):  # noqa: N802  (PyTorch's name)
        """The conjugate transpose of the last two dimensions; minidl's tensors are real,
        so this is ``mT``."""
        if self.ndim < 2:
            raise RuntimeError(f"tensor.mH is only supported on matrices or batches of "
                               f"matrices. Got {self.ndim}-D tensor.")
        return self.transpose(-2, -1)

    @property
    def H(self):  # noqa: N802  (PyTorch's name)
        """The conjugate transpose of a matrix (2-D; a 0-d tensor is itself); real tensors
        only in minidl, so the transpose."""
        if self.ndim == 0:
            return self
        if self.ndim != 2:
            hint = " For batches of matrices, consider using tensor.mH" if self.ndim > 2 else ""
            raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got "
                               f"{self.ndim}-D tensor.{hint}")
        return self.transpose(0, 1)

    def ndimension(self) -> int:
        return self.ndim

    def stride(self, dim: int | None = None):
        """The step in elements between neighbours along each dimension (a tuple), or along
        ``dim``: the NumPy array's byte strides divided by the element size.  They are
        PyTorch's for contiguous tensors and for the views minidl makes (slices, transposes,
        expand: stride 0 along broadcast dimensions, unfold); a dimension of size 1 may have
        another stride than PyTorch's (it is never used to step), and a tensor without elements
        has the contiguous strides."""
        if self.array.size == 0:  # NumPy gives 0s; PyTorch the contiguous strides
            strides = tuple(math.prod(max(n, 1) for n in self.shape[d + 1:])
                            for d in range(self.ndim))
        else:
            itemsize = self.array.itemsize
            strides = tuple(int(s) // itemsize for s in self.array.strides)
        if dim is None:
            return strides
        if self.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        if not -self.ndim <= dim < self.ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-self.ndim}, {self.ndim - 1}], but got {dim})")
        return strides[dim]

    def storage_offset(self) -> int:
        """Where the first element lies, in elements, from the start of the memory it
        shares: of the NumPy (or CuPy) array at the root of its chain of ``base`` arrays.
        0 for a tensor that owns its memory; a slice's offset as PyTorch's
        (``x[1:, 2:]`` of a (3, 4) x: 6).  A tensor made by ``from_numpy`` of a NumPy view
        counts from the viewed array's start, where PyTorch counts from the view's."""
        return _storage_offset(self.array)

    def unflatten(self, dim: int, sizes):
        """Dimension ``dim`` split into dimensions of ``sizes`` (one of them may be -1),
        a view."""
        axis = normalize_dims(dim, self.ndim, "unflatten")[0] if self.ndim else None
        if axis is None:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        sizes = _shape_args((sizes,) if isinstance(sizes, list | tuple | Size) else sizes)
        if not sizes:
            raise RuntimeError("unflatten: sizes must be non-empty")
        length = self.shape[axis]
        if -1 not in sizes and math.prod(sizes) != length:
            raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to "
                               f"the size of dim {dim} ({length}) in the input tensor")
        try:
            inner = _resolve_shape(sizes, length)
        except RuntimeError:
            raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up "
                               f"to the size of dim {dim} ({length}) in the input tensor") \
                from None
        return self.reshape(self.shape[:axis] + tuple(inner) + self.shape[axis + 1:])

    def unfold(self, dimension: int, size: int, step: int):
        """The windows of ``size`` elements every ``step`` along ``dimension`` (a view):
        that dimension becomes the count of windows, (n - size) // step + 1, and a last
        dimension of ``size`` is added.  A 0-d tensor counts as one element.  Its gradient
        adds each window's gradient back (overlaps add up)."""
        x = self.reshape(1) if self.ndim == 0 else self
        if self.ndim == 0 and dimension not in (0, -1):
            raise IndexError(f"Dimension out of range (expected to be in range of [-1, 0], "
                             f"but got {dimension})")
        axis = normalize_dims(dimension, x.ndim, "unfold")[0]
        if size < 0:
            raise RuntimeError(f"size is {size} but must be >= 0")
        if size > x.shape[axis]:
            raise RuntimeError(f"maximum size for tensor at dimension {axis} is "
                               f"{x.shape[axis]} but size is {size}")
        if step <= 0:
            raise RuntimeError(f"step is {step} but must be > 0")
        result = Unfold.apply(x, axis=axis, size=int(size), step=int(step))
        return result.reshape(size) if self.ndim == 0 else result

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


def _storage_offset(array) -> int:
    """``array``'s first element's distance, in elements, from the start of the array at
    the root of its chain of bases (NumPy or CuPy); 0 when it owns its memory."""
    root = array  # as_strided's views have a NumPy helper object in the chain: go through
    while getattr(root, "base", None) is not None and (
            hasattr(root.base, "__array_interface__") or hasattr(root.base, "data")
            and hasattr(root.base.data, "ptr")):
        root = root.base
    if root is array:
        return 0
    return (_address(array) - _address(root)) // array.itemsize


def _address(array) -> int:
    """The address of ``array``'s first element (NumPy, NumPy's helper objects, CuPy)."""
    interface = getattr(array, "__array_interface__", None)
    if interface is not None:
        return int(interface["data"][0])
    return int(array.data.ptr)  # CuPy
