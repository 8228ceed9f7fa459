"""Handing a call to a worker thread and back without sleeping on Python's lock.

A worker of ``workers.py`` that waits on a ``threading.Lock`` sleeps in the kernel, and
on a virtual machine the core it sleeps on halts: waking it costs 20-50 µs.  A hand-off
paid that up to three times (the worker woken, then waiting for Python's lock while the
caller dispatched its own share, then the caller waiting for Python's lock while the
worker went back to sleep): 70-120 µs on 2 cores, and a training step hands out 13 to 95
calls.  Measured: two threads passing a counter back and forth in compiled code take
0.3 µs a round trip; with Python code in the worker and the caller coming back to Python
while the worker still held Python's lock, 20-27 µs.

So both sides wait in compiled code, holding no Python lock: on a counter (an int32 of a
small array) that the other side raises.  A waiter first spins, reading the counter (with
the CPU's ``pause`` between reads) for a short time, then sleeps on it in the kernel
(Linux's futex: sleep while the counter still holds the value it saw; the other side
wakes it after raising it).  And the worker says a call has ended from compiled code,
after giving up Python's lock, so that the caller it wakes never waits for that lock:

    caller                               worker
    give(): calls += 1, wake ─────────►  (spinning, or asleep, in compiled code)
    its own share (Python, then          sees the call, waits GRACE_NS more, then back
      compiled code)                       in Python: runs the call
    wait_ended(): spin / sleep ◄───────  finish_then_wait(): ended = n, wake; then spin /
    back in Python                        sleep until calls = n + 1

The grace lets the caller reach its own share's compiled code, and give up Python's lock,
before the worker asks for that lock.  The spins (``WORKER_SPIN_NS``, ``CALLER_SPIN_NS``)
last a few milliseconds at most, so that an idle minidl leaves the cores to other work.

Where the futex system call is not available (not Linux, a CPU whose system call number
is not listed, or a C library the compiler cannot call), ``LockHandoff`` does the same
with two locks.
"""
from __future__ import annotations

import functools
import platform
import sys
import threading

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

_FUTEX_SYSCALL = {"x86_64": 202, "aarch64": 98}.get(platform.machine())
FUTEX_AVAILABLE = sys.platform.startswith("linux") and _FUTEX_SYSCALL is not None
_FUTEX_WAIT_PRIVATE, _FUTEX_WAKE_PRIVATE = 0 | 128, 1 | 128
_CLOCK_MONOTONIC = 1

# libc's functions, called by name from compiled code (``syscall`` is variadic; its
# integer arguments pass as a fixed signature's do on x86-64 and AArch64)
_syscall = types.ExternalFunction(
    "syscall", types.int64(types.int64, types.intp, types.int64, types.int64, types.intp))
_clock_gettime = types.ExternalFunction("clock_gettime", types.int32(types.int32, types.intp))

WORKER_SPIN_NS = 1_000_000
"""How long a worker that has ended a call watches for the next before sleeping.  The
calls of a training step come one after another with gaps of tens of µs to a few ms;
waking a sleeping worker costs 20-50 µs.  Measured on the default study's and the GAN's
steps: 0.2 ms 2-3 % slower than 1 ms; 2, 3 and 10 ms no different from 1 ms beyond the
noise."""

CALLER_SPIN_NS = 2_000_000
"""How long the caller, its own share done, watches for the worker's end before sleeping
(the worker's share is about as long as its own: the wait is short)."""

GRACE_NS = 4_000
"""How long a worker that has seen its next call waits still before it comes back to
Python: time for the caller, which gave the call from Python, to reach its own share's
compiled code and give up Python's lock.  A worker that asks for that lock while the
caller holds it sleeps until it is free, and is woken 20-40 µs later; with the grace, a
hand-off to a spinning worker and back took 10-11 µs against 35-49."""

WAIT_SLICE_NS = 50_000_000
"""The caller sleeps at most this long at a time, then comes back to Python, where a
Ctrl-C can be raised (and is held until the worker has ended)."""

CALLS, ENDED = 0, 16
"""Where the two counters sit in a hand-off's words (on separate cache lines)."""


def following(number: int) -> int:
    """The number of the call after call ``number`` (1, 2, ..., 2^30, 1, ...: within an
    int32 counter)."""
    return number % (1 << 30) + 1


@intrinsic
def _load_acquire(typingctx, words, index):
    """words[index] read as an atomic acquire load (so the loop that watches it reads
    memory every time, and what was written before the other side raised it is seen)."""
    def codegen(context, builder, signature, args):
        array = context.make_array(signature.args[0])(context, builder, args[0])
        return builder.load_atomic(builder.gep(array.data, [args[1]]), "acquire", 4)
    return types.int32(words, index), codegen


@intrinsic
def _store_release(typingctx, words, index, value):
    """words[index] = value (int32) as an atomic release store."""
    def codegen(context, builder, signature, args):
        array = context.make_array(signature.args[0])(context, builder, args[0])
        value = context.cast(builder, args[2], signature.args[2], types.int32)
        builder.store_atomic(value, builder.gep(array.data, [args[1]]), "release", 4)
        return context.get_dummy_value()
    return types.void(words, index, value), codegen


@intrinsic
def _pause(typingctx):
    """The x86 ``pause`` instruction, a spin loop's hint to the CPU (nothing elsewhere)."""
    def codegen(context, builder, signature, args):
        if platform.machine() in ("x86_64", "AMD64"):
            hint = builder.module.declare_intrinsic(
                "llvm.x86.sse2.pause", fnty=ir.FunctionType(ir.VoidType(), []))
            builder.call(hint, [])
        return context.get_dummy_value()
    return types.void(), codegen


