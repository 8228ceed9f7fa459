"""2-D convolution on the CPU: Numba gathers around NumPy's BLAS matrix products.

The maths is the reference's (``minidl/kernels/reference/conv.py``): im2col turns the
convolution into a matrix product.  This file only changes *how* the arrays are laid out
and who does the work:

- the output positions (n, i, j) are processed in tiles: several whole samples when the
  images are small, slices of one image when they are large.  A tile's column matrix is
  one 2-D array, rows (c, p, q) and one column per position, of about ``TILE_BUDGET``
  elements, so it stays in cache between im2col writing it and BLAS reading it, and
  each group's product is one fat GEMM (BLAS is slow on thin matrices);
- the Numba loops (im2col, col2im and the NCHW <-> (C, positions) transposes) run in
  parallel and are race-free by construction: each parallel iteration *owns* the output
  elements it writes (a run of one row of cols, one (n, c) image plane of dL/dx, ...);
- the padding is never materialised: im2col writes zeros where a window leaves the image,
  col2im skips those positions;
- a 1x1 convolution with stride 1 and no padding needs no im2col at all: x[n] viewed as
  (C_in, H·W) already is the column matrix of sample n.

Numba compiles each loop once per dtype (float32 and float64) on first use and caches the
machine code on disk (``cache=True``), so later runs start at once.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from ..conv_geometry import conv_output_size

TILE_BUDGET = 1 << 20
"""Elements of the column matrix built at once (4 MiB of float32: it stays in cache)."""

MIN_TILE_WIDTH = 256
"""Fewest columns per tile: thinner matrix products waste most of BLAS's speed."""


# -- Numba loops ----------------------------------------------------------------------------
# A tile is the block of output positions [l0, l1) (flattened i·OW + j) of the samples
# [n0, n0 + nb).  Its column matrix has one column per (sample, position), numbered
# (n - n0)·(l1 - l0) + (l - l0).  Every loop takes the whole C-contiguous arrays plus the
# tile's corners, so Numba compiles one version per dtype.

