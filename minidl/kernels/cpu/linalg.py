"""Matrix products on the CPU: the contract of ``reference.linalg``, with BLAS held to one
thread per worker, as the convolutions run it (``workers.py``).

C (R, m) = A (R, k) @ B (k, m), A's leading axes flattened into its R rows.  The longer
side of C, its rows or its columns, is cut into one contiguous block per worker; each
worker writes its block with a single-threaded product.  A product under
``SPLIT_MIN_FLOPS``, or with fewer than ``MIN_WORKER_SIDE`` rows (columns) a worker, runs
on the calling thread alone.  Left to itself,
NumPy's BLAS wakes its own threads for every product, and on a machine whose cores are
busy each wake-up can cost a scheduler time slice: a linear layer's 64x1568 @ 1568x128
took 0.3 ms on one thread and 3-17 ms on BLAS's two.
"""
from __future__ import annotations

import math
from functools import partial

import numpy as np

from ..reference import linalg as reference
from .workers import even_ranges, one_blas_thread, run_blocks, worker_count

SPLIT_MIN_FLOPS = 1 << 23
"""Multiply-adds below which one thread computes the whole product.  Measured on 2 cores,
split / one thread: 1.10-1.30 for 64x512 @ 512x128 and 64x768 @ 768x128 (4.2-6.3 M),
0.73-0.80 for 64x1568 @ 1568x128, 64x128 @ 128x1568 and 1568x64 @ 64x128 (12.8 M, a
linear layer of the default study and its two gradients), 0.66 for 64x1568 @ 1568x256;
a hand-off to a worker costs 10-90 µs."""

BLAS_ONE_THREAD_MAX = 1 << 18
"""Multiply-adds up to which OpenBLAS computes a matrix-matrix product on one thread of
its own accord (``interface/gemm.c``: SMP_THRESHOLD_MIN 65536 x GEMM_MULTITHREAD_THRESHOLD
4): such a product needs no limit set around it (a linear layer's 64x128 @ 128x10 took
20 µs with one, 4 µs without)."""

BLAS_VECTOR_ONE_THREAD_MAX = 2304 * 4
"""The same for a matrix-vector product (NumPy's matmul calls gemv when the result has
one column or one row; ``interface/gemv.c``: 2304 x GEMM_MULTITHREAD_THRESHOLD)."""

MIN_WORKER_SIDE = 64
"""Fewest rows (or columns) of the product a worker takes: BLAS is slow on thinner
blocks.  Measured, split / one thread: 1.18 for 64x1568 @ 1568x128 in blocks of 32 rows,
0.80 in blocks of 64 columns; 1.39 for 32x512 @ 512x512 in blocks of 16 rows."""


def _product_rows(blocks, a, b, out):
    """out[r0:r1] = a[r0:r1] @ b for the worker's row blocks."""
    for r0, r1 in blocks:
        np.matmul(a[r0:r1], b, out=out[r0:r1])


def _product_columns(blocks, a, b, out):
    """out[:, c0:c1] = a @ b[:, c0:c1] for the worker's column blocks."""
    for c0, c1 in blocks:
        np.matmul(a, b[:, c0:c1], out=out[:, c0:c1])


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b for a (..., n, k) and a 2-D b (k, m), both of one floating dtype (others:
    the reference)."""
    if (b.ndim != 2 or a.ndim < 2 or a.dtype != b.dtype or a.dtype.kind != "f"
            or a.shape[-1] != b.shape[0]):
        return reference.matmul(a, b)
    rows = a.reshape(math.prod(a.shape[:-1]), a.shape[-1])
    out = np.empty((rows.shape[0], b.shape[1]), dtype=a.dtype)
    product_into(rows, b, out)
    return out.reshape(*a.shape[:-1], b.shape[1])


def product_into(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """out = a @ b for 2-D float arrays of one dtype (any strides BLAS takes: a transposed
    view, out a block of columns of a larger matrix), split between the workers as
    ``matmul`` splits."""
    # the workers split the product's longer side (a batch's few rows and a layer's many
    # outputs: its columns)
    by_rows = a.shape[0] >= b.shape[1]
    workers = min(worker_count(), max(a.shape[0], b.shape[1]) // MIN_WORKER_SIDE)
    products = a.shape[0] * a.shape[1] * b.shape[1]
    one_by_itself = (products < BLAS_VECTOR_ONE_THREAD_MAX if 1 in (a.shape[0], b.shape[1])
                     else products <= BLAS_ONE_THREAD_MAX)
    if one_by_itself:
        np.matmul(a, b, out=out)
    elif products < SPLIT_MIN_FLOPS or workers < 2:
        with one_blas_thread():
            np.matmul(a, b, out=out)
    elif by_rows:
        run_blocks(partial(_product_rows, a=a, b=b, out=out),
                   even_ranges(a.shape[0], workers), workers)
    else:
        run_blocks(partial(_product_columns, a=a, b=b, out=out),
                   even_ranges(b.shape[1], workers), workers)
