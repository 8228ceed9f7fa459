"""``Tensor.unfold``: the sliding windows of one dimension, as a strided view.

y = x.unfold(d, size, step) has x's shape with dimension d replaced by the number of
windows, (n - size) // step + 1, and a new last dimension of ``size``:
y[..., i, ..., k] = x[..., i·step + k, ...].  Its gradient adds each window's gradient back
onto the elements it covered (overlapping windows add up).
"""
from __future__ import annotations

from ..autograd.function import Function
from ..backend import array_module


def window_view(x, axis: int, size: int, step: int):
    """The windows of ``x`` along ``axis`` as a view of x's memory (NumPy or CuPy).  It is
    writable only where windows do not overlap (step ≥ size), as PyTorch refuses in-place
    writes to memory that several elements share."""
    xp = array_module(x)
    count = (x.shape[axis] - size) // step + 1
    shape = x.shape[:axis] + (count,) + x.shape[axis + 1:] + (size,)
    strides = x.strides[:axis] + (x.strides[axis] * step,) + x.strides[axis + 1:] \
        + (x.strides[axis],)
    if xp.__name__ == "numpy":
        return xp.lib.stride_tricks.as_strided(x, shape, strides, writeable=step >= size)
    return xp.lib.stride_tricks.as_strided(x, shape, strides)


class Unfold(Function):
    """y = the windows of ``size`` elements every ``step`` along ``axis`` (a view);  the
    gradient is added back window by window."""

    returns_view = True

    def forward(self, x, *, axis, size, step):
        self.axis, self.size, self.step, self.shape = axis, size, step, x.shape
        return window_view(x, axis, size, step)

    def backward(self, grad):
        return _add_windows(grad, self.shape, self.axis, self.size, self.step)

    def backward_graph(self, grad, needs):
        from .graph_backward import LinearMap

        shape, axis, size, step = self.shape, self.axis, self.size, self.step
        return (LinearMap.apply(
            grad, apply=lambda g: _add_windows(g, shape, axis, size, step),
            adjoint=lambda h: window_view(h, axis, size, step).copy()),)


def _add_windows(grad, shape, axis: int, size: int, step: int):
    """Unfold's backward: zeros of x's shape with each window's gradient added where the
    window was read (one vectorized addition per position in the window)."""
    xp = array_module(grad)
    grad_x = xp.zeros(shape, dtype=grad.dtype)
    count = grad.shape[axis]
    lead = (slice(None),) * axis
    for k in range(size):
        piece = grad[..., k]
        if count:
            grad_x[lead + (slice(k, k + step * (count - 1) + 1, step),)] += piece
    return grad_x
