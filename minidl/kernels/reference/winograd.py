"""Winograd's minimal filtering: a stride-1 convolution with fewer multiplications.

A 3x3 convolution computes each output from 9 products per input channel.  Winograd's
algorithm F(m, r) computes m outputs of an r-tap filter from α = m + r - 1 inputs with only
α products instead of m·r, by way of polynomials; nested over rows and columns, F(m×m, r×r)
computes an m×m output tile from an α×α input tile with α² products instead of m²·r²:

    F(2×2, 3×3): 16 products for 36 (2.25x fewer)      α = 4
    F(4×4, 3×3): 36 products for 144 (4x fewer)        α = 6

The price is three small linear maps (the transforms) per tile, and rounding error that
grows with the tile (below).  This file derives the transforms and runs the convolution
and both its gradients with them, in plain NumPy; ``minidl/kernels/cpu/winograd.py`` is the
fast version.

**One dimension: derive the matrices.**  Correlating d (α values) with the filter g
(r taps) gives m outputs  y_i = Σ_k g_k d_{i+k}.  Look first at a convolution of
polynomials: with g(x) = Σ_k g_k x^k (degree r-1) and h(x) = Σ_i h_i x^i (degree m-1), the
product s(x) = g(x)·h(x) has α coefficients  s_l = Σ_{i+k=l} g_k h_i.  A polynomial of
degree α-1 is fixed by its values at α points, so pick α-1 distinct numbers p_j and the
"point at infinity" (whose "value" is the leading coefficient), and let

    V_n (α × n):  V_n[j, l] = p_j^l  (finite points),   V_n[∞, l] = 1 if l = n-1 else 0

evaluate a polynomial of degree < n with coefficients c at all α points (V_n c).  Values
multiply:  V_α s = (V_r g) ⊙ (V_m h),  so  s = V_α⁻¹ [(V_r g) ⊙ (V_m h)]  — α products.
The correlation is this map transposed: for any d,

    Σ_i h_i y_i = Σ_{i,k} h_i g_k d_{i+k} = Σ_l d_l s_l = dᵀ V_α⁻¹ [(V_r g) ⊙ (V_m h)]
                = Σ_j (V_α⁻ᵀ d)_j (V_r g)_j (V_m h)_j = hᵀ V_mᵀ [(V_r g) ⊙ (V_α⁻ᵀ d)]

and since this holds for every h,

    y = Aᵀ [(G g) ⊙ (Bᵀ d)]    with  Aᵀ = V_mᵀ (m × α),  G = V_r (α × r),  Bᵀ = V_α⁻ᵀ (α × α).

Scaling row j of Bᵀ by any c_j and row j of G by 1/c_j changes nothing; ``winograd_matrices``
picks c_j so that Bᵀ's rows are small integers (the input transform, applied to every
tile, then needs no multiplications by fractions).  With the points 0, 1, -1 this gives
Lavin & Gray's (2015) F(2, 3):

    Aᵀ = [1  1  1  0]     G = [ 1    0    0 ]     Bᵀ = [1  0 -1  0]
         [0  1 -1  1]         [1/2  1/2  1/2]          [0  1  1  0]
                              [1/2 -1/2  1/2]          [0 -1  1  0]
                              [ 0    0    1 ]          [0  1  0 -1]

**Two dimensions.**  Apply the 1-D algorithm to the rows, then to the columns: an α×α input
tile d and an r×r filter g give the m×m output tile

    Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A.

Over channels the products become matrix products: with U = G g Gᵀ for every (o, c) and
V = Bᵀ d B for every (c, tile), each of the α² positions (ξ, ν) of the tile is one matrix
product  M[ξ,ν] (C_out × tiles) = U[ξ,ν] (C_out × C_in) @ V[ξ,ν] (C_in × tiles), and
Y = Aᵀ M A per (o, tile).  Tiles start every m pixels and overlap by r-1; the output is
cut to OH×OW (the last tiles may hang past it, reading zeros).

**Gradients.**  Y is linear in U and in V, so, with dY = dL/dY of a tile,
dL/dM = A dY Aᵀ,  dL/dU[ξ,ν] = Σ_tiles dL/dM[ξ,ν] V[ξ,ν]ᵀ  and  dL/dg = Gᵀ (dL/dU) G
(the weight gradient).  The input gradient of a stride-1 convolution is again a stride-1
convolution: of the output gradient, padded by r-1-p, with the filter flipped and its
channel axes swapped; the same algorithm computes it.

**Error.**  The transforms add and subtract inputs scaled by powers of the points, so the
rounding error grows with the tile.  Measured in float32 by the cpu kernel, as the largest
error over the largest output of a 3×3 convolution against float64 (8x8 images, weights
scaled to outputs of order 1):

    input channels          64       256      512      1024     2048
    GEMM (im2col)           8.3e-7   4.6e-7   4.7e-7   3.8e-7   3.7e-7
    F(2×2, 3×3)             2.0e-7   2.0e-7   2.0e-7   2.3e-7   3.7e-7
    F(4×4, 3×3)             1.0e-6   1.2e-6   1.4e-6   1.1e-6   2.4e-6

F(2×2) is as accurate as the GEMM; F(4×4) loses a factor 2-6, growing slowly with the
channels, still ten times inside the tests' tolerance for the GEMM kernels (2e-5) at 2048
channels.  Its points matter: Lavin's 0, ±1, ±2 give about twice the error of the points
used here, 0, ±1, 1/2, -2 (as Barabasz et al., 2020, found), whose transforms mix powers of
2 and 1/2 instead of only growing ones.  The cpu kernel uses F(4×4) only up to 2048 input
channels, the range measured.
"""
from __future__ import annotations

