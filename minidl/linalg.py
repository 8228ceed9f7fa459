"""``torch.linalg``: the linear algebra image and generative models reach for, each
differentiable (``ops/linear_solve.py``, ``ops/triangular.py``), on batches (..., m, n).

    cholesky, solve, solve_triangular, inv, det, vector_norm, matrix_norm, norm,
    cross, svdvals, qr, diagonal, eigh, eigvalsh, svd, pinv, slogdet, matrix_power,
    matrix_exp, lstsq, multi_dot, vecdot, cond, solve_ex, tensorinv, tensorsolve, vander
    (differentiable), and matrix_rank, eig, eigvals, cholesky_ex, inv_ex (values only)

(svdvals and qr: ``ops/decompositions.py``.)

Norms are built from differentiable reductions: vector_norm(x, p) = (Σ |x|^p)^(1/p)
(p = inf: max |x|, -inf: min |x|, 0: the count of non-zeros), matrix_norm "fro" =
√(Σ x²), ord 1 / inf = the largest column / row sum of |x| (-1 / -inf: the smallest).
The spectral norms (ord 2, -2, "nuc") come from the singular values (svdvals).
Spectral decompositions (eigh, svd, pinv, slogdet, matrix_exp ...): ``ops/spectral.py``.
"""
from __future__ import annotations

import math
from collections import namedtuple

from .backend import array_module
from .ops import spectral as _spectral
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
    if ord in (2, -2, "nuc"):
        moved = A.movedim((rows, columns), (-2, -1))
        s = svdvals(moved)
        if ord == "nuc":
            result = s.sum(-1)
        else:
            result = s.amax(-1) if ord == 2 else s.amin(-1)
        if keepdim:
            result = result.unsqueeze(min(rows, columns)).unsqueeze(max(rows, columns))
        return result
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


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


# ---------------------------------------------------------------------------------------
# Spectral decompositions and what they make possible (``ops/spectral.py``).

EighResult = namedtuple("EighResult", ["eigenvalues", "eigenvectors"])  # linalg_eigh
EigResult = namedtuple("EigResult", ["eigenvalues", "eigenvectors"])  # linalg_eig
SVDResult = namedtuple("SVDResult", ["U", "S", "Vh"])  # linalg_svd
SlogdetResult = namedtuple("SlogdetResult", ["sign", "logabsdet"])  # linalg_slogdet
LstsqResult = namedtuple("LstsqResult", ["solution", "residuals", "rank", "singular_values"])
CholeskyExResult = namedtuple("CholeskyExResult", ["L", "info"])  # linalg_cholesky_ex
InvExResult = namedtuple("InvExResult", ["inverse", "info"])  # linalg_inv_ex


def eigh(A: Tensor, UPLO: str = "L") -> EighResult:  # noqa: N803
    """``(eigenvalues, eigenvectors)`` of symmetric A (only the ``UPLO`` triangle is read),
    eigenvalues ascending; differentiable (for losses that do not depend on the
    eigenvectors' signs)."""
    _square("eigh", A)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    n = A.shape[-1]
    w, v = _spectral.unpack(_spectral.Eigh.apply(A, uplo=UPLO), [(n,), (n, n)])
    return EighResult(w, v)


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:  # noqa: N803
    """The eigenvalues of symmetric A, ascending; differentiable."""
    return eigh(A, UPLO).eigenvalues


def svd(A: Tensor, full_matrices: bool = True, *, driver=None) -> SVDResult:  # noqa: N803
    """``(U, S, Vh)`` with A = U diag(S) Vh, S descending; ``full_matrices``: U (..., m, m)
    and Vh (..., n, n), else (..., m, k) and (..., k, n).  Differentiable (for distinct
    singular values and sign-invariant losses)."""
    _matrices("svd", A)
    m, n = A.shape[-2], A.shape[-1]
    k = min(m, n)
    shapes = [(m, m if full_matrices else k), (k,), (n if full_matrices else k, n)]
    u, s, vh = _spectral.unpack(_spectral.Svd.apply(A, full_matrices=full_matrices), shapes)
    return SVDResult(u, s, vh)


