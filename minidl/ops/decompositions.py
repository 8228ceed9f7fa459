"""Matrix decompositions, differentiable, over batches (..., m, n).

* ``SingularValues``: σ = the singular values of A, descending (``linalg.svdvals``);
  with A = U diag(σ) Vᴴ (reduced), dσ_i = u_iᵀ dA v_i, so  dA = U diag(dL/dσ) Vᵀ.
* ``QR``: A = Q R (``linalg.qr``, Householder through LAPACK as PyTorch, so the signs
  agree).  For m >= n (PyTorch's ``linalg_qr_backward``):

      M = triu(gR Rᵀ - Qᵀ gQ),   gA = (gQ + Q (M + Mᵀ - diag M)) R⁻ᵀ

  and for m < n, A = [X | Y] with X square: R = [U | V], V = Qᵀ Y, so gY = Q gV and X
  takes the square case with gQ + Y gVᵀ and gU.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..backend import array_module


def _t(x):
    return x.swapaxes(-1, -2)


class SingularValues(Function):
    """σ = svdvals(A), shape (..., min(m, n))."""

    def forward(self, a):
        xp = array_module(a)
        u, s, vh = xp.linalg.svd(a, full_matrices=False)
        self.save_for_backward(u, vh)
        return s.astype(a.dtype, copy=False)

    def backward(self, grad):
        u, vh = self.saved_arrays
        return ((u * grad[..., None, :]) @ vh).astype(u.dtype, copy=False)


class QR(Function):
    """(Q, R) = qr(A) with ``mode`` "reduced" (Q (..., m, k), R (..., k, n), k = min(m, n))
    or "complete" (Q (..., m, m), R (..., m, n)).  A Function records one floating point
    output, so both come packed in one array (..., size(Q) + size(R)): Q's elements, then
    R's; ``linalg.qr`` unpacks them (recorded slices and reshapes)."""

    def forward(self, a, *, mode="reduced"):
        xp = array_module(a)
        q, r = xp.linalg.qr(a, mode=mode)
        q, r = q.astype(a.dtype, copy=False), r.astype(a.dtype, copy=False)
        self.mode, self.shapes = mode, (q.shape, r.shape)
        self.save_for_backward(q, r, a)
        batch = a.shape[:-2]
        return xp.concatenate([q.reshape(batch + (-1,)), r.reshape(batch + (-1,))], axis=-1)

    def backward(self, grad):
        q, r, a = self.saved_arrays
        xp = array_module(q)
        m, n = a.shape[-2], a.shape[-1]
        if self.mode == "complete" and m > n:
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not "
                               "computed when mode='complete' and nrows > ncols.")
        size_q = q.shape[-1] * q.shape[-2]
        grad_q = grad[..., :size_q].reshape(q.shape)
        grad_r = grad[..., size_q:].reshape(r.shape)
        if m >= n:
            return _qr_square_backward(grad_q, grad_r, q, r, xp)
        y, grad_v = a[..., m:], grad_r[..., m:]
        grad_x = _qr_square_backward(grad_q + y @ _t(grad_v), grad_r[..., :m], q,
                                     r[..., :m], xp)
        return xp.concatenate([grad_x, q @ grad_v], axis=-1)


def _qr_square_backward(grad_q, grad_r, q, r, xp):
    """gA for A = Q R with R square (m >= n, reduced)."""
    m_ = xp.triu(grad_r @ _t(r) - _t(q) @ grad_q)
    eye = xp.eye(m_.shape[-1], dtype=m_.dtype)
    sym = m_ + _t(m_) - m_ * eye
    b = grad_q + q @ sym                       # gA Rᵀ = b  <=>  R gAᵀ = bᵀ
    return _t(xp.linalg.solve(r, _t(b))).astype(q.dtype, copy=False)
