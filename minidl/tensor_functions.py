"""The ``torch.*`` function forms of Tensor methods: ``minidl.exp(x)`` is ``x.exp()``.

PyTorch offers most tensor methods as functions too, and tutorials use both spellings.
Each function here takes the tensor first (``input``, PyTorch's argument name) and hands
over to the method, so the behaviour lives in one place, Tensor's method (``tensor.py``
or ``tensor_methods/``).
"""
from __future__ import annotations

import builtins

import numpy as np

from .backend import array_module
from .creation import cat, tensor
from .dtypes import as_dtype, get_default_dtype
from .ops.einsum import Einsum, parse_equation
from .size import Size
from .tensor import Tensor, _as_tensor

# ruff: noqa: A001, A002  (PyTorch's names: input, max, min, abs, sum, round, ...)


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    return input.is_floating_point()


def numel(input: Tensor) -> int:
    return input.numel()


def clone(input: Tensor) -> Tensor:
    return input.clone()


def detach(input: Tensor) -> Tensor:
    return input.detach()


# -- arithmetic ---------------------------------------------------------------------------------
def _left(input, other) -> Tensor:
    """The tensor whose method computes ``input op other`` (``input`` may be a number)."""
    return input if isinstance(input, Tensor) else _as_tensor(input, other)


def add(input, other, *, alpha=1) -> Tensor:
    return _left(input, other).add(other, alpha=alpha)


def sub(input, other, *, alpha=1) -> Tensor:
    return _left(input, other).sub(other, alpha=alpha)


subtract = sub


def mul(input, other) -> Tensor:
    return _left(input, other) * other


multiply = mul


def div(input, other, *, rounding_mode=None) -> Tensor:
    return _left(input, other).div(other, rounding_mode=rounding_mode)


divide = div


def true_divide(input, other) -> Tensor:
    return _left(input, other) / other


def floor_divide(input, other) -> Tensor:
    return _left(input, other) // other


def remainder(input, other) -> Tensor:
    return _left(input, other) % other


def lerp(input: Tensor, end, weight) -> Tensor:
    return input.lerp(end, weight)


def pow(input, exponent) -> Tensor:
    return _left(input, exponent) ** exponent


def neg(input: Tensor) -> Tensor:
    return -input


negative = neg


def maximum(input: Tensor, other: Tensor) -> Tensor:
    return input.maximum(other)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    return input.minimum(other)


def clamp(input: Tensor, min=None, max=None) -> Tensor:
    return input.clamp(min, max)


clip = clamp


def clamp_min(input: Tensor, min) -> Tensor:
    return input.clamp_min(min)


def clamp_max(input: Tensor, max) -> Tensor:
    return input.clamp_max(max)


def matmul(input: Tensor, other: Tensor) -> Tensor:
    return input.matmul(other)


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    return input.mm(mat2)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    return input.bmm(mat2)


def dot(input: Tensor, other: Tensor) -> Tensor:
    return input.dot(other)


# -- elementwise functions ---------------------------------------------------------------------
def abs(input: Tensor) -> Tensor:
    return input.abs()


def exp(input: Tensor) -> Tensor:
    return input.exp()


def expm1(input: Tensor) -> Tensor:
    return input.expm1()


def log(input: Tensor) -> Tensor:
    return input.log()


def log1p(input: Tensor) -> Tensor:
    return input.log1p()


def sqrt(input: Tensor) -> Tensor:
    return input.sqrt()


def rsqrt(input: Tensor) -> Tensor:
    return input.rsqrt()


def square(input: Tensor) -> Tensor:
    return input.square()


def reciprocal(input: Tensor) -> Tensor:
    return input.reciprocal()


def sin(input: Tensor) -> Tensor:
    return input.sin()


def cos(input: Tensor) -> Tensor:
    return input.cos()


def tan(input: Tensor) -> Tensor:
    return input.tan()


def sigmoid(input: Tensor) -> Tensor:
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


def relu(input: Tensor) -> Tensor:
    return input.relu()


def relu_(input: Tensor) -> Tensor:
    return input.relu_()


def softmax(input: Tensor, dim: int) -> Tensor:
    return input.softmax(dim)


