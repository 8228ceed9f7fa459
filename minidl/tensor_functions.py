"""The ``torch.*`` function forms of Tensor methods: ``minidl.exp(x)`` is ``x.exp()``.

PyTorch offers most tensor methods as functions too, and tutorials use both spellings.
Each function here takes the tensor first (``input``, PyTorch's argument name) and hands
over to the method, so the behaviour lives in one place, ``tensor.py``.
"""
from __future__ import annotations

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


def round(input: Tensor) -> Tensor:
    return input.round()


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
