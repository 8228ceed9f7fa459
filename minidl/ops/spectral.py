"""Spectral decompositions and matrix functions, differentiable, over batches (..., m, n).

* ``Eigh``: A = V diag(L) Vᵀ for symmetric A (PyTorch's ``linalg_eig_backward``, real):
      gA = V (diag(gL) + skew(Vᵀ gV) / 2 ⊘ E) Vᵀ,   E_ij = L_j - L_i
* ``Svd``: A = U diag(S) Vh (PyTorch's ``svd_backward``; distinct singular values):
      E_ij = S_j² - S_i²,  X = ((Uᵀ gU - gUᵀ U) S + S (Vh gVhᵀ - gVh Vhᵀ)) ⊘ E + diag(gS)
  plus, for m > n, (I - U Uᵀ) gU S⁻¹ Vh and, for m < n, U S⁻¹ gVh (I - Vhᵀ Vh).
* ``Pinv``: A⁺, PyTorch's ``pinv_backward``.
* ``LogAbsDet``: log |det A|, gradient gA = g A⁻ᵀ.
* ``MatrixExp``: exp A by scaling and squaring with a degree-13 Padé approximant; the
  gradient is the upper right block of exp [[Aᵀ, G], [0, Aᵀ]].

A Function records one floating point output, so several come packed in one array
(..., size₁ + size₂ + ...); ``unpack`` cuts them out again (recorded narrows and reshapes).
"""
from __future__ import annotations

import math

from ..autograd.function import Function
from ..backend import array_module


def _t(x):
    return x.swapaxes(-1, -2)


def _pack(xp, *arrays):
    batch = arrays[-1].shape[:-2]
    return xp.concatenate([a.reshape(batch + (-1,)) for a in arrays], axis=-1)


def unpack(packed, shapes):
    """The tensors packed into ``packed`` (the last axis), of ``shapes`` (per-matrix
    shapes, without the batch)."""
    batch = tuple(packed.shape[:-1])
    out, start = [], 0
    for shape in shapes:
        size = math.prod(shape)
        out.append(packed.narrow(-1, start, size).reshape(batch + tuple(shape)))
        start += size
    return out


def _unpack_arrays(grad, shapes):
    batch = grad.shape[:-1]
    out, start = [], 0
    for shape in shapes:
        size = math.prod(shape)
        out.append(grad[..., start:start + size].reshape(batch + tuple(shape)))
        start += size
    return out


class Eigh(Function):
    """(L, V) = eigh(A), packed: L (..., n), then V (..., n, n)."""

    def forward(self, a, *, uplo="L"):
        xp = array_module(a)
        w, v = xp.linalg.eigh(a, UPLO=uplo)
        w, v = w.astype(a.dtype, copy=False), v.astype(a.dtype, copy=False)
        self.save_for_backward(w, v)
        return _pack(xp, w, v)

    def backward(self, grad):
        w, v = self.saved_arrays
        xp = array_module(w)
        n = w.shape[-1]
        grad_w, grad_v = _unpack_arrays(grad, [(n,), (n, n)])
        vgv = _t(v) @ grad_v
        vgv = 0.5 * (vgv - _t(vgv))
        e = w[..., None, :] - w[..., :, None]
        eye = xp.eye(n, dtype=bool)
        e = xp.where(eye, 1.0, e)
        inner = xp.where(eye, 0.0, vgv / e) + grad_w[..., None, :] * xp.eye(n, dtype=w.dtype)
        return (v @ inner @ _t(v)).astype(w.dtype, copy=False)


class Svd(Function):
    """(U, S, Vh) = svd(A), packed: U, then S, then Vh."""

    def forward(self, a, *, full_matrices=True):
        xp = array_module(a)
        u, s, vh = xp.linalg.svd(a, full_matrices=full_matrices)
        u, s, vh = (x.astype(a.dtype, copy=False) for x in (u, s, vh))
        self.shapes = [u.shape[-2:], s.shape[-1:], vh.shape[-2:]]
        self.save_for_backward(u, s, vh)
        return _pack(xp, u, s, vh)

    def backward(self, grad):
        u, s, vh = self.saved_arrays
        xp = array_module(u)
        grad_u, grad_s, grad_vh = _unpack_arrays(grad, self.shapes)
        m, n, k = u.shape[-2], vh.shape[-1], s.shape[-1]
        u, grad_u = u[..., :k], grad_u[..., :k]
        vh, grad_vh = vh[..., :k, :], grad_vh[..., :k, :]
        uhgu = _t(u) @ grad_u
        uhgu = uhgu - _t(uhgu)
        vhgv = vh @ _t(grad_vh)
        vhgv = vhgv - _t(vhgv)
        s2 = s * s
        e = s2[..., None, :] - s2[..., :, None]
        eye = xp.eye(k, dtype=bool)
        e = xp.where(eye, 1.0, e)
        ret = (uhgu * s[..., None, :] + s[..., :, None] * vhgv) / e
        ret = ret + grad_s[..., None, :] * xp.eye(k, dtype=u.dtype)
        if m > n:
            gus = grad_u / s[..., None, :]
            ga = (u @ ret + gus - u @ (_t(u) @ gus)) @ vh
        elif m < n:
            sgv = grad_vh / s[..., :, None]
            ga = u @ (ret @ vh + sgv - (sgv @ _t(vh)) @ vh)
        else:
            ga = u @ ret @ vh
        return ga.astype(u.dtype, copy=False)


