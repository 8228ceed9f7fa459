"""a·b + c rounded once, as C's ``fma`` and as PyTorch's compiled CPU kernels compute it.

NumPy rounds a·b, then the sum: two roundings.  PyTorch's vectorized CPU kernels are built
with fused multiply-adds, which round once.  Most of the time the two agree, but where a
result decides something discrete -- which pixel ``grid_sample(mode="nearest")`` reads at
a position of x.5, or where ``linspace`` puts a pixel centre -- one ulp matters, so the
places that must agree with PyTorch to the bit use this function.

float32 (and float16): in float64, where a·b is exact (24 + 24 bits) and so, in the ranges
used here, is the sum; then one rounding to float32.  float64: Boldo and Melquiond's
emulation (2008, "Emulation of a FMA and correctly-rounded sums: proved algorithms using
rounding to odd"): a·b exactly as uh + ul (Dekker's product), c + uh exactly as th + tl
(Knuth's two-sum), tl + ul rounded to odd, and th + that rounded to nearest, which is
a·b + c rounded once.
"""
from __future__ import annotations

import numpy as np

from ..backend import array_module

_SPLITTER = 2.0 ** 27 + 1   # Veltkamp's constant: halves of 26 and 27 bits of a float64


def _split(value):
    """value = high + low exactly, each with at most 26 significant bits."""
    scaled = value * _SPLITTER
    high = scaled - (scaled - value)
    return high, value - high


def _two_sum(a, b):
    """a + b = total + error exactly (Knuth), total = a + b rounded."""
    total = a + b
    b_part = total - a
    error = (a - (total - b_part)) + (b - b_part)
    return total, error


def _round_to_odd_sum(a, b):
    """a + b rounded to odd: the representable neighbour of the exact sum whose last bit
    is 1 (the sum itself when exact)."""
    xp = array_module(a)
    total, error = _two_sum(a, b)
    even = (total.view(np.int64) & 1) == 0
    towards = xp.where(error > 0, np.inf, -np.inf)
    return xp.where((error != 0) & even, xp.nextafter(total, towards), total)


def fused_multiply_add(a, b, c):
    """a·b + c rounded once, for a floating point array ``a`` (``b`` and ``c`` arrays or
    numbers that broadcast with it); the result has ``a``'s dtype and shape."""
    xp = array_module(a)
    a = xp.asarray(a)
    if a.dtype != np.float64:            # float32 and float16: exact enough in float64
        return (a.astype(np.float64) * b + c).astype(a.dtype)
    b, c = (xp.broadcast_to(xp.asarray(v, dtype=np.float64), a.shape) for v in (b, c))
    product = a * b
    (a_high, a_low), (b_high, b_low) = _split(a), _split(b)
    product_error = (((a_high * b_high - product) + a_high * b_low + a_low * b_high)
                     + a_low * b_low)
    high, low = _two_sum(c, product)
    return high + _round_to_odd_sum(low, product_error)
