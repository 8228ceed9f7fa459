"""Process-wide settings PyTorch programs make at start-up: the CPU thread count and the
deterministic-algorithms flag.

* ``set_num_threads(n)`` sets minidl's kernel workers (Numba's thread count, which
  ``kernels/cpu/workers.py`` reads for every parallel kernel; at most
  ``NUMBA_NUM_THREADS``, the count Numba started with) and NumPy's BLAS threads (through
  threadpoolctl, when installed) to the same count: ``bench.machine.set_runtime_threads``.
  ``get_num_threads()`` answers Numba's count, so asking for more threads than Numba
  started with answers the lower number.
* ``use_deterministic_algorithms(mode)`` only records the flag: every minidl kernel is
  already deterministic (CPU workers own disjoint outputs and add private sums in a fixed
  order; CUDA kernels gather, one thread per value, no atomics), so there is nothing to
  switch.
"""
from __future__ import annotations

_deterministic = False
_warn_only = False


def set_num_threads(int: int) -> None:  # noqa: A002  (PyTorch's argument name)
    """Use ``int`` threads for the CPU kernels and NumPy's BLAS."""
    from .bench.machine import set_runtime_threads

    if isinstance(int, bool) or not isinstance(int, type(1)):
        raise TypeError(f"set_num_threads: expected an int, got {type(int).__name__}")
    if int <= 0:
        raise RuntimeError(f"set_num_threads: number of threads must be positive, got {int}")
    set_runtime_threads(int)


def get_num_threads() -> int:
    """The number of threads the CPU kernels use."""
    import numba

    return numba.get_num_threads()


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record PyTorch's flag (minidl's kernels are deterministic whatever it says)."""
    global _deterministic, _warn_only
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms: mode must be a bool, got "
                        f"{type(mode).__name__}")
    _deterministic, _warn_only = mode, bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    return _deterministic


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _warn_only
