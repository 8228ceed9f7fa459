"""Direct convolution on the CPU along output channels: any stride, one group, float32.

``direct.py`` puts 16 output positions of one row in a vector, which needs them to read
16 consecutive input values: stride 1, and rows at least 12 wide.  This module puts 16
output channels in a vector instead, so that nothing is asked of the positions: strided
convolutions (the 4x4/2 and 3x3/2 layers of GANs and encoders) and small images (8x8,
4x4) take it.  Three kernels share the picture.

The forward pass.  Pad each input plane by (ph, pw) and lay the planes end to end,
Wp = W + 2·pw values a row, Hp·Wp a plane.  Output position (i, j) starts reading at
base(i, j) = i·sh·Wp + j·sw, and its window tap t = (c, p, q) is the value at base(i, j) +
offset(t), offset(t) = c·Hp·Wp + p·dh·Wp + q·dw.  With the weights packed as
W[t, o] (taps x output channels), output channels o ... o + 15 of position (i, j) are

    out[o : o+16, i, j] = bias[o : o+16] + Σ_t planes[base(i, j) + offset(t)] · W[t, o : o+16]

a multiply-add of one input value (broadcast) and one 16-lane load of weights.  Register
blocking: each step keeps 2 vectors of output channels (32) x 8 output positions = 16
vectors of sums in registers (``simd.py``), started at the bias, across the whole sum over
the taps: each loaded weight vector feeds 8 multiply-adds, each input value 2.  Positions
are taken 8 at a time in row order, across row ends; a last short group repeats its last
position (and stores the same sums again).  The sums of a position are 32 consecutive
channels; they go to a (OH·OW, 32) buffer with whole-vector stores, at the row of the
output position they belong to, which is written into the NCHW output once the block is
done (one pass, a transpose through registers 16x16 at a time, ``_channels_first``).

A phase of the table below may also hold a block of the taps only: a wide layer's taps
(thousands: 512 channels x 3x3) are cut into phases that each start from the sums the
earlier ones left in the buffer, so that one phase's packed weights stay in the L2 cache
while every position of the image uses them.

The input gradient of a strided convolution (conv_transpose2d's forward pass): the same
loop over a table of phases (``_channel_direct_items``).  dL/dx's pixels split into
sh·sw phases (a + sh·u, b + sw·v); only the taps p with a + ph - p·dh divisible by sh
(and q likewise) reach phase (a, b), each from output row u + (a + ph - p·dh) / sh: a
stride-1 window sum over the zero-padded output gradient with the phase's own taps and
weights, whose results go to every sh-th row and sw-th column of the block's buffer (not
of the output: scattered scalar stores there took a quarter of the kernel's time).

The weight gradient: taps and positions swap roles.  32 output channels x 8 taps of sums
in registers, summed over the output positions, each position's 32 output-gradient
channels one pair of vector loads (the gradient is put channels-last first) and its 8
taps' input values broadcasts.

Work is split over (image, block of output channels) items (``workers.parallel_loop``),
and for the weight gradient over shares of the images, whose sums are added in order;
each item copies its images into zero-padded planes of its own (``direct.pad_planes``).
"""
from __future__ import annotations

import functools

import numpy as np
from llvmlite.binding import get_host_cpu_name
from numba import njit

from ..geometry import conv_output_size
from .direct import WINOGRAD_FIRST_CHANNELS, pad_planes
from .simd import (
    LANES,
    add,
    element,
    load,
    multiply_add,
    splat,
    store_first,
    transpose_block,
)
from .workers import parallel_loop

CHANNEL_BLOCK = 2 * LANES
"""Output channels whose sums one step keeps in registers (with 8 positions)."""

POSITIONS = 8
"""Output positions one step computes (measured, GFLOP/s on one core for 32x32x32x32 ->
64 3x3/2, 32x64x8x8 -> 64 3x3, 8x256x8x8 -> 64 3x3: 4 positions 97/112/112, 6: 101/110/
109, 8: 105/132/118, 10: 112/133/118; 8 keeps 16 of the 32 AVX-512 registers for sums)."""


PHASE_FIELDS = 10
"""A phase's row in the table of ``_channel_direct_items``: its taps [first, stop), its
positions (a grid of rows x width), where position (u, v) starts reading (u·read_row +
v·read_column), where it writes (start + u·write_row + v·write_column), and whether its
sums start at what an earlier phase wrote there (1, a later block of the same positions'
taps) or at the bias (0)."""


