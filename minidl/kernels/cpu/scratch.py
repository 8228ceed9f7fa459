"""Scratch arrays that outlive a call: each thread keeps its own, by name and dtype.

A convolution's column matrices, stride phases, gathered tiles and Winograd transforms are
megabytes that live only inside one call.  Allocated fresh each time, their pages are
mapped afresh and fault on first touch (the allocator hands large blocks back to the
system), which costs as much as a good part of the copies that fill them.  Instead each
thread keeps one flat buffer per (name, dtype), grown when a call needs more and never
shrunk, and a call takes a view of its first elements.

Rules that keep this safe:

- Only scratch that never leaves the kernel may come from here: never an array the
  kernel returns, nor a view of one.  The next call (of any shape) overwrites it.
  Nor what a worker's block returns to the caller (``workers.run_blocks``): a pool
  thread may run two blocks of one call, one after the other.
- Per thread (``threading.local``): the workers of ``workers.py`` and any threads of the
  user's each have their own buffers, so two calls running at once never share one.
- Within one call, each use takes its own name: two scratch arrays alive at once must
  not have the same name.
- A thread keeps at most ``KEPT_BYTES`` in all; a call that needs a buffer beyond that
  gets a fresh array, freed when the call ends, so a giant call does not pin memory.
"""
from __future__ import annotations

import math
import threading
import weakref

import numpy as np

KEPT_BYTES = 64 << 20
"""Most bytes of scratch one thread keeps between calls (64 MiB)."""

_local = threading.local()


class _Buffers(dict):
    """One thread's buffers, {(name, dtype): flat array} (a dict that can be weakly
    referenced: freed with its thread)."""


_every_thread: dict = {}  # id -> weak reference of each thread's _Buffers


def _kept() -> dict:
    """This thread's buffers."""
    buffers = getattr(_local, "buffers", None)
    if buffers is None:
        buffers = _local.buffers = _Buffers()
        _every_thread[id(buffers)] = weakref.ref(buffers)
    return buffers


def scratch(name: str, shape, dtype) -> np.ndarray:
    """A C-contiguous array of ``shape`` and ``dtype`` whose contents are undefined,
    private to this thread until its next request for ``name``."""
    dtype = np.dtype(dtype)
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    size = math.prod(shape)
    buffers = _kept()
    key = (name, dtype)
    buffer = buffers.get(key)
    if buffer is None or buffer.size < size:
        buffer = np.empty(size, dtype)
        others = sum(kept.nbytes for other, kept in buffers.items() if other != key)
        if others + buffer.nbytes <= KEPT_BYTES:
            buffers[key] = buffer
    return buffer[:size].reshape(shape)


def scratch_zeros(name: str, shape, dtype) -> np.ndarray:
    """``scratch`` filled with zeros."""
    array = scratch(name, shape, dtype)
    array.fill(0)
    return array


def kept_bytes(every_thread: bool = False) -> int:
    """Bytes of scratch this thread (or every living thread) keeps now."""
    if every_thread:
        tables = [table for ref in list(_every_thread.values())
                  if (table := ref()) is not None]
    else:
        tables = [_kept()]
    return sum(buffer.nbytes for table in tables for buffer in list(table.values()))


def forget_kept() -> None:
    """Drop the scratch every thread keeps (a benchmark's fresh start; the next call of
    each thread allocates again).  Only while no kernel runs."""
    for ref in list(_every_thread.values()):
        table = ref()
        if table is not None:
            table.clear()