def pinv_array(a, atol, rtol, hermitian=False):
    """A⁺ of an array, dropping singular values at most max(atol, rtol · σ_max)."""
    xp = array_module(a)
    m, n = a.shape[-2], a.shape[-1]
    if hermitian:
        w, v = xp.linalg.eigh(a)
        s, u, vh = xp.abs(w), v, _t(v) * xp.sign(w)[..., :, None]
    else:
        u, s, vh = xp.linalg.svd(a, full_matrices=False)
    if atol is None and rtol is None:
        rtol = xp.finfo(a.dtype).eps * max(m, n)
    atol = 0.0 if atol is None else atol
    rtol = 0.0 if rtol is None else rtol
    smax = s.max(axis=-1, keepdims=True) if s.shape[-1] else xp.zeros(s.shape[:-1] + (1,))
    cutoff = xp.maximum(xp.asarray(atol)[..., None], xp.asarray(rtol)[..., None] * smax)
    keep = s > cutoff
    inverse = xp.where(keep, 1.0 / xp.where(keep, s, 1.0), 0.0)
    return (_t(vh) * inverse[..., None, :]) @ _t(u)


class Pinv(Function):
    """A⁺ (the Moore-Penrose inverse)."""

    def forward(self, a, *, atol=None, rtol=None, hermitian=False):
        p = pinv_array(a, atol, rtol, hermitian).astype(a.dtype, copy=False)
        self.save_for_backward(a, p)
        return p

    def backward(self, grad):
        a, p = self.saved_arrays
        m, n = a.shape[-2], a.shape[-1]
        ph, gh = _t(p), _t(grad)
        if m <= n:
            k = gh @ p
            kph = k @ ph
            out = -_t(p @ k) + kph - (a @ p) @ kph + (ph @ p) @ (gh - k @ a)
        else:
            k = p @ gh
            phk = ph @ k
            out = -_t(k @ p) + (gh - a @ k) @ p @ ph + phk - phk @ p @ a
        return out.astype(a.dtype, copy=False)


class LogAbsDet(Function):
    """log |det A|."""

    def forward(self, a):
        xp = array_module(a)
        _, logabs = xp.linalg.slogdet(a)
        self.save_for_backward(a)
        return xp.asarray(logabs, dtype=a.dtype)

    def backward(self, grad):
        (a,) = self.saved_arrays
        xp = array_module(a)
        return (grad[..., None, None] * _t(xp.linalg.inv(a))).astype(a.dtype, copy=False)


_PADE13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800.,
           129060195264000., 10559470521600., 670442572800., 33522128640., 1323241920.,
           40840800., 960960., 16380., 182., 1.)
_THETA13 = 5.371920351148152


def expm_array(a):
    """exp A for a batch of square matrices (Higham 2005, degree 13, scaling and squaring
    with one scaling count for the whole batch)."""
    xp = array_module(a)
    work = a.astype(xp.float64)
    n = a.shape[-1]
    norm = float(xp.abs(work).sum(axis=-2).max()) if work.size else 0.0
    squarings = max(0, int(math.ceil(math.log2(norm / _THETA13)))) if norm > _THETA13 else 0
    work = work / (2.0 ** squarings)
    b = _PADE13
    eye = xp.broadcast_to(xp.eye(n), work.shape)
    a2 = work @ work
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = work @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2)
                + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * eye)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 \
        + b[0] * eye
    r = xp.linalg.solve(v - u, v + u)
    for _ in range(squarings):
        r = r @ r
    return r.astype(a.dtype, copy=False)


class MatrixExp(Function):
    """exp A."""

    def forward(self, a):
        self.save_for_backward(a)
        return expm_array(a)

    def backward(self, grad):
        (a,) = self.saved_arrays
        xp = array_module(a)
        n = a.shape[-1]
        big = xp.zeros(a.shape[:-2] + (2 * n, 2 * n), dtype=a.dtype)
        big[..., :n, :n] = _t(a)
        big[..., n:, n:] = _t(a)
        big[..., :n, n:] = grad
        return expm_array(big)[..., :n, n:]
