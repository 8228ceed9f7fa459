"""Elementwise arithmetic with NumPy broadcasting: + - * / unary minus and powers.

Broadcasting copies an input along new or size-1 axes; the chain rule then *sums* the
incoming gradient over those axes (``sum_to_shape``) so each input gets a gradient of its
own shape.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..autograd.graph_backward import operand
from ..backend import array_module
from .graph_backward import sum_to_shape_graph


def sum_to_shape(grad, shape: tuple):
    """Sum ``grad`` over the axes that broadcasting added or stretched, giving ``shape``."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, size in enumerate(shape) if size == 1 and grad.shape[extra + i] != 1)
    summed = grad.sum(axis=axes, keepdims=True) if axes else grad
    return summed.reshape(shape)


class Add(Function):
    """z = a + b;  dz/da = 1, dz/db = 1."""

    def forward(self, a, b):
        self.shapes = (a.shape, b.shape)
        return a + b

    def backward(self, grad):
        shape_a, shape_b = self.shapes
        return (sum_to_shape(grad, shape_a) if self.needs_input_grad[0] else None,
                sum_to_shape(grad, shape_b) if self.needs_input_grad[1] else None)

    def backward_graph(self, grad, needs):
        shape_a, shape_b = self.shapes
        return (sum_to_shape_graph(grad, shape_a) if needs[0] else None,
                sum_to_shape_graph(grad, shape_b) if needs[1] else None)


class Sub(Function):
    """z = a - b;  dz/da = 1, dz/db = -1."""

    def forward(self, a, b):
        self.shapes = (a.shape, b.shape)
        return a - b

    def backward(self, grad):
        shape_a, shape_b = self.shapes
        return (sum_to_shape(grad, shape_a) if self.needs_input_grad[0] else None,
                sum_to_shape(-grad, shape_b) if self.needs_input_grad[1] else None)

    def backward_graph(self, grad, needs):
        shape_a, shape_b = self.shapes
        return (sum_to_shape_graph(grad, shape_a) if needs[0] else None,
                sum_to_shape_graph(Neg.apply(grad), shape_b) if needs[1] else None)


class Mul(Function):
    """z = a * b;  dz/da = b, dz/db = a."""

    def forward(self, a, b):
        # keep only what backward needs (so x.mul_(2) may change x in place afterwards)
        self.shapes = (a.shape, b.shape)
        self.save_for_backward(a if self.needs_input_grad[1] else None,
                               b if self.needs_input_grad[0] else None)
        return a * b

    def backward(self, grad):
        a, b = self.saved_arrays
        shape_a, shape_b = self.shapes
        return (sum_to_shape(grad * b, shape_a) if self.needs_input_grad[0] else None,
                sum_to_shape(grad * a, shape_b) if self.needs_input_grad[1] else None)

    def backward_graph(self, grad, needs):
        a, b = self.saved_arrays
        shape_a, shape_b = self.shapes
        return (sum_to_shape_graph(grad * operand(self, 1, b), shape_a) if needs[0] else None,
                sum_to_shape_graph(grad * operand(self, 0, a), shape_b) if needs[1] else None)


class Div(Function):
    """z = a / b;  dz/da = 1/b, dz/db = -a/b²."""

    def forward(self, a, b):
        self.shape_a = a.shape
        self.save_for_backward(a if self.needs_input_grad[1] else None, b)
        return a / b

    def backward(self, grad):
        a, b = self.saved_arrays
        grad_a = grad / b
        return (sum_to_shape(grad_a, self.shape_a) if self.needs_input_grad[0] else None,
                sum_to_shape(-grad_a * a / b, b.shape) if self.needs_input_grad[1] else None)

    def backward_graph(self, grad, needs):
        a, b = self.saved_arrays
        divisor = operand(self, 1, b)
        grad_a = grad / divisor
        return (sum_to_shape_graph(grad_a, self.shape_a) if needs[0] else None,
                sum_to_shape_graph(-grad_a * operand(self, 0, a) / divisor, b.shape)
                if needs[1] else None)


class Neg(Function):
    """z = -a."""

    def forward(self, a):
        return -a

    def backward(self, grad):
        return -grad

    def backward_graph(self, grad, needs):
        return (Neg.apply(grad),)


class PowScalar(Function):
    """z = a ** p for a constant exponent p;  dz/da = p a^(p-1)."""

    def forward(self, a, *, exponent):
        self.exponent = exponent
        self.save_for_backward(a)
        return a ** exponent

    def backward(self, grad):
        (a,) = self.saved_arrays
        p = self.exponent
        if p == 0:
            return grad * 0
        return grad * (p * a ** (p - 1))

    def backward_graph(self, grad, needs):
        (a,) = self.saved_arrays
        p = self.exponent
        if p == 0:
            return (grad * 0,)
        return (grad * (PowScalar.apply(operand(self, 0, a), exponent=p - 1) * p),)


def _integer_power(a, b):
    """a ** b of integer arrays with PyTorch's rule for negative exponents, where NumPy
    refuses: the truncated 1 / a^|b|, so 1 for a = 1, ±1 for a = -1, 0 otherwise."""
    xp = array_module(a)
    negative = b < 0
    if not negative.any():
        return a ** b
    positive = a ** xp.where(negative, 0, b)
    one_over = xp.where(a == 1, 1, xp.where(a == -1, xp.where(b % 2 == 0, 1, -1), 0))
    return xp.where(negative, one_over, positive).astype(positive.dtype)


class Pow(Function):
    """z = a ** b elementwise;  dz/da = b a^(b-1),  dz/db = a^b ln a (0 where a = 0)."""

    def forward(self, a, b):
        out = _integer_power(a, b) if a.dtype.kind in "iu" and b.dtype.kind in "iu" \
            else a ** b
        self.save_for_backward(a, b, out)
        return out

    def backward(self, grad):
        a, b, out = self.saved_arrays
        xp = array_module(a)
        grad_a = grad_b = None
        if self.needs_input_grad[0]:
            grad_a = sum_to_shape(grad * b * a ** (b - 1), a.shape)
        if self.needs_input_grad[1]:
            log_a = xp.log(xp.where(a > 0, a, 1))
            grad_b = sum_to_shape(grad * out * log_a, b.shape)
        return grad_a, grad_b
