"""How the Numba kernels' sums are compiled.

``FAST_SUMS`` lets LLVM reorder floating-point additions (and fuse multiply-adds), which
it needs to vectorize a running sum; the result differs from left-to-right order only by
rounding.  (When the kernels use threads: ``workers.parallel_loop``.)
"""
from __future__ import annotations

FAST_SUMS = {"reassoc", "contract"}
