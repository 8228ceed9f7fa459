"""Softmax and log-softmax on the CPU: the reference's NumPy passes, run on blocks of the
array side by side (NumPy's loops release Python's lock, so the workers of ``workers.py``
run them at once; NumPy alone uses one core).

Every block keeps the normalized axis whole: the blocks split the outermost other axis
with at least two entries.  An array with no such axis, or whose six or so passes touch
fewer than ``workers.PARALLEL_MIN_WORK`` elements, runs as one block.  Each block writes
its slice of one output array allocated up front, in the dtype the reference's
arithmetic gives.
"""
from __future__ import annotations

import numpy as np

from ..reference import softmax as reference
from . import workers


def _side_by_side(function, arrays, axis: int, dtype):
    """``function(*blocks, axis, out=out_block)`` over blocks of ``arrays`` (one shape)."""
    shape = arrays[0].shape
    out = np.empty(shape, dtype)
    whole = axis % len(shape)
    split = next((a for a in range(len(shape)) if a != whole and shape[a] > 1), None)
    parts = workers.worker_count() if 6 * out.size >= workers.PARALLEL_MIN_WORK else 1
    if split is None or parts == 1:
        return function(*arrays, axis, out=out)
    bounds = [shape[split] * k // parts for k in range(parts + 1)]
    blocks = [(slice(None),) * split + (slice(bounds[k], bounds[k + 1]),)
              for k in range(parts) if bounds[k] < bounds[k + 1]]
    workers.run_blocks(
        lambda mine: [function(*(a[index] for a in arrays), axis, out=out[index])
                      for index in mine], blocks, len(blocks))
    return out


def softmax_forward(x, axis: int):
    return _side_by_side(reference.softmax_forward, [x], axis, x.dtype)


def softmax_backward(y, grad, axis: int):
    return _side_by_side(reference.softmax_backward, [y, grad], axis,
                         np.result_type(y, grad))


def log_softmax_forward(x, axis: int):
    return _side_by_side(reference.log_softmax_forward, [x], axis, x.dtype)


def log_softmax_backward(y, grad, axis: int):
    return _side_by_side(reference.log_softmax_backward, [y, grad], axis,
                         np.result_type(y, grad))
