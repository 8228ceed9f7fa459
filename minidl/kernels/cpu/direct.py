"""Direct convolution on the CPU: stride 1, one group, float32, sums kept in registers.

The im2col route (``conv.py``) copies every input pixel KH·KW times into a column matrix
and hands BLAS a product whose inner dimension is C_in·KH·KW.  With few channels that
product is thin and BLAS runs it at half its speed (75-118 GFLOP/s on one core of this
machine against 150-160 for a large square product), and the copies take a third of the
time.  This kernel reads the input where it lies, 16 output positions at a time.

The picture: pad each input plane by (ph, pw) and lay its rows end to end, Wp = W + 2·pw
values a row.  Output position (i, j) sits at p = i·Wp + j of the same layout, and its
window's tap (p, q) at p + p·dh·Wp + q·dw.  So 16 consecutive outputs of a row read 16
consecutive inputs for each tap:

    out[o, p : p+16] = Σ_c Σ_taps weight[o, c, tap] · plane_c[p + offset(tap) : ... + 16]

a multiply-add of one weight (broadcast) and one 16-lane load.  The outputs in the last
dw·(KW - 1) columns of each padded row are not real positions (their windows wrap into
the next row); they are computed and dropped, which costs (KW - 1)·dw / Wp of the work
(1/8 for 14x14 images, 3x3 kernel).

Register blocking: each step keeps 4 output channels x 32 positions = 8 vectors of sums in
registers (``simd.py``) across the whole sum over C_in·KH·KW, so each loaded input vector
feeds 4 multiply-adds and each broadcast weight 2: the loop runs at the multiply-add
units' speed, not the loads'.  The sums are written once, to a per-image buffer in the
padded layout, and moved to the NCHW output with the bias added.

Work is split over (image, block of output channels) items (``workers.parallel_loop``);
each item copies its image into zero-padded planes of its own.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from ..geometry import conv_output_size
from .simd import LANES, load, multiply_add, store, zeros
from .workers import parallel_loop

CHANNEL_BLOCK = 4
"""Output channels whose sums one step keeps in registers (with ``POSITION_BLOCK``)."""

POSITION_BLOCK = 2 * LANES
"""Output positions of one step: two vectors."""


@njit(nogil=True, cache=True, error_model="numpy")
def _direct_items(x, weight, bias, kernel_h, kernel_w, pad_h, pad_w, dil_h, dil_w,
                  chunks, out, start, stop):
    """Items [start, stop) of N·chunks: image n = item // chunks, output channel block
    item % chunks.  x (N, C, H, W); weight (C_out rounded up to 4, C, KH·KW), zero rows
    past C_out; bias (C_out,); out (N, C_out, OH, OW)."""
    _, channels, height, width = x.shape
    c_out, out_h, out_w = out.shape[1], out.shape[2], out.shape[3]
    row = width + 2 * pad_w                                     # Wp
    span = out_h * row
    span = -(-span // POSITION_BLOCK) * POSITION_BLOCK          # whole steps
    reach = (kernel_h - 1) * dil_h * row + (kernel_w - 1) * dil_w
    planes = np.zeros((channels, max(span + reach, (height + 2 * pad_h) * row)), x.dtype)
    blocks = weight.shape[0] // CHANNEL_BLOCK
    per_chunk = -(-blocks // chunks)
    sums = np.empty((per_chunk * CHANNEL_BLOCK, span), x.dtype)
    taps = np.empty(kernel_h * kernel_w, np.intp)     # tap (p, q) -> p·dh·Wp + q·dw
    for tap in range(taps.size):
        taps[tap] = (tap // kernel_w) * dil_h * row + (tap % kernel_w) * dil_w
    image = -1
    for item in range(start, stop):
        n, chunk = item // chunks, item % chunks
        if n != image:                      # the padded planes of image n
            for c in range(channels):
                for i in range(height):
                    first = (pad_h + i) * row + pad_w
                    for j in range(width):
                        planes[c, first + j] = x[n, c, i, j]
            image = n
        first_block = chunk * per_chunk
        last_block = min(blocks, first_block + per_chunk)
        for block in range(first_block, last_block):
            o = block * CHANNEL_BLOCK
            s = (block - first_block) * CHANNEL_BLOCK
            for p in range(0, span, POSITION_BLOCK):
                a0, a1, a2, a3 = zeros(), zeros(), zeros(), zeros()
                b0, b1, b2, b3 = zeros(), zeros(), zeros(), zeros()
                for c in range(channels):
                    plane = planes[c]
                    for tap in range(taps.size):
                        offset = p + taps[tap]
                        u, v = load(plane, offset), load(plane, offset + LANES)
                        w = weight[o, c, tap]
                        a0, b0 = multiply_add(a0, w, u), multiply_add(b0, w, v)
                        w = weight[o + 1, c, tap]
                        a1, b1 = multiply_add(a1, w, u), multiply_add(b1, w, v)
                        w = weight[o + 2, c, tap]
                        a2, b2 = multiply_add(a2, w, u), multiply_add(b2, w, v)
                        w = weight[o + 3, c, tap]
                        a3, b3 = multiply_add(a3, w, u), multiply_add(b3, w, v)
                store(sums[s], p, a0)
                store(sums[s], p + LANES, b0)
                store(sums[s + 1], p, a1)
                store(sums[s + 1], p + LANES, b1)
                store(sums[s + 2], p, a2)
                store(sums[s + 2], p + LANES, b2)
                store(sums[s + 3], p, a3)
                store(sums[s + 3], p + LANES, b3)
        for o in range(first_block * CHANNEL_BLOCK, min(c_out, last_block * CHANNEL_BLOCK)):
            s = o - first_block * CHANNEL_BLOCK
            shift = bias[o]
            for i in range(out_h):
                for j in range(out_w):      # (an array expression would allocate)
                    out[n, o, i, j] = sums[s, i * row + j] + shift


DIRECT_MAX_TAPS = 600
"""Most products per output value, C_in·KH·KW, that this kernel takes: beyond, BLAS's
products are fat enough (measured on 2 cores, direct / im2col: 0.82 for 32x64x8x8 -> 64,
C_in·KH·KW = 576; 1.21 for 16x128x8x8 -> 128, 1152)."""

DIRECT_MAX_OUTPUT_CHANNELS = 64
"""Most output channels: with more, BLAS's products have enough rows to run at speed, and
outputs of 8x8 images, a third of whose padded layout is not positions, cost more here
(32x64x8x8 -> 128: direct 1.65x the im2col route's time; -> 64: 0.82x)."""

DIRECT_MIN_CHANNELS = 4
"""Fewest input channels: with fewer, the copies in and out of the padded layout cost more
than the sums (3x28x28 -> 16, b64: 1.32x the im2col route's time; 1 channel: 1.70x)."""

WINOGRAD_FIRST_CHANNELS = 64
"""Channels on both sides from which Winograd's algorithm, where it applies, goes first
(64x64x32x32 -> 64, b16: direct 1.18x Winograd's time; with 32 output channels at
128x128, direct takes 0.59x)."""

DIRECT_MAX_PLANES = 1 << 22
"""Most elements of an image's padded planes (C_in x padded H·W): each worker keeps them
and the output sums of its image while it works."""


def direct_applies(dtype, input_hw, kernel_hw, stride, padding, groups, channels_in,
                   channels_out, winograd: bool) -> bool:
    """Whether this kernel computes a convolution: float32, stride 1, one group, a window
    larger than 1x1 (a pointwise convolution is a plain matrix product), numbers of input
    and output channels and window products in the range where it beats the im2col route,
    and Winograd's algorithm either not applicable (``winograd``) or outside its best
    range.  Measured on 2 cores, direct / the route taken before: 0.64 for 64x16x14x14 ->
    32, 0.75 for 64x32x14x14 -> 64, 0.57 for 32x33x32x32 -> 24, 0.59 for 16x64x128x128 ->
    32 (Winograd's), 0.80 for 16x2x200x200 -> 16."""
    taps = channels_in * kernel_hw[0] * kernel_hw[1]
    planes = channels_in * (input_hw[0] + 2 * padding[0]) * (input_hw[1] + 2 * padding[1])
    return (dtype == np.float32 and groups == 1 and tuple(stride) == (1, 1)
            and tuple(kernel_hw) != (1, 1) and DIRECT_MIN_CHANNELS <= channels_in
            and channels_out <= DIRECT_MAX_OUTPUT_CHANNELS and taps <= DIRECT_MAX_TAPS
            and planes <= DIRECT_MAX_PLANES
            and not (winograd and min(channels_in, channels_out) >= WINOGRAD_FIRST_CHANNELS))


def direct_forward(x, weight, bias, padding, dilation, workers: int):
    """out[n, o, i, j] = bias[o] + Σ_{c,p,q} weight[o, c, p, q] · xpad[n, c, i + p·dh,
    j + q·dw]: x (N, C, H, W) float32, weight (C_out, C, KH, KW), bias (C_out,) or None
    -> out (N, C_out, OH, OW)."""
    n, channels, height, width = x.shape
    c_out, _, kernel_h, kernel_w = weight.shape
    out_h = conv_output_size(height, kernel_h, 1, padding[0], dilation[0])
    out_w = conv_output_size(width, kernel_w, 1, padding[1], dilation[1])
    out = np.empty((n, c_out, out_h, out_w), np.float32)
    if out.size == 0:
        return out
    blocks = -(-c_out // CHANNEL_BLOCK)
    padded = np.zeros((blocks * CHANNEL_BLOCK, channels, kernel_h * kernel_w), np.float32)
    padded[:c_out] = weight.reshape(c_out, channels, -1)
    bias = np.zeros(c_out, np.float32) if bias is None else bias.astype(np.float32)
    # enough items for every worker: whole images, or blocks of channels of few images
    chunks = min(blocks, max(1, -(-2 * workers // n)))
    # the work: vector multiply-adds, each about one element's touch in other loops
    work = (n * out_h * (width + 2 * padding[1]) * blocks * CHANNEL_BLOCK * channels
            * kernel_h * kernel_w) // LANES
    parallel_loop(_direct_items, n * chunks, work, np.ascontiguousarray(x), padded, bias,
                  kernel_h, kernel_w, *padding, *dilation, chunks, out)
    return out