@njit(inline="always", error_model="numpy")
def _window_start(l, grid_w, read_row, read_column):
    """Where position l = u·grid_w + v of a phase starts reading: u·read_row +
    v·read_column."""
    return (l // grid_w) * read_row + (l % grid_w) * read_column


@njit(inline="always", error_model="numpy")
def _group_starts(l0, last, grid_w, row_step, column_step, base, scale):
    """(base + _window_start(l)) · scale for the 8 positions l = l0 ... l0 + 7 of a group
    (past ``last``, the last position again): where they read (base 0, scale 1) or write
    (``PHASE_FIELDS``' write, scale 32), once a group for all its blocks."""
    return ((base + _window_start(l0, grid_w, row_step, column_step)) * scale,
            (base + _window_start(min(l0 + 1, last), grid_w, row_step, column_step)) * scale,
            (base + _window_start(min(l0 + 2, last), grid_w, row_step, column_step)) * scale,
            (base + _window_start(min(l0 + 3, last), grid_w, row_step, column_step)) * scale,
            (base + _window_start(min(l0 + 4, last), grid_w, row_step, column_step)) * scale,
            (base + _window_start(min(l0 + 5, last), grid_w, row_step, column_step)) * scale,
            (base + _window_start(min(l0 + 6, last), grid_w, row_step, column_step)) * scale,
            (base + _window_start(min(l0 + 7, last), grid_w, row_step, column_step)) * scale)


@njit(nogil=True, cache=True, error_model="numpy")
def _channel_direct_items(x, weight, bias, taps, phases, pad_h, pad_w, chunks, out,
                          start, stop):
    """Items [start, stop) of N·chunks: image n = item // chunks, the chunk item % chunks
    of its blocks of output channels.  x (N, C, H, W); weight (blocks, T·32): block b's
    taps x 32 output channels; bias (blocks·32,), zero past C_out; taps (T,): offset(t);
    phases (P, 10): the phase table (``PHASE_FIELDS``); out (N, C_out, OH·OW).

    Each group of 8 positions runs through every block of the chunk before the next
    group: the input values its windows read stay in the L1 cache from one block to the
    next.  Measured on Zen 4, two threads, against each block running over every group
    (its weights kept in the L2 cache instead), time new / old on 20 shapes: 0.84-0.97
    on 13 (32x32x32x32 -> 64 3x3/2 0.84, 16x1024x8x8 -> 256 1x1 0.88, 64x32x14x14 -> 64
    3x3 0.90, 64x128x8x8 -> 64 3x3 0.94, 64x64x16x16 -> 128 4x4/2 0.97-0.98; input
    gradients 0.85-0.97), 0.98-1.00 on 7 (16x512x16x16 -> 512 3x3/2 0.99-1.00,
    8x128x56x56 -> 256 3x3/2 1.00); one reading of 1.08 for 16x256x32x32 -> 256 3x3/2
    was 0.98 when measured again."""
    _, channels, height, width = x.shape
    c_out = out.shape[1]
    row = width + 2 * pad_w
    planes = np.empty((channels, (height + 2 * pad_h) * row), x.dtype)
    flat = planes.reshape(planes.size)
    plane = out.shape[2]
    blocks = weight.shape[0]
    per_chunk = -(-blocks // chunks)
    # each block's sums, position-major, for the blocks of one chunk
    chunk_sums = np.empty((per_chunk, plane * CHANNEL_BLOCK), np.float32)
    image = -1
    for item in range(start, stop):
        n, chunk = item // chunks, item % chunks
        if n != image:
            pad_planes(x, n, pad_h, pad_w, planes)
            image = n
        first_block, stop_block = chunk * per_chunk, min(blocks, (chunk + 1) * per_chunk)
        for phase in range(phases.shape[0]):
            first, stop_tap, rows, grid_w, read_row, read_column, write, write_row, \
                write_column, resume = phases[phase]
            positions = rows * grid_w
            for l0 in range(0, positions, POSITIONS):
                # where the 8 positions' windows start and their sums go (a short
                # group: its last position again)
                last = positions - 1
                s0, s1, s2, s3, s4, s5, s6, s7 = _group_starts(l0, last, grid_w, read_row,
                                                               read_column, 0, 1)
                w0, w1, w2, w3, w4, w5, w6, w7 = _group_starts(
                    l0, last, grid_w, write_row, write_column, write, CHANNEL_BLOCK)
                for block in range(first_block, stop_block):
                    packed, sums = weight[block], chunk_sums[block - first_block]
                    o = block * CHANNEL_BLOCK
                    # a: channels o ... o + 15, b: o + 16 ... o + 31, of positions 0 ... 7
                    if resume:                  # where the block's earlier taps left them
                        a0, b0 = load(sums, w0), load(sums, w0 + LANES)
                        a1, b1 = load(sums, w1), load(sums, w1 + LANES)
                        a2, b2 = load(sums, w2), load(sums, w2 + LANES)
                        a3, b3 = load(sums, w3), load(sums, w3 + LANES)
                        a4, b4 = load(sums, w4), load(sums, w4 + LANES)
                        a5, b5 = load(sums, w5), load(sums, w5 + LANES)
                        a6, b6 = load(sums, w6), load(sums, w6 + LANES)
                        a7, b7 = load(sums, w7), load(sums, w7 + LANES)
                    else:
                        a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = load(bias, o)
                        b0 = b1 = b2 = b3 = b4 = b5 = b6 = b7 = load(bias, o + LANES)
                    for t in range(first, stop_tap):
                        offset = element(taps, t)       # no wrap-around: 1-2% a step
                        u = load(packed, t * CHANNEL_BLOCK)
                        v = load(packed, t * CHANNEL_BLOCK + LANES)
                        s = element(flat, s0 + offset)
                        a0, b0 = multiply_add(a0, s, u), multiply_add(b0, s, v)
                        s = element(flat, s1 + offset)
                        a1, b1 = multiply_add(a1, s, u), multiply_add(b1, s, v)
                        s = element(flat, s2 + offset)
                        a2, b2 = multiply_add(a2, s, u), multiply_add(b2, s, v)
                        s = element(flat, s3 + offset)
                        a3, b3 = multiply_add(a3, s, u), multiply_add(b3, s, v)
                        s = element(flat, s4 + offset)
                        a4, b4 = multiply_add(a4, s, u), multiply_add(b4, s, v)
                        s = element(flat, s5 + offset)
                        a5, b5 = multiply_add(a5, s, u), multiply_add(b5, s, v)
                        s = element(flat, s6 + offset)
                        a6, b6 = multiply_add(a6, s, u), multiply_add(b6, s, v)
                        s = element(flat, s7 + offset)
                        a7, b7 = multiply_add(a7, s, u), multiply_add(b7, s, v)
                    # sums[y, :] = the 32 channels of the output position y each writes
                    for a, b, at in ((a0, b0, w0), (a1, b1, w1), (a2, b2, w2), (a3, b3, w3),
                                     (a4, b4, w4), (a5, b5, w5), (a6, b6, w6), (a7, b7, w7)):
                        store_first(sums, at, a, LANES)
                        store_first(sums, at + LANES, b, LANES)
        for block in range(first_block, stop_block):          # every phase's: into NCHW
            o = block * CHANNEL_BLOCK
            _channels_first(chunk_sums[block - first_block],
                            out[n, o:min(c_out, o + CHANNEL_BLOCK)], CHANNEL_BLOCK)


@njit(nogil=True, cache=True, error_model="numpy")
def _pack_blocks(rows, packed, start, stop):
    """packed[b, t·32 + j] = rows[32·b + j, t] for the blocks b in [start, stop) and the
    rows there are: rows (C_out, T) C-contiguous, packed (blocks, T·32), the last block's
    columns past C_out zero already.  Each block's 32 rows put taps-first through register
    transposes (``_channels_last``)."""
    for block in range(start, stop):
        _channels_last(rows[block * CHANNEL_BLOCK:(block + 1) * CHANNEL_BLOCK],
                       packed[block], CHANNEL_BLOCK)


def _pack(rows):
    """Weights (C_out, T), an output channel's taps a row -> (blocks, T·32): block b's
    taps x its 32 output channels, zeros past C_out; the blocks shared by the workers.
    (NumPy's copy from the transposed view took 0.25 ms for 128 x 1024 weights, 5% of a
    forward pass on two cores; one thread packing 512 x 4608 into zeros took 1.30 ms, 5%
    of a 16x512x16x16 -> 512 3x3/2 forward pass; shared, with only the last block
    zeroed, 0.33.)"""
    c_out, taps = rows.shape
    blocks = -(-c_out // CHANNEL_BLOCK)
    packed = np.empty((blocks, taps * CHANNEL_BLOCK), np.float32)
    if c_out % CHANNEL_BLOCK:
        packed[-1] = 0
    parallel_loop(_pack_blocks, blocks, 2 * rows.size, np.ascontiguousarray(rows, np.float32),
                  packed)
    return packed


def _run(x, packed, bias, taps, phases, padding, out, workers):
    """The kernel over out (N, C_out, ...) for every image and block of output channels."""
    n, c_out = out.shape[:2]
    blocks = packed.shape[0]
    padded_bias = np.zeros(blocks * CHANNEL_BLOCK, np.float32)
    if bias is not None:
        padded_bias[:c_out] = bias
    # enough items for every worker: whole images, or blocks of channels of few images
    chunks = min(blocks, max(1, -(-2 * workers // n)))
    # the work: vector multiply-adds, each about one element's touch in other loops
    work = 2 * blocks * sum(int(phase[1] - phase[0]) * int(phase[2] * phase[3])
                            for phase in phases) * n
    parallel_loop(_channel_direct_items, n * chunks, work, np.ascontiguousarray(x), packed,
                  padded_bias, taps, np.asarray(phases, np.intp).reshape(-1, PHASE_FIELDS),
                  *padding, chunks, out.reshape(n, c_out, -1))


CHANNEL_DIRECT_MIN_TAPS = 64
"""Fewest products per output value, C_in·KH·KW: below, the fixed work of each step (8
window starts, 16 stores, the transpose) outweighs the multiply-adds (measured on 2 cores,
this kernel / the route taken otherwise: 2.2x for 32x4x32x32 -> 32 3x3 (36 products),
2.1x for 16x1x128x128 -> 64 3x3/2; 0.58-0.73 from 288 products on)."""

CHANNEL_DIRECT_MAX_TAPS = 1200
"""Most products per output value: each step streams a block's packed weights, products x
32 x 4 bytes (150 KB at 1200), from the L2 cache."""

CHANNEL_DIRECT_MAX_OUTPUT_CHANNELS = 128
"""Most output channels: with more, BLAS's products have rows enough (32x64x8x8 -> 256
4x4/2: this kernel 1.07x the im2col route's time; 128 -> 256 3x3: 0.86-1.13x)."""


STRIDE_ONE_MAX_POSITIONS = 32 * 32
"""Most output positions an image of a stride-1 convolution: on larger images BLAS's
products are wide and run at speed, while this kernel's broadcasts hop across every
input plane (16x64x64x64 -> 128 3x3: this kernel 1.16x the im2col route's time, and the
flipped 128 -> 64 1.11x; 16x64x32x32 -> 128: 0.78x)."""


def _channels_and_products_fit(dtype, kernel_hw, groups, channels_in, channels_out,
                               winograd: bool, min_taps=CHANNEL_DIRECT_MIN_TAPS) -> bool:
    """The part of the rules every kernel here shares: float32, one group, a window larger
    than 1x1, 16 to 128 output channels, ``min_taps`` (64) to 1200 window products, and
    Winograd's algorithm either not applicable (``winograd``) or outside its best range
    (``direct.WINOGRAD_FIRST_CHANNELS``)."""
    taps = channels_in * kernel_hw[0] * kernel_hw[1]
    return (dtype == np.float32 and groups == 1 and tuple(kernel_hw) != (1, 1)
            and LANES <= channels_out <= CHANNEL_DIRECT_MAX_OUTPUT_CHANNELS
            and min_taps <= taps <= CHANNEL_DIRECT_MAX_TAPS
            and not (winograd and min(channels_in, channels_out) >= WINOGRAD_FIRST_CHANNELS))


ZEN_CORES = get_host_cpu_name().startswith("znver")
"""Whether this machine's cores are AMD's Zen, where the rule of ``channels_before_rows``
was measured (LLVM names their generations znver1 ... znver5)."""

ROWS_WASTE_MIN_PRODUCTS = 288 * 64
"""Fewest multiply-adds an output position (C_in·KH·KW·C_out) from which this kernel
goes before ``direct.py``'s when that one wastes lanes (``channels_before_rows``)."""


def channels_before_rows(kernel_hw, channels_in, channels_out, output_hw) -> bool:
    """Whether a stride-1 convolution that both direct kernels can compute goes to this
    one first: on Zen cores (``ZEN_CORES``), when output rows not a multiple of 16 wide
    leave lanes of ``direct.py``'s vectors idle, the output channels fill whole blocks of
    32 here, and each position has ``ROWS_WASTE_MIN_PRODUCTS`` multiply-adds or more.
    Measured on Zen 4 (AMD EPYC), this kernel / direct.py's, forward, one thread: 0.97
    for 64x32x14x14 -> 64 and 64x64x14x14 -> 32, 0.94 for 16x64x28x28 -> 32, 0.92 for
    64x64x28x28 -> 64, 0.81 at 12x12; two threads (noisier): 0.81-0.94, 0.90 at 13x13 and
    24x24; 1.00-1.01 for 16x32x14x14 -> 64, 64x32x28x28 -> 64 and 30x30.  Outside the
    rule it loses: 1.03 for 32 -> 32, 1.06 for 16 -> 64 (fewer products), 1.13-1.34 for 48
    output channels (a half-empty block), 1.15 for 16-wide rows.  On Intel's cores (Xeon,
    AVX-512) the direct kernel had been 1.0-1.7x faster wherever it applied, and the rule
    is left off there."""
    products = channels_in * kernel_hw[0] * kernel_hw[1] * channels_out
    return (ZEN_CORES and output_hw[1] % LANES != 0 and channels_out % CHANNEL_BLOCK == 0
            and products >= ROWS_WASTE_MIN_PRODUCTS)


TAP_BLOCK = 2304
"""Most taps a phase of the forward pass adds to its positions' sums: a block of 32
output channels then streams at most 295 KB of packed weights, from the L2 cache, while
every position of the image uses them (measured on Zen 4, two threads, this kernel's time
with blocks of 576 / 1152 / 2304 taps, 1.00 = 1152: 16x512x16x16 -> 512 3x3/2 1.04 /
1.00 / 1.00, 16x256x32x32 -> 256 3x3/2 0.99 / 1.00 / 0.94, 64x128x16x16 -> 256 4x4/2
1.01 / 1.00 / 0.98)."""


def wide_layers_along_channels(dtype, kernel_hw, stride, groups, channels_in,
                               channels_out) -> bool:
    """Whether a convolution beyond ``channel_direct_applies``'s bounds (more than 128
    output channels or 1200 products a value, or a 1x1 kernel) goes to this kernel's
    forward pass, its taps in blocks of ``TAP_BLOCK``: on Zen cores (``ZEN_CORES``), float32,
    one group, strided or 1x1, at least ``CHANNEL_DIRECT_MIN_TAPS`` products and
    ``LANES`` output channels.  Measured on Zen 4 (AMD EPYC), two threads, time / PyTorch's
    through the route taken before -> through this kernel: 3x3/2 16x512x8x8 -> 512 2.04 ->
    1.28, 16x256x32x32 -> 256 1.19 -> 0.93, 16x128x32x32 -> 256 1.09 -> 0.94, 16x256x16x16
    -> 512 1.14 -> 1.08, -> 48 1.45 -> 1.01, 16x512x16x16 -> 512 1.17 -> 1.17; 4x4/2
    64x128x16x16 -> 256 1.33 -> 1.07, 64x256x8x8 -> 512 1.23 -> 1.13; 1x1 16x512x16x16 ->
    256 0.95 -> 0.90, 16x128x16x16 -> 128 1.96 -> 1.16, 16x256x32x32 -> 64 1.07 -> 0.91,
    16x1024x8x8 -> 256 1.07 -> 0.97, 16x64x32x32 -> 256 1.15 -> 1.15, 8x256x64x64 -> 128
    0.64 -> 0.62.  On Intel's cores the bounds stand (measured there: BLAS's products were
    faster beyond 128 output channels)."""
    taps = channels_in * kernel_hw[0] * kernel_hw[1]
    return (ZEN_CORES and dtype == np.float32 and groups == 1
            and (tuple(stride) != (1, 1) or tuple(kernel_hw) == (1, 1))
            and taps >= CHANNEL_DIRECT_MIN_TAPS and channels_out >= LANES)


def channel_direct_applies(dtype, kernel_hw, stride, groups, channels_in, channels_out,
                           winograd: bool, output_hw) -> bool:
    """Whether this kernel computes a convolution that ``direct.py``'s does not take:
    ``_channels_and_products_fit``, and for stride 1 at most ``STRIDE_ONE_MAX_POSITIONS``
    output positions an image.  Measured on 2 cores, this kernel / the route taken before,
    on the studies' convolutions: 0.42-0.73 for stride 2 (3x3 and 4x4, 32 to 128 channels,
    8x8 to 100x100 inputs), 0.49-0.77 for 3x3 on 8x8 inputs, 0.42 for 64x64x19x19 -> 128
    without padding; 16 output channels waste half the lanes, and where ``direct.py``'s
    kernel applies it is faster (1.0-1.7x)."""
    return (_channels_and_products_fit(dtype, kernel_hw, groups, channels_in, channels_out,
                                       winograd)
            and (tuple(stride) != (1, 1)
                 or output_hw[0] * output_hw[1] <= STRIDE_ONE_MAX_POSITIONS))


@functools.lru_cache(maxsize=64)
def _window_offsets(image_shape, kernel_hw, padding, dilation):
    """offset(t) = c·Hp·Wp + p·dh·Wp + q·dw for each tap t = (c, p, q) of the window, in
    C-order: where it reads in the zero-padded planes of an image (C, H, W) laid end to
    end, relative to its window's start.  Cached, read-only (30 µs to build, a tenth of a
    small layer's call)."""
    channels, height, width = image_shape
    row = width + 2 * padding[1]
    plane = (height + 2 * padding[0]) * row
    c, p, q = np.meshgrid(np.arange(channels), np.arange(kernel_hw[0]),
                          np.arange(kernel_hw[1]), indexing="ij")
    offsets = (c * plane + p * dilation[0] * row + q * dilation[1]).ravel().astype(np.intp)
    offsets.setflags(write=False)
    return offsets


def channel_direct_forward(x, weight, bias, stride, padding, dilation, workers: int,
                           tap_block: int = TAP_BLOCK):
    """out[n, o, i, j] = bias[o] + Σ_{c,p,q} weight[o, c, p, q] · xpad[n, c, i·sh + p·dh,
    j·sw + q·dw]: x (N, C, H, W) float32, weight (C_out, C, KH, KW), bias (C_out,) or None
    -> out (N, C_out, OH, OW).  Position (i, j) reads from i·sh·Wp + j·sw and writes to
    i·OW + j; the taps are cut into phases of at most ``tap_block``, each adding its part
    of the sum to the earlier ones', so that a block's packed weights for one phase stay in
    the L2 cache while every position of the image uses them."""
    n, channels, height, width = x.shape
    c_out, _, kernel_h, kernel_w = weight.shape
    out_h = conv_output_size(height, kernel_h, stride[0], padding[0], dilation[0])
    out_w = conv_output_size(width, kernel_w, stride[1], padding[1], dilation[1])
    out = np.empty((n, c_out, out_h, out_w), np.float32)
    if out.size == 0:
        return out
    taps = _window_offsets(x.shape[1:], (kernel_h, kernel_w), tuple(padding),
                            tuple(dilation))
    row = width + 2 * padding[1]
    phases = [(first, min(first + tap_block, taps.size), out_h, out_w, stride[0] * row,
               stride[1], 0, out_w, 1, int(first > 0))
              for first in range(0, taps.size, tap_block)]
    _run(x, _pack(weight.reshape(c_out, -1)), bias, taps, phases, padding, out, workers)
    return out


def _phase_taps(size, out_size, kernel, stride, padding, dilation):
    """For each phase a of one axis (outputs y = a + s·u of the input gradient, u <
    ⌈(size - a) / s⌉): its kernel taps p, those with (a + pad - p·d) divisible by s, each
    with e_p = (a + pad - p·d) / s (u + e_p is the output row it reads), and its count
    of positions u."""
    phases = []
    for a in range(stride):
        taps = [(p, (a + padding - p * dilation) // stride) for p in range(kernel)
                if (a + padding - p * dilation) % stride == 0]
        phases.append((taps, max(0, -(-(size - a) // stride))))
    # the zero border gy needs for every u + e_p to be a row of the padded planes
    reach = [-e for taps, _ in phases for _, e in taps]
    reach += [count - 1 + e - (out_size - 1) for taps, count in phases for _, e in taps
              if count]
    return phases, max([0, *reach])


INPUT_GRADIENT_MIN_PHASE_POSITIONS = 64
"""Fewest positions a phase of a strided input gradient (an image's H·W / (sh·sw)):
each phase of each image restarts the loop over its taps (measured, this kernel / the
col2im route: 1.68 for 8x8 input gradients of 3x3/2, 4x4 positions a phase; 7.5 at 2x2;
0.53-0.87 for 3x3/2 from 8x8 a phase, 0.80-1.04 for 4x4/2)."""


def channel_direct_input_gradient_applies(dtype, input_hw, kernel_hw, stride, groups,
                                          channels_in, channels_out) -> bool:
    """Whether this kernel computes the input gradient of a strided convolution (stride-1
    ones go through the flipped convolution, ``conv.py``): float32, one group, 16 to 128
    input channels (the vectors' lanes), 64 to 1200 products a phase's output value
    (C_out·⌈KH/sh⌉·⌈KW/sw⌉), at least ``INPUT_GRADIENT_MIN_PHASE_POSITIONS`` positions a
    phase."""
    phase_taps = (channels_out * -(-kernel_hw[0] // stride[0])
                  * -(-kernel_hw[1] // stride[1]))
    phase_positions = (input_hw[0] // stride[0]) * (input_hw[1] // stride[1])
    return (dtype == np.float32 and groups == 1 and tuple(stride) != (1, 1)
            and LANES <= channels_in <= CHANNEL_DIRECT_MAX_OUTPUT_CHANNELS
            and CHANNEL_DIRECT_MIN_TAPS <= phase_taps <= CHANNEL_DIRECT_MAX_TAPS
            and phase_positions >= INPUT_GRADIENT_MIN_PHASE_POSITIONS)


def channel_direct_input_gradient(grad_out, weight, input_hw, stride, padding, dilation,
                                  workers: int, bias=None):
    """dL/dx[n, c, y, x] = Σ_{o,p,q} gy[n, o, i, j] · weight[o, c, p, q] over the (i, j, p,
    q) with y = i·sh - ph + p·dh, x = j·sw - pw + q·dw: grad_out (N, C_out, OH, OW)
    float32, weight (C_out, C, KH, KW), input_hw = (H, W) -> (N, C, H, W), + bias (C,) if
    given (a transposed convolution's: the sums start at it).

    The outputs split into sh·sw phases, (y, x) = (a + sh·u, b + sw·v): in phase (a, b)
    only the taps p with a + ph - p·dh ≡ 0 (mod sh) (and q likewise) reach, and
    dL/dx[n, c, a + sh·u, b + sw·v] = Σ_o Σ_{those p, q} gy[n, o, u + e_p, v + f_q] ·
    weight[o, c, p, q], e_p = (a + ph - p·dh) / sh: a stride-1 window sum over gy (zero
    outside it), one phase of the kernel's table each, writing every sh-th row and
    sw-th column."""
    n, c_out, out_h, out_w = grad_out.shape
    channels = weight.shape[1]
    grad_x = np.empty((n, channels, *input_hw), np.float32)
    if grad_x.size == 0:
        return grad_x
    taps, picked, phases, border = _input_gradient_table(
        c_out, tuple(weight.shape[2:]), tuple(stride), tuple(padding), tuple(dilation),
        tuple(input_hw), (out_h, out_w))
    # the taps' weights (C, T): weight[o, :, p, q] for each tap's (o, p, q)
    by_tap = weight.transpose(1, 0, 2, 3)[:, picked[0], picked[1], picked[2]]
    _run(grad_out, _pack(by_tap), bias, taps, phases, border, grad_x, workers)
    return grad_x


@functools.lru_cache(maxsize=64)
def _input_gradient_table(c_out, kernel_hw, stride, padding, dilation, input_hw, out_hw):
    """What ``channel_direct_input_gradient`` hands the kernel, for its shapes: the taps'
    offsets (T,), phase after phase, each phase's taps in (o, p, q) order; the (o, p, q)
    of each tap (3, T), to pick its weights; the phase table (P, 9); and the zero border
    of the output gradient's planes (``_phase_taps``).  Cached: building it in Python
    loops took 2 ms a call (64x128x8x8, 4x4/2), a third of the kernel's time on 2 cores."""
    (height, width), (out_h, out_w) = input_hw, out_hw
    rows, pad_h = _phase_taps(height, out_h, kernel_hw[0], stride[0], padding[0],
                              dilation[0])
    columns, pad_w = _phase_taps(width, out_w, kernel_hw[1], stride[1], padding[1],
                                 dilation[1])
    row = out_w + 2 * pad_w
    plane = (out_h + 2 * pad_h) * row
    outputs = np.arange(c_out)
    taps, picked, phases = [np.empty(0, np.intp)], [np.empty((3, 0), np.intp)], []
    first = 0
    for a, (row_taps, count_u) in enumerate(rows):
        for b, (column_taps, count_v) in enumerate(columns):
            if count_u * count_v == 0:
                continue
            window = np.array([((e + pad_h) * row + f + pad_w, p, q)
                               for p, e in row_taps for q, f in column_taps],
                              np.intp).reshape(-1, 3)
            taps.append((outputs[:, None] * plane + window[:, 0]).ravel())
            picked.append(np.stack([np.repeat(outputs, len(window)),
                                    np.tile(window[:, 1], c_out),
                                    np.tile(window[:, 2], c_out)]))
            stop = first + c_out * len(window)
            phases.append((first, stop, count_u, count_v, row, 1, a * width + b,
                           stride[0] * width, stride[1], 0))
            first = stop
    table = (np.concatenate(taps), np.concatenate(picked, axis=1),
             np.array(phases, np.intp).reshape(-1, PHASE_FIELDS))
    for array in table:
        array.setflags(write=False)
    return (*table, (pad_h, pad_w))


# -- the weight gradient --------------------------------------------------------------------

TAP_GROUP = 8
"""Window taps whose sums one step of the weight gradient keeps in registers (with 32
output channels: 16 vectors, as in the forward pass)."""

POSITION_CHUNK = 128
"""Output positions whose gradients (128 x 32 channels, 16 KB) stay in the L1 cache while
every tap group of an item sums over them."""


@njit(inline="always", error_model="numpy")
def _transpose(source, source_row, target, target_row, rows, columns):
    """target[j·target_row + i] = source[i·source_row + j] for i < rows, j < columns (flat
    C-contiguous float32 arrays): 16x16 blocks through registers
    (``simd.transpose_block``), the rows and columns past the last whole block one value at
    a time."""
    whole_rows, whole_columns = rows - rows % LANES, columns - columns % LANES
    for j0 in range(0, whole_columns, LANES):
        for i0 in range(0, whole_rows, LANES):
            transpose_block(source, i0 * source_row + j0, source_row, target,
                            j0 * target_row + i0, target_row)
    # what the blocks left: columns past the last whole block, all of a row past the last
    for i in range(rows):
        for j in range(whole_columns if i < whole_rows else 0, columns):
            target[j * target_row + i] = source[i * source_row + j]


@njit(inline="always", error_model="numpy")
def _channels_last(source, target, lanes):
    """target[l·lanes + c] = source[c, l]: source (C, L) C-contiguous, target at least
    L·lanes long, lanes >= C (a scalar copy of the whole took half of a 3-channel first
    layer's weight gradient)."""
    channels, positions = source.shape
    _transpose(source.reshape(source.size), positions, target, lanes, channels, positions)


@njit(nogil=True, cache=True, error_model="numpy")
def _channels_first(source, target, lanes):
    """target[c, l] = source[l·lanes + c]: source at least L·lanes long, target (C, L)
    C-contiguous, C <= lanes; ``_channels_last`` backwards.  (One value at a time, this
    transpose took a tenth of a 64x32x14x14 -> 64 3x3 forward pass; through registers the
    pass runs 0.93x its time there and at 32x32x32x32 -> 64 3x3/2, 0.98-1.0x on layers with
    more products a value.)"""
    channels, positions = target.shape
    _transpose(source, lanes, target.reshape(target.size), positions, positions, channels)


@njit(nogil=True, cache=True, error_model="numpy")
def _weight_gradient_items(x, grad_out, taps, pad_h, pad_w, stride_h, stride_w, out_w,
                           sums, start, stop):
    """Items [start, stop) of len(sums): item k sums over its share of the images, images
    [k·N / K, (k + 1)·N / K), into sums[k] (blocks, groups·8·32): block b's dL/dW[t, o] at
    t·32 + o - 32·b.  x (N, C, H, W); grad_out (N, C_out, L); taps (groups·8,): offset(t)
    (0 past the last tap)."""
    images, channels, height, width = x.shape
    positions = grad_out.shape[2]
    parts, blocks = sums.shape[0], sums.shape[1]
    lanes = blocks * CHANNEL_BLOCK
    row = width + 2 * pad_w
    planes = np.empty((channels, (height + 2 * pad_h) * row), x.dtype)
    # each tap's input value is read twice, once for each vector of channels, through two
    # views: LLVM then folds every read into its multiply-add (an embedded broadcast).
    # Read once, its 8 broadcasts stayed live beside the 16 sums, and LLVM's two-fold
    # unrolling of the loop spilled registers to the stack: 0.89-0.95x the time on one
    # Zen 4 core (64x64x16x16 -> 128 4x4/2, 64x32x32x32 -> 64 4x4/2, 64x32x14x14 -> 64)
    image, again = planes.reshape(planes.size), planes.reshape(planes.size)
    # the lanes past C_out feed only sums that are dropped, but they are zeros, not
    # whatever the memory held: a subnormal there would slow every multiply-add with it
    grad = np.zeros(positions * lanes, x.dtype)
    bases = np.empty(POSITION_CHUNK, np.intp)
    groups = taps.size // TAP_GROUP
    zero = splat(np.float32(0))
    for item in range(start, stop):
        totals = sums[item]
        totals[:, :] = 0
        for n in range(item * images // parts, (item + 1) * images // parts):
            pad_planes(x, n, pad_h, pad_w, planes)
            _channels_last(grad_out[n], grad, lanes)
            for p0 in range(0, positions, POSITION_CHUNK):
                count = min(POSITION_CHUNK, positions - p0)
                for k in range(count):           # where each position's window starts
                    bases[k] = _window_start(p0 + k, out_w, stride_h * row, stride_w)
                for block in range(blocks):
                    total = totals[block]
                    o = block * CHANNEL_BLOCK
                    for group in range(groups):
                        t = group * TAP_GROUP
                        at = t * CHANNEL_BLOCK
                        # the chunk's sums start at 0 and are added to the totals
                        # at its end: float32 sums of at most 128 terms, then of one
                        # term a chunk (one running sum over all the images' positions
                        # had 5-10x the rounding error of BLAS's blocked sums)
                        a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = zero
                        b0 = b1 = b2 = b3 = b4 = b5 = b6 = b7 = zero
                        t0, t1, t2, t3 = taps[t], taps[t + 1], taps[t + 2], taps[t + 3]
                        t4, t5, t6, t7 = taps[t + 4], taps[t + 5], taps[t + 6], taps[t + 7]
                        for k in range(count):
                            base = bases[k]
                            g = (p0 + k) * lanes + o
                            u, v = load(grad, g), load(grad, g + LANES)
                            a0 = multiply_add(a0, element(image, base + t0), u)
                            b0 = multiply_add(b0, element(again, base + t0), v)
                            a1 = multiply_add(a1, element(image, base + t1), u)
                            b1 = multiply_add(b1, element(again, base + t1), v)
                            a2 = multiply_add(a2, element(image, base + t2), u)
                            b2 = multiply_add(b2, element(again, base + t2), v)
                            a3 = multiply_add(a3, element(image, base + t3), u)
                            b3 = multiply_add(b3, element(again, base + t3), v)
                            a4 = multiply_add(a4, element(image, base + t4), u)
                            b4 = multiply_add(b4, element(again, base + t4), v)
                            a5 = multiply_add(a5, element(image, base + t5), u)
                            b5 = multiply_add(b5, element(again, base + t5), v)
                            a6 = multiply_add(a6, element(image, base + t6), u)
                            b6 = multiply_add(b6, element(again, base + t6), v)
                            a7 = multiply_add(a7, element(image, base + t7), u)
                            b7 = multiply_add(b7, element(again, base + t7), v)
                        for k, (a, b) in enumerate(((a0, b0), (a1, b1), (a2, b2), (a3, b3),
                                                    (a4, b4), (a5, b5), (a6, b6), (a7, b7))):
                            i = at + k * CHANNEL_BLOCK
                            store_first(total, i, add(load(total, i), a), LANES)
                            store_first(total, i + LANES, add(load(total, i + LANES), b),
                                        LANES)


WEIGHT_GRADIENT_MIN_POSITIONS = 8
"""Fewest output positions an image for the weight gradient: each image's sums start from
memory, 16 vector loads and stores per tap group, which fewer positions do not repay.
Measured on 2 cores, this kernel / the im2col route: 0.66-0.77 at 16 positions
(32x64x8x8 -> 128 and 32x128x8x8 -> 128, 4x4/2), 0.79 for 3x3/2, 0.49 for 32x32x4x4 -> 64
3x3; 0.85 at 9 (64x64x6x6 -> 64 3x3/2); 0.97-1.10 at 4 (2x2 outputs)."""

STRIDED_WEIGHT_GRADIENT_MIN_TAPS = 18
"""Fewest window products (C_in·KH·KW) for the weight gradient of a strided convolution,
in place of ``CHANNEL_DIRECT_MIN_TAPS``: the first layers of encoders and discriminators,
2 or 3 input channels, whose other route is the stride-1 convolutions of the input's
phases (``phases.py``).  Measured on 2 cores, this kernel / that route: 0.52 for 64x3x32x32
-> 32 3x3/2 (27 products), 0.70 for 64x3x32x32 -> 64 4x4/2 (48), 0.62 for 16x3x64x64 ->
128 3x3/2, 0.78 for 64x2x32x32 -> 64 3x3/2 (18); 1.17 for 64x1x32x32 -> 64 4x4/2 (16), 1.52
for 16x1x128x128 -> 64 3x3/2 (9).  At stride 1 ``direct.py``'s kernel takes few products
(1.13x faster at 27)."""


def channel_direct_weight_gradient_applies(dtype, kernel_hw, stride, groups, channels_in,
                                           channels_out, winograd: bool, output_hw) -> bool:
    """Whether this kernel computes a weight gradient: ``_channels_and_products_fit``
    (at any stride and size), with at least ``WEIGHT_GRADIENT_MIN_POSITIONS`` output
    positions an image.  Measured on 2 cores, this kernel / the route taken before, on the
    studies' convolutions: 0.38-0.70 with 16 to 64 input channels (3x3 and 4x4, stride 1
    and 2, 8x8 to 50x50 inputs), 0.87-0.89 with 128 input channels.  Strided ones from
    ``STRIDED_WEIGHT_GRADIENT_MIN_TAPS`` products on."""
    strided = tuple(stride) != (1, 1)
    min_taps = STRIDED_WEIGHT_GRADIENT_MIN_TAPS if strided else CHANNEL_DIRECT_MIN_TAPS
    return (_channels_and_products_fit(dtype, kernel_hw, groups, channels_in, channels_out,
                                       winograd, min_taps)
            and output_hw[0] * output_hw[1] >= WEIGHT_GRADIENT_MIN_POSITIONS)


def channel_direct_weight_gradient(x, grad_out, kernel_hw, stride, padding, dilation,
                                   workers: int):
    """dL/dW[o, c, p, q] = Σ_{n,i,j} gy[n, o, i, j] · xpad[n, c, i·sh + p·dh, j·sw + q·dw]:
    x (N, C, H, W) float32, grad_out (N, C_out, OH, OW) -> (C_out, C, KH, KW).  The same
    picture as the forward pass with the roles of taps and positions swapped: 32 output
    channels x 8 taps of sums in registers, summed over the output positions of a share
    of the images; the workers' sums are then added in a fixed order."""
    n, channels, height, width = x.shape
    _, c_out, out_h, out_w = grad_out.shape
    kernel_h, kernel_w = kernel_hw
    blocks = -(-c_out // CHANNEL_BLOCK)
    count = channels * kernel_h * kernel_w
    groups = -(-count // TAP_GROUP)
    taps = np.zeros(groups * TAP_GROUP, np.intp)
    taps[:count] = _window_offsets(x.shape[1:], tuple(kernel_hw), tuple(padding),
                                   tuple(dilation))
    work = n * out_h * out_w * blocks * 2 * groups * TAP_GROUP
    # as many shares whether or not the workers take them: the sums' order, and so the
    # result, does not depend on whether they were spinning
    parts = min(n, workers)
    sums = np.empty((parts, blocks, groups * TAP_GROUP * CHANNEL_BLOCK), np.float32)
    parallel_loop(_weight_gradient_items, parts, work, np.ascontiguousarray(x),
                  np.ascontiguousarray(grad_out).reshape(n, c_out, out_h * out_w), taps,
                  *padding, *stride, out_w, sums)
    total = sums[0]
    for part in sums[1:]:
        total += part
    grad_w = (total.reshape(blocks, groups * TAP_GROUP, CHANNEL_BLOCK).transpose(0, 2, 1)
              .reshape(blocks * CHANNEL_BLOCK, groups * TAP_GROUP)[:c_out, :count])
    return np.ascontiguousarray(grad_w).reshape(c_out, channels, kernel_h, kernel_w)
