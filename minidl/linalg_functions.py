"""Top-level linear algebra functions of ``torch`` (``torch.svd``, ``torch.inverse``,
``torch.tensordot`` ...), built on ``minidl.linalg``; differentiable where PyTorch is."""
from __future__ import annotations

import math
from collections import namedtuple

from . import linalg
from .backend import array_module
from .tensor import Tensor
from .tensor_methods.base import _as_tensor

SVDResult = namedtuple("SVDResult", ["U", "S", "V"])  # torch.return_types.svd
SlogdetResult = namedtuple("SlogdetResult", ["sign", "logabsdet"])  # torch.return_types.slogdet
QRResult = namedtuple("QRResult", ["Q", "R"])  # torch.return_types.qr


def svd(input: Tensor, some: bool = True, compute_uv: bool = True) -> SVDResult:  # noqa: A002
    """``(U, S, V)`` with input = U diag(S) Vᵀ (V, not Vh); ``some``: reduced U and V.
    With ``compute_uv`` False, U and V are zero-filled (m, m) and (n, n) matrices."""
    if not compute_uv:
        xp = array_module(input.array)
        batch, (m, n) = tuple(input.shape[:-2]), tuple(input.shape[-2:])
        zeros = [Tensor._from_array(xp.zeros(batch + (k, k), input.dtype)) for k in (m, n)]
        return SVDResult(zeros[0], linalg.svdvals(input), zeros[1])
    u, s, vh = linalg.svd(input, full_matrices=not some)
    return SVDResult(u, s, vh.mT)


def inverse(input: Tensor) -> Tensor:  # noqa: A002
    return linalg.inv(input)


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:  # noqa: A002
    """The pseudo-inverse, singular values at most ``rcond`` · σ_max taken as zero."""
    return linalg.pinv(input, rtol=rcond)


def slogdet(input: Tensor) -> SlogdetResult:  # noqa: A002
    sign, logabsdet = linalg.slogdet(input)
    return SlogdetResult(sign, logabsdet)


def logdet(input: Tensor) -> Tensor:  # noqa: A002
    """log det input: nan where the determinant is negative, -inf where it is 0."""
    sign, logabsdet = linalg.slogdet(input)
    return logabsdet.masked_fill(sign < 0, math.nan)


def cholesky(input: Tensor, upper: bool = False) -> Tensor:  # noqa: A002
    return linalg.cholesky(input, upper=upper)


def qr(input: Tensor, some: bool = True) -> QRResult:  # noqa: A002
    q, r = linalg.qr(input, "reduced" if some else "complete")
    return QRResult(q, r)


def _from_factor(factor: Tensor, upper: bool) -> Tensor:
    return factor.mT @ factor if upper else factor @ factor.mT


def cholesky_solve(B: Tensor, L: Tensor, upper: bool = False) -> Tensor:  # noqa: N803
    """X with A X = B for A = L Lᵀ (Uᵀ U with ``upper``), L the Cholesky factor."""
    if B.ndim < 2 or L.ndim < 2:
        raise RuntimeError("cholesky_solve: b should have at least 2 dimensions, but has "
                           f"{B.ndim} dimensions instead" if B.ndim < 2 else
                           "cholesky_solve: u should have at least 2 dimensions, but has "
                           f"{L.ndim} dimensions instead")
    return linalg.solve(_from_factor(L, upper), B)


def cholesky_inverse(L: Tensor, upper: bool = False) -> Tensor:  # noqa: N803
    """(L Lᵀ)⁻¹ (or (Uᵀ U)⁻¹ with ``upper``) from the Cholesky factor."""
    return linalg.inv(_from_factor(L, upper))


def matrix_power(input: Tensor, n: int) -> Tensor:  # noqa: A002
    return linalg.matrix_power(input, n)


def matrix_exp(input: Tensor) -> Tensor:  # noqa: A002
    return linalg.matrix_exp(input)


def tensordot(a: Tensor, b: Tensor, dims=2, out=None) -> Tensor:
    """Σ over the paired axes ``dims`` of a and b: an int d pairs a's last d axes with b's
    first d; a pair of lists pairs them one by one."""
    b = _as_tensor(b, a)
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a.ndim, b.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got "
                               f"dims={dims}")
        dims_a, dims_b = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        dims_a, dims_b = dims
        dims_a = [dims_a] if isinstance(dims_a, int) else list(dims_a)
        dims_b = [dims_b] if isinstance(dims_b, int) else list(dims_b)
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    dims_a = [d % a.ndim for d in dims_a]
    dims_b = [d % b.ndim for d in dims_b]
    for da, db in zip(dims_a, dims_b):
        if a.shape[da] != b.shape[db]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[da]} in dim {da} and second has size "
                               f"{b.shape[db]} in dim {db}")
    free_a = [d for d in range(a.ndim) if d not in dims_a]
    free_b = [d for d in range(b.ndim) if d not in dims_b]
    size = math.prod(a.shape[d] for d in dims_a)
    left = a.permute(*free_a, *dims_a).reshape(math.prod(a.shape[d] for d in free_a), size)
    right = b.permute(*dims_b, *free_b).reshape(size, math.prod(b.shape[d] for d in free_b))
    shape = tuple(a.shape[d] for d in free_a) + tuple(b.shape[d] for d in free_b)
    return (left @ right).reshape(shape)


def inner(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """Σ over the last axes of both (a product when either is a scalar)."""
    other = _as_tensor(other, input)
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors "
                           f"but got shapes {list(input.shape)} and {list(other.shape)}")
    return tensordot(input, other, ([-1], [-1]))


def vdot(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """Σ input · other of two 1-D tensors (real: no conjugation needed)."""
    other = _as_tensor(other, input)
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D "
                           "tensors")
    if input.shape[0] != other.shape[0]:
        raise RuntimeError(f"inconsistent tensor size: {input.shape[0]} and "
                           f"{other.shape[0]}")
    return input.dot(other)


def chain_matmul(*matrices) -> Tensor:
    """The product of 2-D matrices, left to right (``linalg.multi_dot`` of 2-D ones)."""
    if len(matrices) == 1:
        return matrices[0]
    for i, m in enumerate(matrices):
        if m.ndim != 2:
            raise RuntimeError(f"chain_matmul(): tensor {i} must be 2D but got {m.ndim}D")
    return linalg.multi_dot(matrices)
