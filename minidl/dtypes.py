"""Element types: the default float type and PyTorch's type promotion.

minidl's dtypes are NumPy's dtype objects (``minidl.float32`` is ``numpy.dtype("float32")``,
the very object ``tensor.dtype`` returns).  What an operation on two dtypes returns
follows PyTorch, not NumPy:

* categories rank ``bool < integer < floating``; between two tensors of different
  categories the higher category wins whatever the sizes (int64 with float32 gives float32,
  where NumPy gives float64); within a category the larger type wins;
* operands come in three priorities: tensors with dimensions, zero-dimensional tensors,
  and Python numbers.  A lower-priority operand changes the result only when its category
  is higher: ``float32 tensor * 2.5`` stays float32, ``float32 tensor + float64 0-dim
  tensor`` stays float32, but ``int64 tensor * 2.5`` is the default float type (float32);
* true division of integers gives the default float type.
"""
from __future__ import annotations

import numbers

import numpy as np

BOOL, INTEGER, FLOATING = 0, 1, 2

_default_float = np.dtype(np.float32)


def as_dtype(dtype) -> np.dtype | None:
    """Accept NumPy dtypes, their names ("float32") and Python types; ``None`` passes through."""
    if dtype is None:
        return None
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype: {dtype!r} is not a dtype") from None


def get_default_dtype() -> np.dtype:
    """The type of tensors made from Python floats (``torch.get_default_dtype``)."""
    return _default_float


def set_default_dtype(dtype) -> None:
    """Make ``dtype`` (float32 or float64) the type of tensors made from Python floats."""
    global _default_float
    chosen = as_dtype(dtype)
    if chosen not in (np.float32, np.float64):
        raise TypeError(f"set_default_dtype: only float32 and float64 are supported, got "
                        f"{dtype!r}")
    _default_float = chosen


def category(dtype) -> int:
    """``BOOL``, ``INTEGER`` or ``FLOATING``."""
    kind = np.dtype(dtype).kind
    if kind == "b":
        return BOOL
    if kind in "iu":
        return INTEGER
    if kind == "f":
        return FLOATING
    raise TypeError(f"minidl has no operations on dtype {np.dtype(dtype)}")


def promote_types(a, b) -> np.dtype:
    """The smallest dtype both ``a`` and ``b`` convert to, as ``torch.promote_types``."""
    a, b = np.dtype(a), np.dtype(b)
    if category(a) != category(b):
        return a if category(a) > category(b) else b
    return np.promote_types(a, b)


def _number_dtype(value) -> np.dtype:
    """The dtype a Python number takes when it decides the result's category."""
    if isinstance(value, bool | np.bool_):
        return np.dtype(np.bool_)
    if isinstance(value, numbers.Integral):
        return np.dtype(np.int64)
    return _default_float


def is_number(value) -> bool:
    """Python and NumPy scalars (they take part in promotion as Python numbers do)."""
    if type(value) in (float, int, bool):  # the common case, without the slower ABC check
        return True
    return isinstance(value, numbers.Number | np.generic) and not hasattr(value, "array")


def binary_result_type(tensor, other) -> np.dtype:
    """``result_type(tensor, other)`` for a tensor and a second operand, with shortcuts for
    the common cases: a tensor of the same dtype, a Python number that doesn't change it."""
    dtype = tensor.dtype
    kind = type(other)
    if kind is float and dtype.kind == "f" or kind is int and dtype.kind in "fiu" \
            or getattr(other, "dtype", None) == dtype:
        return dtype
    return result_type(tensor, other)


def result_type(*operands) -> np.dtype:
    """The dtype of an elementwise operation on ``operands`` (tensors, raw arrays or Python
    numbers), by PyTorch's rules (see the module docstring)."""
    dimensioned = zero_dim = number = None
    for value in operands:
        if value is None:
            continue
        if is_number(value):
            dtype = _number_dtype(value)
            number = dtype if number is None else promote_types(number, dtype)
            continue
        dtype = value.dtype
        if value.ndim:
            dimensioned = dtype if dimensioned is None else promote_types(dimensioned, dtype)
        else:
            zero_dim = dtype if zero_dim is None else promote_types(zero_dim, dtype)
    result = dimensioned
    for candidate in (zero_dim, number):
        if candidate is not None and (result is None or category(candidate) > category(result)):
            result = candidate
    if result is None:
        raise ValueError("result_type: expected at least one operand")
    return result


def can_cast(source, target) -> bool:
    """Whether an in-place operation may store a ``source`` result into a ``target`` tensor
    (PyTorch: never to a lower category, e.g. a float result into an integer tensor)."""
    return category(source) <= category(target)
