"""Matrix products on the GPU, through cuBLAS.

``matmul`` (the kernel contract's product) is CuPy's, as written in ``reference.linalg``.
The convolutions call cuBLAS themselves through ``batched_product``: one strided-batched
GEMM per call, with the operands' transposes and the accumulation into the output that
cuBLAS does for free.  ``cupy.matmul`` would take the same cuBLAS call, but its checks and
broadcasting cost about 50 µs of Python per product: more than the product itself for the
studies' small layers.

cuBLAS reads matrices column by column, NumPy and CuPy lay them out row by row; a C-ordered
(r, c) array is, to cuBLAS, its transpose: a (c, r) matrix with leading dimension c.  So
the row-major C = A·B is computed as the column-major  Cᵀ = Bᵀ·Aᵀ:  cuBLAS's first operand
is b, its second a, and its (m, n, k) are (N, M, K).
"""
from __future__ import annotations

import cupy
import numpy as np
from cupy.cuda import cublas

from ..reference.linalg import matmul

__all__ = ["batched_product", "matmul"]

_GEMM = {np.dtype(np.float32): cublas.sgemmStridedBatched,
         np.dtype(np.float64): cublas.dgemmStridedBatched}
_SCALARS = {(np.dtype(dtype), value): np.array(value, dtype=dtype)
            for dtype in (np.float32, np.float64) for value in (0.0, 1.0)}
"""Host copies of α = 1 and β = 0 or 1, alive as long as the module (cuBLAS reads them
through their addresses)."""


def batched_product(a, b, *, transpose_a=False, transpose_b=False, out=None, splits=1):
    """out[g] = op(a[g]) @ op(b[g]) for every g, or out[g] += ... when ``out`` is given.

    a: (G, M, K) C-contiguous, or (G, K, M) with ``transpose_a`` (op(a[g]) = a[g]ᵀ);
    b: (G, K, N) C-contiguous, or (G, N, K) with ``transpose_b``;
    out: None (a new (G, M, N) array) or a C-contiguous (G, M, N) array to add to.
    a, b and out share one dtype, float32 or float64 (TF32 is never used: cuBLAS's default
    math mode).

    ``splits`` > 1 (G = 1, K a multiple of it): the sum over K is cut into ``splits``
    equal parts, multiplied side by side as one batch and then added up.  A product with
    few outputs and a long sum (a weight gradient: C_out x C_in·KH·KW outputs, a sum over
    every position of the batch) otherwise runs on a handful of multiprocessors.
    """
    groups = a.shape[0]
    m, k = (a.shape[2], a.shape[1]) if transpose_a else (a.shape[1], a.shape[2])
    n = b.shape[1] if transpose_b else b.shape[2]
    dtype = a.dtype
    if not (a.flags.c_contiguous and b.flags.c_contiguous and b.dtype == dtype):
        raise ValueError(f"batched_product needs C-contiguous operands of one dtype, got "
                         f"{a.shape} {a.dtype} and {b.shape} {b.dtype}")
    if splits > 1:
        if groups != 1 or k % splits:
            raise ValueError(f"batched_product: splits={splits} needs one group and K "
                             f"({k}) a multiple of it, got {groups} groups")
        depth = k // splits
        parts = _gemm(a, b, transpose_a, transpose_b, m, n, depth, splits,
                      (depth * m if transpose_a else depth, depth if transpose_b else depth * n),
                      cupy.empty((splits, m, n), dtype=dtype), False)
        total = parts.sum(axis=0, keepdims=True)
        if out is None:
            return total
        out += total
        return out
    accumulate = out is not None
    if out is None:
        out = (cupy.empty if k else cupy.zeros)((groups, m, n), dtype=dtype)
    return _gemm(a, b, transpose_a, transpose_b, m, n, k, groups, (m * k, k * n), out,
                 accumulate)


def _gemm(a, b, transpose_a, transpose_b, m, n, depth, batch, strides, out, accumulate):
    """One strided-batched cuBLAS GEMM: out[i] (+)= op(a_i) @ op(b_i), i < ``batch``, where
    a_i starts ``strides[0]`` elements after a_(i-1) (likewise b_i, ``strides[1]``) and
    each sums over ``depth``; the leading dimensions are those of a's and b's own rows."""
    if not (batch and m and n and depth):
        return out
    dtype = a.dtype
    handle = cupy.cuda.device.get_cublas_handle()
    cublas.setStream(handle, cupy.cuda.get_current_stream().ptr)
    cublas.setPointerMode(handle, cublas.CUBLAS_POINTER_MODE_HOST)
    _GEMM[dtype](
        handle,
        cublas.CUBLAS_OP_T if transpose_b else cublas.CUBLAS_OP_N,
        cublas.CUBLAS_OP_T if transpose_a else cublas.CUBLAS_OP_N,
        n, m, depth,
        _SCALARS[dtype, 1.0].ctypes.data,
        b.data.ptr, b.shape[2], strides[1],
        a.data.ptr, a.shape[2], strides[0],
        _SCALARS[dtype, float(accumulate)].ctypes.data,
        out.data.ptr, n, m * n,
        batch)
    return out
