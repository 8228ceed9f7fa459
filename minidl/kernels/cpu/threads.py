"""When a parallel kernel should share its work between threads.

Waking the other threads of Numba's pool costs microseconds on an idle machine and up to a
scheduler time slice (milliseconds) on a busy one, so small arrays run on the calling
thread alone.  The threshold is PyTorch's grain size for its own parallel loops.
"""
from __future__ import annotations

import contextlib

import numba

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
