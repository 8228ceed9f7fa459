"""How the Numba kernels are compiled.

Every kernel is compiled with ``error_model="numpy"``: a division by zero gives inf or nan,
as in the NumPy reference kernels, instead of raising ``ZeroDivisionError``.  The check
that Python's error model puts before each division is a branch that keeps LLVM from
vectorizing the loop: Adam's update ran one element at a time, 0.62 ms for 200704 float32
values on one thread, and 22 ms once most of its running means were subnormal (dead units'
means decay to the smallest subnormals and stay there); vectorized, the assists that
subnormals cost are paid once per 8 or 16 lanes.

``FAST_SUMS`` lets LLVM reorder floating-point additions (and fuse multiply-adds), which
it needs to vectorize a running sum; the result differs from left-to-right order only by
rounding.  (When the kernels use threads: ``workers.parallel_loop``.)
"""
from __future__ import annotations

FAST_SUMS = {"reassoc", "contract"}