from fractions import Fraction
from functools import cache
from math import gcd, lcm

import numpy as np

from ..geometry import conv_output_size

POINTS = {(2, 3): (0, 1, -1), (4, 3): (0, 1, -1, Fraction(1, 2), -2)}
"""The finite interpolation points of each F(m, r) (the last point is ∞)."""


def _evaluation(points, n):
    """V_n: row j evaluates a polynomial of degree < n at points[j]; the last row at ∞."""
    rows = [[Fraction(p) ** k for k in range(n)] for p in points]
    rows.append([Fraction(int(k == n - 1)) for k in range(n)])
    return rows


def _inverse(matrix):
    """The exact inverse of a square matrix of Fractions (Gauss-Jordan elimination)."""
    n = len(matrix)
    rows = [list(row) + [Fraction(int(i == j)) for j in range(n)]
            for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = next(i for i in range(col, n) if rows[i][col] != 0)
        rows[col], rows[pivot] = rows[pivot], rows[col]
        rows[col] = [value / rows[col][col] for value in rows[col]]
        for i in range(n):
            if i != col and rows[i][col] != 0:
                factor = rows[i][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[col])]
    return [row[n:] for row in rows]


@cache
def winograd_matrices(m: int, r: int, points=None):
    """(Aᵀ (m × α), G (α × r), Bᵀ (α × α)) of F(m, r) as float64 arrays, α = m + r - 1,
    from α - 1 finite ``points`` (a tuple; default ``POINTS[(m, r)]``) and ∞.  Row j of Bᵀ
    is scaled to the smallest integers, row j of G by the inverse factor.  Computed once
    per (m, r, points): the arrays are read-only."""
    points = POINTS[(m, r)] if points is None else points
    alpha = m + r - 1
    if len(set(points)) != alpha - 1:
        raise ValueError(f"F({m}, {r}) needs {alpha - 1} distinct finite points, got {points}")
    a_t = [list(column) for column in zip(*_evaluation(points, m))]        # V_mᵀ
    g = _evaluation(points, r)                                             # V_r
    b_t = [list(column) for column in zip(*_inverse(_evaluation(points, alpha)))]
    for j, row in enumerate(b_t):
        numerators = [v.numerator for v in row if v != 0]
        scale = Fraction(lcm(*(v.denominator for v in row)), gcd(*numerators))
        b_t[j] = [v * scale for v in row]
        g[j] = [v / scale for v in g[j]]
    matrices = tuple(np.array([[float(v) for v in row] for row in matrix])
                     for matrix in (a_t, g, b_t))
    for matrix in matrices:
        matrix.flags.writeable = False
    return matrices


def _input_tiles(x, m, alpha, padding, tiles_hw):
    """The α×α tiles of x padded by ``padding`` (and by zeros past the last tile), one
    every m pixels: (N, C, H, W) -> (N, C, TH, TW, α, α), a view."""
    (th, tw), (ph, pw) = tiles_hw, padding
    h, w = x.shape[2:]
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, max(0, (th - 1) * m + alpha - h - ph)),
                      (pw, max(0, (tw - 1) * m + alpha - w - pw))))
    windows = np.lib.stride_tricks.sliding_window_view(xpad, (alpha, alpha), axis=(2, 3))
    return windows[:, :, ::m, ::m][:, :, :th, :tw]


