"""Special functions on the GPU: the contract of ``reference.special``, through CuPy's
``cupyx.scipy.special`` ufuncs."""
from __future__ import annotations

from cupyx.scipy import special


def erf(x):
    """erf of every element of ``x``, in ``x``'s dtype."""
    return special.erf(x).astype(x.dtype, copy=False)


def erfc(x):
    """erfc of every element of ``x``, in ``x``'s dtype."""
    return special.erfc(x).astype(x.dtype, copy=False)
