"""Softmax and log-softmax on the CPU: the reference's NumPy passes, run on blocks of the
array side by side (NumPy's loops release Python's lock, so ``workers.parallel_loop``
runs them at once; NumPy alone uses one core).

Every block keeps the normalized axis whole: the blocks split the outermost other axis
with at least two entries.  An array with no such axis, or whose six or so passes touch
too few elements to pay for a hand-off (``workers.split_pays``), runs as one block.  Each
block writes its slice of one output array allocated up front, in the dtype the
reference's arithmetic gives.
"""
from __future__ import annotations

import numpy as np

from ..reference import softmax as reference
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


def log_softmax_forward(x, axis: int):
    return _in_blocks(reference.log_softmax_forward, [x], axis, x.dtype)


def log_softmax_backward(y, grad, axis: int):
    return _in_blocks(reference.log_softmax_backward, [y, grad], axis,
                         np.result_type(y, grad))
