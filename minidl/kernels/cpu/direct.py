"""Direct convolution on the CPU: stride 1, one group, float32, sums kept in registers.

The im2col route (``conv.py``) copies every input pixel KH·KW times into a column matrix
and hands BLAS a product whose inner dimension is C_in·KH·KW.  With few channels that
product is thin and BLAS runs it at half its speed (75-118 GFLOP/s on one core of this
machine against 150-160 for a large square product), and the copies take a third of the
time.  This kernel reads the input where it lies, 16 output positions at a time.

The picture: pad each input plane by (ph, pw) and lay its rows end to end, Wp = W + 2·pw
values a row.  Output (i, j)'s window tap (p, q) reads the value at (i + p·dh)·Wp + j +
q·dw, so 16 outputs j ... j + 15 of one output row read 16 consecutive values for each
tap:

    out[o, i, j : j+16] = Σ_c Σ_taps weight[o, c, tap] · plane_c[i·Wp + j + offset(tap) :
                                                                 ... + 16]

a multiply-add of one weight (broadcast) and one 16-lane load.  Each output row is cut
into ⌈OW / 16⌉ vectors; the last one's lanes past OW are computed and not stored (a
masked store), which wastes 1 - OW / (16·⌈OW / 16⌉) of the work: nothing for 16 or 32
wide rows, 1/8 for 14 or 28, half for 8 (``DIRECT_MIN_LANE_USE``).

Register blocking: each step keeps 8 output channels x 2 vectors = 16 vectors of sums in
registers (``simd.py``), started at the bias, across the whole sum over the taps
t = (c, p, q), so each loaded input vector feeds 8 multiply-adds and each broadcast weight
2.  The weights are packed tap by tap, a tap's 8 weights side by side, and the taps'
offsets c·plane + p·dh·Wp + q·dw come from one table.  The sums go straight into the NCHW
output rows.

Work is split over (image, block of output channels) items (``workers.parallel_loop``);
each item copies its image into zero-padded planes of its own.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from ..geometry import conv_output_size
from .simd import (
    LANES,
    add,
    element,
    load,
    load_between,
    load_first,
    multiply_add,
    splat,
    split_pairs,
    store,
    store_first,
)
from .workers import parallel_loop

CHANNEL_BLOCK = 8
"""Output channels whose sums one step keeps in registers (with two vectors of outputs:
16 of the 32 AVX-512 registers).  Measured against 4 channels (8 sums), time on 2 cores:
0.63 for 64x3x28x28 -> 16, 0.83 for 64x16x14x14 -> 32, 0.81 for 64x32x42x42 -> 64, 0.78
for 16x64x128x128 -> 32, 0.92-0.97 for one input channel (84x84, 128x128)."""

MULTIPLY_ADD_WORK = 2
"""A vector multiply-add of these kernels counted as this many elements' touches in the
work that decides whether the workers share a call (``workers.split_pays``).
Measured on 2 cores, split / one thread, forward and weight gradient: 0.69 and 0.67 for
64x3x28x28 -> 16 (1.55 M multiply-adds, 0.7 ms on one thread), 1.04 and 0.97 for
64x1x28x28 -> 16 (0.52 M), 1.2-3.0 below 0.4 M."""


@njit(inline="always", error_model="numpy")
def _load_vector(source, at, count):
    """source[at : at + count], then zeros: a plain load when all 16 lanes are read
    (``_store_vector``'s reason; the weight gradient ran 0.89-0.95 of its time with it:
    16x16x200x200 -> 16, 64x1x84x84 -> 32, 64x3x28x28 -> 32)."""
    if count == LANES:
        return load(source, at)
    return load_first(source, at, count)


@njit(inline="always", error_model="numpy")
def _store_vector(target, at, vector, count):
    """target[at : at + count] = vector[:count]: a plain store when all 16 lanes go, a
    masked one otherwise (AMD's Zen 4 runs a masked 16-lane store slower even when every
    lane is on: this branch, taken the same way by 8 channels in a row, made the direct
    forward pass 0.91-0.95 of its time for 64x1x28x28 -> 32, 64x3x28x28 -> 32 and
    64x1x84x84 -> 32, 0.97-0.98 for 64x3x32x32 -> 64 4x4/2, 1.0 at 42-wide rows, where a
    row's last vector is masked anyway.  A branch inside the store itself, one per
    store, gained less or lost: 0.96-1.08)."""
    if count == LANES:
        store(target, at, vector)
    else:
        store_first(target, at, vector, count)


@njit(inline="always", error_model="numpy")
def pad_planes(x, n, pad_h, pad_w, planes):
    """Image n of x (N, C, H, W) float32, C-contiguous, zero-padded, into planes (C, at
    least Hp·Wp): channel c's padded rows end to end at planes[c, 0 : Hp·Wp], Hp = H +
    2·ph, Wp = W + 2·pw, every one of those values written (planes past Hp·Wp are left
    as they are).  Whole vectors: the padded plane zeroed, then each row copied in 16
    values at a time (loops of single values, bounded by the run-time padding, took 18.6
    µs for an image of 64x16x16 on one core; this takes 2.6)."""
    _, channels, height, width = x.shape
    row = width + 2 * pad_w
    size = (height + 2 * pad_h) * row
    zero = splat(np.float32(0))
    for c in range(channels):
        plane, source = planes[c], x[n, c]
        for k in range(0, size, LANES):
            store_first(plane, k, zero, min(LANES, size - k))
        for i in range(height):
            at = (pad_h + i) * row + pad_w
            for j in range(0, width, LANES):
                count = min(LANES, width - j)
                store_first(plane, at + j, load_first(source, i * width + j, count), count)


@njit(inline="always", error_model="numpy")
def _weighted(a, b, weight, u, v):
    """(a + weight·u, b + weight·v): one output channel's two vectors of sums."""
    return multiply_add(a, weight, u), multiply_add(b, weight, v)


