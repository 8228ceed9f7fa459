"""minidl's one pool of CPU worker threads: every parallel kernel runs its work on it.

Two kinds of work use the pool:

- ``run_blocks``: a convolution splits into independent tiles (im2col, one matrix
  product, a write-back).  Giving each thread a contiguous block of tiles, with
  single-threaded BLAS inside, costs one start and one join per call, however many tiles
  there are.  The alternative, every tile using all threads for each of its steps, pays a
  wake-up and a wait per step, and on a busy machine each of those can cost a scheduler
  time slice (milliseconds): OpenBLAS's own threads are the worst there.
- ``parallel_loop``: a Numba loop over independent items (channels, planes, elements),
  compiled ``nogil=True`` with the range it covers as its last two arguments, runs one
  contiguous range per worker.

Why not Numba's ``prange``: a tile's middle step is a NumPy matrix product (batched
``np.matmul`` into a strided view of the output), which Numba's compiled code does not
offer, so the convolutions need threads of their own; and two pools on the same cores
fight.  Numba's default pool (OpenMP) keeps its threads spinning for milliseconds after
each parallel loop, and the convolution workers that start next share the cores with
them: measured on 2 cores, whole training steps ran 1.1-1.4x slower with the loops on
Numba's pool than with the same loops on one thread (and 1.05-1.15x faster once that
pool's threads slept instead of spinning, which minidl cannot choose for a process that
may have loaded OpenMP before it).  One pool whose idle threads sleep avoids both.
Plain Python threads can run the work because the Numba loops (``nogil=True``) and
NumPy's matrix products release Python's global lock.

The number of workers is Numba's thread count (``numba.set_num_threads``), minidl's one
setting for CPU threads.  NumPy's BLAS is held to one thread per worker while blocks with
matrix products run, through threadpoolctl.  Loops over fewer than
``PARALLEL_MIN_ELEMENTS`` elements run on the calling thread alone: waking a worker
costs microseconds on an idle machine and up to a scheduler time slice on a busy one.
"""
from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from functools import partial

import numba

try:
    from threadpoolctl import ThreadpoolController
except ImportError:  # optional: without it, work runs in the calling thread
    ThreadpoolController = None

PARALLEL_MIN_ELEMENTS = 32768
"""Elements from which ``parallel_loop`` splits a loop over the workers (PyTorch's grain
size for its own parallel loops)."""

_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_blas = None
_local = threading.local()  # .in_pool: this thread is one of the pool's workers


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


def _mark_pool_thread():
    _local.in_pool = True


def _side_by_side(calls: list) -> list:
    """Run the argument-less ``calls`` at once, the first in the calling thread, the others
    on the pool's threads; their results in order.  Called from a pool thread (work that
    nests), they run one after the other instead: a worker waiting on the pool could wait
    for itself."""
    global _pool, _pool_size
    if len(calls) == 1 or getattr(_local, "in_pool", False):
        return [call() for call in calls]
    if _pool_size < len(calls) - 1:
        if _pool is not None:
            _pool.shutdown()
        _pool_size = len(calls) - 1
        _pool = ThreadPoolExecutor(_pool_size, thread_name_prefix="minidl-kernel",
                                   initializer=_mark_pool_thread)
    futures = [_pool.submit(call) for call in calls[1:]]
    try:
        results = [calls[0]()]
    finally:
        wait(futures)            # never return while a worker may still be writing
    return results + [future.result() for future in futures]


def run_blocks(work, items: list, workers: int) -> list:
    """Run ``work(block)`` on each of ``workers`` contiguous blocks of ``items``, in
    parallel, and return the results in block order (so sums over them are reproducible).
    The calling thread takes the first block.  With one worker (``numba.set_num_threads(1)``,
    minidl's thread setting) BLAS is held to one thread too: left alone, OpenBLAS would
    wake its own threads for every product."""
    blocks = split_evenly(items, workers)
    if len(blocks) == 1 and workers > 1:  # a single block of a parallel call: BLAS may
        return [work(blocks[0])]          # use its threads
    with one_blas_thread():
        return _side_by_side([partial(work, block) for block in blocks])


def parallel_loop(loop, count: int, elements: int, *args) -> None:
    """Run the Numba loop ``loop(*args, start, stop)`` over the items [0, count): split
    into one contiguous range per worker when it touches at least
    ``PARALLEL_MIN_ELEMENTS`` elements, else on the calling thread alone.  The loop's
    items must be independent (no two write the same element)."""
    parts = min(count, numba.get_num_threads()) if elements >= PARALLEL_MIN_ELEMENTS else 1
    if parts <= 1:
        loop(*args, 0, count)
        return
    bounds = [count * k // parts for k in range(parts + 1)]
    _side_by_side([partial(loop, *args, bounds[k], bounds[k + 1]) for k in range(parts)])
