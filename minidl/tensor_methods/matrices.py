"""Matrices: products (matmul, mm, bmm, dot, outer, kron), diagonals and triangles (diag,
tril, triu, trace).  ``a @ b`` is ``Tensor.__matmul__``, in ``tensor.py``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..backend import array_module
from ..ops.arguments import check_matmul
from ..ops.linalg import MatMul
from ..ops.shape import IndexPut
from .base import TensorMethods, _as_tensor

if TYPE_CHECKING:
    from ..tensor import Tensor  # bound at run time by bind(), in __init__.py


class MatrixMethods(TensorMethods):
    """Matrix products, diagonals and triangles."""

    __slots__ = ()

    def matmul(self, other) -> Tensor:
        other = _as_tensor(other, self)
        check_matmul(self, other)
        return MatMul.apply(self, other)

    def mm(self, other) -> Tensor:
        """Matrix product of two 2-D tensors."""
        other = _as_tensor(other, self)
        if self.ndim != 2 or other.ndim != 2:
            raise RuntimeError(f"mm: expected two 2-D tensors, got shapes {self.shape} and "
                               f"{other.shape}")
        return self.matmul(other)

    def bmm(self, other) -> Tensor:
        """Batched matrix product: (b, n, k) @ (b, k, m) -> (b, n, m)."""
        other = _as_tensor(other, self)
        if self.ndim != 3 or other.ndim != 3 or self.shape[0] != other.shape[0]:
            raise RuntimeError(f"bmm: expected two 3-D tensors with the same batch size, "
                               f"got shapes {self.shape} and {other.shape}")
        return self.matmul(other)

    def dot(self, other) -> Tensor:
        """Inner product of two 1-D tensors of the same size."""
        other = _as_tensor(other, self)
        if self.ndim != 1 or other.ndim != 1:
            raise RuntimeError(f"dot: expected two 1-D tensors, got shapes {self.shape} and "
                               f"{other.shape}")
        return self.matmul(other)

    def _triangle(self, op: str, keep):
        if self.ndim < 2:
            raise RuntimeError(f"{op}: expected a tensor with at least 2 dimensions, got "
                               f"shape {self.shape}")
        xp = array_module(self.array)
        return self.masked_fill(~keep(xp.ones(self.shape[-2:], dtype=bool)), 0)

    def diag(self, diagonal: int = 0):
        """``torch.diag``: a 1-D tensor becomes the ``diagonal``-th diagonal of a square matrix
        (zeros elsewhere); a 2-D tensor gives its ``diagonal``-th diagonal as a 1-D tensor
        (above the main one for ``diagonal`` > 0, below for < 0)."""
        xp = array_module(self.array)
        above, below = max(diagonal, 0), max(-diagonal, 0)
        if self.ndim == 1:
            size = self.shape[0] + abs(diagonal)
            steps = xp.arange(self.shape[0])
            zeros = xp.zeros((size, size), dtype=self.dtype)
            return IndexPut.apply(zeros, self, index=(steps + below, steps + above))
        if self.ndim == 2:
            count = max(min(self.shape[0] - below, self.shape[1] - above), 0)
            steps = xp.arange(count)
            return self[steps + below, steps + above]
        raise RuntimeError(f"diag: expected a 1-D or 2-D tensor, got shape {self.shape}")

    def tril(self, diagonal: int = 0):
        """The lower triangle of the last two dimensions (from ``diagonal`` down), zeros
        above."""
        return self._triangle("tril", lambda ones: array_module(ones).tril(ones, diagonal))

    def triu(self, diagonal: int = 0):
        return self._triangle("triu", lambda ones: array_module(ones).triu(ones, diagonal))

    def trace(self):
        """The sum of the main diagonal of a 2-D tensor (integers as int64)."""
        if self.ndim != 2:
            raise RuntimeError(f"trace: expected a 2-D tensor, got shape {self.shape}")
        return self.diag().sum()

    def outer(self, vec2):
        """self[i] · vec2[j] of two 1-D tensors: shape (len(self), len(vec2))."""
        vec2 = _as_tensor(vec2, self)
        if self.ndim != 1 or vec2.ndim != 1:
            raise RuntimeError(f"outer: expected two 1-D tensors, got shapes {self.shape} "
                               f"and {vec2.shape}")
        return self.reshape(-1, 1) * vec2.reshape(1, -1)

    ger = outer

    def kron(self, other):
        """The Kronecker product: block (i, j, ...) is self[i, j, ...] · other, shape the
        product of the (left-padded) shapes."""
        other = _as_tensor(other, self)
        rank = max(self.ndim, other.ndim)
        a = (1,) * (rank - self.ndim) + tuple(self.shape)
        b = (1,) * (rank - other.ndim) + tuple(other.shape)
        spread = self.reshape([n for size in a for n in (size, 1)]) * \
            other.reshape([n for size in b for n in (1, size)])
        return spread.reshape([m * n for m, n in zip(a, b)])
