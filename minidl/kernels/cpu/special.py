"""Special functions with Numba: the contract of ``reference.special``.

``math.erf`` and ``math.erfc`` compiled into NumPy ufuncs (one loop for float32, one for
float64), so they run at compiled speed with the same values as the reference.
"""
from __future__ import annotations

import math

import numpy as np
from numba import vectorize


@vectorize(["float32(float32)", "float64(float64)"], cache=True)
def _erf(x):
    return math.erf(x)


def erf(x: np.ndarray) -> np.ndarray:
    """erf of every element of ``x``, in ``x``'s dtype."""
    return _erf(x)


@vectorize(["float32(float32)", "float64(float64)"], cache=True)
def _erfc(x):
    return math.erfc(x)


def erfc(x: np.ndarray) -> np.ndarray:
    """erfc of every element of ``x``, in ``x``'s dtype."""
    return _erfc(x)
