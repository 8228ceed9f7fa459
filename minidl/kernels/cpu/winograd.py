"""Winograd F(m×m, 3×3) convolutions on the CPU: Numba transforms around batched GEMMs.

The maths, the transform matrices and their derivation are the reference's
(``minidl/kernels/reference/winograd.py``):  Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A per α×α input
tile d, α = m + 2.  Here:

- Channels last.  The images of a chunk are first copied to (n, y, x, c) order, so that
  every transform step is a vector operation over the channels (contiguous), whatever the
  image size.  Each transform step adds a row of the source times one non-zero entry of the
  transform matrix, so the zeros of Bᵀ cost nothing.
- α² matrix products per chunk of tiles, one batched ``np.matmul``:
      M[ξν] (tiles × C_out) = V[ξν] (tiles × C_in) @ U[ξν]ᵀ (C_in × C_out)
  with V[ξν, t, c] = (Bᵀ d_{t,c} B)[ξ, ν] and U = G g Gᵀ (transformed once per call).
- The output transform writes straight into the NCHW output, bias added.
- Chunks: the tiles of several whole images, or a band of tile rows of one large image,
  about ``CHUNK_BUDGET`` elements of transformed data per chunk (so memory stays bounded
  and the products are wide enough for BLAS).  Workers (``workers.py``) take contiguous
  blocks of chunks and own their output images; weight-gradient sums are private per
  worker and added in a fixed order.

The gradients (reference docstring): dL/dx is a stride-1 convolution of gy with the filter
flipped and its channels swapped, padded by 2 - p, so it runs through the same forward;
dL/dweight = Gᵀ (Σ_tiles (A dY Aᵀ) ⊙ V) G, the sum over tiles one matrix product per ξν:
dU[ξν] (C_out × C_in) = Σ_chunks Mgᵀ[ξν] (C_out × tiles) @ V[ξν] (tiles × C_in).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
from numba import njit

from ..reference.winograd import winograd_matrices
from .linalg import product_into
from .scratch import scratch
from .vectors import axpy, fill_zero
from .workers import even_ranges, run_blocks, worker_count

CHUNK_BUDGET = 1 << 20
"""Elements of transformed input and products (V and M) per chunk (4 MiB of float32: they
stay in cache from the transform to the products), unless that leaves too few tiles."""

TILE_BLOCK = 128
"""Tiles transformed back at once (their α×m and m×m scratch stays in the L1 cache)."""


# -- Numba loops ----------------------------------------------------------------------------

@njit(cache=True, nogil=True, error_model="numpy")
def split_columns(x, n0, y0, shift, out):
    """out[n, y, s, q, c] = x[n0 + n, c, y0 + y, q·m + s - shift] (0 outside the row):
    rows y0 ... of nb images, channels last, each row split into its m column phases
    s = (column + shift) mod m.  x (N, C, H, W); out (nb, rows, m, Q, C)."""
    nb, rows, m, count, channels = out.shape
    width = x.shape[3]
    for n in range(nb):
        for y in range(rows):
            for s in range(m):
                for q in range(count):
                    column = q * m + s - shift
                    target = out[n, y, s, q]
                    if 0 <= column < width:
                        for c in range(channels):
                            target[c] = x[n0 + n, c, y0 + y, column]
                    else:
                        fill_zero(target)


@njit(cache=True, nogil=True, error_model="numpy")
def transform_tiles(source, transform, row0, tiles_hw, out):
    """out[a, b, t, c] = Σ_{r,k} L[a, r] · d[r, k, c] · L[b, k] for every tile t =
    (n·TH + i)·TW + j, whose pixel (r, k) is row row0 + i·m + r, padded column j·m + k of
    image n of the source (0 outside its rows); L = transform (α × window).

    source (nb, rows, m, Q, C): channels last, columns split into m phases
    (``split_columns``), so that for one tap k the pixels of a whole row of tiles are one
    contiguous run; out (α, α, nb·TH·TW, C).  Per row of tiles: combine the source rows
    (one vector operation per non-zero L[a, r], over the whole row), then the columns (one
    per non-zero L[b, k], over the row of tiles).  The input transform is L = Bᵀ (window
    α); the output gradient's is L = A (window m).
    """
    nb, rows, m, count, channels = source.shape
    alpha, window = transform.shape
    th, tw = tiles_hw
    row_size = m * count * channels
    flat_source = source.reshape(-1)
    flat_out = out.reshape(-1)
    combined = np.empty(alpha * row_size, source.dtype)          # L · d, a row of tiles
    run = tw * channels                                           # a row of tiles' values
    for n in range(nb):
        for i in range(th):
            top = row0 + i * m
            for a in range(alpha):
                target = combined[a * row_size:(a + 1) * row_size]
                fill_zero(target)
                for r in range(window):
                    if transform[a, r] != 0 and 0 <= top + r < rows:
                        start = (n * rows + top + r) * row_size
                        axpy(transform[a, r], flat_source[start:start + row_size], target)
            first = (n * th + i) * tw * channels
            for a in range(alpha):
                for b in range(alpha):
                    start = (a * alpha + b) * out.shape[2] * channels + first
                    target = flat_out[start:start + run]
                    fill_zero(target)
                    for k in range(window):
                        if transform[b, k] != 0:        # tap k: phase k mod m, from k // m
                            offset = a * row_size + ((k % m) * count + k // m) * channels
                            axpy(transform[b, k], combined[offset:offset + run], target)


@njit(cache=True, nogil=True, error_model="numpy")
def untransform_tiles(products, a_t, tiles_hw, bias, n0, i0, out):
    """out[n0 + n, o, (i0 + i)·m + u, j·m + v] = bias[o] + Σ_{a,b} Aᵀ[u, a] · products[a·α
    + b, o, t] · Aᵀ[v, b] for the tile t = (n·TH + i)·TW + j, cut at the output's edges.

    products (α², C_out, nb·TH·TW); a_t (m × α); out (N, C_out, OH, OW), C-contiguous.
    Vectorized over the tiles, ``TILE_BLOCK`` at a time; then each value goes to its place
    (one long loop per (o, u, v) when the tiles fit the output exactly, else row by row).
    """
    _, c_out, tiles = products.shape
    m, alpha = a_t.shape
    th, tw = tiles_hw
    oh, ow = out.shape[2:]
    block = min(tiles, TILE_BLOCK)
    columns = np.empty((alpha, m, block), products.dtype)      # M · A
    values = np.empty((m, m, block), products.dtype)           # Aᵀ M A
    # Where the tiles fit the output exactly, each tile's top-left corner in out.ravel()
    exact = oh % m == 0 and ow % m == 0
    flat = out.reshape(-1)
    corner = np.empty(tiles, np.int64)
    for t in range(tiles):
        n, i, j = t // (th * tw), (t // tw) % th, t % tw
        corner[t] = (n0 + n) * c_out * oh * ow + (i0 + i) * m * ow + j * m
    for o in range(c_out):
        for t0 in range(0, tiles, block):
            width = min(tiles, t0 + block) - t0
            for a in range(alpha):
                for v in range(m):
                    target = columns[a, v, :width]
                    fill_zero(target)
                    for b in range(alpha):
                        if a_t[v, b] != 0:
                            axpy(a_t[v, b], products[a * alpha + b, o, t0:t0 + width],
                                  target)
            for u in range(m):
                for v in range(m):
                    target = values[u, v, :width]
                    for k in range(width):
                        target[k] = bias[o]
                    for a in range(alpha):
                        if a_t[u, a] != 0:
                            axpy(a_t[u, a], columns[a, v, :width], target)
            if exact:
                for u in range(m):
                    for v in range(m):
                        shift = o * oh * ow + u * ow + v
                        source = values[u, v]
                        for k in range(width):
                            flat[corner[t0 + k] + shift] = source[k]
                continue
            for row in range(t0 // tw, (t0 + width - 1) // tw + 1):   # tile rows (n, i)
                n, i = row // th, row % th
                top = (i0 + i) * m
                first, stop = max(t0, row * tw), min(t0 + width, (row + 1) * tw)
                for u in range(min(m, oh - top)):
                    line = out[n0 + n, o, top + u]
                    for v in range(m):
                        # output columns j·m + v of the tiles j = t - row·TW inside the row
                        last = min(stop, row * tw + (ow - v + m - 1) // m)
                        source = values[u, v]
                        for t in range(first, last):
                            line[(t - row * tw) * m + v] = source[t - t0]


# -- when to use it ----------------------------------------------------------------------

MAX_F4_CHANNELS = 2048
"""Most input channels F(4×4, 3×3) sums over (its float32 error is measured up to here)."""


def winograd_tile(kernel_hw, stride, padding, dilation, groups, channels_in, channels_out,
                  out_hw):
    """The output tile size m of the Winograd algorithm F(m×m, 3×3) to compute this
    convolution with, or None for the GEMM kernels.

    Winograd computes 3×3, stride-1, undilated, ungrouped convolutions (padding at most 2,
    so that the input gradient is one too).  It saves multiplications (2.25x with m = 2,
    4x with m = 4) but adds transforms that cost the same per pixel and channel whatever
    the channel count, and its products have C_in (or C_out) as their inner dimension,
    which BLAS runs slowly below ~64.  Measured against the GEMM kernels (one thread,
    interleaved, each pass; ratio Winograd/GEMM for forward, input and weight gradient):

        16x64x32x32 -> 64      F4 0.87 0.91 0.88     F2 0.98 1.02 1.08
        16x128x16x16 -> 128    F4 0.81 0.85 0.87     F2 0.88 0.89 1.00
        8x512x16x16 -> 512     F4 0.58 0.66 0.73     F2 0.66 0.74 0.70
        16x64x128x128 -> 32    F4 0.89 0.84 0.79     F2 1.11 1.00 1.09
        16x256x8x8 -> 256      F4 0.91 0.98 0.95     F2 0.76 0.88 0.64
        32x64x8x8 -> 128       F4 1.40 1.47 1.31     F2 0.95 1.24 1.06
        64x32x14x14 -> 64      F4 1.42 1.68 1.15     F2 1.32 1.37 1.12
        64x32x42x42 -> 64      F4 1.17 1.37 0.88     F2 1.25 1.52 1.00

    Hence: F(4×4) for outputs at least 16 wide with 64 channels on both sides (or 32, from
    64 wide); F(2×2) for smaller outputs with 256 channels; GEMM otherwise.  F(4×4)'s
    float32 error is 2-6 times the GEMM's (the reference's docstring has the table), ten
    times inside the tests' tolerance up to 2048 input channels; beyond those it is not
    used (F(2×2), as accurate as the GEMM, instead).  ``channels_in`` is the channel count
    the products sum over (C_out for the input gradient).
    """
    if (tuple(kernel_hw) != (3, 3) or tuple(stride) != (1, 1) or tuple(dilation) != (1, 1)
            or groups != 1 or max(padding) > 2):
        return None
    channels, size = min(channels_in, channels_out), min(out_hw)
    large = (size >= 16 and channels >= 64) or (size >= 64 and channels >= 32)
    if large and channels_in <= MAX_F4_CHANNELS:
        return 4
    if large:
        return 2
    if channels >= 256:
        return 2
    return None


# -- the plan -------------------------------------------------------------------------------

@dataclass(frozen=True)
class WinogradPlan:
    """F(m×m, r×r) over an output of ``tiles_hw`` tiles per image, in ``chunks``
    (n0, n1, i0, i1): tile rows [i0, i1) of the images [n0, n1) (several images only
    whole)."""

    m: int
    r: int
    tiles_hw: tuple
    chunks: list
    most_tiles: int                    # tiles of the largest chunk

    @property
    def alpha(self) -> int:
        return self.m + self.r - 1


def plan_winograd(m, r, batch, out_hw, channels_in, channels_out, workers) -> WinogradPlan:
    """Chunks of about CHUNK_BUDGET transformed elements (α² per tile and channel), but
    at least min(C_in, C_out) tiles (every chunk reads all of U, α²·C_in·C_out elements:
    fewer tiles would spend more time reading U than multiplying), and at least one chunk
    per worker when the batch allows.

    Measured (one thread, F(4x4, 3x3)): 16x64x32x32 -> 64 is fastest at 2^18..2^20,
    16x128x16x16 -> 128 from 2^20 on, 8x512x16x16 -> 512 needs the whole batch (2^24).
    """
    alpha = m + r - 1
    th, tw = -(-out_hw[0] // m), -(-out_hw[1] // m)
    per_image = th * tw
    tiles = max(tw, min(channels_in, channels_out),
                CHUNK_BUDGET // (alpha * alpha * (channels_in + channels_out)))
    if per_image > tiles:                                     # bands of tile rows
        band = max(1, tiles // tw)
        chunks = [(n, n + 1, i0, min(th, i0 + band))
                  for n in range(batch) for i0 in range(0, th, band)]
    else:
        images = max(1, min(tiles // per_image, -(-batch // workers)))
        chunks = [(n0, min(batch, n0 + images), 0, th) for n0 in range(0, batch, images)]
    most = max((n1 - n0) * (i1 - i0) * tw for n0, n1, i0, i1 in chunks)
    return WinogradPlan(m, r, (th, tw), chunks, most)


def _transformed_chunk(x, chunk, plan, padding, transform, name):
    """(α, α, tiles, C): the tiles of one chunk of x (N, C, H, W), transformed by
    ``transform``.  The input: Bᵀ on α×α tiles m apart, shifted by -padding.  An output
    gradient: A on its m×m tiles (padding (0, 0)).  Both live in the worker's scratch
    (``scratch.py``), under ``name``."""
    n0, n1, i0, i1 = chunk
    _, channels, height, _ = x.shape
    m, tw = plan.m, plan.tiles_hw[1]
    window = transform.shape[1]
    first_row = i0 * m - padding[0]
    y0 = min(height, max(0, first_row))
    y1 = max(y0, min(height, (i1 - 1) * m - padding[0] + window))
    phase_length = tw + (window - 1) // m       # columns per phase a row of tiles reads
    source = scratch(name + " rows", (n1 - n0, y1 - y0, m, phase_length, channels), x.dtype)
    split_columns(x, n0, y0, padding[1], source)
    out = scratch(name, (plan.alpha, plan.alpha, (n1 - n0) * (i1 - i0) * tw, channels),
                  x.dtype)
    transform_tiles(source, transform, first_row - y0, (i1 - i0, tw), out)
    return out


def _matrices(plan, dtype):
    return tuple(matrix.astype(dtype) for matrix in winograd_matrices(plan.m, plan.r))


def filter_transform(m, r, dtype):
    """G ⊗ G (α² × r²): row ξ·α + ν, column p·r + q holds G[ξ, p] · G[ν, q], so that
    U = G g Gᵀ of each filter g is one matrix-vector product (U[ξ, ν] = Σ_pq ... g[p, q])."""
    g = winograd_matrices(m, r)[1]
    return np.kron(g, g).astype(dtype)


def transformed_weight(weight, m, flipped=False):
    """U[ξν] = (G g Gᵀ)[ξ, ν] for every filter g = weight[o, c], as one matrix product
    split between the workers: weight (C_out, C_in, r, r) -> (α², C_out, C_in), in the
    calling thread's scratch (the workers only read it afterwards).  ``flipped``: the
    filters of the input gradient's convolution, g turned by 180° and the channels swapped,
    -> (α², C_in, C_out), a transposed view; the turned filter's r² values are g's in
    reverse order, so the transform's columns are reversed instead of the weights copied.
    (On one thread this product took a tenth of a 16x256x16x16 -> 512 forward pass, and
    the copy of the turned weights as much again.)"""
    c_out, c_in, r, _ = weight.shape
    filters = np.ascontiguousarray(weight).reshape(c_out * c_in, r * r)
    transform = filter_transform(m, r, weight.dtype)
    if flipped:
        transform = np.ascontiguousarray(transform[:, ::-1])
    u = scratch("winograd filters", ((m + r - 1) ** 2, c_out * c_in), weight.dtype)
    product_into(transform, filters.T, u)
    u = u.reshape(-1, c_out, c_in)
    return u.transpose(0, 2, 1) if flipped else u


# -- forward (and the input gradient) -------------------------------------------------------

def _forward_chunks(chunks, x, u, bias, out, plan, padding):
    """One worker's chunks: transform the tiles, α² products, transform back into out."""
    a_t, _, b_t = _matrices(plan, x.dtype)
    alpha2, c_out = plan.alpha ** 2, out.shape[1]
    for chunk in chunks:
        n0, _, i0, i1 = chunk
        v = _transformed_chunk(x, chunk, plan, padding, b_t, "winograd input")
        tiles = v.shape[2]
        products = scratch("winograd products", (alpha2, c_out, tiles), x.dtype)
        np.matmul(u, v.reshape(alpha2, tiles, -1).transpose(0, 2, 1), out=products)
        untransform_tiles(products, a_t, (i1 - i0, plan.tiles_hw[1]), bias, n0, i0, out)


