"""2-D convolution on the CPU: Numba gathers around NumPy's BLAS matrix products.

The maths is the reference's (``minidl/kernels/reference/conv.py``): im2col turns the
convolution into a matrix product.  This file only changes *how* the arrays are laid out
and who does the work:

- Tiles.  The output positions (n, i, j) are processed in tiles: several whole images when
  the images are small, slices of one image when they are large.  A tile's column matrix
  is one 2-D array, rows (c, p, q) and one column per position, of about ``TILE_BUDGET``
  elements, so it stays in cache between im2col writing it and BLAS reading it, and each
  group's product is one fat GEMM (BLAS is slow on thin matrices).  A tile inside one
  image multiplies straight into (or out of) that image's slice of the output: a strided
  view is a valid BLAS operand.
- Block copies.  When the output is as wide as the input divided by the stride (every
  3x3 convolution with padding 1, every 4x4 one with stride 2 and padding 1, ...), the
  row of cols for one kernel offset (p, q) is a single contiguous run of the input,
  shifted by a constant, once the input is split into its stride phases (the pixels
  whose row is a mod sh and column b mod sw, for each (a, b)).  im2col is then one block
  copy per row plus zeros at the image's left and right edges; col2im is one vector
  addition.  Other geometries take a general loop, row by row.
- Parallel over tiles, race-free by construction.  Worker threads (``workers.py``) each
  take a contiguous block of tiles and own everything those tiles write: their slices of
  the output, the images of dL/dx (a worker takes all the tiles of an image), and a
  private sum of dL/dweight, the private sums being added in a fixed order at the end.
  Inside a worker the Numba loops and BLAS run on one thread.
- The padding is never materialised: the loops write zeros or skip the positions where
  a window leaves the image.
- A 1x1 convolution with stride 1 and no padding needs no im2col: x[n] viewed as
  (C_in, H·W) already is the column matrix of image n.

Numba compiles each loop once per dtype (float32 and float64) on first use and caches the
machine code on disk (``cache=True``), so later runs start at once.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from ..conv_geometry import conv_output_size
from .workers import run_blocks, worker_count

TILE_BUDGET = 1 << 20
"""Elements of the column matrix built at once (4 MiB of float32: it stays in cache)."""

MIN_TILE_WIDTH = 256
"""Fewest columns per tile: thinner matrix products waste most of BLAS's speed."""

MIN_WEIGHT_TILE_WIDTH = 1024
"""Fewest columns per tile of the weight gradient, where the columns are the inner
dimension of the product, and each tile adds a product to the running sum."""

TRANSPOSED_WEIGHT_SUM_BELOW = 256
"""Output channels per group below which the weight gradient is summed transposed."""

MIN_IMAGE_TILE_OUTPUTS = 1 << 16
"""Output values from which an image gets tiles of its own: below, the fixed cost of a
tile (microseconds) outweighs gathering several images' columns side by side."""


# -- Numba loops ----------------------------------------------------------------------------
# A tile is the block of output positions [l0, l1) (flattened l = i·OW + j) of the images
# [n0, n0 + nb).  Its column matrix has one column per (image, position), numbered
# (n - n0)·(l1 - l0) + (l - l0).  The loops take whole C-contiguous arrays plus the tile's
# corners, so Numba compiles one version of each per dtype.  Each runs on one thread and
# releases Python's lock (nogil), so that workers run them side by side.

