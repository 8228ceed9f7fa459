"""Compiling the CUDA kernels (once per dtype, on first use) and launching them.

Each kernel file holds CUDA C source written for one element type, ``scalar_t``.  The
first time a kernel runs on float32 (or float64) arrays, its file's source is compiled by
NVRTC through CuPy with ``typedef float scalar_t`` (or ``double``) in front, and the
compiled module is kept for the rest of the process; CuPy also caches the binary on disk,
so a later process skips the compiler.  Nothing is compiled at import time.

Conventions shared by every kernel:

- Sizes, offsets and flags are ``long long`` and real scalars ``double``: a kernel reads
  its parameters as raw bytes, so ``launch`` turns Python ints and floats into exactly
  those types.  Indices are 64-bit, so arrays beyond 2³¹ elements work.
- One thread per output element, in a grid-stride loop (``FOR_EACH_ITEM``): thread t of
  the grid handles items t, t + (threads in the grid), ...  Every item is written by one
  thread only, so no kernel needs atomic operations, and results do not depend on the
  order in which threads run.
"""
from __future__ import annotations

import functools

import cupy
import numpy as np

THREADS_PER_BLOCK = 256
"""Threads per block of an element-wise kernel (and of a reduction: a power of two)."""

MAX_BLOCKS = 1 << 16
"""Most blocks launched at once; with the grid-stride loop, threads then take several
items each instead of the GPU scheduling millions of tiny blocks."""

SCALAR_TYPES = {np.dtype(np.float32): "float", np.dtype(np.float64): "double"}

PRELUDE = f"""
#define THREADS_PER_BLOCK {THREADS_PER_BLOCK}
#define FOR_EACH_ITEM(item, count) \\
    for (long long item = blockIdx.x * (long long)blockDim.x + threadIdx.x; \\
         item < (count); item += (long long)blockDim.x * gridDim.x)
"""


def scalar_type(dtype) -> str:
    """The C type of ``dtype``'s elements; a clear error for dtypes without kernels."""
    try:
        return SCALAR_TYPES[np.dtype(dtype)]
    except KeyError:
        raise TypeError(f"the cuda kernels work on float32 and float64 arrays, got "
                        f"{np.dtype(dtype)}") from None


@functools.lru_cache(maxsize=None)
def _module(source: str, c_type: str):
    return cupy.RawModule(code=f"typedef {c_type} scalar_t;\n{PRELUDE}\n{source}")


@functools.lru_cache(maxsize=None)
def compiled(source: str, name: str, dtype: np.dtype):
    """Kernel ``name`` of ``source`` for arrays of ``dtype`` (compiled on the first call)."""
    return _module(source, scalar_type(dtype)).get_function(name)


def _argument(value):
    """A kernel argument as the type the kernel declares: long long, double or a pointer."""
    if isinstance(value, bool | int | np.integer):
        return np.int64(value)
    if isinstance(value, float | np.floating):
        return np.float64(value)
    return value


def launch(kernel, items: int, *args) -> None:
    """Run ``kernel`` over ``items`` items (its ``FOR_EACH_ITEM`` loop) with ``args``."""
    if items == 0:
        return
    blocks = min(-(-items // THREADS_PER_BLOCK), MAX_BLOCKS)
    kernel((blocks,), (THREADS_PER_BLOCK,), tuple(_argument(a) for a in args))


def launch_grid(kernel, grid: tuple, *args) -> None:
    """Run ``kernel`` on a grid of ``grid`` = (x, y) blocks of ``THREADS_PER_BLOCK``
    threads, for kernels whose blocks cooperate (block-wide sums)."""
    if 0 in grid:
        return
    kernel(grid, (THREADS_PER_BLOCK,), tuple(_argument(a) for a in args))


def contiguous(array, dtype):
    """``array`` as a C-contiguous array of ``dtype`` (no copy when it already is one):
    the kernels index raw memory, and each is compiled for one element type."""
    return cupy.ascontiguousarray(array, dtype=dtype)