def _tolerance(value, name):
    if value is None or isinstance(value, (int, float)):
        return value
    if isinstance(value, Tensor):
        return value.detach().array
    raise TypeError(f"linalg.{name}: atol and rtol must be numbers or tensors")


def pinv(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:  # noqa: N803
    """The Moore-Penrose pseudo-inverse, singular values at most max(atol, rtol · σ_max)
    taken as zero (rtol defaults to eps · max(m, n) when neither is given); differentiable."""
    _matrices("pinv", A)
    return _spectral.Pinv.apply(A, atol=_tolerance(atol, "pinv"),
                                rtol=_tolerance(rtol, "pinv"), hermitian=hermitian)


def slogdet(A: Tensor) -> SlogdetResult:  # noqa: N803
    """``(sign, logabsdet)``: det A = sign · exp(logabsdet); logabsdet differentiable."""
    _square("slogdet", A)
    xp = array_module(A.array)
    sign, _ = xp.linalg.slogdet(A.array)
    return SlogdetResult(Tensor._from_array(xp.asarray(sign, dtype=A.dtype)),
                         _spectral.LogAbsDet.apply(A))


def matrix_power(A: Tensor, n: int) -> Tensor:  # noqa: N803
    """A multiplied by itself ``n`` times (A⁻¹ for negative n; the identity for 0)."""
    if not isinstance(A, Tensor) or A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError("linalg.matrix_power: expected a tensor of square matrices, got "
                           f"shape {getattr(A, 'shape', None)}")
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"linalg.matrix_power: n must be an int, got {type(n).__name__}")
    if n == 0:
        eye = array_module(A.array).eye(A.shape[-1], dtype=A.dtype)
        return Tensor._from_array(eye).expand(*A.shape).clone()
    base = inv(A) if n < 0 else A
    n, result = abs(n), None
    while True:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if not n:
            return base if result is None else result   # n >= 1: result is set
        base = base @ base


def _rank_cutoff(s, m, n, atol, rtol, xp, dtype):
    if atol is None and rtol is None:
        rtol = xp.finfo(dtype).eps * max(m, n)
    atol = 0.0 if atol is None else atol
    rtol = 0.0 if rtol is None else rtol
    smax = s.max(axis=-1, keepdims=True) if s.shape[-1] else xp.zeros(s.shape[:-1] + (1,))
    return xp.maximum(xp.asarray(atol)[..., None], xp.asarray(rtol)[..., None] * smax)


def matrix_rank(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:  # noqa: N803
    """The number of singular values above max(atol, rtol · σ_max), int64."""
    _matrices("matrix_rank", A)
    xp = array_module(A.array)
    if hermitian:
        s = xp.abs(xp.linalg.eigvalsh(A.array))
    else:
        s = xp.linalg.svd(A.array, compute_uv=False)
    cutoff = _rank_cutoff(s, A.shape[-2], A.shape[-1], _tolerance(atol, "matrix_rank"),
                          _tolerance(rtol, "matrix_rank"), xp, A.dtype)
    return Tensor._from_array((s > cutoff).sum(axis=-1).astype(xp.int64))


def lstsq(A: Tensor, B: Tensor, rcond=None, *, driver=None) -> LstsqResult:  # noqa: N803
    """The least-squares solution X of A X ≈ B (minimum norm), as ``(solution,
    residuals, rank, singular_values)`` with PyTorch's CPU default driver "gelsy":
    residuals and singular_values empty, rank the effective rank.  Differentiable
    (through the pseudo-inverse)."""
    _matrices("lstsq", A)
    if driver not in (None, "gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of "
                           f"(gels, gelsy, gelsd, gelss), got {driver}")
    if not isinstance(B, Tensor):
        raise TypeError(f"linalg.lstsq: B must be a Tensor, got {type(B).__name__}")
    vector = B.ndim == A.ndim - 1
    rhs = B.unsqueeze(-1) if vector else B
    if rhs.shape[-2] != A.shape[-2]:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2), "
                           f"got shapes {A.shape} and {B.shape}")
    xp = array_module(A.array)
    rtol = xp.finfo(A.dtype).eps * max(A.shape[-2:]) if rcond is None else rcond
    solution = pinv(A, rtol=rtol) @ rhs.to(A.dtype)
    solution = solution.squeeze(-1) if vector else solution
    s = xp.linalg.svd(A.array, compute_uv=False)
    rows, columns = A.shape[-2:]
    rank = (s > _rank_cutoff(s, rows, columns, None, rtol, xp, A.dtype)).sum(axis=-1)
    driver = driver or "gelsy"
    empty = Tensor._from_array(xp.zeros((0,), A.dtype))
    singular = Tensor._from_array(s.astype(A.dtype)) if driver in ("gelsd", "gelss") else empty
    residuals = empty
    m, n = A.shape[-2:]
    if driver != "gelsy" and m > n and bool((rank == n).all()):
        residuals = ((A @ solution.unsqueeze(-1) if vector else A @ solution) - rhs) \
            .pow(2).sum(-2)
        residuals = residuals.squeeze(-1) if vector else residuals
    rank_t = empty if driver == "gels" else \
        Tensor._from_array(xp.asarray(rank, dtype=xp.int64))
    return LstsqResult(solution, residuals, rank_t, singular)


