"""The order of elements along an axis, for ``sort``, ``argsort`` and ``topk``.

Their values are then the input gathered at these indices (``Gather``), which carries the
gradient back to the chosen positions; so ordering itself needs no Function.
"""
from __future__ import annotations

import numpy as np

from ..backend import array_module


def sort_order(x, axis: int, descending: bool = False):
    """The indices that sort ``x`` along ``axis``, as PyTorch orders them: stable (equal
    elements keep their order, in both directions) and NaN above every number (last
    ascending, first descending).

    Descending: sort the reversed axis ascending, stably; read that order backwards (largest
    first, equal elements now from the last position of the reversed axis, so from the first
    of x), and turn positions p of the reversed axis into positions n - 1 - p of x.
    """
    xp = array_module(x)
    stable = {"kind": "stable"} if xp is np else {}  # CuPy's sort is stable, takes no kind
    if not descending:
        return xp.argsort(x, axis=axis, **stable)
    reversed_order = xp.argsort(xp.flip(x, axis), axis=axis, **stable)
    return (x.shape[axis] - 1) - xp.flip(reversed_order, axis)