@njit(inline="always")
def _now_ns(clock):
    _clock_gettime(_CLOCK_MONOTONIC, clock.ctypes.data)
    return clock[0] * 1_000_000_000 + clock[1]


@njit(nogil=True, cache=True)
def _wait_for(words, index, value, spin_ns, limit_ns, clock):
    """Return once words[index] == value: True, or False after about ``limit_ns`` (< 0:
    no limit).  Spins ``spin_ns`` first, then sleeps on the word in the kernel.  ``clock``
    (int64 (2,), a timespec: seconds, nanoseconds) is the waiting thread's own: nothing
    is allocated here (an allocation without Python's lock crashes the process while
    tracemalloc traces NumPy's memory)."""
    start = _now_ns(clock)
    while True:
        for _ in range(64):
            if _load_acquire(words, index) == value:
                return True
            _pause()
        if _now_ns(clock) - start >= spin_ns:
            break
    while True:
        seen = _load_acquire(words, index)
        if seen == value:
            return True
        waited = _now_ns(clock) - start
        if 0 <= limit_ns <= waited:
            return False
        # sleep while the word still holds ``seen`` (woken by _post, or after the slice)
        left = WAIT_SLICE_NS if limit_ns < 0 else min(WAIT_SLICE_NS, limit_ns - waited)
        clock[0], clock[1] = left // 1_000_000_000, left % 1_000_000_000
        _syscall(_FUTEX_SYSCALL, words.ctypes.data + 4 * index, _FUTEX_WAIT_PRIVATE, seen,
                 clock.ctypes.data)


@njit(inline="always")
def _post_value(words, index, value):
    """words[index] = value, and the thread sleeping on it (if any) woken."""
    _store_release(words, index, value)
    _syscall(_FUTEX_SYSCALL, words.ctypes.data + 4 * index, _FUTEX_WAKE_PRIVATE, 1, 0)


@njit(nogil=True, cache=True)
def _post(words, index, value):
    _post_value(words, index, value)


@njit(nogil=True, cache=True)
def _wait_for_call(words, number, spin_ns, clock):
    """Until call ``number`` is given (no limit), then ``GRACE_NS`` more."""
    _wait_for(words, CALLS, number, spin_ns, -1, clock)
    seen = _now_ns(clock)
    while _now_ns(clock) - seen < GRACE_NS:
        _pause()


@njit(nogil=True, cache=True)
def _post_then_wait_for_call(words, ended, number, spin_ns, clock):
    """Say call ``ended`` has ended (waking the caller), then wait for call ``number``:
    all in compiled code, holding no Python lock."""
    _post_value(words, ENDED, ended)
    _wait_for_call(words, number, spin_ns, clock)


class FutexHandoff:
    """A caller and one worker passing calls through two counters (module docstring).
    The caller owns ``give`` and ``wait_ended``; the worker ``wait_for_first`` and
    ``finish_then_wait``.  Calls are numbered from 1."""

    def __init__(self):
        self._words = np.zeros(32, np.int32)
        self._given = 0
        self._caller_clock, self._worker_clock = np.zeros(2, np.int64), np.zeros(2, np.int64)

    def give(self) -> None:
        self._given = following(self._given)
        _post(self._words, CALLS, self._given)

    def wait_ended(self) -> None:
        """Until the call given last has ended (back in Python every ``WAIT_SLICE_NS``)."""
        while not _wait_for(self._words, ENDED, self._given, CALLER_SPIN_NS,
                            WAIT_SLICE_NS, self._caller_clock):
            pass

    def wait_for_first(self) -> None:
        _wait_for_call(self._words, 1, WORKER_SPIN_NS, self._worker_clock)

    def finish_then_wait(self, ended: int) -> None:
        """Call number ``ended`` has ended; return once the next call is given."""
        _post_then_wait_for_call(self._words, ended, following(ended), WORKER_SPIN_NS,
                                 self._worker_clock)


class LockHandoff:
    """``FutexHandoff``'s protocol on two locks: ``start`` released to give a call,
    ``ended`` when the call has ended."""

    def __init__(self):
        self._start, self._ended = threading.Lock(), threading.Lock()
        self._start.acquire()
        self._ended.acquire()

    def give(self) -> None:
        self._start.release()

    def wait_ended(self) -> None:
        self._ended.acquire()

    def wait_for_first(self) -> None:
        self._start.acquire()

    def finish_then_wait(self, ended: int) -> None:
        self._ended.release()
        self._start.acquire()


@functools.cache
def futex_handoffs_work() -> bool:
    """Whether the futex hand-off runs here: Linux on a listed CPU, and its compiled
    functions build and post a call (a libc whose ``syscall`` or ``clock_gettime`` the
    compiler cannot find falls back to locks instead of failing a kernel)."""
    if not FUTEX_AVAILABLE:
        return False
    words, clock = np.zeros(32, np.int32), np.zeros(2, np.int64)
    try:
        _post(words, CALLS, 1)
        return bool(_wait_for(words, CALLS, 1, 0, 0, clock))
    except Exception:  # noqa: BLE001 - any failure to compile or run means: use locks
        return False


def new_handoff():
    """The hand-off a new worker uses: on futexes where they work, else on locks."""
    return FutexHandoff() if futex_handoffs_work() else LockHandoff()

