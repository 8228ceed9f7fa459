"""Matrix products on the CPU: the contract of ``reference.linalg``, with BLAS held to one
thread per worker, as the convolutions run it (``workers.py``).

C (R, m) = A (R, k) @ B (k, m), A's leading axes flattened into its R rows.  The rows of C
are cut into one contiguous block per worker; each worker writes its block with a
single-threaded product.  A product under ``SPLIT_MIN_FLOPS`` runs on the calling thread
alone.  Left to itself, NumPy's BLAS wakes its own threads for every product, and on a
machine whose cores are busy each wake-up can cost a scheduler time slice: a linear
layer's 64x1568 @ 1568x128 took 0.3 ms on one thread and 3-17 ms on BLAS's two.
"""
from __future__ import annotations

import math

import numpy as np

from ..reference import linalg as reference
from .workers import one_blas_thread, run_blocks, worker_count

SPLIT_MIN_FLOPS = 1 << 22
"""Multiply-adds below which one thread computes the whole product."""


def _product_rows(blocks, a, b, out):
    """out[r0:r1] = a[r0:r1] @ b for the worker's row blocks."""
    for r0, r1 in blocks:
        np.matmul(a[r0:r1], b, out=out[r0:r1])


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b for a (..., n, k) and a 2-D b (k, m), both of one floating dtype (others:
    the reference)."""
    if (b.ndim != 2 or a.ndim < 2 or a.dtype != b.dtype or a.dtype.kind != "f"
            or a.shape[-1] != b.shape[0]):
        return reference.matmul(a, b)
    rows = a.reshape(math.prod(a.shape[:-1]), a.shape[-1])
    out = np.empty((rows.shape[0], b.shape[1]), dtype=a.dtype)
    workers = min(worker_count(), rows.shape[0])
    if rows.shape[0] * rows.shape[1] * b.shape[1] < SPLIT_MIN_FLOPS or workers < 2:
        with one_blas_thread():
            np.matmul(rows, b, out=out)
    else:
        bounds = [rows.shape[0] * w // workers for w in range(workers + 1)]
        run_blocks(lambda blocks: _product_rows(blocks, rows, b, out),
                   list(zip(bounds[:-1], bounds[1:])), workers)
    return out.reshape(*a.shape[:-1], b.shape[1])
