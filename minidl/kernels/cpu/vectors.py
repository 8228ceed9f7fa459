"""Vector loops the Numba kernels share: copy, add, scaled add and fill on 1-D views.

Each is a loop from index 0 over ``target``, which LLVM vectorizes (Numba's slice assignment
is not vectorized, nor a loop whose indices might be negative).  They are inlined into the
kernels that call them.
"""
from __future__ import annotations

from numba import njit


@njit(inline="always", error_model="numpy")
def copy(source, target):
    """target[:] = source[:]."""
    for k in range(target.shape[0]):
        target[k] = source[k]


@njit(inline="always", error_model="numpy")
def add(source, target):
    """target[:] += source[:]."""
    for k in range(target.shape[0]):
        target[k] += source[k]


@njit(inline="always", error_model="numpy")
def axpy(coefficient, source, target):
    """target[:] += coefficient · source[:]."""
    for k in range(target.shape[0]):
        target[k] += coefficient * source[k]


@njit(inline="always", error_model="numpy")
def fill_zero(target):
    """target[:] = 0."""
    for k in range(target.shape[0]):
        target[k] = 0
