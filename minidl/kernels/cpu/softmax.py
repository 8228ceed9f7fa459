"""Softmax and log-softmax on the CPU.

Log-softmax of float32 arrays with at least 16 positions after the normalized axis (a
segmentation network's class scores per pixel: (N, C, H, W) over C) runs compiled loops
that hold 16 positions in a vector and make three passes over their C values in the L1
cache, e^ and log in vectors (``simd.exp``, ``simd.log``, about 3 ulp); the workers share
the groups of positions.  Measured on 32x24x32x32, 2 cores: forward 0.79 -> 0.34 ms,
backward 0.63 -> 0.34 ms (PyTorch 0.30 and 0.24).

Everything else runs the reference's NumPy passes on blocks of the array side by side
(NumPy's loops release Python's lock, so ``workers.parallel_loop`` runs them at once; NumPy
alone uses one core).  Every block keeps the normalized axis whole: the blocks split the
outermost other axis with at least two entries.  An array with no such axis, or whose six
or so passes touch too few elements to pay for a hand-off (``workers.split_pays``), runs
as one block.  Each block writes its slice of one output array allocated up front, in the
dtype the reference's arithmetic gives.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..reference import softmax as reference
from .simd import (
    LANES,
    add,
    exp,
    load_first,
    log,
    maximum,
    multiply,
    splat,
    store_first,
    subtract,
)
from .workers import parallel_loop


def _in_blocks(function, arrays, axis: int, dtype):
    """``function(*blocks, axis, out=out_block)`` over blocks of ``arrays`` (one shape),
    split by ``workers.parallel_loop`` along the outermost other axis."""
    shape = arrays[0].shape
    out = np.empty(shape, dtype)
    whole = axis % len(shape)
    split = next((a for a in range(len(shape)) if a != whole and shape[a] > 1), None)
    if split is None:
        return function(*arrays, axis, out=out)

    def block(start, stop):
        index = (slice(None),) * split + (slice(start, stop),)
        function(*(a[index] for a in arrays), axis, out=out[index])

    parallel_loop(block, shape[split], 6 * out.size)
    return out


def softmax_forward(x, axis: int):
    return _in_blocks(reference.softmax_forward, [x], axis, x.dtype)


def softmax_backward(y, grad, axis: int):
    return _in_blocks(reference.softmax_backward, [y, grad], axis,
                         np.result_type(y, grad))


def _as_lines(array, axis: int):
    """array viewed (outer, C, inner) around ``axis``, C-contiguous (a copy if it was not)."""
    shape = array.shape
    axis %= len(shape)
    return np.ascontiguousarray(array).reshape(
        math.prod(shape[:axis]), shape[axis], math.prod(shape[axis + 1:]))


def _lines_vectorize(arrays, axis: int) -> bool:
    """Whether the compiled loops below take these float32 arrays: at least 16 positions
    after the axis (a batch of images' class scores), so that a vector holds 16 of them."""
    shape = arrays[0].shape
    return (all(a.dtype == np.float32 for a in arrays) and len(shape) > 0
            and math.prod(shape[axis % len(shape) + 1:]) >= LANES)


@njit(inline="always", error_model="numpy")
def _positions(item, channels, inner):
    """(where item's first value lies, how many positions it has): item o·⌈inner / 16⌉ + v
    of lines (outer, C, inner) flat is positions 16·v ... of outer index o, at most 16."""
    vectors = -(-inner // LANES)
    return (item // vectors * channels * inner + item % vectors * LANES,
            min(LANES, inner - item % vectors * LANES))


@njit(nogil=True, cache=True, error_model="numpy")
def _log_softmax_lines(x, out, start, stop):
    """Items [start, stop) of outer·⌈inner / 16⌉, 16 positions of one outer index each:
    out[o, c, l] = x[o, c, l] - m - log Σ_c' e^(x[o, c', l] - m), m = max_c' x[o, c', l].
    x, out (outer, C, inner) float32: three passes over the C values of 16 positions (in
    the L1 cache after the first), e^ and log in vectors (``simd.exp``, ``simd.log``)."""
    _, channels, inner = x.shape
    values, results = x.reshape(x.size), out.reshape(out.size)
    for item in range(start, stop):
        first, count = _positions(item, channels, inner)
        top = load_first(values, first, count)
        for c in range(1, channels):
            top = maximum(top, load_first(values, first + c * inner, count))
        total = splat(np.float32(0))
        for c in range(channels):
            total = add(total, exp(subtract(load_first(values, first + c * inner, count),
                                            top)))
        shift = add(top, log(total))
        for c in range(channels):
            at = first + c * inner
            store_first(results, at, subtract(load_first(values, at, count), shift), count)


@njit(nogil=True, cache=True, error_model="numpy")
def _log_softmax_backward_lines(y, grad, out, start, stop):
    """As ``_log_softmax_lines``: out[o, c, l] = grad[o, c, l] - e^y[o, c, l] · Σ_c'
    grad[o, c', l], two passes over 16 positions' C values."""
    _, channels, inner = y.shape
    outputs, grads, results = y.reshape(y.size), grad.reshape(grad.size), out.reshape(out.size)
    for item in range(start, stop):
        first, count = _positions(item, channels, inner)
        total = splat(np.float32(0))
        for c in range(channels):
            total = add(total, load_first(grads, first + c * inner, count))
        for c in range(channels):
            at = first + c * inner
            store_first(results, at, subtract(load_first(grads, at, count), multiply(
                exp(load_first(outputs, at, count)), total)), count)


def _over_lines(loop, arrays, axis: int):
    """``loop`` over the (outer, C, inner) lines of ``arrays``, the workers sharing the
    groups of 16 positions; the result in the first array's shape."""
    lines = [_as_lines(a, axis) for a in arrays]
    out = np.empty(lines[0].shape, np.float32)
    outer, _, inner = out.shape
    parallel_loop(loop, outer * -(-inner // LANES), 4 * out.size, *lines, out)
    return out.reshape(arrays[0].shape)


def log_softmax_forward(x, axis: int):
    if _lines_vectorize([x], axis):
        return _over_lines(_log_softmax_lines, [x], axis)
    return _in_blocks(reference.log_softmax_forward, [x], axis, x.dtype)


def log_softmax_backward(y, grad, axis: int):
    if _lines_vectorize([y, grad], axis):
        return _over_lines(_log_softmax_backward_lines, [y, grad], axis)
    return _in_blocks(reference.log_softmax_backward, [y, grad], axis,
                      np.result_type(y, grad))