def _transformed_input(x, m, r, padding, tiles_hw, b_t):
    """V[ξ, ν, n, c, t, s] = (Bᵀ d B)[ξ, ν] of the tile (t, s) of x[n, c]."""
    tiles = _input_tiles(x, m, m + r - 1, padding, tiles_hw)
    return np.einsum("xk,nctskl,yl->xyncts", b_t, tiles, b_t)


def winograd_conv2d_forward(x, weight, bias, padding, m=2):
    """The stride-1 convolution by F(m×m, r×r), r×r = the weight's (square) kernel.

    x (N, C_in, H, W), weight (C_out, C_in, r, r), bias (C_out,) or None, padding (ph, pw)
    -> (N, C_out, OH, OW), as ``reference.conv.conv2d_forward`` with stride 1, dilation 1,
    groups 1.
    """
    r = weight.shape[-1]
    a_t, g, b_t = winograd_matrices(m, r)
    oh, ow = (conv_output_size(size, r, 1, p, 1) for size, p in zip(x.shape[2:], padding))
    th, tw = -(-oh // m), -(-ow // m)                             # tiles per column, row
    u = np.einsum("xk,ockl,yl->xyoc", g, weight, g)               # (α, α, C_out, C_in)
    v = _transformed_input(x, m, r, padding, (th, tw), b_t)       # (α, α, N, C_in, TH, TW)
    products = np.einsum("xyoc,xyncts->xynots", u, v)             # α² matrix products
    y = np.einsum("ix,xynots,jy->notisj", a_t, products, a_t)     # (N, C_out, TH, m, TW, m)
    out = y.reshape(x.shape[0], -1, th * m, tw * m)[:, :, :oh, :ow]
    if bias is not None:
        out = out + bias.reshape(1, -1, 1, 1)
    return np.ascontiguousarray(out, dtype=x.dtype)


def winograd_conv2d_backward_input(grad_out, weight, input_hw, padding, m=2):
    """dL/dx of the stride-1 convolution: a convolution of gy padded by r-1-p with the
    filter flipped and its channel axes swapped, cut to ``input_hw`` (zeros past what the
    windows reach, as ``reference.conv.conv2d_backward_input``).

    grad_out (N, C_out, OH, OW), weight (C_out, C_in, r, r) -> (N, C_in, H, W).
    """
    r = weight.shape[-1]
    flipped = weight[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)    # (C_in, C_out, r, r)
    full = winograd_conv2d_forward(grad_out, flipped, None, (r - 1, r - 1), m)
    # full[z] = Σ_i gy[i] w[z - i]; the input pixel y gets Σ_i gy[i] w[y + p - i]
    grad_x = np.zeros((grad_out.shape[0], weight.shape[1], *input_hw), grad_out.dtype)
    (ph, pw), (h, w) = padding, input_hw
    rows = min(h, full.shape[2] - ph)
    cols = min(w, full.shape[3] - pw)
    grad_x[:, :, :rows, :cols] = full[:, :, ph:ph + rows, pw:pw + cols]
    return grad_x


def winograd_conv2d_backward_weight(x, grad_out, kernel_hw, padding, m=2):
    """dL/dweight = Gᵀ (Σ_tiles (A dY Aᵀ) ⊙ V) G, summed over images and tiles.

    x (N, C_in, H, W), grad_out (N, C_out, OH, OW), kernel_hw = (r, r)
    -> (C_out, C_in, r, r).
    """
    r = kernel_hw[0]
    a_t, g, b_t = winograd_matrices(m, r)
    n, c_out, oh, ow = grad_out.shape
    th, tw = -(-oh // m), -(-ow // m)
    v = _transformed_input(x, m, r, padding, (th, tw), b_t)       # (α, α, N, C_in, TH, TW)
    gy = np.zeros((n, c_out, th * m, tw * m), grad_out.dtype)     # zeros past the output
    gy[:, :, :oh, :ow] = grad_out
    gy = gy.reshape(n, c_out, th, m, tw, m)
    grad_products = np.einsum("ix,notisj,jy->xynots", a_t, gy, a_t)   # A dY Aᵀ per tile
    grad_u = np.einsum("xynots,xyncts->xyoc", grad_products, v)       # (α, α, C_out, C_in)
    return np.einsum("xk,xyoc,yl->ockl", g, grad_u, g).astype(x.dtype)