def winograd_forward(x, weight, bias, padding, m):
    """The stride-1 convolution of x (N, C_in, H, W) with weight (C_out, C_in, 3, 3) by
    F(m×m, 3×3): (N, C_out, OH, OW)."""
    return _transformed_forward(x, transformed_weight(weight, m), weight.shape[-1], bias,
                                padding, m)


def _transformed_forward(x, u, r, bias, padding, m):
    """The stride-1 convolution of x (N, C_in, H, W) with the r×r filters whose transforms
    are u (α², C_out, C_in)."""
    x = np.ascontiguousarray(x)
    n, c_in, h, w = x.shape
    c_out = u.shape[1]
    out_hw = (h + 2 * padding[0] - r + 1, w + 2 * padding[1] - r + 1)
    workers = worker_count()
    plan = plan_winograd(m, r, n, out_hw, c_in, c_out, workers)
    out = np.empty((n, c_out, *out_hw), x.dtype)
    bias = np.zeros(c_out, x.dtype) if bias is None else np.ascontiguousarray(bias, x.dtype)
    run_blocks(partial(_forward_chunks, x=x, u=u, bias=bias, out=out, plan=plan,
                       padding=tuple(padding)), plan.chunks, workers)
    return out


def winograd_backward_input(grad_out, weight, padding, m, bias=None):
    """dL/dx of the stride-1 convolution (padding p <= 2 on each axis): the convolution
    of gy padded by 2 - p with the flipped filter, channels swapped.  (N, C_in, H, W),
    + bias (C_in,) if given (a transposed convolution's)."""
    r = weight.shape[-1]
    return _transformed_forward(grad_out, transformed_weight(weight, m, flipped=True), r,
                                bias, (r - 1 - padding[0], r - 1 - padding[1]), m)


