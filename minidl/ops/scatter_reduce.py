"""Reducing values into a tensor at given positions: scatter_add and scatter_reduce (sum,
prod, mean, amax, amin), index_put with accumulation, masked_scatter.

Their backward passes follow PyTorch's (``scatter_reduce_backward``): the sum passes the
gradient through, the mean divides it by each position's count, the product by the factor
(with zeros handled exactly), and amax/amin split it evenly among the tied winners.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..backend import array_module, scatter_add
from .arithmetic import sum_to_shape
from .shape import open_grid

REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def scatter_positions(xp, index, axis) -> tuple:
    """Where ``scatter`` along ``axis`` writes each element of ``index``: an index tuple
    of arrays broadcasting to ``index``'s shape."""
    positions = open_grid(xp, index.shape)
    positions[axis] = index
    return tuple(positions)


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else (False if dtype.kind == "b" else np.iinfo(dtype).min)


def _highest(dtype):
    return np.inf if dtype.kind == "f" else (True if dtype.kind == "b" else np.iinfo(dtype).max)


def scatter_reduce_array(x, src, positions, reduce, include_self):
    """``x.scatter_reduce(dim, index, src, reduce, include_self)`` on raw arrays, ``src``
    already cut to ``index``'s shape and ``positions`` from :func:`scatter_positions`."""
    xp = array_module(x)
    y = x.copy()
    if reduce in ("sum", "mean"):
        if not include_self:
            y[positions] = 0
        scatter_add(xp, y, positions, src)
        if reduce == "mean":
            count = xp.ones(x.shape, dtype=x.dtype) if include_self else \
                xp.zeros(x.shape, dtype=x.dtype)
            scatter_add(xp, count, positions, xp.ones(src.shape, dtype=x.dtype))
            count[count == 0] = 1
            y = y / count if x.dtype.kind in "fc" else y // count
        return y.astype(x.dtype, copy=False)
    ufunc = {"prod": np.multiply, "amax": np.maximum, "amin": np.minimum}[reduce]
    if not include_self:
        y[positions] = {"prod": 1, "amax": _lowest(x.dtype), "amin": _highest(x.dtype)}[reduce]
    if xp is np:
        ufunc.at(y, positions, src)
    else:  # CuPy: no ufunc.at for these; a loop over the index's elements in order
        flat = [p.ravel() for p in xp.broadcast_arrays(*positions)]
        values = src.ravel()
        for k in range(values.size):
            where = tuple(int(p[k]) for p in flat)
            y[where] = ufunc(y[where], values[k])
    return y


class ScatterReduce(Function):
    """y = x with ``src`` reduced into it at ``index`` along ``axis`` (``torch.scatter_reduce``;
    ``src`` is read over ``index``'s shape).  Gradients as PyTorch's."""

    def forward(self, x, src, *, index, axis, reduce, include_self):
        xp = array_module(x)
        self.src_shape = src.shape
        self.src_part = tuple(slice(0, size) for size in index.shape)
        self.positions = scatter_positions(xp, index, axis)
        self.reduce, self.include_self = reduce, include_self
        source = src[self.src_part]
        y = scatter_reduce_array(x, source, self.positions, reduce, include_self)
        if reduce in ("prod", "amax", "amin"):
            self.x, self.source, self.y = x, source, y
        return y

    def backward(self, grad):
        xp = array_module(grad)
        positions, reduce = self.positions, self.reduce
        if reduce == "sum":
            grad_x, grad_source = grad.copy(), grad[positions]
        elif reduce == "mean":
            count = xp.ones(grad.shape, dtype=grad.dtype) if self.include_self else \
                xp.zeros(grad.shape, dtype=grad.dtype)
            scatter_add(xp, count, positions, xp.ones(self._index_shape(), dtype=grad.dtype))
            count[count == 0] = 1
            grad_x = grad / count
            grad_source = grad[positions] / count[positions]
        elif reduce == "prod":
            grad_x, grad_source = self._prod_backward(grad)
        else:  # amax, amin: split evenly among the elements equal to the result
            x, source, y = self.x, self.source, self.y
            value = y[positions]
            self_is = (x == y).astype(grad.dtype)
            source_is = (source == value).astype(grad.dtype)
            shares = self_is.copy()
            scatter_add(xp, shares, positions, source_is)
            distributed = grad / shares
            grad_x = self_is * distributed
            grad_source = source_is * distributed[positions]
        if not self.include_self:
            grad_x[positions] = 0
        grad_src = None
        if self.needs_input_grad[1]:
            grad_src = xp.zeros(self.src_shape, dtype=grad.dtype)
            grad_src[self.src_part] = grad_source
        return (grad_x if self.needs_input_grad[0] else None), grad_src

    def _index_shape(self):
        return tuple(s.stop for s in self.src_part)

    def _prod_backward(self, grad):
        """PyTorch's exact product gradient: each factor's gradient is the product of the
        others, also where some factors are zero."""
        xp = array_module(grad)
        x, source, y, positions = self.x, self.source, self.y, self.positions
        masked_x = xp.where(x == 0, 1, x).astype(x.dtype)
        masked_x_result = scatter_reduce_array(masked_x, source, positions, "prod",
                                               self.include_self)
        grad_x = grad * masked_x_result / masked_x
        source_zero = source == 0
        zeros = xp.zeros(x.shape, dtype=grad.dtype)
        scatter_add(xp, zeros, positions, source_zero.astype(grad.dtype))
        single_zero = source_zero & (zeros[positions] == 1)
        masked_source = xp.where(single_zero, 1, source).astype(source.dtype)
        masked_source_result = scatter_reduce_array(x, masked_source, positions, "prod",
                                                    self.include_self)
        grad_source = xp.where(single_zero, (grad * masked_source_result)[positions],
                               (grad * y)[positions] / xp.where(source_zero, 1, source))
        return grad_x, grad_source


class IndexPutAccumulate(Function):
    """y = x with ``value`` (broadcast) added at ``index``, repeated positions adding up
    (``index_put(..., accumulate=True)``);  dy/dx = 1,  dy/dvalue = the gradient at
    ``index``, summed over the broadcast axes."""

    def forward(self, x, value, *, index):
        xp = array_module(x)
        self.index, self.value_shape = index, value.shape
        y = x.copy()
        picked_shape = x[index].shape
        scatter_add(xp, y, index, xp.broadcast_to(value, picked_shape))
        return y

    def backward(self, grad):
        grad_value = None
        if self.needs_input_grad[1]:
            grad_value = sum_to_shape(grad[self.index], self.value_shape)
        return grad, grad_value


class MaskedScatter(Function):
    """y = x with the elements of ``source`` (in row-major order) written where ``mask``
    holds (``torch.masked_scatter``; ``x`` and ``mask`` of one shape);  dy/dx = 1 outside
    the mask,  dy/dsource = the gradient at the mask for the first elements, 0 after."""

    def forward(self, x, source, *, mask):
        self.mask, self.source_shape = mask, source.shape
        self.count = int(mask.sum())
        y = x.copy()
        y[mask] = source.reshape(-1)[:self.count]
        return y

    def backward(self, grad):
        xp = array_module(grad)
        grad_x = grad_source = None
        if self.needs_input_grad[0]:
            grad_x = xp.where(self.mask, 0, grad).astype(grad.dtype)
        if self.needs_input_grad[1]:
            flat = xp.zeros(int(np.prod(self.source_shape)), dtype=grad.dtype)
            flat[:self.count] = grad[self.mask]
            grad_source = flat.reshape(self.source_shape)
        return grad_x, grad_source
