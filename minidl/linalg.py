"""``torch.linalg``: the linear algebra image and generative models reach for, each
differentiable (``ops/linear_solve.py``, ``ops/triangular.py``), on batches (..., m, n).

    cholesky, solve, solve_triangular, inv, det, vector_norm, matrix_norm, norm,
    cross, svdvals, qr, diagonal

(svdvals and qr: ``ops/decompositions.py``.)

Norms are built from differentiable reductions: vector_norm(x, p) = (Σ |x|^p)^(1/p)
(p = inf: max |x|, -inf: min |x|, 0: the count of non-zeros), matrix_norm "fro" =
√(Σ x²), ord 1 / inf = the largest column / row sum of |x| (-1 / -inf: the smallest).
The spectral norms (ord 2, "nuc") would need a differentiable SVD, which minidl lacks.
"""
from __future__ import annotations

import math
from collections import namedtuple

from .backend import array_module
from .ops.arguments import normalize_dims
from .ops.decompositions import QR, SingularValues
from .ops.linear_solve import Determinant, Solve
from .ops.triangular import cholesky as _cholesky
from .tensor import Tensor
from .tensor_methods.base import _as_tensor
from .tensor_methods.matrices import _broadcast_shape, _cross


def _square(name: str, a: Tensor) -> None:
    if not isinstance(a, Tensor) or a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        shape = getattr(a, "shape", None)
        raise RuntimeError(f"linalg.{name}: A must be a batch of square matrices (..., n, n), "
                           f"got shape {shape}")
    if a.dtype.kind != "f":
        raise RuntimeError(f"linalg.{name}: A must be a floating point tensor, got {a.dtype}")


def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:  # noqa: N803  (PyTorch's names)
    """L (lower) with L Lᵀ = A for symmetric positive-definite A; with ``upper``, Lᵀ."""
    _square("cholesky", A)
    lower = _cholesky(A)
    return lower.mT if upper else lower


def _solve(name: str, A: Tensor, B: Tensor, left: bool, mask=None) -> Tensor:  # noqa: N803
    _square(name, A)
    if not isinstance(B, Tensor):
        raise TypeError(f"linalg.{name}: B must be a Tensor, got {type(B).__name__}")
    vector = B.ndim == A.ndim - 1 and B.shape == A.shape[:-1]
    if not left:                          # X A = B  <=>  Aᵀ Xᵀ = Bᵀ
        flipped = {"lower": "upper", "upper": "lower"}.get(mask)
        return _solve(name, A.mT, B.mT, True, flipped).mT
    rhs = B.unsqueeze(-1) if vector else B
    if rhs.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"linalg.{name}: A of shape {A.shape} and B of shape {B.shape} "
                           "do not fit (B's rows must be A's columns)")
    solution = Solve.apply(A, rhs.to(A.dtype), mask=mask)
    return solution.squeeze(-1) if vector else solution


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:  # noqa: N803
    """X with A X = B (X A = B with ``left=False``); B may be a batch of vectors."""
    return _solve("solve", A, B, left)


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True,  # noqa: N803
                     unitriangular: bool = False) -> Tensor:
    """X with A X = B for triangular A (only its ``upper`` or lower triangle is read; with
    ``unitriangular`` its diagonal is taken as ones)."""
    _square("solve_triangular", A)
    triangle = A.triu() if upper else A.tril()
    if unitriangular:
        eye = Tensor._from_array(_identity(A))
        triangle = triangle * (1 - eye) + eye
    return _solve("solve_triangular", triangle, B, left, "upper" if upper else "lower")


def _identity(A: Tensor):  # noqa: N803
    return array_module(A.array).eye(A.shape[-1], dtype=A.dtype)


def inv(A: Tensor) -> Tensor:  # noqa: N803
    """A⁻¹ (an error for a singular A)."""
    _square("inv", A)
    return solve(A, Tensor._from_array(_identity(A)).expand(*A.shape))