def multi_dot(tensors) -> Tensor:
    """The product of a chain of matrices (the first may be 1-D, a row, and the last, a
    column), left to right."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        allowed = (1, 2) if i in (0, len(tensors) - 1) else (2,)
        if t.ndim not in allowed:
            raise RuntimeError(f"multi_dot(): tensor {i} must be "
                               f"{'1D or 2D' if len(allowed) == 2 else '2D'} but got "
                               f"{t.ndim}D")
    result = tensors[0]
    for t in tensors[1:]:
        result = result @ t
    return result


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """Σ x · y along ``dim`` (the inputs broadcast)."""
    y = _as_tensor(y, x)
    return (x * y).sum(dim)


def matrix_exp(A: Tensor) -> Tensor:  # noqa: N803
    """The matrix exponential exp A = Σ Aᵏ / k!; differentiable."""
    _square("matrix_exp", A)
    return _spectral.MatrixExp.apply(A)


def eig(A: Tensor) -> EigResult:  # noqa: N803
    """``(eigenvalues, eigenvectors)`` of a general square A, complex (not differentiable);
    eigenvectors normalized to norm 1."""
    _square("eig", A)
    xp = array_module(A.array)
    w, v = xp.linalg.eig(A.array)
    kind = xp.complex64 if A.dtype == xp.float32 else xp.complex128
    return EigResult(Tensor._from_array(w.astype(kind)), Tensor._from_array(v.astype(kind)))


def eigvals(A: Tensor) -> Tensor:  # noqa: N803
    """The eigenvalues of a general square A, complex (not differentiable)."""
    return eig(A).eigenvalues


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False):  # noqa: N803
    """``(L, info)``: info 0 where A is positive-definite, else the order k of the first
    leading minor that is not (then L holds no meaningful values there)."""
    _square("cholesky_ex", A)
    xp = array_module(A.array)
    batch = A.shape[:-2]
    flat = A.array.reshape((-1,) + tuple(A.shape[-2:]))
    info = xp.zeros(len(flat), dtype=xp.int32)
    for i, matrix in enumerate(flat):
        try:
            xp.linalg.cholesky(matrix)
            continue
        except xp.linalg.LinAlgError:
            pass
        for k in range(1, matrix.shape[-1] + 1):
            try:
                xp.linalg.cholesky(matrix[:k, :k])
            except xp.linalg.LinAlgError:
                info[i] = k
                break
    info = info.reshape(batch)
    if check_errors and info.any():
        raise RuntimeError(f"linalg.cholesky_ex: The factorization could not be completed "
                           f"because the input is not positive-definite (the leading minor "
                           f"of order {int(info.max())} is not positive-definite).")
    if not info.any():
        lower = cholesky(A, upper=upper)
    else:
        lower = Tensor._from_array(xp.zeros_like(A.array))
    return CholeskyExResult(lower, Tensor._from_array(info))


def inv_ex(A: Tensor, *, check_errors: bool = False):  # noqa: N803
    """``(inverse, info)``: info 0 where A is invertible, else nonzero."""
    _square("inv_ex", A)
    xp = array_module(A.array)
    singular = xp.linalg.matrix_rank(A.array) < A.shape[-1] if A.shape[-1] else \
        xp.zeros(A.shape[:-2], bool)
    info = xp.asarray(singular, dtype=xp.int32)
    if check_errors and info.any():
        raise RuntimeError("linalg.inv_ex: The diagonal element is zero, the inversion "
                           "could not be completed because the input matrix is singular.")
    if not info.any():
        return InvExResult(inv(A), Tensor._from_array(info))
    nan = xp.full(A.shape, xp.nan, dtype=A.dtype)
    return InvExResult(Tensor._from_array(nan), Tensor._from_array(info))


def cond(A: Tensor, p=None) -> Tensor:  # noqa: N803
    """The condition number of A in norm ``p`` (None or 2: σ_max / σ_min; -2: σ_min /
    σ_max; "fro", "nuc", ±1, ±inf: ‖A‖ ‖A⁻¹‖ for square A)."""
    _matrices("cond", A)
    if p in (None, 2, -2):
        s = svdvals(A)
        top, bottom = s.narrow(-1, 0, 1), s.narrow(-1, s.shape[-1] - 1, 1)
        ratio = top / bottom if p != -2 else bottom / top
        return ratio.squeeze(-1)
    _square("cond", A)
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


SolveExResult = namedtuple("SolveExResult", ["result", "info"])  # linalg_solve_ex


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True,  # noqa: N803
             check_errors: bool = False) -> SolveExResult:
    """``(result, info)``: ``solve`` with info 0 where A is invertible (else nonzero, and
    the result nan)."""
    _square("solve_ex", A)
    inverse, info = inv_ex(A, check_errors=check_errors)
    if info.array.any():
        shape = solve(Tensor._from_array(_identity(A)).expand(*A.shape), B, left=left).shape
        xp = array_module(A.array)
        return SolveExResult(Tensor._from_array(xp.full(tuple(shape), xp.nan, A.dtype)), info)
    return SolveExResult(solve(A, B, left=left), info)


def tensorinv(A: Tensor, ind: int = 2) -> Tensor:  # noqa: N803
    """The inverse of A for ``tensordot(A, ·, ind)``: shape A.shape[ind:] + A.shape[:ind]."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, columns = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    if math.prod(rows) != math.prod(columns):
        raise RuntimeError(f"Expected self to satisfy the requirement "
                           f"prod(self.shape[ind:]) == prod(self.shape[:ind]), but got "
                           f"{math.prod(columns)} != {math.prod(rows)}")
    square = A.reshape(math.prod(rows), math.prod(columns))
    return inv(square).reshape(columns + rows)


