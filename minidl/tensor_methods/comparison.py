"""Comparisons and logic: ``==``, ``<``, ..., ``~``, ``&``, ``|``, ``equal``, ``allclose``,
``isclose``, ``any``, ``all``, ``isnan``, ``logical_and``, ..., ``nonzero``.  The results are
bool tensors (``nonzero``: int64 indices), without a gradient.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..backend import array_device, array_module
from ..dtypes import is_number, result_type
from ..ops.arguments import normalize_dims
from .base import TensorMethods, _as_tensor

if TYPE_CHECKING:
    from ..tensor import Tensor  # bound at run time by bind(), in __init__.py


class ComparisonMethods(TensorMethods):
    """Comparisons and logic (no gradient)."""

    __slots__ = ()

    def _compare(self, other, op):
        if not (isinstance(other, Tensor | list | tuple) or is_number(other)
                or array_device(other) is not None):
            return NotImplemented
        other = self._operand(other, "comparison")
        dtype = result_type(self, other)
        a, b = (self._converted(v, dtype) for v in (self, other))
        return Tensor._from_array(op(a.array, b.array if isinstance(b, Tensor) else b))

    def __eq__(self, other):
        return self._compare(other, lambda a, b: a == b)

    def __ne__(self, other):
        return self._compare(other, lambda a, b: a != b)

    def __lt__(self, other):
        return self._compare(other, lambda a, b: a < b)

    def __le__(self, other):
        return self._compare(other, lambda a, b: a <= b)

    def __gt__(self, other):
        return self._compare(other, lambda a, b: a > b)

    def __ge__(self, other):
        return self._compare(other, lambda a, b: a >= b)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def equal(self, other: Tensor) -> bool:
        """True when both have the same shape and elements."""
        return self.shape == other.shape and bool((self == other).all())

    def allclose(self, other, rtol: float = 1e-5, atol: float = 1e-8,
                 equal_nan: bool = False) -> bool:
        other = _as_tensor(other, self)
        return bool(array_module(self.array).allclose(
            self.array, other.array, rtol=rtol, atol=atol, equal_nan=equal_nan))

    def __invert__(self):
        """Logical not of a bool tensor, bitwise not of an integer one (PyTorch's ~)."""
        if self.dtype.kind not in "biu":
            raise TypeError("~ (operator.invert) is only implemented on integer and "
                            f"Boolean-type tensors, got {self.dtype}")
        return Tensor._from_array(~self.array)

    def logical_not(self):
        return Tensor._from_array(array_module(self.array).logical_not(self.array))

    def __and__(self, other):
        return self._compare(other, lambda a, b: a & b)

    def __or__(self, other):
        return self._compare(other, lambda a, b: a | b)

    def __xor__(self, other):
        """Logical xor of bool tensors, bitwise xor of integer ones (PyTorch's ^)."""
        return self._compare(other, lambda a, b: a ^ b)

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def bitwise_and(self, other):
        return self & other

    def bitwise_or(self, other):
        return self | other

    def bitwise_xor(self, other):
        return self ^ other

    def any(self, dim=None, keepdim: bool = False) -> Tensor:
        """Whether any element is non-zero, over ``dim`` (all dimensions by default)."""
        axes = normalize_dims(dim, self.ndim, "any")
        return Tensor._from_array(array_module(self.array).any(self.array, axis=axes,
                                                               keepdims=keepdim))

    def all(self, dim=None, keepdim: bool = False) -> Tensor:
        """Whether every element is non-zero, over ``dim`` (all dimensions by default)."""
        axes = normalize_dims(dim, self.ndim, "all")
        return Tensor._from_array(array_module(self.array).all(self.array, axis=axes,
                                                               keepdims=keepdim))

    def isfinite(self) -> Tensor:
        return Tensor._from_array(array_module(self.array).isfinite(self.array))

    def isnan(self) -> Tensor:
        return Tensor._from_array(array_module(self.array).isnan(self.array))

    def isinf(self) -> Tensor:
        return Tensor._from_array(array_module(self.array).isinf(self.array))

    def nonzero(self, *, as_tuple: bool = False):
        """The indices of the non-zero elements: an int64 tensor of shape (count, ndim),
        one row per element in row-major order; with ``as_tuple``, one 1-D tensor per
        dimension (a 0-d tensor counts as 1-D there), as PyTorch."""
        xp = array_module(self.array)
        if as_tuple:
            found = xp.nonzero(self.array.reshape(-1) if self.ndim == 0 else self.array)
            return tuple(Tensor._from_array(i.astype(np.int64)) for i in found)
        if self.ndim == 0:
            count = int(bool(self.array))
            return Tensor._from_array(xp.zeros((count, 0), dtype=np.int64))
        found = xp.nonzero(self.array)
        return Tensor._from_array(xp.stack(found, axis=1).astype(np.int64))

    def isclose(self, other, rtol: float = 1e-05, atol: float = 1e-08,
                equal_nan: bool = False) -> Tensor:
        """|self - other| ≤ atol + rtol·|other| elementwise (a bool tensor)."""
        other = _as_tensor(other, self)
        return Tensor._from_array(array_module(self.array).isclose(
            self.array, other.array, rtol=rtol, atol=atol, equal_nan=equal_nan))

    def _logical(self, other, name: str) -> Tensor:
        other = _as_tensor(other, self)
        return Tensor._from_array(getattr(array_module(self.array), name)(self.array,
                                                                          other.array))

    def logical_and(self, other) -> Tensor:
        return self._logical(other, "logical_and")

    def logical_or(self, other) -> Tensor:
        return self._logical(other, "logical_or")

    def logical_xor(self, other) -> Tensor:
        return self._logical(other, "logical_xor")
