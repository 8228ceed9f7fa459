"""Linear systems and determinants, differentiable, over batches (..., n, n).

* ``Solve``: Y = A⁻¹ B (B of shape (..., n, k));
      dB = A⁻ᵀ dY,   dA = -dB Yᵀ
  (from dY = A⁻¹ (dB - dA Y)).  ``mask`` ("lower", "upper" or None) keeps the gradient of
  A to one triangle, for a triangular A whose other triangle is not read.
* ``Determinant``: y = det A;   dA = dy · det A · A⁻ᵀ  (Jacobi's formula).
"""
from __future__ import annotations

from ..autograd.function import Function
from ..backend import array_module


def matrix_transpose(x):
    """x with its last two axes swapped (a batch of matrices transposed)."""
    return x.swapaxes(-1, -2)


class Solve(Function):
    """Y = A⁻¹ B."""

    def forward(self, a, b, *, mask=None):
        xp = array_module(a)
        self.mask = mask
        y = xp.linalg.solve(a, b)
        self.save_for_backward(a, y)
        return y

    def backward(self, grad):
        a, y = self.saved_arrays
        xp = array_module(a)
        grad_b = xp.linalg.solve(matrix_transpose(a), grad)
        grad_a = None
        if self.needs_input_grad[0]:
            grad_a = -(grad_b @ matrix_transpose(y))
            if self.mask == "lower":
                grad_a = xp.tril(grad_a)
            elif self.mask == "upper":
                grad_a = xp.triu(grad_a)
        return grad_a, grad_b


class Determinant(Function):
    """y = det A."""

    def forward(self, a):
        xp = array_module(a)
        y = xp.linalg.det(a)
        self.save_for_backward(a, y)
        return xp.asarray(y, dtype=a.dtype)

    def backward(self, grad):
        a, y = self.saved_arrays
        xp = array_module(a)
        return ((grad * y)[..., None, None] * matrix_transpose(xp.linalg.inv(a))).astype(a.dtype)