def det(A: Tensor) -> Tensor:  # noqa: N803
    """det A over the last two axes."""
    _square("det", A)
    return Determinant.apply(A)


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *,  # noqa: A002
                dtype=None) -> Tensor:
    """(Σ |x|^ord)^(1/ord) over ``dim`` (all elements by default)."""
    x = x if dtype is None else x.to(dtype)
    axes = normalize_dims(dim, x.ndim, "linalg.vector_norm")
    if ord == -math.inf:
        return x.abs().amin(axes, keepdim=keepdim)
    return x.norm(ord, axes, keepdim)


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *,  # noqa: A002,N803
                dtype=None) -> Tensor:
    """The Frobenius norm, or ord 1 / -1 / inf / -inf: the largest / smallest column / row
    sum of |A|, over the two axes ``dim``."""
    A = A if dtype is None else A.to(dtype)
    rows, columns = normalize_dims(dim, A.ndim, "linalg.matrix_norm")
    if ord == "fro":
        return A.norm(2, (rows, columns), keepdim)
    if ord in (1, -1, math.inf, -math.inf):
        summed_axis, kept_axis = (rows, columns) if ord in (1, -1) else (columns, rows)
        sums = A.abs().sum(summed_axis, keepdim=True)
        pick = sums.amax if ord > 0 else sums.amin
        result = pick(kept_axis, keepdim=True)
        return result if keepdim else result.squeeze((rows, columns))
    raise NotImplementedError(f"linalg.matrix_norm: ord={ord!r} needs a singular value "
                              "decomposition, which minidl does not have; use 'fro', 1, -1, "
                              "inf or -inf")


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *,  # noqa: A002,N803
         dtype=None) -> Tensor:
    """vector_norm for a vector ``dim`` (or all elements when ``ord`` is None), else
    matrix_norm over two axes, as ``torch.linalg.norm``."""
    if dim is not None and not isinstance(dim, int) and len(dim) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
    if dim is None and ord is not None and A.ndim == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    if dim is None and ord is not None and A.ndim != 1:
        raise RuntimeError(f"linalg.norm: with ord and no dim, A must be 1-D or 2-D, got "
                           f"shape {A.shape}")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


QRResult = namedtuple("QRResult", ["Q", "R"])  # torch.return_types.linalg_qr


def _matrices(name: str, A: Tensor) -> None:  # noqa: N803
    if not isinstance(A, Tensor) or A.ndim < 2:
        raise RuntimeError(f"linalg.{name}: The input tensor A must have at least 2 "
                           f"dimensions, got shape {getattr(A, 'shape', None)}")
    if A.dtype.kind != "f":
        raise RuntimeError(f"linalg.{name}: A must be a floating point tensor, got {A.dtype}")


def cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:  # noqa: A002
    """The cross product of 3-vectors along ``dim`` (the inputs broadcast)."""
    other = _as_tensor(other, input)
    shape = _broadcast_shape(input, other, "linalg.cross")
    return _cross(input.expand(*shape), other.expand(*shape), dim, "linalg.cross")


def svdvals(A: Tensor) -> Tensor:  # noqa: N803
    """The singular values of each matrix (..., m, n), descending: (..., min(m, n));
    differentiable."""
    _matrices("svdvals", A)
    return SingularValues.apply(A)


def qr(A: Tensor, mode: str = "reduced"):  # noqa: N803
    """``(Q, R)`` with A = Q R, Q with orthonormal columns and R upper triangular:
    ``mode`` "reduced" (Q (..., m, k), R (..., k, n), k = min(m, n)), "complete" (Q square)
    or "r" (R only; Q an empty tensor).  Differentiable (not with "r")."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    _matrices("qr", A)
    m, n = A.shape[-2], A.shape[-1]
    k = m if mode == "complete" else min(m, n)
    packed = QR.apply(A, mode="complete" if mode == "complete" else "reduced")
    batch = tuple(A.shape[:-2])
    q = packed.narrow(-1, 0, m * k).reshape(batch + (m, k))
    r = packed.narrow(-1, m * k, k * n).reshape(batch + (k, n))
    if mode == "r":
        return QRResult(Tensor._from_array(array_module(A.array).zeros((0,), A.dtype)),
                        r.detach())
    return QRResult(q, r)


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: N803
    """``A.diagonal(offset, dim1, dim2)`` with the last two dimensions by default."""
    return A.diagonal(offset, dim1, dim2)
