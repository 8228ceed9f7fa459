"""Padding the last dimensions of a tensor: with a constant, or with the tensor's own
values (reflect, replicate, circular), as ``torch.nn.functional.pad``.

Along one padded dimension of size n, output position j (0 ≤ j < before + n + after)
reads input position i = j - before, mapped into [0, n) by the mode::

    reflect     mirror at the edges, without repeating them:  -1 -> 1, n -> n - 2
    replicate   repeat the edge:                               -1 -> 0, n -> n - 1
    circular    wrap around:                                    -1 -> n - 1, n -> 0

so padding is a gather, ``y = take(x, index, axis)``, one dimension after the other, and
its gradient adds each output's gradient back to the input position it read (a product
with the 0/1 matrix M[j, i] = [index[j] = i], so repeated reads accumulate).  Constant
padding writes x into the middle of a filled array; a negative amount crops instead.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..backend import array_module
from .graph_backward import LinearMap

MODES = ("constant", "reflect", "replicate", "circular")


def source_index(xp, size: int, before: int, after: int, mode: str):
    """For each output position along a padded dimension, the input position it reads."""
    position = xp.arange(-before, size + after)
    if mode == "replicate":
        return xp.clip(position, 0, size - 1)
    if mode == "circular":
        return position % size
    period = 2 * (size - 1)  # reflect
    if period == 0:
        return xp.zeros_like(position)
    position = position % period
    return xp.where(position < size, position, period - position)


class PadByIndex(Function):
    """y = x gathered along ``axes`` by the modes' index maps (reflect, replicate,
    circular);  dL/dx = Σ over the outputs that read each input of their gradient."""

    def forward(self, x, *, widths, mode):
        xp = array_module(x)
        self.steps = []
        y = x
        for axis, (before, after) in widths:
            index = source_index(xp, y.shape[axis], before, after, mode)
            self.steps.append((axis, index, y.shape[axis]))
            y = xp.take(y, index, axis=axis)
        return y

    def backward(self, grad):
        xp = array_module(grad)
        for axis, index, size in reversed(self.steps):
            reads = (index[:, None] == xp.arange(size)[None, :]).astype(grad.dtype)
            moved = xp.moveaxis(grad, axis, -1)
            grad = xp.moveaxis(moved @ reads, -1, axis)
        return grad

    def backward_graph(self, grad, needs):
        steps = self.steps

        def scatter(g):
            xp = array_module(g)
            for axis, index, size in reversed(steps):
                reads = (index[:, None] == xp.arange(size)[None, :]).astype(g.dtype)
                g = xp.moveaxis(xp.moveaxis(g, axis, -1) @ reads, -1, axis)
            return g

        def gather(h):  # the adjoint: the forward's gathers
            for axis, index, _ in steps:
                h = array_module(h).take(h, index, axis=axis)
            return h

        return (LinearMap.apply(grad, apply=scatter, adjoint=gather),)


class ConstantPad(Function):
    """y = x placed inside an array filled with ``value`` (``widths`` ≥ 0 per side) after
    cropping the negative sides;  dL/dx = the gradient's middle window, zero-padded back
    where x was cropped."""

    def forward(self, x, *, widths, value):
        xp = array_module(x)
        self.shape = x.shape
        self.crop = tuple(slice(max(-before, 0), x.shape[axis] - max(-after, 0))
                          if (before, after) != (0, 0) else slice(None)
                          for axis, (before, after) in enumerate(widths))
        cropped = x[self.crop]
        out_shape = tuple(size + max(before, 0) + max(after, 0)
                          for size, (before, after) in zip(cropped.shape, widths))
        y = xp.full(out_shape, value, dtype=x.dtype)
        self.inside = tuple(slice(max(before, 0), max(before, 0) + size)
                            for size, (before, _) in zip(cropped.shape, widths))
        y[self.inside] = cropped
        return y

    def backward(self, grad):
        xp = array_module(grad)
        grad_x = xp.zeros(self.shape, dtype=grad.dtype)
        grad_x[self.crop] = grad[self.inside]
        return grad_x

    def backward_graph(self, grad, needs):
        shape, crop, inside = self.shape, self.crop, self.inside
        out_shape = tuple(grad.shape)

        def window(g):
            grad_x = array_module(g).zeros(shape, dtype=g.dtype)
            grad_x[crop] = g[inside]
            return grad_x

        def place(h):  # the adjoint: x's window placed in zeros (the fill has no gradient)
            y = array_module(h).zeros(out_shape, dtype=h.dtype)
            y[inside] = h[crop]
            return y

        return (LinearMap.apply(grad, apply=window, adjoint=place),)
