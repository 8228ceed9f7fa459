"""Matrix products: C = A @ B for A (..., n, k) and a matrix B (k, m) -> C (..., n, m).

The reference is NumPy's ``matmul`` (BLAS), written with the array's own module, so the
CUDA backend uses it as it is (cuBLAS).
"""
from __future__ import annotations


def matmul(a, b):
    """a @ b for a (..., n, k) and a 2-D b (k, m)."""
    return a @ b