def log_softmax(input: Tensor, dim: int) -> Tensor:
    return input.log_softmax(dim)


def sign(input: Tensor) -> Tensor:
    return input.sign()


def floor(input: Tensor) -> Tensor:
    return input.floor()


def ceil(input: Tensor) -> Tensor:
    return input.ceil()


def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    return input.round(decimals=decimals)


def isfinite(input: Tensor) -> Tensor:
    return input.isfinite()


def isnan(input: Tensor) -> Tensor:
    return input.isnan()


def isinf(input: Tensor) -> Tensor:
    return input.isinf()


def nonzero(input: Tensor, *, as_tuple: bool = False):
    return input.nonzero(as_tuple=as_tuple)


def logical_not(input: Tensor) -> Tensor:
    return input.logical_not()


def masked_fill(input: Tensor, mask, value) -> Tensor:
    return input.masked_fill(mask, value)


# -- comparisons ---------------------------------------------------------------------------------
def eq(input: Tensor, other) -> Tensor:
    return input == other


def ne(input: Tensor, other) -> Tensor:
    return input != other


def lt(input: Tensor, other) -> Tensor:
    return input < other


def le(input: Tensor, other) -> Tensor:
    return input <= other


def gt(input: Tensor, other) -> Tensor:
    return input > other


def ge(input: Tensor, other) -> Tensor:
    return input >= other


def equal(input: Tensor, other: Tensor) -> bool:
    return input.equal(other)


def allclose(input: Tensor, other, rtol: float = 1e-5, atol: float = 1e-8,
             equal_nan: bool = False) -> bool:
    return input.allclose(other, rtol, atol, equal_nan)


# -- reductions ---------------------------------------------------------------------------------
def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    return input.sum(dim, keepdim, dtype=dtype)


def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    return input.mean(dim, keepdim, dtype=dtype)


def var(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
        correction=None) -> Tensor:
    return input.var(dim, unbiased, keepdim, correction=correction)


def std(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
        correction=None) -> Tensor:
    return input.std(dim, unbiased, keepdim, correction=correction)


def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False) -> Tensor:
    return input.norm(p, dim, keepdim)