@njit(inline="always")
def _valid_range(kernel_offset, stride, padding, size, out_size):
    """The output positions j whose input coordinate j·stride - padding + kernel_offset lies
    inside [0, size), as the half-open range [first, stop)."""
    start = padding - kernel_offset                   # j·stride must reach at least this
    first = 0 if start <= 0 else (start + stride - 1) // stride
    end = size + padding - kernel_offset              # j·stride must stay below this
    stop = 0 if end <= 0 else min(out_size, (end + stride - 1) // stride)
    return min(first, out_size), max(min(first, out_size), stop)


@njit(parallel=True, cache=True, fastmath=False)
def _im2col(x, n0, l0, l1, kh, kw, sh, sw, ph, pw, dh, dw, ow, cols):
    """cols[(c·KH + p)·KW + q, column(n, i·OW + j)] = x[n, c, i·sh - ph + p·dh, j·sw - pw + q·dw]
    (0 where the window leaves the image).  x (N, C, H, W); cols (C·KH·KW, nb·(l1 - l0)).
    Iteration (row, n) owns the l1 - l0 entries of cols[row] that belong to sample n."""
    _, c_in, h, w = x.shape
    width = l1 - l0
    nb = cols.shape[1] // width
    for task in prange(c_in * kh * kw * nb):
        row = task // nb
        n = task - row * nb
        c = row // (kh * kw)
        p = (row // kw) % kh
        q = row % kw
        j0, j1 = _valid_range(q * dw, sw, pw, w, ow)
        for i in range(l0 // ow, (l1 - 1) // ow + 1):
            first = max(0, l0 - i * ow)                # this tile's part of output row i
            stop = min(ow, l1 - i * ow)
            target = n * width + i * ow - l0
            y = i * sh - ph + p * dh
            if y < 0 or y >= h:
                for j in range(first, stop):
                    cols[row, target + j] = 0
                continue
            lo = max(first, min(j0, stop))
            hi = max(lo, min(j1, stop))
            for j in range(first, lo):
                cols[row, target + j] = 0
            for j in range(lo, hi):
                cols[row, target + j] = x[n0 + n, c, y, j * sw - pw + q * dw]
            for j in range(hi, stop):
                cols[row, target + j] = 0


@njit(parallel=True, cache=True, fastmath=False)
def _col2im(cols, n0, l0, l1, kh, kw, sh, sw, ph, pw, dh, dw, ow, grad_x):
    """grad_x[n, c, y, x] += every entry of cols that im2col copies from (y, x).
    cols (C·KH·KW, nb·(l1 - l0)); grad_x (N, C, H, W).
    Iteration (n, c) owns the image plane grad_x[n0 + n, c] and gathers all its terms."""
    _, c_in, h, w = grad_x.shape
    width = l1 - l0
    nb = cols.shape[1] // width
    for task in prange(nb * c_in):
        n = task // c_in
        c = task - n * c_in
        for p in range(kh):
            for q in range(kw):
                row = (c * kh + p) * kw + q
                j0, j1 = _valid_range(q * dw, sw, pw, w, ow)
                for i in range(l0 // ow, (l1 - 1) // ow + 1):
                    y = i * sh - ph + p * dh
                    if y < 0 or y >= h:
                        continue
                    lo = max(j0, l0 - i * ow)
                    hi = min(j1, l1 - i * ow)
                    source = n * width + i * ow - l0
                    for j in range(lo, hi):
                        grad_x[n0 + n, c, y, j * sw - pw + q * dw] += cols[row, source + j]


@njit(parallel=True, cache=True, fastmath=False)
def _batch_to_columns(y, n0, l0, l1, columns):
    """columns[c, column(n, l)] = y[n, c, l]:  a tile of (N, C, L) -> (C, nb·(l1 - l0)).
    Iteration (c, n) owns one run of l1 - l0 entries of columns."""
    channels = y.shape[1]
    width = l1 - l0
    nb = columns.shape[1] // width
    for task in prange(channels * nb):
        c = task // nb
        n = task - c * nb
        for l in range(width):
            columns[c, n * width + l] = y[n0 + n, c, l0 + l]


@njit(parallel=True, cache=True, fastmath=False)
def _columns_to_batch(columns, bias, n0, l0, l1, out):
    """out[n, c, l] = columns[c, column(n, l)] + bias[c]:  (C, nb·(l1 - l0)) -> a tile of
    (N, C, L).  ``bias`` has C entries (zeros for no bias).  Iteration (n, c) owns
    out[n0 + n, c, l0:l1]."""
    channels = out.shape[1]
    width = l1 - l0
    nb = columns.shape[1] // width
    for task in prange(nb * channels):
        n = task // channels
        c = task - n * channels
        for l in range(width):
            out[n0 + n, c, l0 + l] = columns[c, n * width + l] + bias[c]


# -- tiling and shapes ----------------------------------------------------------------------

def _tiles(batch, plane, rows):
    """Split the N·OH·OW output positions into tiles (n0, n1, l0, l1) whose column matrix
    (``rows`` x columns) stays near ``TILE_BUDGET``: several whole samples when a sample is
    small, else slices of one sample's positions."""
    width = max(MIN_TILE_WIDTH, TILE_BUDGET // rows)
    if width >= plane:
        step = min(batch, width // plane)
        return [(n0, min(batch, n0 + step), 0, plane) for n0 in range(0, batch, step)]
    return [(n, n + 1, l0, min(plane, l0 + width))
            for n in range(batch) for l0 in range(0, plane, width)]


def _largest_tile(tiles):
    return max((n1 - n0) * (l1 - l0) for n0, n1, l0, l1 in tiles)


def _is_pointwise(kernel_hw, stride, padding):
    """A 1x1 kernel, stride 1, no padding: x itself is the column matrix (dilation is moot)."""
    return tuple(kernel_hw) == (1, 1) and tuple(stride) == (1, 1) and tuple(padding) == (0, 0)


def _grouped_weight(weight, groups):
    """(C_out, C_in/G, KH, KW) -> (G, C_out/G, C_in/G·KH·KW), a view."""
    return weight.reshape(groups, weight.shape[0] // groups, -1)


def _geometry(kernel_hw, stride, padding, dilation):
    """The integers the Numba loops take after the tile corners: kh, kw, sh, sw, ph, pw, dh, dw."""
    return (*kernel_hw, *stride, *padding, *dilation)


# -- the three kernels ----------------------------------------------------------------------

def conv2d_forward(x, weight, bias, stride, padding, dilation, groups):
    """out[n, o, i, j] = bias[o] + Σ_{c,p,q} weight[o, c, p, q] · xpad[n, ., i·sh + p·dh, j·sw + q·dw].

    x (N, C_in, H, W), weight (C_out, C_in/G, KH, KW), bias (C_out,) or None
    -> out (N, C_out, OH, OW).  Per tile and group g:
    out_g (C_out/G, columns) = weight_g (C_out/G, K) @ cols_g (K, columns).
    """
    x = np.ascontiguousarray(x)
    weight = np.ascontiguousarray(weight)
    n, c_in, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    oh = conv_output_size(h, kh, stride[0], padding[0], dilation[0])
    ow = conv_output_size(w, kw, stride[1], padding[1], dilation[1])
    w_g = _grouped_weight(weight, groups)                        # (G, C_out/G, K)
    bias = np.zeros(c_out, x.dtype) if bias is None else np.ascontiguousarray(bias)
    out = np.empty((n, c_out, oh * ow), dtype=x.dtype)
    if _is_pointwise((kh, kw), stride, padding):
        # out[n, g] = weight_g @ x[n, g]: a batch of GEMMs straight from x, no copies.
        np.matmul(w_g, x.reshape(n, groups, c_in // groups, h * w),
                  out=out.reshape(n, groups, c_out // groups, oh * ow))
        out += bias.reshape(1, c_out, 1)
        return out.reshape(n, c_out, oh, ow)
    rows = c_in * kh * kw
    tiles = _tiles(n, oh * ow, rows)
    largest = _largest_tile(tiles)
    cols_buffer = np.empty(rows * largest, dtype=x.dtype)
    product_buffer = np.empty(c_out * largest, dtype=x.dtype)
    geometry = _geometry((kh, kw), stride, padding, dilation)
    for n0, n1, l0, l1 in tiles:
        columns = (n1 - n0) * (l1 - l0)
        cols = cols_buffer[:rows * columns].reshape(rows, columns)
        _im2col(x, n0, l0, l1, *geometry, ow, cols)
        product = product_buffer[:c_out * columns].reshape(groups, c_out // groups, columns)
        np.matmul(w_g, cols.reshape(groups, rows // groups, columns), out=product)
        _columns_to_batch(product.reshape(c_out, columns), bias, n0, l0, l1, out)
    return out.reshape(n, c_out, oh, ow)


def conv2d_backward_input(grad_out, weight, input_hw, stride, padding, dilation, groups):
    """dL/dx = col2im(weightᵀ @ gy): per tile and group,
    dcols_g (K, columns) = weight_gᵀ (K, C_out/G) @ gy_g (C_out/G, columns).

    grad_out (N, C_out, OH, OW), weight (C_out, C_in/G, KH, KW), input_hw = (H, W)
    -> (N, C_in, H, W).  This is also conv_transpose2d's forward pass.
    """
    grad_out = np.ascontiguousarray(grad_out)
    weight = np.ascontiguousarray(weight)
    n, c_out, oh, ow = grad_out.shape
    _, c_in_group, kh, kw = weight.shape
    h, w = input_hw
    c_in = c_in_group * groups
    w_t = _grouped_weight(weight, groups).transpose(0, 2, 1)     # (G, K, C_out/G)
    gy_all = grad_out.reshape(n, c_out, oh * ow)
    if _is_pointwise((kh, kw), stride, padding) and (h, w) == (oh, ow):
        grad_x = np.empty((n, c_in, h, w), dtype=grad_out.dtype)
        np.matmul(w_t, gy_all.reshape(n, groups, c_out // groups, oh * ow),
                  out=grad_x.reshape(n, groups, c_in_group, h * w))
        return grad_x
    rows = c_in * kh * kw
    tiles = _tiles(n, oh * ow, max(rows, c_out))
    largest = _largest_tile(tiles)
    gy_buffer = np.empty(c_out * largest, dtype=grad_out.dtype)
    cols_buffer = np.empty(rows * largest, dtype=grad_out.dtype)
    grad_x = np.zeros((n, c_in, h, w), dtype=grad_out.dtype)
    geometry = _geometry((kh, kw), stride, padding, dilation)
    for n0, n1, l0, l1 in tiles:
        columns = (n1 - n0) * (l1 - l0)
        gy = gy_buffer[:c_out * columns].reshape(c_out, columns)
        _batch_to_columns(gy_all, n0, l0, l1, gy)
        grad_cols = cols_buffer[:rows * columns].reshape(groups, rows // groups, columns)
        np.matmul(w_t, gy.reshape(groups, c_out // groups, columns), out=grad_cols)
        _col2im(grad_cols.reshape(rows, columns), n0, l0, l1, *geometry, ow, grad_x)
    return grad_x


def conv2d_backward_weight(x, grad_out, kernel_hw, stride, padding, dilation, groups):
    """dL/dweight_g (C_out/G, K) = Σ over tiles of gy_g (C_out/G, columns) @ cols_gᵀ.

    x (N, C_in, H, W), grad_out (N, C_out, OH, OW), kernel_hw = (KH, KW)
    -> (C_out, C_in/G, KH, KW).  Serves conv_transpose2d too, with x = the gradient of
    its output and grad_out = its input.
    """
    x = np.ascontiguousarray(x)
    grad_out = np.ascontiguousarray(grad_out)
    n, c_in, h, w = x.shape
    _, c_out, oh, ow = grad_out.shape
    kh, kw = kernel_hw
    rows = c_in * kh * kw
    gy_all = grad_out.reshape(n, c_out, oh * ow)
    grad_w = np.zeros((groups, c_out // groups, rows // groups), dtype=x.dtype)
    partial = np.empty_like(grad_w)
    if _is_pointwise(kernel_hw, stride, padding) and (h, w) == (oh, ow):
        # Σ_n gy[n, g] @ x[n, g]ᵀ, one GEMM per sample accumulated into grad_w.
        xs = x.reshape(n, groups, c_in // groups, h * w)
        gys = gy_all.reshape(n, groups, c_out // groups, oh * ow)
        for sample in range(n):
            np.matmul(gys[sample], xs[sample].transpose(0, 2, 1), out=partial)
            grad_w += partial
        return grad_w.reshape(c_out, c_in // groups, kh, kw)
    tiles = _tiles(n, oh * ow, max(rows, c_out))
    largest = _largest_tile(tiles)
    cols_buffer = np.empty(rows * largest, dtype=x.dtype)
    gy_buffer = np.empty(c_out * largest, dtype=x.dtype)
    geometry = _geometry(kernel_hw, stride, padding, dilation)
    for n0, n1, l0, l1 in tiles:
        columns = (n1 - n0) * (l1 - l0)
        cols = cols_buffer[:rows * columns].reshape(groups, rows // groups, columns)
        _im2col(x, n0, l0, l1, *geometry, ow, cols.reshape(rows, columns))
        gy = gy_buffer[:c_out * columns].reshape(groups, c_out // groups, columns)
        _batch_to_columns(gy_all, n0, l0, l1, gy.reshape(c_out, columns))
        np.matmul(gy, cols.transpose(0, 2, 1), out=partial)
        grad_w += partial
    return grad_w.reshape(c_out, c_in // groups, kh, kw)
