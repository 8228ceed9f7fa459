"""The checks of what a caller passed, before any Function sees it.

One rule for argument checks: Functions (``minidl/ops``) trust their arguments; the
user-facing entry points -- Tensor methods, ``minidl.nn.functional``, layers, optimizers --
check them and raise an error that names the argument.  A check that belongs to one entry
point lives beside it (``nn/functional/conv.py`` checks the convolution's arguments); the
checks that several layers share live here.
"""
from __future__ import annotations

import math
import warnings
from numbers import Integral, Real

import numpy as np


def _is_int(value) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def pair(value, name: str, op: str) -> tuple[int, int]:
    """An int or a pair of ints as an (h, w) pair of ints."""
    if type(value) is int:           # the common cases, without the ABC checks below
        return value, value
    if (type(value) is tuple and len(value) == 2 and type(value[0]) is int
            and type(value[1]) is int):
        return value
    values = [value, value] if _is_int(value) else value
    if not isinstance(values, tuple | list) or len(values) != 2 or not all(
            _is_int(v) for v in values):
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    return int(values[0]), int(values[1])


def normalize_dims(dim, ndim: int, op: str = "reduction") -> tuple:
    """``dim`` (None, int or sequence) as a sorted tuple of non-negative axes."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    rank = max(ndim, 1)
    axes = []
    for d in dims:
        if not isinstance(d, int) or not -rank <= d < rank:
            raise IndexError(f"{op}: dimension out of range (expected to be in range of "
                             f"[{-rank}, {rank - 1}], but got {d})")
        axes.append(d % rank if ndim else 0)
    if len(set(axes)) != len(axes):
        raise ValueError(f"{op}: dimension repeated in dim={dim}")
    return tuple(sorted(axes)) if ndim else ()


def reduction_dims(dim, ndim: int, op: str = "reduction") -> tuple:
    """``normalize_dims`` for the reductions where PyTorch reads an empty ``dim`` (``()``
    or ``[]``) as every dimension, not as none: sum, mean, var, std, norm, amax, amin,
    count_nonzero and the NaN-skipping ones built on them."""
    if dim is not None and not isinstance(dim, int) and len(dim) == 0:
        dim = None
    return normalize_dims(dim, ndim, op)


def check_number(owner: str, name: str, value, low: float = -math.inf,
                 high: float = math.inf, *, low_open: bool = False,
                 high_open: bool = False) -> None:
    """Raise ``ValueError`` naming ``owner`` and argument ``name`` unless ``value`` is a
    finite real number between ``low`` and ``high`` (open or closed at each end)."""
    is_number = isinstance(value, Real) and not isinstance(value, bool)
    if (is_number and math.isfinite(value)
            and (low < value if low_open else low <= value)
            and (value < high if high_open else value <= high)):
        return
    if high == math.inf:
        expected = f"a number {'>' if low_open else '>='} {low}"
    else:
        expected = (f"a number in {'(' if low_open else '['}{low}, "
                    f"{high}{')' if high_open else ']'}")
    raise ValueError(f"{owner}: {name} must be {expected}, got {value!r}")


def softmax_dim(input, dim, op: str) -> int | None:
    """The axis (softmax, log_softmax, softmin) along which a floating point ``input`` is
    normalized.  Without ``dim``, PyTorch's deprecated implicit choice, with its warning:
    axis 0 for 0-, 1- and 3-dimensional inputs, else axis 1 (older programs rely on it)."""
    if dim is None:
        warnings.warn(f"Implicit dimension choice for {op} has been deprecated. Change the "
                      "call to include dim=X as an argument.", UserWarning, stacklevel=3)
        dim = 0 if input.ndim in (0, 1, 3) else 1
    if input.dtype.kind != "f":
        raise TypeError(f"{op}: needs a floating point input, got {input.dtype}")
    axes = normalize_dims(dim, input.ndim, op)  # () for a 0-d input: over all (one value)
    return axes[0] if axes else None


def check_matmul(a, b) -> None:
    """``a @ b`` is defined: both at least 1-D, one dtype, matching inner sizes and
    broadcastable batch dimensions (PyTorch's ``matmul`` rules)."""
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"matmul: both arguments need at least 1 dimension, got shapes "
                           f"{a.shape} and {b.shape}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"matmul: expected both tensors to have the same dtype, got "
                           f"{a.dtype} and {b.dtype}")
    inner_a = a.shape[-1]
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if inner_a != inner_b:
        raise RuntimeError(f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied "
                           f"({inner_a} != {inner_b})")
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise RuntimeError(f"matmul: batch dimensions of {a.shape} and {b.shape} do not "
                           "broadcast") from None
