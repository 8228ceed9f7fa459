"""im2col and its friends: the Numba loops that move pixels between NCHW arrays and the
column matrices of the matrix products (``conv.py``), and the two objects that drive them.

The maths is the reference's (``minidl/kernels/reference/conv.py``): im2col copies every
window of the input into a column.  A tile (``tiles.py``) is the block of output positions
[l0, l1) (flattened l = i·OW + j) of the images [n0, n1); its column matrix has one row per
(c, p, q) and one column per (image, position), numbered (n - n0)·(l1 - l0) + (l - l0).

- Block copies.  When the output is as wide as the input divided by the stride (every
  3x3 convolution with padding 1, every 4x4 one with stride 2 and padding 1, ...), the
  row of cols for one kernel offset (p, q) is a single contiguous run of the input,
  shifted by a constant, once the input is split into its stride phases (the pixels
  whose row is a mod sh and column b mod sw, for each (a, b)).  im2col is then one block
  copy per row plus zeros at the image's left and right edges; col2im is one vector
  addition.  Other geometries take a general loop, row by row.
- The padding is never materialised: the loops write zeros or skip the positions where
  a window leaves the image.
- Small outputs (at most ``GATHER_MAX_OUTPUTS`` positions per image, as in the deep
  layers of a GAN: 1x1 to 8x8) have runs too short for block copies to pay, so a table
  of where each kernel tap of each column reads (an offset into the input, -1 for
  padding) is built once per tile shape, and im2col is one gather per row of cols,
  col2im one scatter-add (measured 3-12x faster than the block copies there).
- A pointwise convolution (1x1 kernel, stride 1, no padding) needs no im2col at all:
  x[n] viewed as (C_in, H·W) already is the column matrix of image n, and dL/dx[n] viewed
  so is where its gradient goes.

The loops take whole C-contiguous arrays plus the tile's corners, so Numba compiles one
version of each per dtype (float32 and float64) on first use and caches the machine code
on disk (``cache=True``).  Each runs on one thread and releases Python's lock (nogil), so
that the workers of ``workers.py`` run them side by side.
"""
from __future__ import annotations

import functools

import numpy as np
from numba import njit

from .scratch import scratch, scratch_zeros
from .simd import element
from .vectors import add, copy, fill_zero

GATHER_MAX_OUTPUTS = 64
"""Output positions per image up to which the columns are gathered through a table of
offsets rather than block-copied (measured: a gather wins 3-12x below 16 positions, ties
at 64 with stride 1 and wins by a fifth at 64 with stride 2)."""

# -- Numba loops ----------------------------------------------------------------------------