# -- weight gradient ------------------------------------------------------------------------

def _weight_gradient_chunks(chunks, x, grad_out, plan, padding):
    """One worker's Σ over its chunks of dU[ξν] = Mg[ξν]ᵀ @ V[ξν], (α², C_out, C_in), a
    new array (not scratch: a pool thread may run another block of the call before the
    sums are added, and kept across calls it would raise a step's peak memory)."""
    a_t, _, b_t = _matrices(plan, x.dtype)
    a = np.ascontiguousarray(a_t.T)
    alpha2 = plan.alpha ** 2
    total = None
    for chunk in chunks:
        v = _transformed_chunk(x, chunk, plan, padding, b_t, "winograd input")
        grad = _transformed_chunk(grad_out, chunk, plan, (0, 0), a, "winograd gradient")
        tiles = v.shape[2]
        terms = (grad.reshape(alpha2, tiles, -1).transpose(0, 2, 1),
                 v.reshape(alpha2, tiles, -1))
        if total is None:
            total = np.matmul(*terms)
            continue
        term = scratch("winograd weight term", total.shape, x.dtype)
        total += np.matmul(*terms, out=term)
    return total


def _add_columns(blocks, total, terms):
    """total[:, c0:c1] += each of terms[:, c0:c1], in order, for the worker's column
    blocks."""
    for c0, c1 in blocks:
        for term in terms:
            total[:, c0:c1] += term[:, c0:c1]


