"""The machine's float32 multiply-add peak: what no convolution kernel can beat.

A convolution computed directly does the same multiply-adds in any engine, so once
PyTorch's kernel runs near this rate a direct kernel can at best tie with it; only an
algorithm with fewer multiply-adds (Winograd's) can be faster.  The kernel benchmark
reports each engine's convolution rate against it.

The loop: 8 independent running sums, each a vector of 16 float32 lanes (``simd.py``),
``acc ← acc + s·v`` over and over: enough chains to cover the multiply-add's latency on
AVX-512 cores with two such units, and nothing else in the loop (no loads, no stores).
Each thread runs its own copy; the rate counts 2 floating-point operations a lane.
"""
from __future__ import annotations

import time

import numpy as np
from numba import njit

from ..kernels.cpu.simd import LANES, add, load, multiply_add, store_first
from ..kernels.cpu.workers import parallel_loop

CHAINS = 8
"""Independent vectors of running sums in the loop."""


@njit(nogil=True, cache=True, error_model="numpy")
def _multiply_adds(seed, steps, out, start, stop):
    """``steps`` rounds of CHAINS vector multiply-adds for each item in [start, stop);
    out[item·16 : item·16 + 16] gets the sum of the chains (kept so LLVM keeps the loop)."""
    v, s = load(seed, 0), load(seed, LANES)
    for item in range(start, stop):
        a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = load(seed, 2 * LANES)
        for _ in range(steps):
            a0, a1 = multiply_add(a0, s, v), multiply_add(a1, s, v)
            a2, a3 = multiply_add(a2, s, v), multiply_add(a3, s, v)
            a4, a5 = multiply_add(a4, s, v), multiply_add(a5, s, v)
            a6, a7 = multiply_add(a6, s, v), multiply_add(a7, s, v)
        total = add(add(add(a0, a1), add(a2, a3)), add(add(a4, a5), add(a6, a7)))
        store_first(out, item * LANES, total, LANES)


def multiply_add_peak_gflops(threads: int, steps: int = 4_000_000, repeat: int = 3) -> float:
    """The best rate, in GFLOP/s, of ``threads`` threads each running ``steps`` rounds of
    the loop at once (on minidl's workers, as the kernels run)."""
    seed = np.full(3 * LANES, 0.5, np.float32)   # s·v = 0.25: the sums stay finite
    seed[2 * LANES:] = 0
    out = np.empty(threads * LANES, np.float32)
    # compiled (or loaded) and the workers started before timing: a first call whose worker
    # is not ready yet runs that worker's share on the caller, at one thread's rate
    parallel_loop(_multiply_adds, threads, 1 << 40, seed, steps // 10, out)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        parallel_loop(_multiply_adds, threads, 1 << 40, seed, steps, out)
        best = min(best, time.perf_counter() - start)
    return threads * steps * CHAINS * LANES * 2 / best / 1e9