@njit(inline="always")
def _valid_range(kernel_offset, stride, padding, size, out_size):
    """The output positions j whose input coordinate j·stride - padding + kernel_offset lies
    inside [0, size), as the half-open range [first, stop)."""
    start = padding - kernel_offset                   # j·stride must reach at least this
    first = 0 if start <= 0 else (start + stride - 1) // stride
    end = size + padding - kernel_offset              # j·stride must stay below this
    stop = 0 if end <= 0 else min(out_size, (end + stride - 1) // stride)
    return min(first, out_size), max(min(first, out_size), stop)


@njit(inline="always")
def _block_run(row, l0, l1, kh, kw, sh, sw, ph, pw, dh, dw, h, w, ow, size):
    """Where kernel row ``row`` = (c·KH + p)·KW + q reads in the block-copy layout.

    Output position l = i·OW + j reads the stride phase (a, b) of the input at index
    l + offset, where a = (p·dh - ph) mod sh, b = (q·dw - pw) mod sw.  Returns the phase
    number a·sw + b, the offset, the positions [start, stop) of the tile [l0, l1) whose
    window row is inside the image (clipped so that l + offset stays in [0, size)), and
    the columns [j0, j1) whose window column is inside it.
    """
    p = (row // kw) % kh
    q = row % kw
    r = p * dh - ph
    t = q * dw - pw
    offset = (r // sh) * ow + t // sw
    i_first, i_stop = _valid_range(p * dh, sh, ph, h, (l1 - 1) // ow + 1)
    start = min(max(l0, i_first * ow, -offset), l1)
    stop = max(min(l1, i_stop * ow, size - offset), start)
    j0, j1 = _valid_range(q * dw, sw, pw, w, ow)
    return (r % sh) * sw + t % sw, offset, start, stop, j0, j1


@njit(inline="always")
def _copy(source, target):
    """target[:] = source[:], as a loop from index 0 that LLVM vectorizes (Numba's slice
    assignment is not, nor a loop whose indices might be negative)."""
    for k in range(target.shape[0]):
        target[k] = source[k]


@njit(inline="always")
def _add(source, target):
    """target[:] += source[:], as a loop from index 0."""
    for k in range(target.shape[0]):
        target[k] += source[k]


@njit(inline="always")
def _fill_zero(target):
    for k in range(target.shape[0]):
        target[k] = 0


@njit(inline="always")
def _zero_edge_columns(run, start, j0, j1, ow):
    """Zero the entries of ``run`` (positions start, start + 1, ...) whose column
    j = position mod OW lies outside [j0, j1): the block copy wrapped them around."""
    if j0 <= 0 and j1 >= ow:
        return
    stop = start + run.shape[0]
    for i in range(start // ow, (stop - 1) // ow + 1):
        for j in range(0, j0):
            if start <= i * ow + j < stop:
                run[i * ow + j - start] = 0
        for j in range(j1, ow):
            if start <= i * ow + j < stop:
                run[i * ow + j - start] = 0


@njit(cache=True, nogil=True, fastmath=False)
def _split_phases(x, n0, sh, sw, phases):
    """phases[n, c, a·sw + b, u·Wp + v] = x[n0 + n, c, u·sh + a, v·sw + b] (0 past the edge).
    x (N, C, H, W); phases (nb, C, sh·sw, Hp·Wp) with Hp = ⌈H/sh⌉, Wp = ⌈W/sw⌉.
    """
    nb, c_in = phases.shape[:2]
    h, w = x.shape[2:]
    wp = (w + sw - 1) // sw
    for n, c in np.ndindex(nb, c_in):
        for a in range(sh):
            for b in range(sw):
                plane = phases[n, c, a * sw + b]
                _fill_zero(plane)
                count = (w - b + sw - 1) // sw
                for u in range((h - a + sh - 1) // sh):
                    _copy(x[n0 + n, c, u * sh + a, b::sw], plane[u * wp:u * wp + count])


@njit(cache=True, nogil=True, fastmath=False)
def _merge_phases(phases, n0, sh, sw, grad_x):
    """grad_x[n0 + n, c, y, x] = phases[n, c, (y mod sh)·sw + x mod sw, ⌊y/sh⌋·Wp + ⌊x/sw⌋]:
    the inverse of _split_phases."""
    nb, c_in = phases.shape[:2]
    h, w = grad_x.shape[2:]
    wp = (w + sw - 1) // sw
    for n, c in np.ndindex(nb, c_in):
        for a in range(min(sh, h)):
            for b in range(min(sw, w)):
                plane = phases[n, c, a * sw + b]
                count = (w - b + sw - 1) // sw
                for u in range((h - a + sh - 1) // sh):
                    _copy(plane[u * wp:u * wp + count], grad_x[n0 + n, c, u * sh + a, b::sw])


@njit(cache=True, nogil=True, fastmath=False)
def _im2col_blocks(phases, n0, l0, l1, kh, kw, sh, sw, ph, pw, dh, dw, h, w, ow, cols):
    """cols[(c·KH + p)·KW + q, column(n, i·OW + j)] = x[n, c, i·sh - ph + p·dh,
    j·sw - pw + q·dw] (0 where the window leaves the image), by block copies from the
    stride phases of x:
    phases (N', C, sh·sw, Hp·OW), the images of the tile from n0 on."""
    c_in, size = phases.shape[1], phases.shape[3]
    width = l1 - l0
    nb = cols.shape[1] // width
    for row in range(c_in * kh * kw):
        phase, offset, start, stop, j0, j1 = _block_run(row, l0, l1, kh, kw, sh, sw, ph, pw,
                                                        dh, dw, h, w, ow, size)
        for n in range(nb):
            out = cols[row, n * width:(n + 1) * width]
            _fill_zero(out[:start - l0])
            _copy(phases[n0 + n, row // (kh * kw), phase, start + offset:stop + offset],
                  out[start - l0:stop - l0])
            _fill_zero(out[stop - l0:])
            _zero_edge_columns(out[start - l0:stop - l0], start, j0, j1, ow)


@njit(cache=True, nogil=True, fastmath=False)
def _col2im_blocks(cols, n0, l0, l1, kh, kw, sh, sw, ph, pw, dh, dw, h, w, ow, phases):
    """The adjoint of _im2col_blocks: adds every entry of cols to the stride-phase pixel it
    came from.  phases (N', C, sh·sw, Hp·OW) accumulates dL/dx split into phases.
    cols is scratch: the entries im2col would have zeroed are zeroed first."""
    c_in, size = phases.shape[1], phases.shape[3]
    width = l1 - l0
    nb = cols.shape[1] // width
    for row in range(c_in * kh * kw):
        phase, offset, start, stop, j0, j1 = _block_run(row, l0, l1, kh, kw, sh, sw, ph, pw,
                                                        dh, dw, h, w, ow, size)
        for n in range(nb):
            run = cols[row, n * width + start - l0:n * width + stop - l0]
            _zero_edge_columns(run, start, j0, j1, ow)
            _add(run, phases[n0 + n, row // (kh * kw), phase, start + offset:stop + offset])


@njit(cache=True, nogil=True, fastmath=False)
def _im2col_rows(x, n0, l0, l1, kh, kw, sh, sw, ph, pw, dh, dw, ow, cols):
    """The same columns as _im2col_blocks for any geometry, copied output row by output row.
    x (N, C, H, W); cols (C·KH·KW, nb·(l1 - l0))."""
    _, c_in, h, w = x.shape
    width = l1 - l0
    nb = cols.shape[1] // width
    for row, n in np.ndindex(c_in * kh * kw, nb):
        p = (row // kw) % kh
        q = row % kw
        out = cols[row, n * width:(n + 1) * width]
        plane = x[n0 + n, row // (kh * kw)]
        j0, j1 = _valid_range(q * dw, sw, pw, w, ow)
        i_first, i_stop = _valid_range(p * dh, sh, ph, h, (l1 - 1) // ow + 1)
        i_first = max(i_first, l0 // ow)
        if j0 > 0 or j1 < ow or i_first * ow > l0 or i_stop * ow < l1:
            _fill_zero(out)
        for i in range(i_first, i_stop):
            lo, hi = max(j0, l0 - i * ow), min(j1, l1 - i * ow)
            if lo < hi:                    # output columns lo..hi-1 read input columns
                first = lo * sw - pw + q * dw          # first, first + sw, ...
                _copy(plane[i * sh - ph + p * dh, first:first + (hi - lo - 1) * sw + 1:sw],
                      out[i * ow - l0 + lo:i * ow - l0 + hi])


@njit(cache=True, nogil=True, fastmath=False)
def _col2im_rows(cols, n0, l0, l1, kh, kw, sh, sw, ph, pw, dh, dw, ow, grad_x):
    """The adjoint of _im2col_rows: grad_x[n, c, y, x] += every entry of cols copied from
    (y, x)."""
    _, c_in, h, w = grad_x.shape
    width = l1 - l0
    nb = cols.shape[1] // width
    for n, c in np.ndindex(nb, c_in):
        plane = grad_x[n0 + n, c]
        for p in range(kh):
            for q in range(kw):
                terms = cols[(c * kh + p) * kw + q, n * width:(n + 1) * width]
                j0, j1 = _valid_range(q * dw, sw, pw, w, ow)
                i_first, i_stop = _valid_range(p * dh, sh, ph, h, (l1 - 1) // ow + 1)
                for i in range(max(i_first, l0 // ow), i_stop):
                    lo, hi = max(j0, l0 - i * ow), min(j1, l1 - i * ow)
                    if lo < hi:
                        first = lo * sw - pw + q * dw
                        last = first + (hi - lo - 1) * sw
                        _add(terms[i * ow - l0 + lo:i * ow - l0 + hi],
                             plane[i * sh - ph + p * dh, first:last + 1:sw])


@njit(cache=True, nogil=True, fastmath=False)
def _batch_to_columns(y, n0, l0, l1, columns):
    """columns[c, column(n, l)] = y[n, c, l]:  a tile of (N, C, L) -> (C, nb·(l1 - l0))."""
    channels = y.shape[1]
    width = l1 - l0
    nb = columns.shape[1] // width
    for c, n in np.ndindex(channels, nb):
        _copy(y[n0 + n, c, l0:l1], columns[c, n * width:(n + 1) * width])


@njit(cache=True, nogil=True, fastmath=False)
def _columns_to_batch(columns, bias, n0, l0, l1, out):
    """out[n, c, l] = columns[c, column(n, l)] + bias[c]:  (C, nb·(l1 - l0)) -> a tile of
    (N, C, L).  ``bias`` has C entries (zeros for no bias)."""
    channels = out.shape[1]
    width = l1 - l0
    nb = columns.shape[1] // width
    for n, c in np.ndindex(nb, channels):
        source = columns[c, n * width:(n + 1) * width]
        target = out[n0 + n, c, l0:l1]
        b = bias[c]
        for k in range(width):
            target[k] = source[k] + b


# -- tiles and the two column movers ----------------------------------------------------------

def _tiles(batch, plane, rows, channels, workers, min_width=MIN_TILE_WIDTH):
    """Split the N·OH·OW output positions into tiles (n0, n1, l0, l1).

    A tile's column matrix (``rows`` x columns) stays near ``TILE_BUDGET`` elements, with
    at least ``min_width`` columns, and each worker gets at least two tiles.  An image
    with at least ``min_width`` positions whose output (``channels`` x positions) is
    large gets tiles of its own, or slices of one, whose part of the output is a BLAS
    operand as it is; smaller images share tiles, their columns gathered side by side.
    """
    width = max(min_width, min(TILE_BUDGET // rows, -(-batch * plane // (2 * workers))))
    if plane >= min_width and (plane * channels >= MIN_IMAGE_TILE_OUTPUTS or plane > width):
        return [(n, n + 1, l0, min(plane, l0 + width))
                for n in range(batch) for l0 in range(0, plane, width)]
    step = max(1, min(batch, width // plane))
    return [(n0, min(batch, n0 + step), 0, plane) for n0 in range(0, batch, step)]


def _by_image(tiles):
    """The tiles grouped into lists that share their images (for col2im, whose tiles of
    one image add into the same pixels and so must stay with one worker)."""
    groups = []
    for tile in tiles:
        if groups and groups[-1][0][:2] == tile[:2]:
            groups[-1].append(tile)
        else:
            groups.append([tile])
    return groups


def _largest_tile(tiles):
    """(most images in a tile, most columns in a tile)."""
    return (max(n1 - n0 for n0, n1, _, _ in tiles),
            max((n1 - n0) * (l1 - l0) for n0, n1, l0, l1 in tiles))


class _Geometry:
    """A convolution's sizes, and whether its columns are block copies of stride phases."""

    def __init__(self, input_hw, kernel_hw, stride, padding, dilation, out_hw):
        (self.h, self.w), (self.oh, self.ow) = input_hw, out_hw
        self.stride = tuple(stride)
        self.loop_args = (*kernel_hw, *stride, *padding, *dilation)
        self.blocks = self.ow == -(-self.w // stride[1])      # OW = ⌈W / sw⌉
        self.phase_shape = (stride[0] * stride[1], -(-self.h // stride[0]) * self.ow)
        self.split = self.blocks and self.stride != (1, 1)   # stride 1: x is its own phase


class _Im2col:
    """Fills column matrices from x (N, C, H, W); one per worker (it owns its buffer)."""

    def __init__(self, x, geometry, most_images):
        self.x, self.g = x, geometry
        self.phases = np.empty((most_images, x.shape[1], *geometry.phase_shape), x.dtype) \
            if geometry.split else None
        self.split_images = None

    def fill(self, n0, n1, l0, l1, cols):
        g = self.g
        if not g.blocks:
            _im2col_rows(self.x, n0, l0, l1, *g.loop_args, g.ow, cols)
            return
        if g.split:
            if self.split_images != (n0, n1):        # split each image once, for all its tiles
                _split_phases(self.x, n0, *g.stride, self.phases[:n1 - n0])
                self.split_images = (n0, n1)
            phases, first = self.phases, 0
        else:
            phases, first = self.x.reshape(*self.x.shape[:2], 1, g.h * g.w), n0
        _im2col_blocks(phases, first, l0, l1, *g.loop_args, g.h, g.w, g.ow, cols)


class _Col2im:
    """Adds column-matrix gradients into grad_x (N, C, H, W); one per worker, which owns
    the images it is given."""

    def __init__(self, grad_x, geometry, most_images):
        self.grad_x, self.g = grad_x, geometry
        self.phases = np.zeros((most_images, grad_x.shape[1], *geometry.phase_shape),
                               grad_x.dtype) if geometry.split else None
        self.pending = None

    def add(self, n0, n1, l0, l1, cols):
        g = self.g
        if not g.blocks:
            _col2im_rows(cols, n0, l0, l1, *g.loop_args, g.ow, self.grad_x)
            return
        if not g.split:
            phases = self.grad_x.reshape(*self.grad_x.shape[:2], 1, g.h * g.w)
            _col2im_blocks(cols, n0, l0, l1, *g.loop_args, g.h, g.w, g.ow, phases)
            return
        if self.pending != (n0, n1):
            self.finish()
            self.pending = (n0, n1)
        _col2im_blocks(cols, 0, l0, l1, *g.loop_args, g.h, g.w, g.ow, self.phases)

    def finish(self):
        """Move the phase gradients of the last images into grad_x."""
        if self.pending is not None:
            n0, n1 = self.pending
            _merge_phases(self.phases[:n1 - n0], n0, *self.g.stride, self.grad_x)
            self.phases[:] = 0
            self.pending = None


def _is_pointwise(kernel_hw, stride, padding):
    """A 1x1 kernel, stride 1, no padding: x itself is the column matrix (dilation is moot)."""
    return tuple(kernel_hw) == (1, 1) and tuple(stride) == (1, 1) and tuple(padding) == (0, 0)


def _grouped_weight(weight, groups):
    """(C_out, C_in/G, KH, KW) -> (G, C_out/G, C_in/G·KH·KW), a view."""
    return weight.reshape(groups, weight.shape[0] // groups, -1)


def _per_image(cols, groups, images):
    """A tile's column matrix (G·K, images·width) as (images, G, K, width): each image's
    block, a strided view that BLAS takes as it is."""
    return cols.reshape(groups, cols.shape[0] // groups, images, -1).transpose(2, 0, 1, 3)


def _output_gradient_tile(gy, n0, n1, l0, l1, buffer):
    """gy (N, G, C_out/G, L) restricted to a tile, as (G, C_out/G, columns): a view when
    the tile lies in one image, else gathered into ``buffer``."""
    if n1 - n0 == 1:
        return gy[n0, :, :, l0:l1]
    n, groups, c_group, plane = gy.shape
    columns = (n1 - n0) * (l1 - l0)
    tile = buffer[:groups * c_group * columns].reshape(groups, c_group, columns)
    _batch_to_columns(gy.reshape(n, groups * c_group, plane), n0, l0, l1,
                      tile.reshape(groups * c_group, columns))
    return tile


# -- the three kernels ----------------------------------------------------------------------

def conv2d_forward(x, weight, bias, stride, padding, dilation, groups):
    """out[n, o, i, j] = bias[o] + Σ_{c,p,q} weight[o, c, p, q] · xpad[n, c', i·sh + p·dh,
    j·sw + q·dw] with c' = channel c of o's group.

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
    out = np.empty((n, groups, c_out // groups, oh * ow), dtype=x.dtype)
    bias_g = None if bias is None else bias.reshape(groups, c_out // groups, 1)
    flat_bias = np.zeros(c_out, x.dtype) if bias is None else np.ascontiguousarray(bias)
    workers = worker_count()
    if _is_pointwise((kh, kw), stride, padding):
        # out[n, g] = weight_g @ x[n, g]: GEMMs straight from x, no copies.
        x_g = x.reshape(n, groups, c_in // groups, h * w)

        def pointwise(images):
            np.matmul(w_g, x_g[images[0]:images[-1] + 1], out=out[images[0]:images[-1] + 1])
            if bias is not None:
                out[images[0]:images[-1] + 1] += bias_g

        run_blocks(pointwise, list(range(n)), workers)
        return out.reshape(n, c_out, oh, ow)
    rows = c_in * kh * kw
    geometry = _Geometry((h, w), (kh, kw), stride, padding, dilation, (oh, ow))
    tiles = _tiles(n, oh * ow, rows, c_out, workers)
    most_images, most_columns = _largest_tile(tiles)

    side_by_side = oh * ow < MIN_TILE_WIDTH      # narrow images: one GEMM for the tile

    def forward(block):
        im2col = _Im2col(x, geometry, most_images)
        cols_buffer = np.empty(rows * most_columns, dtype=x.dtype)
        product_buffer = np.empty(c_out * most_columns if side_by_side else 0, x.dtype)
        for n0, n1, l0, l1 in block:
            columns = (n1 - n0) * (l1 - l0)
            cols = cols_buffer[:rows * columns].reshape(rows, columns)
            im2col.fill(n0, n1, l0, l1, cols)
            if not side_by_side:                 # one GEMM per image, into out directly
                target = out[n0:n1, :, :, l0:l1]
                np.matmul(w_g, _per_image(cols, groups, n1 - n0), out=target)
                if bias is not None:
                    target += bias_g
                continue
            product = product_buffer[:c_out * columns].reshape(groups, c_out // groups,
                                                                columns)
            np.matmul(w_g, cols.reshape(groups, rows // groups, columns), out=product)
            _columns_to_batch(product.reshape(c_out, columns), flat_bias, n0, l0, l1,
                              out.reshape(n, c_out, oh * ow))

    run_blocks(forward, tiles, workers)
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
    gy = grad_out.reshape(n, groups, c_out // groups, oh * ow)
    workers = worker_count()
    if _is_pointwise((kh, kw), stride, padding) and (h, w) == (oh, ow):
        grad_x = np.empty((n, c_in, h, w), dtype=grad_out.dtype)
        grad_x_g = grad_x.reshape(n, groups, c_in_group, h * w)

        def pointwise(images):
            np.matmul(w_t, gy[images[0]:images[-1] + 1],
                      out=grad_x_g[images[0]:images[-1] + 1])

        run_blocks(pointwise, list(range(n)), workers)
        return grad_x
    rows = c_in * kh * kw
    geometry = _Geometry((h, w), (kh, kw), stride, padding, dilation, (oh, ow))
    tiles = _tiles(n, oh * ow, max(rows, c_out), c_out, workers)
    most_images, most_columns = _largest_tile(tiles)
    grad_x = np.zeros((n, c_in, h, w), dtype=grad_out.dtype)

    side_by_side = oh * ow < MIN_TILE_WIDTH      # narrow images: one GEMM for the tile

    def backward_input(image_groups):
        col2im = _Col2im(grad_x, geometry, most_images)
        gy_buffer = np.empty(c_out * most_columns if side_by_side else 0, grad_out.dtype)
        cols_buffer = np.empty(rows * most_columns, dtype=grad_out.dtype)
        for n0, n1, l0, l1 in (tile for group in image_groups for tile in group):
            columns = (n1 - n0) * (l1 - l0)
            grad_cols = cols_buffer[:rows * columns].reshape(rows, columns)
            if side_by_side:
                np.matmul(w_t, _output_gradient_tile(gy, n0, n1, l0, l1, gy_buffer),
                          out=grad_cols.reshape(groups, rows // groups, columns))
            else:                                # one GEMM per image, from gy directly
                np.matmul(w_t, gy[n0:n1, :, :, l0:l1],
                          out=_per_image(grad_cols, groups, n1 - n0))
            col2im.add(n0, n1, l0, l1, grad_cols)
        col2im.finish()

    run_blocks(backward_input, _by_image(tiles), workers)
    return grad_x


class _WeightGradientSum:
    """One worker's running sum of dL/dweight_g = Σ products a @ bᵀ over its tiles.

    For few output channels the sum is kept transposed, (G, K, C_out/G) = Σ cols @ gyᵀ:
    BLAS runs that shape markedly faster; for many, the transpose at the end would cost
    more than it saves, and the sum is (G, C_out/G, K) = Σ gy @ colsᵀ.
    """

    def __init__(self, groups, k, c_group, dtype):
        self.transposed = c_group < TRANSPOSED_WEIGHT_SUM_BELOW
        self.shape = (groups, k, c_group) if self.transposed else (groups, c_group, k)
        self.dtype = dtype
        self.total = self.partial = None

    def add(self, cols, gy):
        """cols (G, K, columns), gy (G, C_out/G, columns)."""
        a, b = (cols, gy) if self.transposed else (gy, cols)
        if self.total is None:
            self.total = np.matmul(a, b.transpose(0, 2, 1))
            return
        if self.partial is None:
            self.partial = np.empty(self.shape, self.dtype)
        np.matmul(a, b.transpose(0, 2, 1), out=self.partial)
        self.total += self.partial

    def result(self):
        """The sum as (G, C_out/G, K)."""
        if self.total is None:
            return np.zeros((self.shape[0], self.shape[2], self.shape[1]) if self.transposed
                            else self.shape, self.dtype)
        return self.total.transpose(0, 2, 1) if self.transposed else self.total


def conv2d_backward_weight(x, grad_out, kernel_hw, stride, padding, dilation, groups):
    """dL/dweight_g (C_out/G, K) = Σ over tiles of gy_g (C_out/G, columns) @ cols_gᵀ.

    x (N, C_in, H, W), grad_out (N, C_out, OH, OW), kernel_hw = (KH, KW)
    -> (C_out, C_in/G, KH, KW).  Serves conv_transpose2d too, with x = the gradient of
    its output and grad_out = its input.  Each worker sums its own tiles; the workers'
    sums are then added in a fixed order.
    """
    x = np.ascontiguousarray(x)
    grad_out = np.ascontiguousarray(grad_out)
    n, c_in, h, w = x.shape
    _, c_out, oh, ow = grad_out.shape
    kh, kw = kernel_hw
    rows = c_in * kh * kw
    gy = grad_out.reshape(n, groups, c_out // groups, oh * ow)
    workers = worker_count()

    def new_sum():
        return _WeightGradientSum(groups, rows // groups, c_out // groups, x.dtype)

    if _is_pointwise(kernel_hw, stride, padding) and (h, w) == (oh, ow):
        x_g = x.reshape(n, groups, c_in // groups, h * w)

        def pointwise(images):
            total = new_sum()
            for image in images:
                total.add(x_g[image], gy[image])
            return total.result()

        sums = run_blocks(pointwise, list(range(n)), workers)
    else:
        geometry = _Geometry((h, w), kernel_hw, stride, padding, dilation, (oh, ow))
        tiles = _tiles(n, oh * ow, max(rows, c_out), c_out, workers, MIN_WEIGHT_TILE_WIDTH)
        most_images, most_columns = _largest_tile(tiles)

        def backward_weight(block):
            im2col = _Im2col(x, geometry, most_images)
            cols_buffer = np.empty(rows * most_columns, dtype=x.dtype)
            gy_buffer = np.empty(c_out * most_columns if most_images > 1 else 0, x.dtype)
            total = new_sum()
            for n0, n1, l0, l1 in block:
                columns = (n1 - n0) * (l1 - l0)
                cols = cols_buffer[:rows * columns].reshape(groups, rows // groups, columns)
                im2col.fill(n0, n1, l0, l1, cols.reshape(rows, columns))
                total.add(cols, _output_gradient_tile(gy, n0, n1, l0, l1, gy_buffer))
            return total.result()

        sums = run_blocks(backward_weight, tiles, workers)
    grad_w = np.array(sums[0])                       # (G, C_out/G, K), C-ordered
    for partial_sum in sums[1:]:
        grad_w += partial_sum
    return grad_w.reshape(c_out, c_in // groups, kh, kw)
