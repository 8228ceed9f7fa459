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
  contiguous range per worker.  (A loop over a run-time range should slice its arrays
  and count from 0: LLVM vectorizes only loops whose indices it can see are not
  negative.)

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
matrix products run, through threadpoolctl.  Loops with less work than
``PARALLEL_MIN_WORK`` run on the calling thread alone: a hand-off to a worker and back
(``handoff.py``) costs 10-15 µs on a 2-core virtual machine while the worker still spins,
60-90 µs once it has gone to sleep, and up to a scheduler time slice on a busy machine.
"""
from __future__ import annotations

import contextlib
import os
import threading
import time
from functools import partial

import numba

from .handoff import WORKER_SPIN_NS, following, futex_handoffs_work, new_handoff

try:
    from threadpoolctl import ThreadpoolController
except ImportError:  # optional: without it, work runs in the calling thread
    ThreadpoolController = None

PARALLEL_MIN_WORK = 3 << 18
"""The work (array elements read or written, counting each pass) from which
``parallel_loop`` splits a loop over the workers.  Handing work to a sleeping worker and
back costs 60-90 µs on a 2-core virtual machine (``handoff.py``), about what one thread
takes to touch this many float32 values.  Measured, split / one thread: ReLU forward (2 touches an
element) 1.03 for 262144 elements, 0.71 for 393216, 0.65 for 524288; the direct
convolution (``direct.MULTIPLY_ADD_WORK``) 1.18-1.19 at 258048-516096 work with 4-16
images, 0.86 at 516096-774144 with 16-32.  (With the hand-offs on locks, 70-200 µs, it was
twice this: ReLU 1.33 for 524288 elements.)  While the workers still spin after the last
shared call (``handoff.WORKER_SPIN_NS``), a hand-off costs 10-15 µs and half this work
is enough (``split_pays``): ReLU 0.97 for 196608 elements, 0.61 for 262144, where a
sleeping worker made them 2.10 and 1.51.  PyTorch's grain size, 32768 elements, suits its
OpenMP hand-offs, whose threads spin for a while after each loop too."""

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


@contextlib.contextmanager
def _blas_threads(libraries, count: int):
    """A ``with`` block in which the BLAS ``libraries`` (threadpoolctl's controllers) run
    ``count`` threads, set back afterwards.  Set directly: threadpoolctl's own limiter
    reads every library's information again each time, 15 µs a block against 4 µs."""
    before = [library.get_num_threads() for library in libraries]
    for library in libraries:
        library.set_num_threads(count)
    try:
        yield
    finally:
        for library, threads in zip(libraries, before):
            library.set_num_threads(threads)


def one_blas_thread():
    """A ``with`` block in which NumPy's BLAS runs on one thread (no change without
    threadpoolctl)."""
    if ThreadpoolController is None:
        return contextlib.nullcontext()
    return _blas_threads(_blas_libraries().lib_controllers, 1)


def even_ranges(count: int, parts: int) -> list[tuple[int, int]]:
    """[0, count) cut into ``parts`` contiguous ranges (start, stop) of near-equal size."""
    return [(count * k // parts, count * (k + 1) // parts) for k in range(parts)]


def split_evenly(items: list, parts: int) -> list[list]:
    """``items`` cut into at most ``parts`` contiguous, non-empty blocks of near-equal size."""
    parts = max(1, min(parts, len(items)))
    return [items[start:stop] for start, stop in even_ranges(len(items), parts)]


class _Worker:
    """One pool thread, handed one call at a time through a hand-off (``handoff.py``):
    the caller gives it a call, and waits for its end, in compiled code that holds no
    Python lock, spinning briefly before sleeping.  (Through two ``threading.Lock``s,
    waking the other core and passing Python's lock back and forth, a call that does
    nothing took 70-120 µs there and back on a 2-core virtual machine; through
    ``concurrent.futures`` 118 µs; a training step hands out dozens.)"""

    def __init__(self):
        self._handoff = new_handoff()
        self._call = None
        self._outcome: tuple = (None, None)
        threading.Thread(target=self._serve, name="minidl-kernel", daemon=True).start()

    def _serve(self):
        _local.in_pool = True
        number = 1
        self._handoff.wait_for_first()
        while True:
            try:
                self._outcome = (self._call(), None)
            except BaseException as error:  # handed to the caller by join()
                self._outcome = (None, error)
            self._call = None
            self._handoff.finish_then_wait(number)
            number = following(number)

    def begin(self, call):
        self._call = call
        self._handoff.give()

    def join(self) -> tuple:
        """(the call's result, the exception it raised or None), once it has ended.  An
        exception raised in the caller while it waits (Ctrl-C) is waited out and comes
        back in place of the call's own: a worker left running could still be writing,
        and would hand its end to the next call's join."""
        interruption = None
        while True:
            try:
                self._handoff.wait_ended()
                break
            except BaseException as error:  # returned below, for the caller to raise
                interruption = error
        outcome, self._outcome = self._outcome, (None, None)
        return outcome if interruption is None else (None, interruption)


_workers: list[_Worker] = []
_last_end_ns = 0               # time.monotonic_ns() when the last shared call ended
_pool_lock = threading.Lock()  # held by the thread whose calls the workers run
_local = threading.local()     # .in_pool: this thread is one of the workers


def _forget_workers():
    """In a forked child: the parent's worker threads do not exist there."""
    global _pool_lock
    _workers.clear()
    _pool_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_workers)


def _side_by_side(calls: list) -> list:
    """Run the argument-less ``calls`` at once, the first in the calling thread, the others
    on the pool's threads; their results in order.  They run one after the other instead
    when called from a pool thread (work that nests: a worker waiting on the pool could
    wait for itself) or while another thread of the user's has the pool."""
    global _last_end_ns
    if len(calls) == 1 or getattr(_local, "in_pool", False) or not _pool_lock.acquire(
            blocking=False):
        return [call() for call in calls]
    try:
        while len(_workers) < len(calls) - 1:
            _workers.append(_Worker())
        for worker, call in zip(_workers, calls[1:]):
            worker.begin(call)
        try:
            first = calls[0]()
        finally:         # never return while a worker may still be writing
            outcomes = [worker.join() for worker in _workers[:len(calls) - 1]]
        _last_end_ns = time.monotonic_ns()
        for _, error in outcomes:
            if error is not None:
                raise error
        return [first] + [result for result, _ in outcomes]
    finally:
        _pool_lock.release()


def run_blocks(work, items: list, workers: int) -> list:
    """Run ``work(block)`` on each of ``workers`` contiguous blocks of ``items``, in
    parallel, and return the results in block order (so sums over them are reproducible).
    The calling thread takes the first block.  BLAS is held to one thread meanwhile, a
    single block included: OpenBLAS's own threads, once woken, spin for about a tenth of
    a second after each product (its default thread timeout) and take the other core
    from the next kernels' workers (a GAN's training step ran 1.27x slower when a
    one-block call let them run)."""
    blocks = split_evenly(items, workers)
    with one_blas_thread():
        return _side_by_side([partial(work, block) for block in blocks])


def split_pays(work: int) -> bool:
    """Whether work this large (elements read or written, each pass counted) is worth
    sharing with the workers: from ``PARALLEL_MIN_WORK``, or from half that while they
    still spin after the last shared call (within 3/4 of ``handoff.WORKER_SPIN_NS``)."""
    if work >= PARALLEL_MIN_WORK:
        return True
    return (work >= PARALLEL_MIN_WORK // 2 and futex_handoffs_work()
            and time.monotonic_ns() - _last_end_ns < WORKER_SPIN_NS * 3 // 4)


def parallel_loop(loop, count: int, work: int, *args) -> None:
    """Run ``loop(*args, start, stop)`` over the items [0, count) (a Numba loop compiled
    ``nogil=True``, or any work that releases Python's lock, as NumPy's loops do): split
    into one contiguous range per worker when its ``work`` (elements read or written,
    each pass counted) pays for the hand-off (``split_pays``), else on the calling thread
    alone.  The loop's items must be independent (no two write the same element)."""
    parts = min(count, numba.get_num_threads()) if split_pays(work) else 1
    if parts <= 1:
        loop(*args, 0, count)
        return
    _side_by_side([partial(loop, *args, start, stop)
                   for start, stop in even_ranges(count, parts)])
