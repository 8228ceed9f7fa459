"""Operations that move elements without changing them: reshape, permute, expand,
indexing, concatenation, gather.

Their backward passes move the gradient back the same way: reshape it back, invert the
permutation, sum over expanded axes, or add it into the positions that were read.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..backend import array_module, scatter_add
from .arithmetic import sum_to_shape
from .graph_backward import LinearMap, sum_to_shape_graph


class Reshape(Function):
    """Same elements, new shape;  the gradient is reshaped back."""

    returns_view = True

    def forward(self, x, *, shape):
        self.shape = x.shape
        return x.reshape(shape)

    def backward(self, grad):
        return grad.reshape(self.shape)

    def backward_graph(self, grad, needs):
        return (Reshape.apply(grad, shape=self.shape),)


class Permute(Function):
    """y = x with its axes reordered by ``dims``;  the gradient gets the inverse order."""

    returns_view = True

    def forward(self, x, *, dims):
        self.dims = dims
        return x.transpose(dims)

    def backward(self, grad):
        inverse = [0] * len(self.dims)
        for position, axis in enumerate(self.dims):
            inverse[axis] = position
        return grad.transpose(inverse)

    def backward_graph(self, grad, needs):
        inverse = [0] * len(self.dims)
        for position, axis in enumerate(self.dims):
            inverse[axis] = position
        return (Permute.apply(grad, dims=tuple(inverse)),)


class Expand(Function):
    """y = x broadcast to ``shape`` (no copy);  the gradient is summed back."""

    returns_view = True

    def forward(self, x, *, shape):
        self.shape = x.shape
        return array_module(x).broadcast_to(x, shape)

    def backward(self, grad):
        return sum_to_shape(grad, self.shape)

    def backward_graph(self, grad, needs):
        return (sum_to_shape_graph(grad, self.shape),)


def _has_integer_array(index) -> bool:
    """True when ``index`` holds an integer array, which may repeat positions."""
    parts = index if isinstance(index, tuple) else (index,)
    return any(getattr(p, "dtype", None) is not None and p.dtype.kind in "iu" for p in parts)


class GetItem(Function):
    """y = x[index] (basic or advanced indexing);  the gradient is added into x's positions.

    Integer-array indices may pick one element several times, so their gradient is
    accumulated with an unbuffered scatter-add; other indices pick each element once.
    """

    returns_view = True  # basic indexing (slices, ints) views x; advanced indexing copies

    def forward(self, x, *, index):
        self.index, self.shape, self.dtype = index, x.shape, x.dtype
        return x[index]

    def backward(self, grad):
        return _add_into_zeros(grad, self.index, self.shape, self.dtype)

    def backward_graph(self, grad, needs):
        index, shape, dtype = self.index, self.shape, self.dtype
        return (LinearMap.apply(grad, apply=lambda g: _add_into_zeros(g, index, shape, dtype),
                                adjoint=lambda h: h[index]),)


def _add_into_zeros(grad, index, shape, dtype):
    """GetItem's backward: zeros of x's shape with ``grad`` added at ``index``."""
    xp = array_module(grad)
    grad_x = xp.zeros(shape, dtype=dtype)
    if _has_integer_array(index):
        scatter_add(xp, grad_x, index, grad)
    else:
        grad_x[index] = grad
    return grad_x


class IndexPut(Function):
    """y = x with y[index] = value (``x[index] = value``, value broadcast to the indexed
    shape);  dy/dx = 1 outside ``index`` and 0 inside,  dy/dvalue = the gradient at
    ``index``, summed over the axes that broadcasting stretched."""

    def forward(self, x, value, *, index):
        self.index, self.value_shape = index, value.shape
        y = x.copy()
        y[index] = value
        return y

    def backward(self, grad):
        grad_x = grad_value = None
        if self.needs_input_grad[0]:
            grad_x = grad.copy()
            grad_x[self.index] = 0
        if self.needs_input_grad[1]:
            grad_value = sum_to_shape(grad[self.index], self.value_shape)
        return grad_x, grad_value


def open_grid(xp, shape) -> list:
    """Each position's index along each axis of ``shape``, as arrays that broadcast
    against each other (``numpy.indices(shape, sparse=True)``, which CuPy lacks): the k-th
    of them is ``arange(shape[k])`` laid along axis k."""
    return [xp.arange(size).reshape([size if axis == k else 1 for axis in range(len(shape))])
            for k, size in enumerate(shape)]


class Scatter(Function):
    """y = x with values written at ``index`` along ``axis``: y[index[i][j]][j] = src[i][j] for
    axis 0 (likewise for other axes), as ``torch.scatter``; ``src`` is read over the shape
    of ``index``, or is one value (0-d).
    dy/dx = 1 where nothing was written, 0 where something was;  dy/dsrc = the gradient at
    the written positions (a gather)."""

    def forward(self, x, src, *, index, axis):
        xp = array_module(x)
        positions = open_grid(xp, index.shape)
        positions[axis] = index
        self.positions, self.src_shape = tuple(positions), src.shape
        self.src_part = tuple(slice(0, size) for size in index.shape) if src.ndim else ()
        y = x.copy()
        y[self.positions] = src[self.src_part]
        return y

    def backward(self, grad):
        xp = array_module(grad)
        grad_x = grad_src = None
        if self.needs_input_grad[0]:
            grad_x = grad.copy()
            grad_x[self.positions] = 0
        if self.needs_input_grad[1]:
            picked = grad[self.positions]
            grad_src = xp.zeros(self.src_shape, dtype=grad.dtype)
            if self.src_part:
                grad_src[self.src_part] = picked
            else:
                grad_src[...] = picked.sum()
        return grad_x, grad_src


class Cat(Function):
    """y = the inputs joined along ``axis``;  the gradient is split back into pieces."""

    def forward(self, *arrays, axis=0):
        self.axis = axis
        self.sizes = [a.shape[axis] for a in arrays]
        return array_module(arrays[0]).concatenate(arrays, axis=axis)

    def backward(self, grad):
        pieces = []
        start = 0
        for size, needed in zip(self.sizes, self.needs_input_grad):
            if needed:
                index = [slice(None)] * grad.ndim
                index[self.axis] = slice(start, start + size)
                pieces.append(grad[tuple(index)])
            else:
                pieces.append(None)
            start += size
        return tuple(pieces)

    def backward_graph(self, grad, needs):
        pieces = []
        start = 0
        for size, needed in zip(self.sizes, needs):
            index = [slice(None)] * grad.ndim
            index[self.axis] = slice(start, start + size)
            pieces.append(GetItem.apply(grad, index=tuple(index)) if needed else None)
            start += size
        return tuple(pieces)


class Stack(Function):
    """y = the inputs stacked along a new ``axis``;  the gradient is unstacked."""

    def forward(self, *arrays, axis=0):
        self.axis = axis
        return array_module(arrays[0]).stack(arrays, axis=axis)

    def backward(self, grad):
        xp = array_module(grad)
        return tuple(xp.take(grad, i, axis=self.axis) if needed else None
                     for i, needed in enumerate(self.needs_input_grad))

    def backward_graph(self, grad, needs):
        axis = self.axis % grad.ndim
        return tuple(GetItem.apply(grad, index=(slice(None),) * axis + (i,)) if needed
                     else None for i, needed in enumerate(needs))


class Gather(Function):
    """y[i][j] = x[index[i][j]][j] for ``axis`` 0 (and likewise for other axes), as
    ``torch.gather``;  the gradient is scatter-added back to the gathered positions."""

    def forward(self, x, *, index, axis):
        xp = array_module(x)
        self.index, self.axis, self.shape = index, axis, x.shape
        return xp.take_along_axis(x, index, axis=axis)

    def backward(self, grad):
        return _scatter_gathered(grad, self.index, self.axis, self.shape)

    def backward_graph(self, grad, needs):
        """Linear with constant indices: the adjoint of the scatter is the gather."""
        index, axis, shape = self.index, self.axis, self.shape
        return (LinearMap.apply(
            grad, apply=lambda g: _scatter_gathered(g, index, axis, shape),
            adjoint=lambda h: array_module(h).take_along_axis(h, index, axis=axis)),)


def _scatter_gathered(grad, index, axis, shape):
    """Gather's backward: zeros of x's shape with ``grad`` added where it was gathered."""
    xp = array_module(grad)
    grad_x = xp.zeros(shape, dtype=grad.dtype)
    positions = open_grid(xp, index.shape)
    positions[axis] = index
    if index.shape[axis] == 1:  # one pick per line: no position twice
        grad_x[tuple(positions)] = grad
    else:
        scatter_add(xp, grad_x, tuple(positions), grad)
    return grad_x
