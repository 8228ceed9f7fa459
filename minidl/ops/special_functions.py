"""More special functions (``torch.special``), differentiable where PyTorch differentiates:

    erfc x = 1 - erf x                    d/dx = -2/√π e^(-x²)
    erfinv y: erf(erfinv y) = y           d/dy = √π/2 e^(erfinv(y)²)
    ndtr x = Φ(x) = erfc(-x/√2)/2         d/dx = φ(x) = e^(-x²/2)/√(2π)
    ndtri p = Φ⁻¹(p)                      d/dp = 1/φ(ndtri p)
    log_ndtr x = ln Φ(x)                  d/dx = φ(x)/Φ(x)
    polygamma(n, x) = ψ⁽ⁿ⁾(x)             d/dx = ψ⁽ⁿ⁺¹⁾(x)
    i0, i0e, i1, i1e (modified Bessel functions of the first kind, e: times e^(-|x|))
    sinc x = sin(πx)/(πx), entr x = -x ln x, xlogy, xlog1py, exp2, logaddexp(2), logcumsumexp

The values are computed in float64 on the host (``_on_host``): erf and erfc by the
kernels' compiled loops (``kernels/*/special.py``), the inverses by a rational first
guess (Giles 2010) refined by Newton steps on erf or erfc (whichever is not near 1, so
the tails keep their relative precision), ln Φ of x < -30 by
its asymptotic series, ψ⁽ⁿ⁾ (n ≥ 2) from the Hurwitz ζ by recurrence and Euler-Maclaurin,
the Bessel functions by their (all positive) power series for |x| ≤ 30 and their
asymptotic series beyond.
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function
from ..backend import array_module, device_of, to_device
from ..kernels.registry import kernel
from .arithmetic import sum_to_shape
from .gamma_functions import _digamma_poles, _on_host, _trigamma


def _erf(x):
    """erf of a host array, through the kernels' compiled loop."""
    return kernel("erf", x)(x)


def _erfc(x):
    """erfc of a host array, through the kernels' compiled loop."""
    return kernel("erfc", x)(x)


_SQRT2 = math.sqrt(2.0)
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


def _host(x):
    return np.asarray(to_device(x, "cpu"), np.float64)


def _back(values, like):
    return to_device(np.asarray(values), device_of(like)).astype(like.dtype)


# ---- inverse error functions ---------------------------------------------------------------

def _guess(y, w):
    """Giles' single-precision erfinv(y), w = -ln((1 - y)(1 + y)) given separately."""
    with np.errstate(invalid="ignore"):
        small = w < 5.0
        u = np.where(small, w - 2.5, np.sqrt(np.maximum(w, 5.0)) - 3.0)
    p_small = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
               -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
    p_large = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
               -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)
    a, b = np.zeros_like(u), np.zeros_like(u)
    for cs, cl in zip(p_small, p_large):
        a = a * u + cs
        b = b * u + cl
    return np.where(small, a, b) * y


def _erfcinv(z):
    """x with erfc x = z, for z in [0, 2] (float64 arrays); z ≤ 1 handled directly, z > 1
    as -erfcinv(2 - z) (exact subtraction)."""
    upper = z > 1
    t = np.where(upper, 2 - z, z)  # in [0, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        w = -np.log(t * (2 - t))
        tail = w > 25  # beyond Giles' range: erfc x ≈ e^(-x²)/(x√π)
        x = np.where(tail, np.sqrt(np.maximum(w - np.log(np.sqrt(np.pi * w)), 0.0)),
                     _guess(1 - t, np.minimum(w, 25.0)))
        x = np.where(t > 0, x, 0.0)
        log_t = np.log(t)
        for _ in range(6):  # Newton on ln erfc x = ln t: relative precision in the tail
            e = _erfc(x)
            step = (np.log(e) - log_t) / (-_TWO_OVER_SQRT_PI * np.exp(-x * x) / e)
            x = x - np.where(np.isfinite(step), step, 0.0)
        x = np.where(t == 0, np.inf, x)
        x = np.where(np.isnan(z) | (z < 0) | (z > 2), np.nan, x)
    return np.where(upper, -x, x)


