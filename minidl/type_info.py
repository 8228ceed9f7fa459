"""What a dtype can hold, and what operations on dtypes give: ``finfo``, ``iinfo``,
``result_type``, ``can_cast`` (PyTorch's names; the rules themselves are in dtypes.py).

``finfo(dtype)`` of a floating type: ``bits``, ``eps`` (the gap between 1 and the next
value), ``max``, ``min`` (= -max), ``tiny`` = ``smallest_normal`` (the smallest positive
normal value), ``resolution`` (10^-digits) and ``dtype`` (its name, as PyTorch).
``iinfo(dtype)`` of an integer type: ``bits``, ``max``, ``min``, ``dtype``.
"""
from __future__ import annotations

import numpy as np

from . import dtypes
from .dtypes import as_dtype, get_default_dtype


class finfo:  # noqa: N801  (PyTorch's name)
    """Limits of a floating point dtype (the default float type when none is given)."""

    def __init__(self, type=None):  # noqa: A002  (PyTorch's argument name)
        dtype = as_dtype(type) or get_default_dtype()
        if dtype.kind != "f":
            raise TypeError(f"finfo() requires a floating point input type, got {dtype}; "
                            "use iinfo for integer types")
        info = np.finfo(dtype)
        self.bits, self.eps, self.max, self.min = info.bits, float(info.eps), \
            float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -info.precision
        self.dtype = dtype.name

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:  # noqa: N801
    """Limits of an integer dtype."""

    def __init__(self, type):  # noqa: A002
        dtype = as_dtype(type)
        if dtype is None or dtype.kind not in "iu":
            raise TypeError(f"iinfo() requires an integer input type, got {dtype}; use "
                            "finfo for floating point types")
        info = np.iinfo(dtype)
        self.bits, self.max, self.min, self.dtype = info.bits, int(info.max), int(info.min), \
            dtype.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"


def result_type(tensor1, tensor2) -> np.dtype:
    """The dtype of an arithmetic operation on the two (tensors or Python numbers)."""
    return dtypes.result_type(tensor1, tensor2)


def can_cast(from_, to) -> bool:
    """Whether PyTorch's casting rules allow ``from_`` to ``to``: never to a lower category
    (floating > integer > bool)."""
    return dtypes.can_cast(as_dtype(from_), as_dtype(to))