def winograd_backward_weight(x, grad_out, r, padding, m):
    """dL/dweight = Gᵀ (Σ_tiles (A dY Aᵀ) ⊙ V) G of the stride-1 convolution of x
    (N, C_in, H, W) with an r×r filter, whose output gradient is grad_out
    (N, C_out, OH, OW): (C_out, C_in, r, r)."""
    x = np.ascontiguousarray(x)
    grad_out = np.ascontiguousarray(grad_out)
    n, c_in = x.shape[:2]
    c_out = grad_out.shape[1]
    workers = worker_count()
    plan = plan_winograd(m, r, n, grad_out.shape[2:], c_in, c_out, workers)
    sums = run_blocks(partial(_weight_gradient_chunks, x=x, grad_out=grad_out, plan=plan,
                              padding=tuple(padding)), plan.chunks, workers)
    # the workers' sums added, and taken back to the filters, each split between the
    # workers (both had been serial passes: splitting them took 16x512x16x16 -> 512 from
    # 44.5-45.5 to 38.8-38.9 ms on 2 cores, whose sums are 38 MB each)
    alpha2 = plan.alpha ** 2
    grad_u = sums[0].reshape(alpha2, -1)   # the first worker's own sum, free to add into
    terms = [term.reshape(alpha2, -1) for term in sums[1:]]
    if terms:
        run_blocks(partial(_add_columns, total=grad_u, terms=terms),
                   even_ranges(c_out * c_in, workers), workers)
    # dL/dg[p, q] = Σ_ξν G[ξ, p] dU[ξ, ν] G[ν, q]: one product with G ⊗ G
    grad_w = np.empty((c_out * c_in, r * r), x.dtype)
    product_into(grad_u.T, filter_transform(m, r, x.dtype), grad_w)
    return grad_w.reshape(c_out, c_in, r, r)