def _erfinv(y):
    with np.errstate(divide="ignore", invalid="ignore"):
        inner = np.abs(y) <= 0.5
        yi = np.where(inner, y, 0.0)
        x = _guess(yi, -np.log((1 - yi) * (1 + yi)))
        for _ in range(3):
            x = x - (_erf(x) - yi) / (_TWO_OVER_SQRT_PI * np.exp(-x * x))
        outer = np.sign(y) * _erfcinv(1 - np.abs(np.where(inner, 1.0, y)))
        return np.where(inner, x, np.where(np.abs(y) > 1, np.nan, outer))


def _ndtri(p):
    with np.errstate(invalid="ignore"):
        return -_SQRT2 * _erfcinv(2 * p) + 0.0  # +0 at p = 1/2


def _log_ndtr(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        far = x < -30
        xf = np.where(far, x, -31.0)
        series, term = np.ones_like(xf), np.ones_like(xf)
        for k in range(1, 20):
            term = term * -(2 * k - 1) / (xf * xf)
            series = series + term
        asymptotic = -0.5 * xf * xf - np.log(-xf) - _LOG_SQRT_2PI + np.log(series)
        xn = np.where(far, 0.0, x)
        lower = np.log(0.5 * _erfc(-xn / _SQRT2))
        upper = np.log1p(-0.5 * _erfc(xn / _SQRT2))
        return np.where(far, asymptotic, np.where(x < -1, lower, upper))


# ---- polygamma -----------------------------------------------------------------------------

_B2K = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510, 43867 / 798)


def _hurwitz_zeta(s: int, a):
    """ζ(s, a) = Σₖ (a + k)^(-s) for integer s ≥ 2."""
    shift = 20 + 2 * s
    total = np.zeros_like(a)
    y = a.copy()
    finite = a[np.isfinite(a)]
    steps = shift + (int(math.ceil(max(-finite.min(), 0.0))) if finite.size else 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(steps):
            small = y < shift
            total += np.where(small, 1.0 / y ** s, 0.0)
            y = np.where(small, y + 1, y)
        series = y ** (1 - s) / (s - 1) + 0.5 * y ** (-s)
        factor = float(s)  # s (s+1) ... (s+2k-2) / (2k)!
        for k, b in enumerate(_B2K, start=1):
            if k > 1:
                factor *= (s + 2 * k - 3) * (s + 2 * k - 2) / ((2 * k - 1) * (2 * k))
            else:
                factor = s / 2.0
            series += b * factor * y ** (-s - 2 * k + 1)
    return total + series


def _polygamma(n: int, x):
    if n == 0:
        return _digamma_poles(x)
    if n == 1:
        return _trigamma(x)
    value = (-1) ** (n + 1) * math.factorial(n) * _hurwitz_zeta(n + 1, x)
    poles = (x <= 0) & (x == np.floor(x))
    return np.where(poles, np.inf if n % 2 else -np.inf, value)


class Polygamma(Function):
    """y = ψ⁽ⁿ⁾(x);  dy/dx = ψ⁽ⁿ⁺¹⁾(x)."""

    def forward(self, x, *, n: int):
        self.n = n
        self.save_for_backward(x)
        return _on_host(lambda v: _polygamma(self.n, v), x)

    def backward(self, grad):
        (x,) = self.saved_arrays
        return grad * _on_host(lambda v: _polygamma(self.n + 1, v), x)


# ---- Bessel functions I0, I1 ---------------------------------------------------------------

def _bessel_e(nu: int, x):
    """e^(-|x|) I_ν(|x|), ν ∈ {0, 1}."""
    ax = np.abs(x)
    far = ax > 30
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        xs = np.where(far, 0.0, ax)
        q = xs * xs / 4
        term = np.ones_like(xs) if nu == 0 else xs / 2
        total = term.copy()
        for k in range(1, 90):
            term = term * q / (k * (k + nu))
            total = total + term
        near = total * np.exp(-xs)
        xa = np.where(far, ax, 31.0)
        term, series = np.ones_like(xa), np.ones_like(xa)
        for k in range(1, 30):
            term = term * ((2 * k - 1) ** 2 - 4 * nu * nu) / (8 * k * xa)
            series = series + term
        asymptotic = series / np.sqrt(2 * np.pi * xa)
    value = np.where(far, asymptotic, near)
    return np.where(np.isnan(x), np.nan, value)


def _i0e(x):
    return _bessel_e(0, x)


def _i1e(x):
    return np.sign(x) * _bessel_e(1, x)


def _i0(x):
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(np.isinf(x), np.inf, _i0e(x) * np.exp(np.abs(x)))


def _i1(x):
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(np.isinf(x), x, _i1e(x) * np.exp(np.abs(x)))


def _i1_over_x(i1, x):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, 0.5, i1 / np.where(x == 0, 1.0, x))