def amax(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    return input.amax(dim, keepdim)


def amin(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    return input.amin(dim, keepdim)


def max(input: Tensor, dim=None, keepdim: bool = False):
    """The largest element; ``(values, indices)`` along ``dim``; ``max(a, b)``: the
    elementwise maximum."""
    return input.max(dim, keepdim)


def min(input: Tensor, dim=None, keepdim: bool = False):
    return input.min(dim, keepdim)


def all(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    return input.all(dim, keepdim)


def any(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    return input.any(dim, keepdim)


def prod(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    return input.prod(dim, keepdim, dtype=dtype)


def cumsum(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    return input.cumsum(dim, dtype=dtype)


def argmax(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    return input.argmax(dim, keepdim)


def argmin(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    return input.argmin(dim, keepdim)


# -- ordering -----------------------------------------------------------------------------------
def sort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False):
    return input.sort(dim, descending, stable=stable)


def argsort(input: Tensor, dim: int = -1, descending: bool = False, *,
            stable: bool = False) -> Tensor:
    return input.argsort(dim, descending, stable=stable)


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    return input.topk(k, dim, largest, sorted)


# -- shapes -------------------------------------------------------------------------------------
def reshape(input: Tensor, shape) -> Tensor:
    return input.reshape(shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    return input.flatten(start_dim, end_dim)


def squeeze(input: Tensor, dim=None) -> Tensor:
    return input.squeeze(dim)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    return input.unsqueeze(dim)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    return input.transpose(dim0, dim1)


swapaxes = transpose


def permute(input: Tensor, dims) -> Tensor:
    return input.permute(dims)


def t(input: Tensor) -> Tensor:
    return input.t()


def flip(input: Tensor, dims) -> Tensor:
    return input.flip(dims)


def roll(input: Tensor, shifts, dims=None) -> Tensor:
    return input.roll(shifts, dims)


def narrow(input: Tensor, dim: int, start, length: int) -> Tensor:
    return input.narrow(dim, start, length)


def movedim(input: Tensor, source, destination) -> Tensor:
    return input.movedim(source, destination)


moveaxis = movedim


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    return input.index_select(dim, index)


def gather(input: Tensor, dim: int, index: Tensor) -> Tensor:
    return input.gather(dim, index)


def scatter(input: Tensor, dim: int, index: Tensor, src=None, value=None) -> Tensor:
    return input.scatter(dim, index, src, value)


def split(tensor: Tensor, split_size_or_sections, dim: int = 0) -> tuple:
    return tensor.split(split_size_or_sections, dim)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    return input.chunk(chunks, dim)


def unbind(input: Tensor, dim: int = 0) -> tuple:
    return input.unbind(dim)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    return input.diag(diagonal)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    return input.tril(diagonal)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    return input.triu(diagonal)


def cumprod(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    return input.cumprod(dim, dtype=dtype)


def logsumexp(input: Tensor, dim, keepdim: bool = False) -> Tensor:
    return input.logsumexp(dim, keepdim)


def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    return input.nanmean(dim, keepdim, dtype=dtype)


def median(input: Tensor, dim=None, keepdim: bool = False):
    return input.median(dim, keepdim)


def quantile(input: Tensor, q, dim=None, keepdim: bool = False, *,
             interpolation: str = "linear") -> Tensor:
    return input.quantile(q, dim, keepdim, interpolation=interpolation)


def count_nonzero(input: Tensor, dim=None) -> Tensor:
    return input.count_nonzero(dim)


def _statistics_arguments(dim, unbiased):
    """PyTorch's overload ``var_mean(input, unbiased)``: a bool second argument is
    ``unbiased``, not ``dim``."""
    return (None, dim) if isinstance(dim, bool) else (dim, unbiased)


def var_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
             correction=None) -> tuple:
    """(variance, mean) over ``dim``: Bessel's correction by default (``correction=1``)."""
    dim, unbiased = _statistics_arguments(dim, unbiased)
    return (input.var(dim, unbiased, keepdim, correction=correction),
            input.mean(dim, keepdim))


def std_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
             correction=None) -> tuple:
    dim, unbiased = _statistics_arguments(dim, unbiased)
    return (input.std(dim, unbiased, keepdim, correction=correction),
            input.mean(dim, keepdim))


# -- more elementwise functions -----------------------------------------------------------------
def log2(input: Tensor) -> Tensor:
    return input.log2()


def log10(input: Tensor) -> Tensor:
    return input.log10()


def sinh(input: Tensor) -> Tensor:
    return input.sinh()


def cosh(input: Tensor) -> Tensor:
    return input.cosh()


def asin(input: Tensor) -> Tensor:
    return input.asin()


def acos(input: Tensor) -> Tensor:
    return input.acos()


def atan(input: Tensor) -> Tensor:
    return input.atan()


arcsin, arccos, arctan = asin, acos, atan


def atan2(input: Tensor, other) -> Tensor:
    return input.atan2(other)


arctan2 = atan2


def hypot(input: Tensor, other) -> Tensor:
    return input.hypot(other)


def erf(input: Tensor) -> Tensor:
    return input.erf()


def fmod(input: Tensor, other) -> Tensor:
    return input.fmod(other)


def nan_to_num(input: Tensor, nan: float = 0.0, posinf=None, neginf=None) -> Tensor:
    return input.nan_to_num(nan, posinf, neginf)


def isclose(input: Tensor, other, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    return input.isclose(other, rtol, atol, equal_nan)


def logical_and(input: Tensor, other) -> Tensor:
    return input.logical_and(other)


def logical_or(input: Tensor, other) -> Tensor:
    return input.logical_or(other)


def logical_xor(input: Tensor, other) -> Tensor:
    return input.logical_xor(other)


# -- products ----------------------------------------------------------------------------------
def einsum(equation: str, *operands) -> Tensor:
    """Einstein summation (``einsum("bij,bjk->bik", a, b)``; the operands may also come as
    one list), differentiable in every operand; see ``ops/einsum.py``."""
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = tuple(operands[0])
    if not operands or not builtins.all(isinstance(t, Tensor) for t in operands):
        raise TypeError("einsum(): expected an equation and at least one tensor operand")
    if len({t.dtype for t in operands}) > 1:
        raise RuntimeError(f"einsum(): expected operands of one dtype, got "
                           f"{[str(t.dtype) for t in operands]}")
    subscripts, output = parse_equation(equation, [t.ndim for t in operands])
    sizes: dict = {}
    for letters, t in zip(subscripts, operands):
        for letter, size in zip(letters, t.shape):
            if size != 1 and sizes.setdefault(letter, size) != size:
                raise RuntimeError(f"einsum(): subscript {letter} has size {size} in an "
                                   f"operand of shape {t.shape}, {sizes[letter]} elsewhere")
    return Einsum.apply(*operands, subscripts=subscripts, output=output)


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    return input.outer(vec2)


ger = outer


def kron(input: Tensor, other: Tensor) -> Tensor:
    return input.kron(other)


def trace(input: Tensor) -> Tensor:
    return input.trace()


# -- more shapes ---------------------------------------------------------------------------------
def diff(input: Tensor, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:
    return input.diff(n, dim, prepend, append)


def repeat_interleave(input: Tensor, repeats=None, dim=None, *, output_size=None) -> Tensor:
    """``input`` with each element repeated; ``repeat_interleave(counts)`` alone repeats
    each index 0, 1, ... ``counts[i]`` times."""
    if repeats is None:
        positions = Tensor._from_array(array_module(input.array).arange(input.shape[0]))
        return positions.repeat_interleave(input)
    return input.repeat_interleave(repeats, dim, output_size=output_size)


def take_along_dim(input: Tensor, indices: Tensor, dim=None) -> Tensor:
    return input.take_along_dim(indices, dim)


def masked_select(input: Tensor, mask) -> Tensor:
    return input.masked_select(mask)


def broadcast_to(input: Tensor, size) -> Tensor:
    return input.broadcast_to(size)


def broadcast_shapes(*shapes) -> Size:
    try:
        return Size(np.broadcast_shapes(*(tuple(s) if isinstance(s, list | tuple) else (s,)
                                          for s in shapes)))
    except ValueError:
        raise RuntimeError(f"broadcast_shapes: shapes {list(shapes)} do not broadcast") from None


def broadcast_tensors(*tensors) -> tuple:
    """The tensors expanded to their common broadcast shape (views)."""
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t.expand(shape) for t in tensors)


def tile(input: Tensor, dims) -> Tensor:
    return input.tile(dims)


def tensor_split(input: Tensor, indices_or_sections, dim: int = 0) -> tuple:
    return input.tensor_split(indices_or_sections, dim)


def rot90(input: Tensor, k: int = 1, dims=(0, 1)) -> Tensor:
    return input.rot90(k, dims)


def _at_least(tensors, shape_of) -> tuple | Tensor:
    """Each tensor reshaped by ``shape_of(shape)`` where it has too few dimensions."""
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    tensors = tensors[0] if len(tensors) == 1 and not single else tensors
    shaped = tuple(t.reshape(shape_of(tuple(t.shape))) for t in tensors)
    return shaped[0] if single else shaped


def atleast_1d(*tensors):
    return _at_least(tensors, lambda s: s or (1,))


def atleast_2d(*tensors):
    return _at_least(tensors, lambda s: s if len(s) >= 2 else (1,) * (2 - len(s)) + s)


def atleast_3d(*tensors):
    return _at_least(tensors, lambda s: {0: (1, 1, 1), 1: (1, *s, 1), 2: (*s, 1)}.get(len(s), s))


def hstack(tensors) -> Tensor:
    """Join along the first dimension of 1-D tensors, the second otherwise."""
    tensors = atleast_1d(tuple(tensors))
    return cat(list(tensors), dim=0 if tensors[0].ndim == 1 else 1)


def vstack(tensors) -> Tensor:
    """Join as rows: 1-D tensors become rows (1, n)."""
    return cat(list(atleast_2d(tuple(tensors))), dim=0)


row_stack = vstack


def dstack(tensors) -> Tensor:
    """Join along the third dimension (``atleast_3d`` first)."""
    return cat(list(atleast_3d(tuple(tensors))), dim=2)


def column_stack(tensors) -> Tensor:
    """Join as columns: 0-d and 1-D tensors become columns (n, 1)."""
    columns = [t.reshape(-1, 1) if t.ndim <= 1 else t for t in tensors]
    return cat(columns, dim=1)


def meshgrid(*tensors, indexing: str | None = None) -> tuple:
    """Coordinate grids of 1-D (or 0-d) tensors: with ``indexing="ij"`` (the default)
    output k varies along dimension k, of shape (len(t_0), len(t_1), ...); with "xy" the
    first two dimensions swap (shape (len(t_1), len(t_0), ...)).  Expanded views."""
    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        tensors = tuple(tensors[0])
    indexing = "ij" if indexing is None else indexing
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    if builtins.any(t.ndim > 1 for t in tensors):
        raise RuntimeError(f"meshgrid: expected 0-D or 1-D tensors, got shapes "
                           f"{[t.shape for t in tensors]}")
    places = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        places[0], places[1] = 1, 0
    shape = [0] * len(tensors)
    for place, t in zip(places, tensors):
        shape[place] = t.numel()
    grids = []
    for place, t in zip(places, tensors):
        line = [1] * len(tensors)
        line[place] = -1
        grids.append(t.reshape(line).expand(shape))
    return tuple(grids)


# -- searching and counting (no gradient) ---------------------------------------------------------
def searchsorted(sorted_sequence: Tensor, input, *, out_int32: bool = False,
                 right: bool = False, side=None, sorter=None) -> Tensor:
    """Where each value of ``input`` would go in the last dimension of ``sorted_sequence``
    to keep it sorted: the first such place (the last with ``right`` or side="right").
    The leading dimensions of a multi-dimensional sequence match input's, row by row."""
    side = side or ("right" if right else "left")
    if side not in ("left", "right") or (right and side == "left"):
        raise RuntimeError(f"searchsorted: side must be 'left' or 'right' (and agree with "
                           f"right={right}), got {side!r}")
    values = input if isinstance(input, Tensor) else _as_tensor(input, sorted_sequence)
    xp = array_module(sorted_sequence.array)
    sequence = sorted_sequence.array
    if sorter is not None:
        order = sorter.array if isinstance(sorter, Tensor) else sorter
        sequence = xp.take_along_axis(sequence, order, axis=-1)
    if sequence.ndim <= 1:
        found = xp.searchsorted(sequence, values.array, side=side)
    else:
        if sequence.shape[:-1] != values.shape[:-1]:
            raise RuntimeError(f"searchsorted: leading dimensions of the sequence "
                               f"{sorted_sequence.shape} and of input {values.shape} differ")
        rows = sequence.reshape(-1, sequence.shape[-1])
        wanted = values.array.reshape(rows.shape[0], -1)
        found = xp.stack([xp.searchsorted(row, w, side=side) for row, w in zip(rows, wanted)])
        found = found.reshape(values.shape)
    return Tensor._from_array(xp.asarray(found).astype(np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries: Tensor, *, out_int32: bool = False,
              right: bool = False) -> Tensor:
    """The bucket of each value: i with boundaries[i-1] < x ≤ boundaries[i] (with
    ``right``, boundaries[i-1] ≤ x < boundaries[i])."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"bucketize: boundaries must be 1-D, got shape {boundaries.shape}")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim=None):
    return input.unique(sorted, return_inverse, return_counts, dim)


def bincount(input: Tensor, weights=None, minlength: int = 0) -> Tensor:
    return input.bincount(weights, minlength)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator=None) -> Tensor:
    return input.multinomial(num_samples, replacement, generator=generator)


def bernoulli(input: Tensor, p=None, *, generator=None) -> Tensor:
    return input.bernoulli(p, generator=generator)


def logspace(start, end, steps: int, base: float = 10.0, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` values base^t for t evenly spaced from ``start`` to ``end``."""
    values = np.power(float(base), np.linspace(start, end, steps))
    return tensor(values, dtype=as_dtype(dtype) or get_default_dtype(), device=device,
                  requires_grad=requires_grad)