@njit(nogil=True, cache=True, error_model="numpy")
def _direct_items(x, weight, bias, kernel_h, kernel_w, pad_h, pad_w, dil_h, dil_w,
                  stride_h, stride_w, phase_h, phase_w, chunks, out, start, stop):
    """Items [start, stop) of N·chunks: image n = item // chunks, output channel block
    item % chunks.  x (N, C, H, W); weight (blocks, C·KH·KW·8): block b's taps x its 8
    output channels, zero past C_out; bias (blocks·8,), zero past C_out; out (N, C_out,
    OH·OW).  With a stride (sh, sw) other than (1, 1), the kernel convolves each image's
    phases instead (``phase_planes``: C·sh·sw planes of phase_h x phase_w, built from x
    padded by (pad_h, pad_w)), without padding: weight then holds the phases' taps."""
    _, channels, height, width = x.shape
    image_pad_h, image_pad_w = pad_h, pad_w
    phased = stride_h * stride_w > 1
    if phased:
        channels, height, width = channels * stride_h * stride_w, phase_h, phase_w
        pad_h = pad_w = 0
    c_out = out.shape[1]
    row = width + 2 * pad_w                                   # Wp
    out_w = row - (kernel_w - 1) * dil_w
    out_h = out.shape[2] // out_w
    per_row = -(-out_w // LANES)                              # vectors an output row
    slots = out_h * per_row                                   # vectors an output plane
    window = kernel_h * kernel_w
    # the last vector reads 16 values from the last row's last slot, past every tap
    last_tap = (kernel_h - 1) * dil_h * row + (kernel_w - 1) * dil_w
    last_read = (out_h - 1) * row + (per_row - 1) * LANES + last_tap + LANES
    plane = max(last_read, (height + 2 * pad_h) * row)
    planes = np.zeros((channels, plane), x.dtype)
    flat = planes.reshape(planes.size)
    taps = np.empty(channels * window, np.intp)     # tap (c, p, q) -> c·plane + p·dh·Wp + q·dw
    for tap in range(taps.size):
        c, pq = tap // window, tap % window
        taps[tap] = c * plane + (pq // kernel_w) * dil_h * row + (pq % kernel_w) * dil_w
    blocks = weight.shape[0]
    per_chunk = -(-blocks // chunks)
    image = -1
    for item in range(start, stop):
        n, chunk = item // chunks, item % chunks
        if n != image:                      # the padded planes (or phases) of image n
            if phased:
                phase_planes(x, n, image_pad_h, image_pad_w, stride_h, stride_w, height,
                             width, planes)
            else:
                pad_planes(x, n, pad_h, pad_w, planes)
            image = n
        for block in range(chunk * per_chunk, min(blocks, (chunk + 1) * per_chunk)):
            packed, o = weight[block], block * CHANNEL_BLOCK
            for slot in range(0, slots, 2):    # two vectors: slots k and l of the plane
                k, l = slot, min(slot + 1, slots - 1)   # (a lone last one: twice)
                i, j = k // per_row, (k % per_row) * LANES
                i2, j2 = l // per_row, (l % per_row) * LANES
                p, p2 = i * row + j, i2 * row + j2
                a0, a1, a2, a3 = (splat(bias[o]), splat(bias[o + 1]), splat(bias[o + 2]),
                                  splat(bias[o + 3]))
                a4, a5, a6, a7 = (splat(bias[o + 4]), splat(bias[o + 5]),
                                  splat(bias[o + 6]), splat(bias[o + 7]))
                b0, b1, b2, b3, b4, b5, b6, b7 = a0, a1, a2, a3, a4, a5, a6, a7
                for tap in range(taps.size):
                    u, v = load(flat, p + taps[tap]), load(flat, p2 + taps[tap])
                    e = tap * CHANNEL_BLOCK            # the tap's 8 weights
                    a0, b0 = _weighted(a0, b0, element(packed, e), u, v)
                    a1, b1 = _weighted(a1, b1, element(packed, e + 1), u, v)
                    a2, b2 = _weighted(a2, b2, element(packed, e + 2), u, v)
                    a3, b3 = _weighted(a3, b3, element(packed, e + 3), u, v)
                    a4, b4 = _weighted(a4, b4, element(packed, e + 4), u, v)
                    a5, b5 = _weighted(a5, b5, element(packed, e + 5), u, v)
                    a6, b6 = _weighted(a6, b6, element(packed, e + 6), u, v)
                    a7, b7 = _weighted(a7, b7, element(packed, e + 7), u, v)
                # straight into the output rows, the lanes past OW left out
                at, count = i * out_w + j, min(LANES, out_w - j)
                at2, count2 = i2 * out_w + j2, min(LANES, out_w - j2)
                for q, (a, b) in enumerate(((a0, b0), (a1, b1), (a2, b2), (a3, b3),
                                            (a4, b4), (a5, b5), (a6, b6), (a7, b7))):
                    if o + q < c_out:
                        _store_vector(out[n, o + q], at, a, count)
                        _store_vector(out[n, o + q], at2, b, count2)


SUM_BLOCK = 4
"""The weight gradient's register block: 4 output channels x 4 taps = 16 vectors of sums,
each step 4 output-gradient loads and 4 input loads for 16 multiply-adds."""

BAND_VECTORS = 64
"""Vectors of output positions (several small images, or a band of a large one) the
weight gradient sweeps for every block of sums before moving on: 4 channels' output
gradient there (16 KiB) and the inputs it reads stay in the L1 cache across the blocks of
taps, and each block's sums are added to the totals once a band."""


@njit(inline="always", error_model="numpy")
def columns_inside(first, step, width, columns):
    """[low, high): the v in [0, columns) whose column first + step·v lies in [0, width)
    (computed once a row layout: two integer divisions)."""
    low = min(columns, max(0, -(first // step)))
    return low, max(low, min(columns, -((first - width) // step)))


@njit(inline="always", error_model="numpy")
def padded_row(plane, i, first, step, inside, row):
    """row[v] = xpad[i, first + step·v] for every v of ``row``: pixels of row i of a plane
    (H, W), C-contiguous, read every step-th column from column ``first``, zero where the
    row or the column lies outside the plane (its zero padding); ``inside`` =
    ``columns_inside(first, step, W, len(row))``."""
    low, high = inside
    if i < 0 or i >= plane.shape[0]:            # a padding row: zeros only
        low = high = i = 0
    for v in range(low):
        row[v] = 0
    # a slice counted from 0, ``element``'s reads without index wrap-around: LLVM
    # vectorizes the copy
    taken, source, start = row[low:high], plane[i], first + step * low
    for v in range(high - low):
        taken[v] = element(source, start + step * v)
    for v in range(high, row.shape[0]):
        row[v] = 0


@njit(inline="always", error_model="numpy")
def _row_lanes(row, at):
    """Lane k: row[at + k] where 0 <= at + k < len(row), else 0 (at may be negative)."""
    return load_between(row, at, min(LANES, max(0, -at)),
                        max(0, min(LANES, row.shape[0] - at)))


@njit(inline="always", error_model="numpy")
def _split_columns(source, i, pad_w, even, odd):
    """even[v] = xpad[i, 2·v], odd[v] = xpad[i, 2·v + 1] for v < len(even), xpad = source
    (H, W) padded by pw columns each side (and by zero rows: i may lie outside): one row
    of a plane's two column phases at stride 2, 32 padded columns at a time, read where
    they lie inside the row (``simd.load_between``) and split (``simd.split_pairs``).
    (Against ``padded_row``'s reads of every other column, one phase at a time, 2 cycles
    a value: the phased direct forward pass 0.96-0.97x the time for 16x1x128x128 -> 64
    3x3/2 and 64x3x64x64 -> 32 4x4/2, 0.98-1.0x for 64x3x32x32 -> 64 4x4/2.  Through a
    padded copy of the row instead, its loads overlapping the stores just made, 1.5x.)"""
    height, width = source.shape
    columns = even.shape[0]
    if not 0 <= i < height:
        zero = splat(np.float32(0))
        for v in range(0, columns, LANES):
            _store_vector(even, v, zero, min(LANES, columns - v))
            _store_vector(odd, v, zero, min(LANES, columns - v))
        return
    row = source[i]
    for v in range(0, columns, LANES):
        at = 2 * v - pad_w                       # xpad[i, 2·v] = source[i, at]
        evens, odds = split_pairs(_row_lanes(row, at), _row_lanes(row, at + LANES))
        count = min(LANES, columns - v)
        _store_vector(even, v, evens, count)
        _store_vector(odd, v, odds, count)


@njit(inline="always", error_model="numpy")
def phase_planes(x, n, pad_h, pad_w, stride_h, stride_w, rows, columns, planes):
    """Image n of x (N, C, H, W) float32, C-contiguous, as its phases (``phases.py``):
    planes[(c·sh + a)·sw + b, u·columns + v] = xpad[n, c, sh·u + a, sw·v + b] for u < rows
    and v < columns, zero where that lies in the padding; values past rows·columns are
    left as they are.  Stride 2 across: both column phases of a row at once
    (``_split_columns``)."""
    for c in range(x.shape[1]):
        plane = x[n, c]
        if stride_w == 2:
            for a in range(stride_h):
                first = (c * stride_h + a) * 2
                for u in range(rows):
                    _split_columns(plane, stride_h * u + a - pad_h, pad_w,
                                   planes[first, u * columns:(u + 1) * columns],
                                   planes[first + 1, u * columns:(u + 1) * columns])
            continue
        for b in range(stride_w):
            inside = columns_inside(b - pad_w, stride_w, plane.shape[1], columns)
            for a in range(stride_h):
                target = planes[(c * stride_h + a) * stride_w + b]
                for u in range(rows):
                    padded_row(plane, stride_h * u + a - pad_h, b - pad_w, stride_w, inside,
                               target[u * columns:(u + 1) * columns])


@njit(inline="always", error_model="numpy")
def _shifted_copies(x, n, pad_h, pad_w, dil_w, kernel_w, out_w, copies):
    """Image n of x (N, C, H, W), zero-padded, copied KW times a channel into copies
    (C·KW, at least Hp·OW): copy (c, q)'s row r, column j is xpad[c, r, j + q·dw] (Hp =
    H + 2·ph rows of OW values)."""
    _, channels, height, width = x.shape
    for q in range(kernel_w):
        inside = columns_inside(q * dil_w - pad_w, 1, width, out_w)
        for c in range(channels):
            target = copies[c * kernel_w + q]
            for r in range(height + 2 * pad_h):
                padded_row(x[n, c], r - pad_h, q * dil_w - pad_w, 1, inside,
                           target[r * out_w:(r + 1) * out_w])


@njit(inline="always", error_model="numpy")
def _tap_products(s0, s1, s2, s3, y, x0, x1, x2, x3):
    """(s0 + y·x0, ..., s3 + y·x3): one output channel's sums with 4 taps."""
    return (multiply_add(s0, y, x0), multiply_add(s1, y, x1), multiply_add(s2, y, x2),
            multiply_add(s3, y, x3))


@njit(inline="always", error_model="numpy")
def _add_into(totals, at, vector):
    """totals[at : at + 16] += vector."""
    store_first(totals, at, add(load(totals, at), vector), LANES)


@njit(nogil=True, cache=True, error_model="numpy")
def _weight_gradient_items(x, gy, kernel_h, kernel_w, pad_h, pad_w, dil_h, dil_w, shares,
                           totals, start, stop):
    """Shares [start, stop) of the images, ``shares`` in all: share s adds, band by band,
    the lane sums into totals[s], (o_blocks, t_blocks, 4, 4, 16) flat: sum (a, b) of block
    (ob, tb) is output channel 4·ob + a and tap t = 4·tb + b, t = (c, p, q), and its lane
    k adds gy[n, o, l] · copy(c, q)[l + p·dh·OW] over the output positions l = i·OW + j
    ≡ k (mod 16) (``_shifted_copies``).  x (N, C, H, W); gy (N, C_out, OH, OW)."""
    images, channels, height, width = x.shape
    c_out, positions, out_w = gy.shape[1], gy.shape[2] * gy.shape[3], gy.shape[3]
    grads = gy.reshape(gy.size)
    # a band: a group of whole small images, or positions of one large one
    group = max(1, BAND_VECTORS * LANES // positions)
    band = positions if group > 1 else BAND_VECTORS * LANES
    copy = (height + 2 * pad_h) * out_w + LANES        # the last vector reads 16 values
    copies = np.zeros((group, channels * kernel_w, copy), x.dtype)
    flat, image_size = copies.reshape(copies.size), channels * kernel_w * copy
    o_blocks = -(-c_out // SUM_BLOCK)
    t_blocks = -(-(channels * kernel_h * kernel_w) // SUM_BLOCK)
    taps = np.zeros(t_blocks * SUM_BLOCK, np.intp)   # taps past C·KH·KW: offset 0, dropped
    for tap in range(channels * kernel_h * kernel_w):
        c, p, q = tap // (kernel_h * kernel_w), tap // kernel_w % kernel_h, tap % kernel_w
        taps[tap] = (c * kernel_w + q) * copy + p * dil_h * out_w
    for share in range(start, stop):
        sums = totals[share]
        first, last = images * share // shares, images * (share + 1) // shares
        for n0 in range(first, last, group):
            members = min(group, last - n0)
            for m in range(members):
                _shifted_copies(x, n0 + m, pad_h, pad_w, dil_w, kernel_w, out_w, copies[m])
            for l0 in range(0, positions, band):
                l1 = min(positions, l0 + band)
                for ob in range(o_blocks):
                    # output channels 4·ob ... 4·ob + 3 (past C_out: the last, dropped)
                    o0, o1 = 4 * ob * positions, min(4 * ob + 1, c_out - 1) * positions
                    o2 = min(4 * ob + 2, c_out - 1) * positions
                    o3 = min(4 * ob + 3, c_out - 1) * positions
                    for tb in range(t_blocks):
                        t0, t1 = taps[tb * SUM_BLOCK], taps[tb * SUM_BLOCK + 1]
                        t2, t3 = taps[tb * SUM_BLOCK + 2], taps[tb * SUM_BLOCK + 3]
                        a0 = a1 = a2 = a3 = b0 = b1 = b2 = b3 = splat(np.float32(0))
                        c0 = c1 = c2 = c3 = d0 = d1 = d2 = d3 = a0
                        for m in range(members):
                            image, grad = m * image_size, (n0 + m) * c_out * positions
                            for l in range(l0, l1, LANES):
                                count = min(LANES, l1 - l)       # the band's last: masked
                                x0, x1 = load(flat, image + l + t0), load(flat, image + l + t1)
                                x2, x3 = load(flat, image + l + t2), load(flat, image + l + t3)
                                # output channel 4·ob + 0, 1, 2, 3 times the 4 taps
                                y = _load_vector(grads, grad + l + o0, count)
                                a0, a1, a2, a3 = _tap_products(a0, a1, a2, a3, y, x0, x1, x2, x3)
                                y = _load_vector(grads, grad + l + o1, count)
                                b0, b1, b2, b3 = _tap_products(b0, b1, b2, b3, y, x0, x1, x2, x3)
                                y = _load_vector(grads, grad + l + o2, count)
                                c0, c1, c2, c3 = _tap_products(c0, c1, c2, c3, y, x0, x1, x2, x3)
                                y = _load_vector(grads, grad + l + o3, count)
                                d0, d1, d2, d3 = _tap_products(d0, d1, d2, d3, y, x0, x1, x2, x3)
                        at = (ob * t_blocks + tb) * SUM_BLOCK * SUM_BLOCK * LANES
                        for k, v in enumerate((a0, a1, a2, a3, b0, b1, b2, b3,
                                               c0, c1, c2, c3, d0, d1, d2, d3)):
                            _add_into(sums, at + k * LANES, v)


DIRECT_MAX_TAPS = 1200
"""Most products per output value, C_in·KH·KW, that this kernel takes: beyond, BLAS's
products (or Winograd's) are fat enough.  Measured on 2 cores, direct / the route taken
otherwise: 0.63 for 16x128x16x16 -> 32 (1152 products), 0.73 for 16x96x32x32 -> 32,
0.97 for 64x128x14x14 -> 64; 1.32 for 16x256x16x16 -> 64 (2304, Winograd's)."""

DIRECT_MAX_OUTPUT_CHANNELS = 64
"""Most output channels: with more, BLAS's products have enough rows to run at speed
(32x64x16x16 -> 128: direct 1.26x the im2col route's time; 16x32x32x32 -> 128: 0.84x,
left to im2col for a simple rule)."""

DIRECT_MIN_LANE_USE = 0.75
"""Least share of the vectors' lanes that are outputs, OW / (16·⌈OW / 16⌉): 8-wide outputs
use half, and 32x64x8x8 -> 64 ran 1.06x the im2col route's time (14-wide: 0.64-0.69x)."""

WINOGRAD_FIRST_CHANNELS = 64
"""Channels on both sides from which Winograd's algorithm, where it applies, goes first
(64x64x32x32 -> 64, b16: direct 1.18x Winograd's time; with 32 output channels at
128x128, direct takes 0.59x)."""

DIRECT_MAX_PLANES = 1 << 22
"""Most elements of an image's padded planes (C_in x padded H·W): each worker keeps them
and the output sums of its image while it works."""


def direct_applies(dtype, input_hw, kernel_hw, stride, padding, dilation, groups,
                   channels_in, channels_out, winograd: bool) -> bool:
    """Whether this kernel computes a convolution: float32, stride 1, one group, a window
    larger than 1x1 (a pointwise convolution is a plain matrix product), output rows that
    fill the vectors' lanes, numbers of output channels and window products in the range
    where it beats the im2col route, and Winograd's algorithm either not applicable
    (``winograd``) or outside its best range.  Measured on 2 cores, direct / the route
    taken before: 0.64-0.69 for 64x16x14x14 -> 32, 0.56 for 32x33x32x32 -> 24, 0.60 for
    16x16x200x200 -> 16, 0.65 for 64x3x28x28 -> 16, 0.76 for 64x1x28x28 -> 32, 0.70 for
    16x64x128x128 -> 32 (Winograd's)."""
    taps = channels_in * kernel_hw[0] * kernel_hw[1]
    planes = channels_in * (input_hw[0] + 2 * padding[0]) * (input_hw[1] + 2 * padding[1])
    out_w = input_hw[1] + 2 * padding[1] - (kernel_hw[1] - 1) * dilation[1]
    lane_use = out_w / (LANES * max(1, -(-out_w // LANES)))
    return (dtype == np.float32 and groups == 1 and tuple(stride) == (1, 1)
            and tuple(kernel_hw) != (1, 1) and lane_use >= DIRECT_MIN_LANE_USE
            and channels_out <= DIRECT_MAX_OUTPUT_CHANNELS and taps <= DIRECT_MAX_TAPS
            and planes <= DIRECT_MAX_PLANES
            and not (winograd and min(channels_in, channels_out) >= WINOGRAD_FIRST_CHANNELS))


WEIGHT_GRADIENT_MAX_FEW_TAPS = 63
"""Window products (C_in·KH·KW) up to which the weight gradient takes this kernel whatever
the number of output channels: first layers, where the routes along output channels or
through im2col have few products to share each load.  Measured on 2 cores, this kernel /
the route taken before: 0.60-0.64 for 64x3x28x28 -> 16, 0.67-0.74 for 64x1x28x28 -> 32,
0.74-0.86 for 64x3x28x28 -> 32, 0.22-0.24 for 64x1x84x84 -> 32, 0.36-0.44 for
16x1x128x128 -> 64."""

WEIGHT_GRADIENT_MAX_FEW_OUTPUT_CHANNELS = 16
"""Output channels up to which the weight gradient takes this kernel at any number of
window products (up to ``DIRECT_MAX_TAPS``): the kernel along output channels fills only
half its 32 lanes there (16x16x200x200 -> 16: 0.63-0.79 of its time).  With more output
channels and more products it loses: 1.4-1.6x for 64x16x14x14 -> 32, 1.2-1.5x for
64x32x42x42 -> 64, the input read from the L2 cache for every block of sums."""


def direct_weight_gradient_applies(dtype, kernel_hw, stride, groups, channels_in,
                                   channels_out) -> bool:
    """Whether this module's weight gradient computes a convolution's: float32, stride 1,
    one group, a window larger than 1x1, and few window products
    (``WEIGHT_GRADIENT_MAX_FEW_TAPS``) or few output channels
    (``WEIGHT_GRADIENT_MAX_FEW_OUTPUT_CHANNELS``).  Nothing is asked of the rows: the
    positions are swept as one flat run."""
    taps = channels_in * kernel_hw[0] * kernel_hw[1]
    return (dtype == np.float32 and groups == 1 and tuple(stride) == (1, 1)
            and tuple(kernel_hw) != (1, 1) and taps <= DIRECT_MAX_TAPS
            and (taps <= WEIGHT_GRADIENT_MAX_FEW_TAPS
                 or channels_out <= WEIGHT_GRADIENT_MAX_FEW_OUTPUT_CHANNELS))


def direct_forward(x, weight, bias, padding, dilation, workers: int, stride=(1, 1),
                   output_hw=None):
    """out[n, o, i, j] = bias[o] + Σ_{c,p,q} weight[o, c, p, q] · xpad[n, c, i + p·dh,
    j + q·dw]: x (N, C, H, W) float32, weight (C_out, C, KH, KW), bias (C_out,) or None
    -> out (N, C_out, OH, OW).

    A strided convolution (``stride``, no dilation) as the stride-1 one of x's phases
    (``phases.py``): weight is then ``phases.phase_weight``'s (C_out, C·sh·sw, KH', KW'),
    ``output_hw`` the strided convolution's (OH, OW), and each image's phases are built
    where its padded planes would be, by the worker that convolves it (a pass of its
    own over the batch ran on one thread: 0.12 ms of a 0.78 ms 3->64 4x4/2 layer)."""
    n, channels, height, width = x.shape
    c_out, _, kernel_h, kernel_w = weight.shape
    if tuple(stride) == (1, 1):
        out_h = conv_output_size(height, kernel_h, 1, padding[0], dilation[0])
        out_w = conv_output_size(width, kernel_w, 1, padding[1], dilation[1])
        phase_hw = (0, 0)
    else:
        out_h, out_w = output_hw
        phase_hw = (out_h + kernel_h - 1, out_w + kernel_w - 1)
        channels *= stride[0] * stride[1]
    out = np.empty((n, c_out, out_h, out_w), np.float32)
    if out.size == 0:
        return out
    blocks = -(-c_out // CHANNEL_BLOCK)
    padded = np.zeros((blocks, CHANNEL_BLOCK, channels * kernel_h * kernel_w), np.float32)
    padded.reshape(blocks * CHANNEL_BLOCK, -1)[:c_out] = weight.reshape(c_out, -1)
    packed = np.ascontiguousarray(padded.transpose(0, 2, 1)).reshape(blocks, -1)
    padded_bias = np.zeros(blocks * CHANNEL_BLOCK, np.float32)
    if bias is not None:
        padded_bias[:c_out] = bias
    # enough items for every worker: whole images, or blocks of channels of few images
    chunks = min(blocks, max(1, -(-2 * workers // n)))
    work = (MULTIPLY_ADD_WORK * n * out_h * -(-out_w // LANES) * blocks * CHANNEL_BLOCK
            * channels * kernel_h * kernel_w)
    parallel_loop(_direct_items, n * chunks, work, np.ascontiguousarray(x), packed,
                  padded_bias, kernel_h, kernel_w, *padding, *dilation, *stride, *phase_hw,
                  chunks, out.reshape(n, c_out, out_h * out_w))
    return out



def direct_weight_gradient(x, grad_out, kernel_hw, padding, dilation, workers: int):
    """dL/dW[o, c, p, q] = Σ_{n,i,j} gy[n, o, i, j] · xpad[n, c, i + p·dh, j + q·dw]: x (N,
    C, H, W) float32, grad_out (N, C_out, OH, OW) of a stride-1 convolution -> (C_out, C,
    KH, KW).  The forward pass's picture with the output gradient in place of the weights:
    16 positions of a row a vector, 4 output channels x 4 taps of sums, each lane summing
    its own positions; a share of the images per worker, the shares' sums and then the
    lanes added in a fixed order."""
    n, channels, height, width = x.shape
    _, c_out, out_h, out_w = grad_out.shape
    kernel_h, kernel_w = kernel_hw
    o_blocks = -(-c_out // SUM_BLOCK)
    t_blocks = -(-(channels * kernel_h * kernel_w) // SUM_BLOCK)
    work = (MULTIPLY_ADD_WORK * n * out_h * -(-out_w // LANES) * o_blocks * t_blocks
            * SUM_BLOCK * SUM_BLOCK)
    # as many shares whether or not the workers take them: the sums' order, and so the
    # result, does not depend on whether they were spinning
    shares = min(n, workers)
    totals = np.zeros((shares, o_blocks * t_blocks * (SUM_BLOCK * SUM_BLOCK * LANES)),
                      np.float32)
    parallel_loop(_weight_gradient_items, shares, work, np.ascontiguousarray(x),
                  np.ascontiguousarray(grad_out), kernel_h, kernel_w, *padding, *dilation,
                  shares, totals)
    total = totals[0]
    for share in totals[1:]:
        total += share
    sums = total.reshape(o_blocks, t_blocks, SUM_BLOCK, SUM_BLOCK, LANES).sum(axis=4)
    grad_w = sums.transpose(0, 2, 1, 3).reshape(o_blocks * SUM_BLOCK, t_blocks * SUM_BLOCK)
    taps = channels * kernel_h * kernel_w
    return np.ascontiguousarray(grad_w[:c_out, :taps]).reshape(c_out, channels, kernel_h,
                                                               kernel_w)
