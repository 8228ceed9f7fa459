"""Matrices: products (matmul, mm, bmm, dot, outer, kron), the fused products and sums
(addmm, addmv, addbmm, baddbmm, addcmul, addcdiv, and their in-place forms), diagonals and
triangles (diag, diagonal, diag_embed, tril, triu, trace), cross products and det, and
the linear algebra methods (inverse, pinverse, svd, slogdet, logdet, matrix_exp ...).
``a @ b`` is ``Tensor.__matmul__``, in ``tensor.py``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..backend import array_module
from ..ops.arguments import check_matmul, normalize_dims
from ..ops.diagonal import Diagonal
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

    # -- fused products and sums: beta * self + alpha * (product) ---------------------------
    def _scaled_sum(self, op: str, product, beta, alpha):
        """beta · self + alpha · product, of the product's shape (self broadcast to it); self
        is not read when beta is 0 (its NaN do not spread), as PyTorch."""
        if alpha != 1:
            product = product * alpha
        if beta == 0:
            return product * 1 if alpha == 1 else product
        if _broadcast_shape(self, product, op) != tuple(product.shape):
            raise RuntimeError(f"{op}: the input of shape {self.shape} does not broadcast to "
                               f"the product's shape {product.shape}")
        return product + (self if beta == 1 else self * beta)

    def addmm(self, mat1, mat2, *, beta=1, alpha=1) -> Tensor:
        """beta · self + alpha · (mat1 @ mat2) for 2-D mat1 (n, m) and mat2 (m, p)."""
        mat1, mat2 = _as_tensor(mat1, self), _as_tensor(mat2, self)
        if mat1.ndim != 2 or mat2.ndim != 2:
            raise RuntimeError(f"addmm: mat1 and mat2 must be 2-D, got shapes {mat1.shape} "
                               f"and {mat2.shape}")
        if mat1.shape[1] != mat2.shape[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                               f"({mat1.shape[0]}x{mat1.shape[1]} and "
                               f"{mat2.shape[0]}x{mat2.shape[1]})")
        return self._scaled_sum("addmm", mat1.matmul(mat2), beta, alpha)

    def addmv(self, mat, vec, *, beta=1, alpha=1) -> Tensor:
        """beta · self + alpha · (mat @ vec) for a 2-D mat (n, m) and a 1-D vec (m)."""
        mat, vec = _as_tensor(mat, self), _as_tensor(vec, self)
        if mat.ndim != 2 or vec.ndim != 1 or mat.shape[1] != vec.shape[0]:
            raise RuntimeError(f"size mismatch, got input {tuple(self.shape)}, mat "
                               f"{tuple(mat.shape)}, vec {tuple(vec.shape)}")
        return self._scaled_sum("addmv", mat.matmul(vec), beta, alpha)

    def _batches(self, op: str, batch1, batch2):
        batch1, batch2 = _as_tensor(batch1, self), _as_tensor(batch2, self)
        if batch1.ndim != 3 or batch2.ndim != 3:
            raise RuntimeError(f"{op}: batch1 and batch2 must be 3-D, got shapes "
                               f"{batch1.shape} and {batch2.shape}")
        if batch1.shape[0] != batch2.shape[0]:
            raise RuntimeError(f"batch1 and batch2 must have same number of batches, got "
                               f"{batch1.shape[0]} and {batch2.shape[0]}")
        if batch1.shape[2] != batch2.shape[1]:
            raise RuntimeError(f"{op}: batch1 of shape {batch1.shape} and batch2 of shape "
                               f"{batch2.shape} cannot be multiplied")
        return batch1.matmul(batch2)

    def addbmm(self, batch1, batch2, *, beta=1, alpha=1) -> Tensor:
        """beta · self + alpha · Σ_b batch1[b] @ batch2[b]."""
        return self._scaled_sum("addbmm", self._batches("addbmm", batch1, batch2).sum(0),
                                beta, alpha)

    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1) -> Tensor:
        """beta · self + alpha · (batch1 @ batch2), batch by batch."""
        return self._scaled_sum("baddbmm", self._batches("baddbmm", batch1, batch2), beta,
                                alpha)

    def addmm_(self, mat1, mat2, *, beta=1, alpha=1) -> Tensor:
        return self._inplace("addmm_", lambda t: t.addmm(mat1, mat2, beta=beta, alpha=alpha),
                             mat1, mat2)

    def addmv_(self, mat, vec, *, beta=1, alpha=1) -> Tensor:
        return self._inplace("addmv_", lambda t: t.addmv(mat, vec, beta=beta, alpha=alpha),
                             mat, vec)

    def addbmm_(self, batch1, batch2, *, beta=1, alpha=1) -> Tensor:
        return self._inplace("addbmm_", lambda t: t.addbmm(batch1, batch2, beta=beta,
                                                            alpha=alpha), batch1, batch2)

    def baddbmm_(self, batch1, batch2, *, beta=1, alpha=1) -> Tensor:
        return self._inplace("baddbmm_", lambda t: t.baddbmm(batch1, batch2, beta=beta,
                                                              alpha=alpha), batch1, batch2)

    def addcmul(self, tensor1, tensor2, *, value=1) -> Tensor:
        """self + value · tensor1 · tensor2 (broadcast)."""
        product = _as_tensor(tensor1, self) * _as_tensor(tensor2, self)
        return self + (product if value == 1 else product * value)

    def addcdiv(self, tensor1, tensor2, *, value=1) -> Tensor:
        """self + value · tensor1 / tensor2 (broadcast); integer tensor1 and tensor2 are
        refused, as PyTorch."""
        tensor1, tensor2 = _as_tensor(tensor1, self), _as_tensor(tensor2, self)
        if tensor1.dtype.kind in "biu" and tensor2.dtype.kind in "biu":
            raise RuntimeError("Integer division with addcdiv is no longer supported, and in "
                               "a future release addcdiv will perform a true division of "
                               "tensor1 and tensor2.")
        quotient = tensor1 / tensor2
        return self + (quotient if value == 1 else quotient * value)

    # -- diagonals ---------------------------------------------------------------------------
    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        """The ``offset``-th diagonal of the planes (dim1, dim2), as the last dimension of
        the result (the other dimensions in order), as PyTorch's: a view (on the CPU), so
        writing into it writes into self (``ops/diagonal.py``); differentiable."""
        first, second = normalize_dims(dim1, self.ndim, "diagonal")[0], \
            normalize_dims(dim2, self.ndim, "diagonal")[0]
        if first == second:
            raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
        return Diagonal.apply(self, offset=int(offset), dim1=first, dim2=second)

    def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
        """Each last-dimension vector as the ``offset``-th diagonal of a square matrix in the
        planes (dim1, dim2) of the result (one more dimension than self); zeros elsewhere."""
        ndim = self.ndim + 1
        first, second = normalize_dims(dim1, ndim, "diag_embed")[0], \
            normalize_dims(dim2, ndim, "diag_embed")[0]
        if first == second:
            raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
        source = self.reshape(1) if self.ndim == 0 else self
        n = source.shape[-1]
        size = n + abs(offset)
        xp = array_module(self.array)
        steps = xp.arange(n)
        spread = xp.zeros((n, size, size), dtype=self.dtype)
        spread[steps, steps + max(-offset, 0), steps + max(offset, 0)] = 1
        embedded = source.unsqueeze(-1).unsqueeze(-1) * Tensor._from_array(spread)
        embedded = embedded.sum(-3)                           # (..., size, size)
        return embedded.movedim((-2, -1), (first, second))

    # -- cross products and determinants -----------------------------------------------------
    def cross(self, other, dim=None) -> Tensor:
        """The cross product of 3-vectors along ``dim`` (broadcast); without ``dim``, the
        first dimension of size 3 (torch.cross's deprecated default)."""
        other = _as_tensor(other, self)
        shape = _broadcast_shape(self, other, "cross")
        if dim is None:
            dim = next((i for i, n in enumerate(shape) if n == 3), None)
            if dim is None:
                raise RuntimeError(f"no dimension of size 3 in input (shape {shape})")
        return _cross(self.expand(*shape), other.expand(*shape), dim, "cross")

    def det(self) -> Tensor:
        from .. import linalg
        return linalg.det(self)

    # The linear algebra of ``torch`` as methods (``minidl/linalg_functions.py``).

    def inverse(self) -> Tensor:
        from .. import linalg_functions
        return linalg_functions.inverse(self)

    def pinverse(self, rcond: float = 1e-15) -> Tensor:
        from .. import linalg_functions
        return linalg_functions.pinverse(self, rcond)

    def slogdet(self):
        from .. import linalg_functions
        return linalg_functions.slogdet(self)

    def logdet(self) -> Tensor:
        from .. import linalg_functions
        return linalg_functions.logdet(self)

    def svd(self, some: bool = True, compute_uv: bool = True):
        from .. import linalg_functions
        return linalg_functions.svd(self, some, compute_uv)

    def qr(self, some: bool = True):
        from .. import linalg_functions
        return linalg_functions.qr(self, some)

    def matrix_power(self, n: int) -> Tensor:
        from .. import linalg_functions
        return linalg_functions.matrix_power(self, n)

    def matrix_exp(self) -> Tensor:
        from .. import linalg_functions
        return linalg_functions.matrix_exp(self)

    def cholesky(self, upper: bool = False) -> Tensor:
        from .. import linalg_functions
        return linalg_functions.cholesky(self, upper)

    def cholesky_solve(self, input2, upper: bool = False) -> Tensor:
        from .. import linalg_functions
        return linalg_functions.cholesky_solve(self, input2, upper)

    def cholesky_inverse(self, upper: bool = False) -> Tensor:
        from .. import linalg_functions
        return linalg_functions.cholesky_inverse(self, upper)

    def inner(self, other) -> Tensor:
        from .. import linalg_functions
        return linalg_functions.inner(self, other)

    def vdot(self, other) -> Tensor:
        from .. import linalg_functions
        return linalg_functions.vdot(self, other)


def _broadcast_shape(a, b, op: str) -> tuple:
    """The shape ``a`` and ``b`` broadcast to; a RuntimeError naming both if none."""
    try:
        return tuple(np.broadcast_shapes(tuple(a.shape), tuple(b.shape)))
    except ValueError:
        raise RuntimeError(f"{op}: shapes {tuple(a.shape)} and {tuple(b.shape)} do not "
                           "broadcast") from None


def _cross(a, b, dim: int, op: str):
    """a × b along ``dim`` (same shapes, size 3 there)."""
    axis = normalize_dims(dim, a.ndim, op)[0]
    if a.shape[axis] != 3 or b.shape[axis] != 3:
        raise RuntimeError(f"{op}: inputs dimension {dim} must have length 3. Got "
                           f"{a.shape[axis]} and {b.shape[axis]}")
    a0, a1, a2 = (a.narrow(axis, i, 1) for i in range(3))
    b0, b1, b2 = (b.narrow(axis, i, 1) for i in range(3))
    from ..creation import cat  # creation builds on Tensor
    return cat([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis)
