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

Register blocking: each step keeps 4 output channels x 2 vectors = 8 vectors of sums in
registers (``simd.py``), started at the bias, across the whole sum over C_in·KH·KW, so
each loaded input vector feeds 4 multiply-adds and each broadcast weight 2: the loop runs
at the multiply-add units' speed, not the loads'.  The sums go straight into the NCHW
output rows.

Work is split over (image, block of output channels) items (``workers.parallel_loop``);
each item copies its image into zero-padded planes of its own.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from ..geometry import conv_output_size
from .simd import LANES, load, multiply_add, splat, store_first
from .workers import parallel_loop

CHANNEL_BLOCK = 4
"""Output channels whose sums one step keeps in registers (with two vectors of outputs)."""


@njit(inline="always", error_model="numpy")
def pad_planes(x, n, pad_h, pad_w, planes):
    """Image n of x (N, C, H, W), zero-padded, into planes (C, at least Hp·Wp): channel c's
    padded rows end to end at planes[c, 0 : Hp·Wp], Hp = H + 2·ph, Wp = W + 2·pw, every
    one of those values written (planes past Hp·Wp are left as they are)."""
    _, channels, height, width = x.shape
    row = width + 2 * pad_w
    for c in range(channels):
        plane = planes[c]
        for k in range(pad_h * row):                           # the top rows
            plane[k] = 0
        for i in range(height):
            # a slice counted from 0: LLVM vectorizes the copy
            target, source = plane[(pad_h + i) * row:(pad_h + i + 1) * row], x[n, c, i]
            for k in range(pad_w):
                target[k] = 0
                target[pad_w + width + k] = 0
            for j in range(width):
                target[pad_w + j] = source[j]
        for k in range((pad_h + height) * row, (2 * pad_h + height) * row):  # the bottom
            plane[k] = 0


@njit(nogil=True, cache=True, error_model="numpy")
def _direct_items(x, weight, bias, kernel_h, kernel_w, pad_h, pad_w, dil_h, dil_w,
                  chunks, out, start, stop):
    """Items [start, stop) of N·chunks: image n = item // chunks, output channel block
    item % chunks.  x (N, C, H, W); weight (C_out rounded up to 4, C, KH·KW) and bias
    (C_out rounded up to 4,), zero past C_out; out (N, C_out, OH·OW)."""
    _, channels, height, width = x.shape
    c_out = out.shape[1]
    row = width + 2 * pad_w                                   # Wp
    out_w = row - (kernel_w - 1) * dil_w
    out_h = out.shape[2] // out_w
    per_row = -(-out_w // LANES)                              # vectors an output row
    slots = out_h * per_row                                   # vectors an output plane
    taps = np.empty(kernel_h * kernel_w, np.intp)     # tap (p, q) -> p·dh·Wp + q·dw
    for tap in range(taps.size):
        taps[tap] = (tap // kernel_w) * dil_h * row + (tap % kernel_w) * dil_w
    # the last vector reads 16 values from the last row's last slot, past every tap
    last_read = (out_h - 1) * row + (per_row - 1) * LANES + taps[-1] + LANES
    planes = np.zeros((channels, max(last_read, (height + 2 * pad_h) * row)), x.dtype)
    blocks = weight.shape[0] // CHANNEL_BLOCK
    per_chunk = -(-blocks // chunks)
    image = -1
    for item in range(start, stop):
        n, chunk = item // chunks, item % chunks
        if n != image:                      # the padded planes of image n
            pad_planes(x, n, pad_h, pad_w, planes)
            image = n
        for block in range(chunk * per_chunk, min(blocks, (chunk + 1) * per_chunk)):
            o = block * CHANNEL_BLOCK
            for slot in range(0, slots, 2):    # two vectors: slots k and l of the plane
                k, l = slot, min(slot + 1, slots - 1)   # (a lone last one: twice)
                i, j = k // per_row, (k % per_row) * LANES
                i2, j2 = l // per_row, (l % per_row) * LANES
                p, p2 = i * row + j, i2 * row + j2
                a0, a1, a2, a3 = splat(bias[o]), splat(bias[o + 1]), splat(bias[o + 2]), \
                    splat(bias[o + 3])
                b0, b1, b2, b3 = a0, a1, a2, a3
                for c in range(channels):
                    plane = planes[c]
                    for tap in range(taps.size):
                        u, v = load(plane, p + taps[tap]), load(plane, p2 + taps[tap])
                        w = weight[o, c, tap]
                        a0, b0 = multiply_add(a0, w, u), multiply_add(b0, w, v)
                        w = weight[o + 1, c, tap]
                        a1, b1 = multiply_add(a1, w, u), multiply_add(b1, w, v)
                        w = weight[o + 2, c, tap]
                        a2, b2 = multiply_add(a2, w, u), multiply_add(b2, w, v)
                        w = weight[o + 3, c, tap]
                        a3, b3 = multiply_add(a3, w, u), multiply_add(b3, w, v)
                # straight into the output rows, the lanes past OW left out
                at, count = i * out_w + j, min(LANES, out_w - j)
                at2, count2 = i2 * out_w + j2, min(LANES, out_w - j2)
                for q, (a, b) in enumerate(((a0, b0), (a1, b1), (a2, b2), (a3, b3))):
                    if o + q < c_out:
                        store_first(out[n, o + q], at, a, count)
                        store_first(out[n, o + q], at2, b, count2)


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
    padded_bias = np.zeros(blocks * CHANNEL_BLOCK, np.float32)
    if bias is not None:
        padded_bias[:c_out] = bias
    # enough items for every worker: whole images, or blocks of channels of few images
    chunks = min(blocks, max(1, -(-2 * workers // n)))
    # the work: vector multiply-adds, each about one element's touch in other loops
    work = (n * out_h * -(-out_w // LANES) * blocks * CHANNEL_BLOCK * channels
            * kernel_h * kernel_w)
    parallel_loop(_direct_items, n * chunks, work, np.ascontiguousarray(x), padded,
                  padded_bias, kernel_h, kernel_w, *padding, *dilation, chunks,
                  out.reshape(n, c_out, out_h * out_w))
    return out