def tensorsolve(A: Tensor, B: Tensor, dims=None) -> Tensor:  # noqa: N803
    """X with tensordot(A, X, X.ndim) = B (``dims``: axes of A moved to the end first)."""
    if dims is not None:
        dims = [d % A.ndim for d in dims]
        A = A.movedim(tuple(dims), tuple(range(A.ndim - len(dims), A.ndim)))  # noqa: N806
    result_shape = tuple(A.shape[B.ndim:])
    rows, columns = math.prod(B.shape), math.prod(result_shape)
    if rows != columns or tuple(A.shape[:B.ndim]) != tuple(B.shape):
        raise RuntimeError(f"Expected self to satisfy the requirement "
                           f"prod(self.shape[other.ndim:]) == prod(self.shape[:other.ndim]), "
                           f"but got {columns} != {rows}")
    return solve(A.reshape(rows, columns), B.reshape(rows)).reshape(result_shape)


def vander(x: Tensor, *, N: int | None = None) -> Tensor:  # noqa: N803
    """The Vandermonde matrix: columns x⁰, x¹, ..., x^(N-1) (N = x.shape[-1] by default)."""
    if x.ndim < 1:
        raise RuntimeError("linalg.vander: x must have at least one dimension")
    n = x.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    powers = [x.unsqueeze(-1) * 0 + 1]
    for _ in range(n - 1):
        powers.append(powers[-1] * x.unsqueeze(-1))
    from .creation import cat
    return cat(powers, -1)
