"""Worker threads that each own whole blocks of work (tiles of a convolution).

A convolution splits into independent tiles (im2col, one matrix product, a write-back).
Giving each thread a contiguous block of tiles, with single-threaded BLAS inside, costs one
start and one join per call, however many tiles there are.  The alternative, every tile
using all threads for each of its steps, pays a wake-up and a wait per step, and on a busy
machine each of those can cost a scheduler time slice (milliseconds): OpenBLAS's own
threads are the worst there.

Why not Numba's ``prange``, as the other CPU kernels use: a tile's middle step is a NumPy
matrix product (batched ``np.matmul`` into a strided view of the output), which Numba's
compiled code does not offer (it has ``np.dot`` on 2-D arrays, through SciPy's BLAS, when
SciPy is installed), so a ``prange`` loop could only parallelize the copies, and every
tile would go parallel copy -> serial GEMM with BLAS's own threads -> parallel
copy: two thread pools taking turns three times per tile.  Plain Python threads can run
the whole tile, because both the Numba loops (compiled ``nogil=True``) and NumPy's matrix
products release Python's global lock.

The number of workers is Numba's thread count (``numba.set_num_threads``), minidl's one
setting for CPU threads.  NumPy's BLAS is held to one thread per worker while they run,
through threadpoolctl; without it, BLAS keeps its own threads and the blocks run one after
the other in the calling thread.
"""
from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor, wait

import numba

try:
    from threadpoolctl import ThreadpoolController
except ImportError:  # optional: without it, work runs in the calling thread
    ThreadpoolController = None

_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_blas = None


def _blas_libraries():
    """threadpoolctl's handle on the BLAS libraries loaded now (found once)."""
    global _blas
    if _blas is None:
        _blas = ThreadpoolController().select(user_api="blas")
    return _blas


def worker_count() -> int:
    """How many workers a kernel may use: Numba's thread count, if BLAS can be held to
    one thread meanwhile, else 1."""
    return numba.get_num_threads() if ThreadpoolController is not None else 1


def one_blas_thread():
    """A ``with`` block in which NumPy's BLAS runs on one thread (no change without
    threadpoolctl)."""
    if ThreadpoolController is None:
        return contextlib.nullcontext()
    return _blas_libraries().limit(limits=1)


def split_evenly(items: list, parts: int) -> list[list]:
    """``items`` cut into at most ``parts`` contiguous, non-empty blocks of near-equal size."""
    parts = max(1, min(parts, len(items)))
    bounds = [len(items) * k // parts for k in range(parts + 1)]
    return [items[bounds[k]:bounds[k + 1]] for k in range(parts)]


def run_blocks(work, items: list, workers: int) -> list:
    """Run ``work(block)`` on each of ``workers`` contiguous blocks of ``items``, in
    parallel, and return the results in block order (so sums over them are reproducible).
    The calling thread takes the first block.  With one worker (``numba.set_num_threads(1)``,
    minidl's thread setting) BLAS is held to one thread too: left alone, OpenBLAS would
    wake its own threads for every product."""
    global _pool, _pool_size
    blocks = split_evenly(items, workers)
    if len(blocks) == 1:
        if workers > 1:  # a single block of a parallel call: BLAS may use its threads
            return [work(blocks[0])]
        with one_blas_thread():
            return [work(blocks[0])]
    if _pool_size < len(blocks) - 1:
        if _pool is not None:
            _pool.shutdown()
        _pool_size = len(blocks) - 1
        _pool = ThreadPoolExecutor(_pool_size, thread_name_prefix="minidl-kernel")
    with one_blas_thread():
        futures = [_pool.submit(work, block) for block in blocks[1:]]
        try:
            results = [work(blocks[0])]
        finally:
            wait(futures)            # never return while a worker may still be writing
    return results + [future.result() for future in futures]
