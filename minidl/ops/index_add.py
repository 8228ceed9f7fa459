"""Adding values into zeros at given positions of the last axis, repeats summed.

The adjoint of reading those positions (``x[..., index]``): ``F.fold`` sums the sliding
blocks of ``F.unfold`` back into an image with it.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..backend import array_module, scatter_add


class IndexAdd(Function):
    """y = zeros(…, size);  y[…, index[m]] += x[…, m] for every m (index: (M,) ints in
    [0, size), x: (…, M)).  The gradient reads the positions back: dx[…, m] = dy[…, index[m]].
    """

    def forward(self, x, *, index, size):
        xp = array_module(x)
        self.index = index
        y = xp.zeros(x.shape[:-1] + (size,), dtype=x.dtype)
        scatter_add(xp, y, (Ellipsis, index), x)
        return y

    def backward(self, grad):
        return grad[..., self.index]
