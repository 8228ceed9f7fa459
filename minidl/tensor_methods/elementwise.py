"""Elementwise functions: exp, log, sqrt, the trigonometric and hyperbolic functions, sigmoid,
tanh, relu, rounding, clamp, lerp, maximum and minimum, fmod, nan_to_num; softmax and
log_softmax along a dimension.  Bools and integers become the default float type first where
PyTorch converts them (``_floating``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..backend import array_module
from ..dtypes import get_default_dtype, is_number, result_type
from ..ops.arguments import softmax_dim
from ..ops.elementwise import (
    Abs,
    Clamp,
    Cos,
    Exp,
    Expm1,
    Log,
    Log1p,
    Maximum,
    ReLU,
    Sigmoid,
    Sin,
    Sqrt,
    Tan,
    Tanh,
    Where,
)
from ..ops.erf import Erf
from ..ops.fmod import Fmod
from ..ops.hyperbolic import Cosh, Sinh
from ..ops.inverse_trigonometry import Acos, Asin, Atan
from ..ops.logarithms import LogBase
from ..ops.polar import Atan2, Hypot
from ..ops.softmax import LogSoftmax, Softmax, normalize_along
from .base import TensorMethods, _as_tensor

if TYPE_CHECKING:
    from ..tensor import Tensor  # bound at run time by bind(), in __init__.py


class ElementwiseMethods(TensorMethods):
    """Functions applied to each element."""

    __slots__ = ()

    def _floating(self) -> Tensor:
        """Self, or self converted to the default float type if it holds bools or ints (the
        input of exp, log, sin, ... as in PyTorch)."""
        return self if self.dtype.kind == "f" else self._cast(get_default_dtype())

    def exp(self):
        return Exp.apply(self._floating())

    def expm1(self):
        return Expm1.apply(self._floating())

    def log(self):
        return Log.apply(self._floating())

    def log1p(self):
        return Log1p.apply(self._floating())

    def sqrt(self):
        return Sqrt.apply(self._floating())

    def sin(self):
        return Sin.apply(self._floating())

    def cos(self):
        return Cos.apply(self._floating())

    def tan(self):
        return Tan.apply(self._floating())

    def sigmoid(self):
        return Sigmoid.apply(self._floating())

    def tanh(self):
        return Tanh.apply(self._floating())

    def abs(self):
        return Abs.apply(self)

    def relu(self):
        return ReLU.apply(self)

    def square(self):
        return self * self

    def reciprocal(self):
        return 1 / self._floating()

    def rsqrt(self):
        return 1 / self.sqrt()

    def sign(self):
        """-1, 0 or 1 (a constant: its gradient is 0 everywhere)."""
        return Tensor._from_array(array_module(self.array).sign(self.array))

    def floor(self):
        return Tensor._from_array(array_module(self.array).floor(self.array))

    def ceil(self):
        return Tensor._from_array(array_module(self.array).ceil(self.array))

    def round(self, *, decimals: int = 0):
        """Halves round to even, as PyTorch (a constant: its gradient is 0 everywhere);
        ``decimals`` digits after the point (negative: to tens, hundreds ...)."""
        if not isinstance(decimals, int) or isinstance(decimals, bool):
            raise TypeError(f"round: decimals must be an int, got {decimals!r}")
        return Tensor._from_array(array_module(self.array).round(self.array, decimals))

    def clamp(self, min=None, max=None):  # noqa: A002  (PyTorch's names)
        if min is None and max is None:
            raise ValueError("clamp: at least one of min and max must be given")
        bounds = [b for b in (min, max) if b is not None]
        if any(isinstance(b, Tensor) for b in bounds):
            result = self if min is None else self.maximum(min)
            return result if max is None else result.minimum(max)
        dtype = result_type(self, *bounds)
        x = self if self.dtype == dtype else self._cast(dtype)
        return Clamp.apply(x, low=min, high=max)

    clip = clamp

    def clamp_min(self, min):  # noqa: A002
        return self.clamp(min=min)

    def clamp_max(self, max):  # noqa: A002
        return self.clamp(max=max)

    def lerp(self, end, weight):
        """self + weight · (end - self), computed as PyTorch does: from self where |weight|
        < 0.5, else as end - (end - self)·(1 - weight) (so weight 1 gives end exactly).
        ``end`` must have self's (floating) dtype; ``weight`` is a number or a tensor.
        Differentiable in all three: d/dself = 1 - weight, d/dend = weight,
        d/dweight = end - self."""
        end = _as_tensor(end, self)
        if self.dtype.kind != "f" or end.dtype != self.dtype:
            raise RuntimeError(f"lerp: expected end of self's floating point dtype, got self "
                               f"{self.dtype} and end {end.dtype}")
        difference = end - self
        if not isinstance(weight, Tensor):
            if not is_number(weight):
                raise TypeError(f"lerp: weight must be a number or a tensor, got "
                                f"{type(weight).__name__}")
            return (self + weight * difference if abs(weight) < 0.5
                    else end - difference * (1 - weight))
        weight = weight if weight.dtype == self.dtype else weight._cast(self.dtype)
        near_self = (weight.abs() < 0.5).array
        return Where.apply(near_self, self + weight * difference,
                           end - difference * (1 - weight))

    def maximum(self, other):
        """The larger of self and other, elementwise (ties share the gradient)."""
        return self._binary(Maximum, other)

    def minimum(self, other):
        return self._binary(Maximum, other, largest=False)

    def softmax(self, dim: int):
        return normalize_along(Softmax, self, softmax_dim(self, dim, "softmax"))

    def log_softmax(self, dim: int):
        return normalize_along(LogSoftmax, self, softmax_dim(self, dim, "log_softmax"))

    def log2(self):
        return LogBase.apply(self._floating(), base=2)

    def log10(self):
        return LogBase.apply(self._floating(), base=10)

    def sinh(self):
        return Sinh.apply(self._floating())

    def cosh(self):
        return Cosh.apply(self._floating())

    def asin(self):
        return Asin.apply(self._floating())

    def acos(self):
        return Acos.apply(self._floating())

    def atan(self):
        return Atan.apply(self._floating())

    def erf(self):
        return Erf.apply(self._floating())

    def atan2(self, other):
        """The angle of the point (other, self) in (-π, π] (``other`` the abscissa)."""
        return self._binary(Atan2, other, dtype=self._division_dtype(other))

    def hypot(self, other):
        """√(self² + other²) elementwise, without overflow."""
        return self._binary(Hypot, other, dtype=self._division_dtype(other))

    arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2

    def fmod(self, other):
        """self - trunc(self / other)·other (the sign of self; ``%`` takes other's)."""
        return Fmod.apply(*self._rounding_operands("fmod", other, False))

    def nan_to_num(self, nan: float = 0.0, posinf: float | None = None,
                   neginf: float | None = None):
        """NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (by default
        the dtype's largest and lowest values); the gradient passes where x was finite."""
        if self.dtype.kind != "f":
            return self.clone()
        xp = array_module(self.array)
        replaced = xp.nan_to_num(self.array, nan=nan, posinf=posinf, neginf=neginf)
        return Where.apply(~xp.isfinite(self.array), replaced, self)
