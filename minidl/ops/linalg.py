"""Matrix multiplication with PyTorch's ``matmul`` rules (1-D vectors, batched stacks)."""
from __future__ import annotations

import math

from ..autograd.function import Function
from ..autograd.graph_backward import operand
from ..kernels.registry import kernel
from .arithmetic import sum_to_shape
from .graph_backward import sum_to_shape_graph
from .shape import Permute, Reshape


def _matrix_gradient(a, grad, b):
    """dL/dB = Aᵀ @ dL/dC for a matrix B (k, m): one product over all of A's leading axes
    (A as rows (·, k), dL/dC as rows (·, m)), laid out like B.  A linear layer's B is its
    weight transposed (F-contiguous): computing (dL/dCᵀ @ A)ᵀ gives the weight's gradient
    as a C-contiguous array the weight's ``.grad`` can take without a copy."""
    matmul = kernel("matmul", a)
    rows = a.reshape(math.prod(a.shape[:-1]), a.shape[-1])
    grad_rows = grad.reshape(rows.shape[0], grad.shape[-1])
    if b.flags.f_contiguous and not b.flags.c_contiguous:
        return matmul(grad_rows.T, rows).T
    return matmul(rows.T, grad_rows)


class MatMul(Function):
    """C = A @ B over the last two axes, broadcasting the leading (batch) axes.

    Shapes: A (..., n, k), B (..., k, m) -> C (..., n, m).  A 1-D A is a row (1, k) and a
    1-D B a column (k, 1), whose unit axis is then dropped from C.
    Gradients: dL/dA = dL/dC @ Bᵀ,  dL/dB = Aᵀ @ dL/dC, summed over broadcast batch axes.
    Products with a matrix (a linear layer's) run through the ``matmul`` kernel.
    """

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return kernel("matmul", a)(a, b)

    def backward(self, grad):
        a, b = self.saved_arrays
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        if b.ndim == 1:  # restore the dropped unit axes: first m, then n
            grad = grad[..., None]
        if a.ndim == 1:
            grad = grad[..., None, :]
        grad_a = grad_b = None
        if self.needs_input_grad[0]:
            grad_a = sum_to_shape(kernel("matmul", grad)(grad, b2.swapaxes(-1, -2)),
                                  a2.shape).reshape(a.shape)
        if self.needs_input_grad[1] and b.ndim == 2:
            grad_b = _matrix_gradient(a2, grad, b)
        elif self.needs_input_grad[1]:
            grad_b = sum_to_shape(a2.swapaxes(-1, -2) @ grad, b2.shape).reshape(b.shape)
        return grad_a, grad_b

    def backward_graph(self, grad, needs):
        a, b = self.saved_arrays
        a2_shape = (1, *a.shape) if a.ndim == 1 else tuple(a.shape)
        b2_shape = (*b.shape, 1) if b.ndim == 1 else tuple(b.shape)
        if b.ndim == 1:  # restore the dropped unit axes, as backward does
            grad = Reshape.apply(grad, shape=(*grad.shape, 1))
        if a.ndim == 1:
            grad = Reshape.apply(grad, shape=(*grad.shape[:-1], 1, grad.shape[-1]))
        grad_a = grad_b = None
        if needs[0]:
            b2 = _reshaped(operand(self, 1, b), b2_shape)
            grad_a = sum_to_shape_graph(MatMul.apply(grad, _swap_last(b2)), a2_shape)
            grad_a = _reshaped(grad_a, tuple(a.shape))
        if needs[1]:
            a2 = _reshaped(operand(self, 0, a), a2_shape)
            grad_b = sum_to_shape_graph(MatMul.apply(_swap_last(a2), grad), b2_shape)
            grad_b = _reshaped(grad_b, tuple(b.shape))
        return grad_a, grad_b


def _reshaped(t, shape: tuple):
    return t if tuple(t.shape) == shape else Reshape.apply(t, shape=shape)


def _swap_last(t):
    """``t`` with its last two axes swapped (a recorded Permute)."""
    dims = list(range(t.ndim))
    dims[-2], dims[-1] = dims[-1], dims[-2]
    return Permute.apply(t, dims=tuple(dims))

