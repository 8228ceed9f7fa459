"""Elementwise functions: exp, log, sqrt, the trigonometric and hyperbolic functions, sigmoid,
tanh, relu, rounding (floor, ceil, round, sign, trunc/fix, frac: recorded, with PyTorch's
gradients), clamp (tensor bounds too), lerp, maximum and minimum, fmod, nan_to_num, bitwise
not and shifts of integers, short(); softmax and log_softmax along a dimension.  Bools and
integers become the default float type first where PyTorch converts them (``_floating``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..backend import array_module
from ..dtypes import binary_result_type, get_default_dtype, is_number, result_type
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
from ..ops.rounding import Ceil, ClampBounds, Floor, Frac, Round, Sign, Trunc
from ..ops.softmax import LogSoftmax, Softmax, normalize_along
from .base import TensorMethods, _as_tensor

if TYPE_CHECKING:
    from ..tensor import Tensor  # bound at run time by bind(), in __init__.py


def _more(name: str, doc: str):
    """A Tensor method that hands over to ``minidl.math_more.<name>`` (imported at the
    call: math_more builds on Tensor)."""
    def method(self, *args, **kwargs):
        from .. import math_more
        return getattr(math_more, name)(self, *args, **kwargs)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = doc
    return method


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

    def _rounded(self, function, name: str, **options):
        """A rounding step (floor, ceil, round, trunc): recorded with a zero gradient for
        floats, a copy for integers (already whole), refused for bools (as PyTorch)."""
        if self.dtype.kind == "f":
            return function.apply(self, **options)
        if self.dtype == np.bool_:
            raise NotImplementedError(f'"{name}" not implemented for \'Bool\'')
        return Tensor._from_array(self.array.copy())

    def sign(self):
        """-1, 0 or 1 (0 for NaN, as PyTorch); recorded, with gradient 0 everywhere."""
        if self.dtype == np.bool_:
            return Tensor._from_array(self.array.copy())
        return Sign.apply(self)

    def floor(self):
        """Rounded down; recorded, with gradient 0 everywhere."""
        return self._rounded(Floor, "floor")

    def ceil(self):
        """Rounded up; recorded, with gradient 0 everywhere."""
        return self._rounded(Ceil, "ceil")

    def trunc(self):
        """Rounded towards zero; recorded, with gradient 0 everywhere."""
        return self._rounded(Trunc, "trunc")

    fix = trunc

    def frac(self):
        """self - trunc(self) (the sign of self); gradient 1.  Floats only, as PyTorch."""
        if self.dtype.kind != "f":
            raise NotImplementedError(f'"frac" not implemented for {self.dtype}')
        return Frac.apply(self)

    def round(self, *, decimals: int = 0):
        """Halves round to even, as PyTorch; ``decimals`` digits after the point (negative:
        to tens, hundreds ...).  Recorded, with gradient 0 everywhere."""
        if not isinstance(decimals, int) or isinstance(decimals, bool):
            raise TypeError(f"round: decimals must be an int, got {decimals!r}")
        if decimals and self.dtype.kind != "f":
            raise NotImplementedError(f'"round" with decimals not implemented for '
                                      f'{self.dtype}')
        return self._rounded(Round, "round", decimals=decimals)

    def floor_(self):
        return self._inplace("floor_", lambda t: t.floor())

    def ceil_(self):
        return self._inplace("ceil_", lambda t: t.ceil())

    def trunc_(self):
        return self._inplace("trunc_", lambda t: t.trunc())

    fix_ = trunc_

    def frac_(self):
        return self._inplace("frac_", lambda t: t.frac())

    def round_(self, *, decimals: int = 0):
        return self._inplace("round_", lambda t: t.round(decimals=decimals))

    def sign_(self):
        return self._inplace("sign_", lambda t: t.sign())

    def clamp(self, min=None, max=None):  # noqa: A002  (PyTorch's names)
        """self limited to [min, max].  With tensor bounds (broadcasting; a number beside a
        tensor is taken as a 0-d tensor, which PyTorch refuses), PyTorch's gradients: to
        self where min <= self <= max (ties at a bound go to self), to min where self < min,
        to max where self > max (and everywhere max < min, the result then being max)."""
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        bounds = [b for b in (min, max) if b is not None]
        dtype = result_type(self, *bounds)
        if any(isinstance(b, Tensor) for b in bounds):
            low, high = (None if b is None else self._converted(b, dtype) for b in (min, max))
            x = self if self.dtype == dtype else self._cast(dtype)
            try:
                return ClampBounds.apply(x, low, high)
            except ValueError:
                shapes = [tuple(getattr(v, "shape", ())) for v in (x, low, high) if v is not None]
                raise RuntimeError(f"clamp: shapes {shapes} do not broadcast") from None
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

    # -- bits: not and shifts (integers; not is logical for bools), as PyTorch -------------
    def bitwise_not(self):
        """~x for integers (two's complement), logical not for bools."""
        if self.dtype == np.bool_:
            return Tensor._from_array(array_module(self.array).logical_not(self.array))
        if self.dtype.kind not in "iu":
            raise NotImplementedError(f'"bitwise_not" not implemented for {self.dtype}')
        return Tensor._from_array(array_module(self.array).invert(self.array))

    def bitwise_not_(self):
        return self._inplace("bitwise_not_", lambda t: t.bitwise_not())

    def _shift(self, other, left: bool, reflected: bool = False):
        """self << other (``left``) or self >> other in the promoted integer dtype, with
        PyTorch's results for shifts outside [0, bits): 0 to the left; to the right, the
        sign (-1 for negative values, else 0)."""
        name = "bitwise_left_shift" if left else "bitwise_right_shift"
        other = self._operand(other, name)
        dtype = binary_result_type(self, other)
        if np.dtype(dtype).kind not in "iu":
            raise NotImplementedError(f'"{name}" not implemented for {np.dtype(dtype)}')
        a, b = (other, self) if reflected else (self, other)
        a, b = (getattr(v, "array", v) for v in (self._converted(a, dtype),
                                                  self._converted(b, dtype)))
        xp = array_module(self.array)
        bits = np.dtype(dtype).itemsize * 8
        try:
            outside = (b < 0) | (b >= bits) if np.dtype(dtype).kind == "i" else b >= bits
            amount = xp.where(outside, 0, b).astype(dtype)
            if left:
                shifted = xp.left_shift(a, amount)
                beyond = xp.zeros((), dtype=dtype)
            else:
                shifted = xp.right_shift(a, amount)
                beyond = xp.where(a < 0, -1, 0).astype(dtype) if np.dtype(dtype).kind == "i" \
                    else xp.zeros((), dtype=dtype)
            result = xp.where(outside, beyond, shifted).astype(dtype, copy=False)
        except ValueError:
            raise RuntimeError(f"{name}: shapes {tuple(xp.shape(a))} and {tuple(xp.shape(b))} "
                               "do not broadcast") from None
        return Tensor._from_array(result)

    def bitwise_left_shift(self, other):
        return self._shift(other, left=True)

    def bitwise_right_shift(self, other):
        return self._shift(other, left=False)

    def __lshift__(self, other):
        return self._shift(other, left=True)

    def __rlshift__(self, other):
        return self._shift(other, left=True, reflected=True)

    def __rshift__(self, other):
        return self._shift(other, left=False)

    def __rrshift__(self, other):
        return self._shift(other, left=False, reflected=True)

    def bitwise_left_shift_(self, other):
        return self._inplace("bitwise_left_shift_", lambda t: t._shift(other, True), other)

    def bitwise_right_shift_(self, other):
        return self._inplace("bitwise_right_shift_", lambda t: t._shift(other, False), other)

    __ilshift__ = bitwise_left_shift_
    __irshift__ = bitwise_right_shift_

    def short(self):
        """self converted to int16."""
        return self.to(np.int16)

    # -- more maths (``minidl/math_more.py``, ``minidl/special.py``) -------------------------
    logaddexp = _more("logaddexp", "ln(eˣ + eʸ), differentiable (``torch.logaddexp``).")
    logaddexp2 = _more("logaddexp2", "log₂(2ˣ + 2ʸ), differentiable.")
    xlogy = _more("xlogy", "x ln y, 0 where x = 0 (unless y is nan), differentiable.")
    logit = _more("logit", "ln(x / (1 - x)), x clamped to [eps, 1 - eps] if eps is given.")
    erfc = _more("erfc", "1 - erf x, accurate in the tail, differentiable.")
    erfinv = _more("erfinv", "The inverse of erf, differentiable.")
    sinc = _more("sinc", "sin(πx)/(πx), 1 at 0, differentiable.")
    i0 = _more("i0", "The modified Bessel function I₀, differentiable.")
    exp2 = _more("exp2", "2ˣ, differentiable.")
    copysign = _more("copysign", "|x| with the sign of other, differentiable in x.")
    signbit = _more("signbit", "Whether the sign bit is set (-0.0 too), bool.")
    deg2rad = _more("deg2rad", "Degrees to radians.")
    rad2deg = _more("rad2deg", "Radians to degrees.")
    isneginf = _more("isneginf", "Whether each element is -inf.")
    isposinf = _more("isposinf", "Whether each element is +inf.")
    isreal = _more("isreal", "Whether each element is real (all of a real tensor).")
    fmax = _more("fmax", "The larger element, ignoring a nan (nan only if both are).")
    fmin = _more("fmin", "The smaller element, ignoring a nan (nan only if both are).")
    float_power = _more("float_power", "self ** exponent in float64.")
    gcd = _more("gcd", "The greatest common divisor of integers.")
    lcm = _more("lcm", "The least common multiple of integers.")
    heaviside = _more("heaviside", "0 below 0, values at 0, 1 above.")
    sgn = _more("sgn", "The sign (as sign() for real tensors).")
    logcumsumexp = _more("logcumsumexp", "ln of the cumulative sums of eˣ along dim.")
    nanmedian = _more("nanmedian", "The median ignoring nan (lower of the middle two).")
    nanquantile = _more("nanquantile", "The q-th quantiles ignoring nan.")

    def lgamma(self):
        from ..ops.gamma_functions import Lgamma
        return Lgamma.apply(self._floating())

    def digamma(self):
        from .. import special
        return special.digamma(self)

    def polygamma(self, n: int):
        from .. import math_more
        return math_more.polygamma(n, self)