class Bessel(Function):
    """i0, i0e, i1 or i1e of x, with the derivatives
    i0' = i1, i0e' = i1e - sgn(x) i0e, i1' = i0 - i1/x, i1e' = i0e - i1e (sgn(x) + 1/x)."""

    def forward(self, x, *, which: str):
        self.which = which
        self.save_for_backward(x)
        return _on_host({"i0": _i0, "i0e": _i0e, "i1": _i1, "i1e": _i1e}[self.which], x)

    def backward(self, grad):
        (x,) = self.saved_arrays
        which = self.which

        def derivative(v):
            if which == "i0":
                return _i1(v)
            if which == "i0e":
                return _i1e(v) - np.sign(v) * _i0e(v)
            if which == "i1":
                return _i0(v) - _i1_over_x(_i1(v), v)
            e1 = _i1e(v)
            return _i0e(v) - np.sign(v) * e1 - _i1_over_x(e1, v)
        return grad * _on_host(derivative, x)


# ---- elementwise functions of one argument --------------------------------------------------

def _sinc(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        px = np.pi * x
        return np.where(x == 0, 1.0, np.sin(px) / np.where(x == 0, 1.0, px))


def _sinc_derivative(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        px = np.pi * x
        safe = np.where(x == 0, 1.0, x)
        value = (np.cos(px) * px - np.sin(px)) / (np.pi * safe * safe)
        return np.where(x == 0, 0.0, value)


def _entr(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        value = -x * np.log(np.where(x > 0, x, 1.0))
        return np.where(x < 0, -np.inf, np.where(np.isnan(x), np.nan, value))


def _entr_derivative(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        return -(1 + np.log(x))


def _erfc_derivative(x):
    return -_TWO_OVER_SQRT_PI * np.exp(-x * x)


def _erfinv_derivative(y):
    x = _erfinv(y)
    with np.errstate(over="ignore"):
        return 0.5 * math.sqrt(math.pi) * np.exp(x * x)


def _ndtr(x):
    return 0.5 * _erfc(-x / _SQRT2)


def _ndtr_derivative(x):
    return np.exp(-0.5 * x * x - _LOG_SQRT_2PI)


def _ndtri_derivative(p):
    x = _ndtri(p)
    with np.errstate(over="ignore"):
        return np.exp(0.5 * x * x + _LOG_SQRT_2PI)


def _log_ndtr_derivative(x):
    with np.errstate(over="ignore", invalid="ignore"):
        return np.exp(-0.5 * x * x - _LOG_SQRT_2PI - _log_ndtr(x))


_UNARY = {
    "erfc": (_erfc, _erfc_derivative),
    "erfinv": (_erfinv, _erfinv_derivative),
    "ndtr": (_ndtr, _ndtr_derivative),
    "ndtri": (_ndtri, _ndtri_derivative),
    "log_ndtr": (_log_ndtr, _log_ndtr_derivative),
    "sinc": (_sinc, _sinc_derivative),
    "entr": (_entr, _entr_derivative),
    "digamma": (_digamma_poles, _trigamma),
}


class Unary(Function):
    """y = f(x) for one of the functions of ``_UNARY`` (value, derivative), on the host."""

    def forward(self, x, *, name: str):
        self.function = name
        self.save_for_backward(x)
        return _on_host(_UNARY[name][0], x)

    def backward(self, grad):
        (x,) = self.saved_arrays
        return grad * _on_host(_UNARY[self.function][1], x)

    def name(self) -> str:
        """PyTorch's node name for the function (``ErfinvBackward0``)."""
        return f"{self.function.replace('_', ' ').title().replace(' ', '')}Backward0"


class Exp2(Function):
    """y = 2ˣ;  dy/dx = y ln 2."""

    def forward(self, x):
        y = array_module(x).exp2(x)
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved_arrays
        return grad * y * y.dtype.type(math.log(2))


# ---- functions of two arguments ---------------------------------------------------------------

class XLogY(Function):
    """z = x ln y (x ln(1 + y) with ``one_plus``), 0 where x = 0 unless y is nan;
    dz/dx = ln y (0 where x = 0), dz/dy = x / y."""

    def forward(self, x, y, *, one_plus: bool = False):
        self.one_plus = one_plus
        xp = array_module(x)
        self.save_for_backward(x, y)
        with np.errstate(divide="ignore", invalid="ignore"):
            log = xp.log1p(y) if self.one_plus else xp.log(y)
            return xp.where((x == 0) & ~xp.isnan(y), 0, x * log).astype(x.dtype)

    def backward(self, grad):
        x, y = self.saved_arrays
        xp = array_module(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            log = xp.log1p(y) if self.one_plus else xp.log(y)
            dx = grad * xp.where((x == 0) & ~xp.isnan(y), 0, log)
            dy = grad * x / ((1 + y) if self.one_plus else y)
        return sum_to_shape(dx, x.shape), sum_to_shape(dy, y.shape)


class LogAddExp(Function):
    """z = ln(eˣ + eʸ) (base 2 with ``base2``); dz/dx = e^(x - z), dz/dy = e^(y - z)."""

    def forward(self, x, y, *, base2: bool = False):
        self.base2 = base2
        xp = array_module(x)
        with np.errstate(invalid="ignore"):
            z = (xp.logaddexp2 if self.base2 else xp.logaddexp)(x, y)
        self.save_for_backward(x, y, z)
        return z

    def backward(self, grad):
        x, y, z = self.saved_arrays
        xp = array_module(x)
        power = xp.exp2 if self.base2 else xp.exp
        with np.errstate(invalid="ignore"):
            both = (x == y)
            dx = grad * xp.where(both, 0.5, power(x - z))
            dy = grad * xp.where(both, 0.5, power(y - z))
        return sum_to_shape(dx, x.shape), sum_to_shape(dy, y.shape)


class LogCumSumExp(Function):
    """yᵢ = ln Σ_{j ≤ i} e^(xⱼ) along ``dim``; dL/dxⱼ = Σ_{i ≥ j} gᵢ e^(xⱼ - yᵢ), summed in log
    space for the positive and the negative gᵢ apart."""

    def forward(self, x, *, dim: int):
        self.dim = dim
        xp = array_module(x)
        with np.errstate(invalid="ignore"):
            y = xp.logaddexp.accumulate(x, axis=self.dim) if x.size else x.copy()
        self.save_for_backward(x, y)
        return y

    def backward(self, grad):
        x, y = self.saved_arrays
        xp = array_module(x)
        if not x.size:
            return xp.zeros_like(x)
        result = xp.zeros_like(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            for sign in (1, -1):
                part = xp.where(sign * grad > 0, xp.log(xp.abs(grad)) - y, -xp.inf)
                flipped = xp.flip(part, axis=self.dim)
                tail = xp.flip(xp.logaddexp.accumulate(flipped, axis=self.dim), axis=self.dim)
                result = result + sign * xp.exp(x + tail)
        return result


class CopySign(Function):
    """z = |x| with the sign (bit) of y;  dz/dx = z / x (0 where x = 0), dz/dy = 0."""

    def forward(self, x, y):
        xp = array_module(x)
        z = xp.copysign(x, y)
        self.save_for_backward(x, z)
        self.y_shape = y.shape
        return z

    def backward(self, grad):
        x, z = self.saved_arrays
        xp = array_module(x)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = xp.where(x == 0, 0, xp.where(xp.signbit(x) == xp.signbit(z), 1, -1))
        return sum_to_shape(grad * ratio.astype(x.dtype), x.shape), \
            xp.zeros(self.y_shape, dtype=x.dtype)