@njit(inline="always", error_model="numpy")
def _valid_range(kernel_offset, stride, padding, size, out_size):
    """The output positions j whose input coordinate j·stride - padding + kernel_offset lies
    inside [0, size), as the half-open range [first, stop)."""
    start = padding - kernel_offset                   # j·stride must reach at least this
    first = 0 if start <= 0 else (start + stride - 1) // stride
    end = size + padding - kernel_offset              # j·stride must stay below this
    stop = 0 if end <= 0 else min(out_size, (end + stride - 1) // stride)
    return min(first, out_size), max(min(first, out_size), stop)


@njit(inline="always", error_model="numpy")
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


@njit(inline="always", error_model="numpy")
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


@njit(cache=True, nogil=True, fastmath=False, error_model="numpy")
def split_phases(x, n0, sh, sw, phases):
    """phases[n, c, a·sw + b, u·Wp + v] = x[n0 + n, c, u·sh + a, v·sw + b] (0 past the edge).
    x (N, C, H, W); phases (nb, C, sh·sw, Hp·Wp) with Hp = ⌈H/sh⌉, Wp = ⌈W/sw⌉.
    Only the entries past the edge are zeroed (most often none: sh | H and sw | W)."""
    nb, c_in = phases.shape[:2]
    h, w = x.shape[2:]
    wp = (w + sw - 1) // sw
    for n, c in np.ndindex(nb, c_in):
        image = x[n0 + n, c]
        for a in range(sh):
            rows = (h - a + sh - 1) // sh              # phase rows inside the image
            for b in range(sw):
                plane = phases[n, c, a * sw + b]
                count = (w - b + sw - 1) // sw         # phase columns inside it
                for u in range(rows):
                    source = image[u * sh + a]
                    target = plane[u * wp:(u + 1) * wp]
                    for v in range(count):
                        target[v] = source[v * sw + b]
                    fill_zero(target[count:])
                fill_zero(plane[rows * wp:])


@njit(cache=True, nogil=True, fastmath=False, error_model="numpy")
def merge_phases(phases, n0, sh, sw, grad_x):
    """grad_x[n0 + n, c, y, x] = phases[n, c, (y mod sh)·sw + x mod sw, ⌊y/sh⌋·Wp + ⌊x/sw⌋]:
    the inverse of split_phases."""
    nb, c_in = phases.shape[:2]
    h, w = grad_x.shape[2:]
    wp = (w + sw - 1) // sw
    for n, c in np.ndindex(nb, c_in):
        for a in range(min(sh, h)):
            for b in range(min(sw, w)):
                plane = phases[n, c, a * sw + b]
                count = (w - b + sw - 1) // sw
                for u in range((h - a + sh - 1) // sh):
                    copy(plane[u * wp:u * wp + count], grad_x[n0 + n, c, u * sh + a, b::sw])


@njit(cache=True, nogil=True, fastmath=False, error_model="numpy")
def im2col_blocks(phases, n0, l0, l1, kh, kw, sh, sw, ph, pw, dh, dw, h, w, ow, cols):
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
            fill_zero(out[:start - l0])
            copy(phases[n0 + n, row // (kh * kw), phase, start + offset:stop + offset],
                  out[start - l0:stop - l0])
            fill_zero(out[stop - l0:])
            _zero_edge_columns(out[start - l0:stop - l0], start, j0, j1, ow)


@njit(cache=True, nogil=True, fastmath=False, error_model="numpy")
def col2im_blocks(cols, n0, l0, l1, kh, kw, sh, sw, ph, pw, dh, dw, h, w, ow, phases):
    """The adjoint of im2col_blocks: adds every entry of cols to the stride-phase pixel it
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
            add(run, phases[n0 + n, row // (kh * kw), phase, start + offset:stop + offset])


@njit(cache=True, nogil=True, fastmath=False, error_model="numpy")
def im2col_rows(x, n0, l0, l1, kh, kw, sh, sw, ph, pw, dh, dw, ow, cols):
    """The same columns as im2col_blocks for any geometry, copied output row by output row.
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
            fill_zero(out)
        for i in range(i_first, i_stop):
            lo, hi = max(j0, l0 - i * ow), min(j1, l1 - i * ow)
            if lo < hi:                    # output columns lo..hi-1 read input columns
                first = lo * sw - pw + q * dw          # first, first + sw, ...
                copy(plane[i * sh - ph + p * dh, first:first + (hi - lo - 1) * sw + 1:sw],
                      out[i * ow - l0 + lo:i * ow - l0 + hi])


@njit(cache=True, nogil=True, fastmath=False, error_model="numpy")
def col2im_rows(cols, n0, l0, l1, kh, kw, sh, sw, ph, pw, dh, dw, ow, grad_x):
    """The adjoint of im2col_rows: grad_x[n, c, y, x] += every entry of cols copied from
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
                        add(terms[i * ow - l0 + lo:i * ow - l0 + hi],
                             plane[i * sh - ph + p * dh, first:last + 1:sw])


@njit(cache=True, nogil=True, fastmath=False, error_model="numpy")
def im2col_gather(x_flat, base, c_in, plane, taps, cols):
    """cols[c·T + t, k] = x_flat[base + c·plane + taps[t, k]] (0 where taps[t, k] < 0):
    T = KH·KW taps; ``taps`` from ``tap_offsets``, ``base`` the tile's first image."""
    count, width = taps.shape
    for c in range(c_in):
        channel = base + c * plane
        for t in range(count):
            out, offsets = cols[c * count + t], taps[t]
            for k in range(width):
                offset = offsets[k]
                out[k] = element(x_flat, channel + offset) if offset >= 0 else 0


@njit(cache=True, nogil=True, fastmath=False, error_model="numpy")
def col2im_scatter(cols, base, c_in, plane, taps, grad_flat):
    """The adjoint of im2col_gather: grad_flat[base + c·plane + taps[t, k]] += cols[c·T + t,
    k].  Within one row no two columns read the same pixel, so the order is free."""
    count, width = taps.shape
    for c in range(c_in):
        channel = base + c * plane
        for t in range(count):
            terms, offsets = cols[c * count + t], taps[t]
            for k in range(width):
                offset = offsets[k]
                if offset >= 0:
                    grad_flat[channel + offset] += terms[k]


@njit(cache=True, nogil=True, fastmath=False, error_model="numpy")
def batch_to_columns(y, n0, l0, l1, columns):
    """columns[c, column(n, l)] = y[n, c, l]:  a tile of (N, C, L) -> (C, nb·(l1 - l0))."""
    channels = y.shape[1]
    width = l1 - l0
    nb = columns.shape[1] // width
    for c, n in np.ndindex(channels, nb):
        copy(y[n0 + n, c, l0:l1], columns[c, n * width:(n + 1) * width])


@njit(cache=True, nogil=True, fastmath=False, error_model="numpy")
def columns_to_batch(columns, bias, n0, l0, l1, out):
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


# -- the two column movers -------------------------------------------------------------------

COLUMNS = "column matrix"
"""The scratch name of both movers' column matrices: a call uses one mover or the other,
never both, so they share one buffer per thread (a smaller resident set for small models)."""


class ConvGeometry:
    """A convolution's sizes, and how its column matrices are copied from the input.

    ``pointwise``: a 1x1 kernel, stride 1, no padding and an output as large as the input:
    the input itself is the column matrix.  ``gathers``: at most ``GATHER_MAX_OUTPUTS``
    output positions, the columns gathered through ``tap_offsets``.  Otherwise
    ``block_copies``: OW = ⌈W / sw⌉, so each row
    of a column matrix is a block copy from one stride phase of the input.
    ``splits_phases``: block copies with a stride other than (1, 1), which first split the
    input into its stride phases (with stride 1, x is its own and only phase).
    """

    def __init__(self, input_hw, kernel_hw, stride, padding, dilation, out_hw):
        (self.h, self.w), (self.oh, self.ow) = tuple(input_hw), tuple(out_hw)
        self.stride = tuple(stride)
        self.loop_args = (*kernel_hw, *stride, *padding, *dilation)
        self.pointwise = (tuple(kernel_hw) == (1, 1) and self.stride == (1, 1)
                          and tuple(padding) == (0, 0)
                          and (self.h, self.w) == (self.oh, self.ow))
        self.gathers = not self.pointwise and self.oh * self.ow <= GATHER_MAX_OUTPUTS
        self.block_copies = not self.gathers and self.ow == -(-self.w // stride[1])
        self.splits_phases = self.block_copies and self.stride != (1, 1)
        self.phase_shape = (stride[0] * stride[1], -(-self.h // stride[0]) * self.ow)

    def tap_offsets(self, channels, images, l0, l1):
        """(KH·KW, images·(l1 - l0)) int64, read-only: for kernel tap t = p·KW + q and
        column (n, l) of a tile, the offset of the pixel it reads from channel 0 of the
        tile's first image, n·C·H·W + y·W + x, or -1 where the window leaves the image.
        Built once per geometry and tile shape, then kept (``_tap_offsets``): a training
        step meets the same few shapes every time."""
        return _tap_offsets((self.h, self.w), (self.oh, self.ow), self.loop_args, channels,
                            images, l0, l1)


@functools.lru_cache(maxsize=64)
def _tap_offsets(input_hw, out_hw, loop_args, channels, images, l0, l1):
    (h, w), ow = input_hw, out_hw[1]
    kh, kw, sh, sw, ph, pw, dh, dw = loop_args
    positions = np.arange(l0, l1)
    rows = (positions // ow) * sh - ph                       # window origins, (width,)
    columns = (positions % ow) * sw - pw
    y = rows[None, None, :] + (np.arange(kh) * dh)[:, None, None]       # (KH, 1, width)
    x = columns[None, None, :] + (np.arange(kw) * dw)[None, :, None]     # (1, KW, width)
    inside = (y >= 0) & (y < h) & (x >= 0) & (x < w)
    offsets = np.where(inside, y * w + x, -1).reshape(kh * kw, 1, -1)
    image_starts = (np.arange(images) * channels * h * w)[None, :, None]
    table = np.where(offsets >= 0, offsets + image_starts, -1).reshape(kh * kw, -1)
    table.flags.writeable = False
    return table


class Im2col:
    """Gives each tile's column matrix (C·KH·KW, columns) of x (N, C, H, W), filled into
    its own buffer (a view of x when the convolution is pointwise, whose tiles hold one
    image).  One per worker: its buffers are the worker thread's scratch (``scratch.py``).

    ``ones_row`` (not for pointwise convolutions): the matrix gets one more row, of ones,
    so that a product with the weights and the bias side by side, [W | b] (C_out,
    C·KH·KW + 1), adds the bias as it multiplies (no second pass over the output)."""

    def __init__(self, x, geometry: ConvGeometry, most_images: int, most_columns: int,
                 ones_row: bool = False):
        self.x, self.geometry = x, geometry
        self.rows = x.shape[1] * geometry.loop_args[0] * geometry.loop_args[1]
        self.extra_rows = int(ones_row)
        copies = not geometry.pointwise
        self.buffer = scratch(COLUMNS, (self.rows + self.extra_rows) * most_columns
                              if copies else 0, x.dtype)
        self.phases = scratch("im2col phases", (most_images, x.shape[1],
                                                *geometry.phase_shape), x.dtype) \
            if geometry.splits_phases else None
        self.split_images = None

    def columns(self, n0, n1, l0, l1):
        g, x = self.geometry, self.x
        if g.pointwise:
            return x[n0].reshape(self.rows, g.h * g.w)[:, l0:l1]
        rows = self.rows + self.extra_rows
        block = self.buffer[:rows * (n1 - n0) * (l1 - l0)].reshape(rows, -1)
        self._fill(block[:self.rows], n0, n1, l0, l1)
        if self.extra_rows:
            block[self.rows] = 1
        return block

    def _fill(self, cols, n0, n1, l0, l1):
        g, x = self.geometry, self.x
        if g.gathers:
            taps = g.tap_offsets(x.shape[1], n1 - n0, l0, l1)
            im2col_gather(x.reshape(-1), n0 * x[0].size, x.shape[1], g.h * g.w, taps, cols)
            return
        if not g.block_copies:
            im2col_rows(x, n0, l0, l1, *g.loop_args, g.ow, cols)
            return
        if g.splits_phases:
            if self.split_images != (n0, n1):        # split each image once, for all its tiles
                split_phases(x, n0, *g.stride, self.phases[:n1 - n0])
                self.split_images = (n0, n1)
            phases, first = self.phases, 0
        else:
            phases, first = x.reshape(*x.shape[:2], 1, g.h * g.w), n0
        im2col_blocks(phases, first, l0, l1, *g.loop_args, g.h, g.w, g.ow, cols)


class Col2im:
    """Adds each tile's column-matrix gradient (C·KH·KW, columns) into grad_x (N, C, H, W),
    which starts at zero.  ``gradient_columns`` gives the array the product writes the
    tile's gradient into (for a pointwise convolution, a view of grad_x itself); ``add``
    then moves it into grad_x.  One per worker, which owns the images it is given; its
    buffers are the worker thread's scratch (``scratch.py``)."""

    def __init__(self, grad_x, geometry: ConvGeometry, most_images: int, most_columns: int):
        self.grad_x, self.geometry = grad_x, geometry
        self.rows = grad_x.shape[1] * geometry.loop_args[0] * geometry.loop_args[1]
        copies = not geometry.pointwise
        self.buffer = scratch(COLUMNS, self.rows * most_columns if copies else 0,
                              grad_x.dtype)
        self.phases = scratch_zeros("col2im phases", (most_images, grad_x.shape[1],
                                                      *geometry.phase_shape),
                                    grad_x.dtype) if geometry.splits_phases else None
        self.pending = None

    def gradient_columns(self, n0, n1, l0, l1):
        g = self.geometry
        if g.pointwise:
            return self.grad_x[n0].reshape(self.rows, g.h * g.w)[:, l0:l1]
        return self.buffer[:self.rows * (n1 - n0) * (l1 - l0)].reshape(self.rows, -1)

    def add(self, n0, n1, l0, l1, cols):
        g = self.geometry
        if g.pointwise:
            return                                   # the product wrote into grad_x
        if g.gathers:
            grad_x = self.grad_x
            taps = g.tap_offsets(grad_x.shape[1], n1 - n0, l0, l1)
            col2im_scatter(cols, n0 * grad_x[0].size, grad_x.shape[1], g.h * g.w, taps,
                           grad_x.reshape(-1))
            return
        if not g.block_copies:
            col2im_rows(cols, n0, l0, l1, *g.loop_args, g.ow, self.grad_x)
            return
        if not g.splits_phases:
            phases = self.grad_x.reshape(*self.grad_x.shape[:2], 1, g.h * g.w)
            col2im_blocks(cols, n0, l0, l1, *g.loop_args, g.h, g.w, g.ow, phases)
            return
        if self.pending != (n0, n1):
            self.finish()
            self.pending = (n0, n1)
        col2im_blocks(cols, 0, l0, l1, *g.loop_args, g.h, g.w, g.ow, self.phases)

    def finish(self):
        """Move the phase gradients of the last images into grad_x."""
        if self.pending is not None:
            n0, n1 = self.pending
            merge_phases(self.phases[:n1 - n0], n0, *self.geometry.stride, self.grad_x)
            self.phases[:] = 0
            self.pending = None
