"""Choices shared by the Numba kernels: how sums are compiled, and when to use threads.

``FAST_SUMS`` lets LLVM reorder floating-point additions (and fuse multiply-adds), which
it needs to vectorize a running sum; the result differs from left-to-right order only by
rounding.

Waking the other threads of Numba's pool costs microseconds on an idle machine and up to a
scheduler time slice (milliseconds) on a busy one, so ``threads_for`` runs kernels on small
arrays on the calling thread alone.  The threshold is PyTorch's grain size for its own
parallel loops.
"""
from __future__ import annotations

import contextlib

import numba

FAST_SUMS = {"reassoc", "contract"}

PARALLEL_MIN_ELEMENTS = 32768


@contextlib.contextmanager
def threads_for(elements: int):
    """Run the block's kernels on one thread when they touch fewer than
    ``PARALLEL_MIN_ELEMENTS`` elements, on all of Numba's threads otherwise."""
    if elements >= PARALLEL_MIN_ELEMENTS:
        yield
        return
    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(previous)
