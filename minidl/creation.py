"""Making tensors: from data, filled with constants, random, ranges; joining tensors."""
from __future__ import annotations

import numpy as np

from . import random as _random
from .backend import module_for_device, normalize_device
from .ops import reduction as R
from .ops import shape as S
from .ops.elementwise import Where
from .tensor import DEFAULT_FLOAT, Tensor, _shape_args, as_dtype


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (float64 arrays stay float64; Python floats
    become float32)."""
    return Tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with a NumPy array."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    return Tensor._from_array(array)


def _filled(fill, size, dtype, device, requires_grad):
    xp = module_for_device(normalize_device(device))
    shape = _shape_args(size)
    if any(s < 0 for s in shape):
        raise RuntimeError(f"size must be non-negative, got {list(shape)}")
    array = fill(xp, shape, as_dtype(dtype) or DEFAULT_FLOAT)
    return Tensor._from_array(array).requires_grad_(requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _filled(lambda xp, s, d: xp.zeros(s, dtype=d), size, dtype, device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _filled(lambda xp, s, d: xp.ones(s, dtype=d), size, dtype, device, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _filled(lambda xp, s, d: xp.full(s, fill_value, dtype=d), (size,), dtype, device,
                   requires_grad)


def zeros_like(other: Tensor, dtype=None, requires_grad=False) -> Tensor:
    return zeros(other.shape, dtype=dtype or other.dtype, device=other.device,
                 requires_grad=requires_grad)


def ones_like(other: Tensor, dtype=None, requires_grad=False) -> Tensor:
    return ones(other.shape, dtype=dtype or other.dtype, device=other.device,
                requires_grad=requires_grad)


def _random_tensor(draw, size, dtype, device, requires_grad):
    """Draw on the CPU from the global generator (so a seed gives the same numbers on
    every device), then move."""
    shape = _shape_args(size)
    array = draw(_random.generator(), shape).astype(as_dtype(dtype) or DEFAULT_FLOAT)
    return Tensor(array, device=device, requires_grad=requires_grad)


def randn(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Samples of the standard normal distribution."""
    return _random_tensor(lambda g, s: g.standard_normal(s), size, dtype, device,
                          requires_grad)


def rand(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Samples of the uniform distribution on [0, 1)."""
    return _random_tensor(lambda g, s: g.random(s), size, dtype, device, requires_grad)


def randint(low: int, high: int, size, dtype=np.int64, device=None) -> Tensor:
    """Integers drawn uniformly from [low, high)."""
    return _random_tensor(lambda g, s: g.integers(low, high, s), (size,), dtype, device, False)


def randperm(n: int, device=None) -> Tensor:
    return Tensor(_random.generator().permutation(n).astype(np.int64), device=device)


def arange(start, end=None, step=1, dtype=None, device=None) -> Tensor:
    """Like ``torch.arange``: int64 for integer arguments, float32 otherwise."""
    if end is None:
        start, end = 0, start
    values = np.arange(start, end, step)
    if dtype is None:
        dtype = np.int64 if values.dtype.kind in "iu" else DEFAULT_FLOAT
    return Tensor(values.astype(dtype), device=device)


def linspace(start, end, steps: int, dtype=None, device=None) -> Tensor:
    return Tensor(np.linspace(start, end, steps).astype(as_dtype(dtype) or DEFAULT_FLOAT),
                  device=device)


def eye(n: int, m: int | None = None, dtype=None, device=None) -> Tensor:
    return Tensor(np.eye(n, m, dtype=as_dtype(dtype) or DEFAULT_FLOAT), device=device)


def _check_joinable(op: str, tensors, axis_in_result: int, new_axis: bool):
    if not isinstance(tensors, list | tuple) or not tensors:
        raise ValueError(f"{op}: expected a non-empty list of tensors")
    if not all(isinstance(t, Tensor) for t in tensors):
        raise TypeError(f"{op}: expected a list of tensors, got "
                        f"{[type(t).__name__ for t in tensors]}")
    first = tensors[0]
    for i, t in enumerate(tensors[1:], 1):
        a, b = list(first.shape), list(t.shape)
        if not new_axis and len(a) == len(b):
            a.pop(axis_in_result), b.pop(axis_in_result)
        if a != b:
            rule = "equal shapes" if new_axis else f"equal shapes except in dimension {axis_in_result}"
            raise RuntimeError(f"{op}: tensors need {rule}; tensor 0 has shape {first.shape}, "
                               f"tensor {i} has shape {t.shape}")
        if t.dtype != first.dtype:
            raise RuntimeError(f"{op}: tensors need one dtype; tensor 0 is {first.dtype}, "
                               f"tensor {i} is {t.dtype}")


def cat(tensors, dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension."""
    if tensors and isinstance(tensors[0], Tensor) and tensors[0].ndim == 0:
        raise RuntimeError("cat: zero-dimensional tensors cannot be concatenated")
    axis = R.normalize_dims(dim, tensors[0].ndim if tensors else 1, "cat")[0]
    _check_joinable("cat", tensors, axis, new_axis=False)
    return S.Cat.apply(*tensors, axis=axis)


def stack(tensors, dim: int = 0) -> Tensor:
    """Join equally shaped tensors along a new dimension."""
    axis = R.normalize_dims(dim, (tensors[0].ndim if tensors else 0) + 1, "stack")[0]
    _check_joinable("stack", tensors, axis, new_axis=True)
    return S.Stack.apply(*tensors, axis=axis)


def where(condition, input, other) -> Tensor:
    """``input`` where ``condition`` holds, else ``other``; differentiable in both."""
    condition = condition.array if isinstance(condition, Tensor) else condition
    like = input if isinstance(input, Tensor) else other
    return Where.apply(condition, like._operand(input), like._operand(other))
