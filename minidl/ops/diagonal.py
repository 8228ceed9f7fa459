"""The diagonal of a tensor's planes, as a view (PyTorch's ``Tensor.diagonal``).

For planes (dim1, dim2) and an offset k, y[..., i] = x[..., i + below, i + above] with
above = max(k, 0), below = max(-k, 0), i < count = min(rows - below, columns - above):
the other dimensions first, in order, the diagonal last.  In memory it is a view: starting
at element (below, above) of the planes, one step along the diagonal moves by the sum of
the two dimensions' strides, so ``x.diagonal().add_(1)`` changes x, as in PyTorch.
dL/dx is zero but on the diagonal, where it is dL/dy.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.saved import memory_owner
from ..backend import array_module


def _geometry(shape, offset):
    """(below, above, count) of the offset's diagonal of planes of ``shape``'s last two
    dimensions."""
    above, below = max(offset, 0), max(-offset, 0)
    count = max(min(shape[-2] - below, shape[-1] - above), 0)
    return below, above, count


def diagonal_view(x, offset: int, dim1: int, dim2: int):
    """The diagonal of x's planes (dim1, dim2) (non-negative, distinct) as an array on x's
    memory (a NumPy array), or a copy (a CuPy array, or memory NumPy cannot view)."""
    xp = array_module(x)
    planes = xp.moveaxis(x, (dim1, dim2), (-2, -1))
    below, above, count = _geometry(planes.shape, offset)
    steps = xp.arange(count)
    if xp is not np or count == 0 or planes.size == 0:
        return planes[..., steps + below, steps + above]
    owner = memory_owner(x)
    # the owner's memory as one C-ordered block (an owner made by a ufunc on a transposed
    # input keeps that input's axis order): its axes sorted by stride
    memory = owner.transpose(np.argsort(owner.strides, kind="stable")[::-1])
    if not memory.flags.c_contiguous:   # no dense block to view (never made by minidl)
        return planes[..., steps + below, steps + above]
    start = planes[..., below, above]
    shift = start.__array_interface__["data"][0] - memory.__array_interface__["data"][0]
    return np.ndarray(planes.shape[:-2] + (count,), x.dtype, buffer=memory, offset=shift,
                      strides=planes.strides[:-2] + (planes.strides[-2] + planes.strides[-1],))


class Diagonal(Function):
    """y = the ``offset``-th diagonal of x's planes (dim1, dim2);  dL/dx = dL/dy placed on
    that diagonal, zero elsewhere."""

    returns_view = True

    def forward(self, x, offset, dim1, dim2):
        self.shape, self.offset, self.dims = x.shape, offset, (dim1, dim2)
        return diagonal_view(x, offset, dim1, dim2)

    def backward(self, grad):
        xp = array_module(grad)
        grad_x = xp.zeros(self.shape, dtype=grad.dtype)
        planes = xp.moveaxis(grad_x, self.dims, (-2, -1))
        below, above, count = _geometry(planes.shape, self.offset)
        steps = xp.arange(count)
        planes[..., steps + below, steps + above] = grad
        return grad_x
