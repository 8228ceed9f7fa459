"""Special functions, elementwise: the error function of GELU and its complement.

    erf(x) = 2/√π ∫₀ˣ e^(-t²) dt,   odd, erf(±∞) = ±1
    erfc(x) = 1 - erf(x), computed directly (accurate where erf is near 1: the normal
    distribution's tails, ``torch.special.ndtr``)

NumPy has neither; the reference evaluates Python's ``math.erf`` and ``math.erfc``
(correctly rounded to about one unit in the last place) element by element.
"""
from __future__ import annotations

import math

import numpy as np

_erf = np.vectorize(math.erf, otypes=[np.float64])
_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def erf(x: np.ndarray) -> np.ndarray:
    """erf of every element of ``x``, in ``x``'s dtype."""
    return _erf(x).astype(x.dtype, copy=False)


def erfc(x: np.ndarray) -> np.ndarray:
    """erfc of every element of ``x``, in ``x``'s dtype."""
    return _erfc(x).astype(x.dtype, copy=False)
