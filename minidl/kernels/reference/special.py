"""Special functions, elementwise: the error function of GELU.

    erf(x) = 2/√π ∫₀ˣ e^(-t²) dt,   odd, erf(±∞) = ±1

NumPy has no erf; the reference evaluates Python's ``math.erf`` (correctly rounded to
about one unit in the last place) element by element.
"""
from __future__ import annotations

import math

import numpy as np

_erf = np.vectorize(math.erf, otypes=[np.float64])


def erf(x: np.ndarray) -> np.ndarray:
    """erf of every element of ``x``, in ``x``'s dtype."""
    return _erf(x).astype(x.dtype, copy=False)
