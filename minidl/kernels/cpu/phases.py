"""Strided convolutions as stride-1 ones over the input's phases (space-to-depth).

A strided convolution reads every sh-th row and sw-th column of the padded input:

    out[n, o, i, j] = Σ_{c,p,q} w[o, c, p, q] · xpad[n, c, sh·i + p, sw·j + q]

Write each tap as p = sh·p' + a and q = sw·q' + b, with 0 <= a < sh and 0 <= b < sw.  The
value read is then xpad[n, c, sh·(i + p') + a, sw·(j + q') + b] = phase[n, (c, a, b),
i + p', j + q'], where the phase (a, b) of channel c holds the pixels sh·u + a, sw·v + b:

    phase[n, (c, a, b), u, v] = xpad[n, c, sh·u + a, sw·v + b]

So the strided convolution is a stride-1 convolution, without padding, of the C·sh·sw
phases with the kernel w'[o, (c, a, b), p', q'] = w[o, c, sh·p' + a, sw·q' + b], of
⌈KH/sh⌉ x ⌈KW/sw⌉ taps (zero where sh·p' + a >= KH).  A 4x4/2 layer becomes a 2x2/1 one
with four times the channels and exactly the same products; a 3x3/2 layer a 2x2/1 one
with 16 products per channel where it had 9.  Its output rows are consecutive reads of
each phase, which the direct kernels along positions (``direct.py``) need: a first layer
with a stride, whose few window products leave the kernels along output channels and
im2col's thin products slow, goes this way.  The weight gradient is the stride-1 one of
the phases, w' taken back to w.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .direct import phase_planes
from .workers import parallel_loop


def phase_kernel_size(kernel_hw, stride) -> tuple[int, int]:
    """(⌈KH/sh⌉, ⌈KW/sw⌉): the window of the stride-1 convolution over the phases."""
    return -(-kernel_hw[0] // stride[0]), -(-kernel_hw[1] // stride[1])


@njit(nogil=True, cache=True, error_model="numpy")
def _phase_items(x, pad_h, pad_w, stride_h, stride_w, rows, columns, phases, start, stop):
    """Images [start, stop) of x (N, C, H, W) into their phases (N, C·sh·sw,
    rows·columns), every value written (``direct.phase_planes``)."""
    for n in range(start, stop):
        phase_planes(x, n, pad_h, pad_w, stride_h, stride_w, rows, columns, phases[n])


def phase_input(x: np.ndarray, kernel_hw, stride, padding, output_hw) -> np.ndarray:
    """x (N, C, H, W) float32 -> its phases (N, C·sh·sw, OH + KH' - 1, OW + KW' - 1), channel
    c·sh·sw + a·sw + b holding xpad[:, c, sh·u + a, sw·v + b] (zero outside the input):
    the rows and columns the convolution reads, and no more.  (A Numba pass: 0.64x the
    time of NumPy's zeros, slice and six-axis transpose for 64x3x32x32 at 2x2.)"""
    n, channels = x.shape[:2]
    kh, kw = phase_kernel_size(kernel_hw, stride)
    rows, columns = output_hw[0] + kh - 1, output_hw[1] + kw - 1
    phases = np.empty((n, channels * stride[0] * stride[1], rows * columns), x.dtype)
    parallel_loop(_phase_items, n, 2 * phases.size, np.ascontiguousarray(x), *padding,
                  *stride, rows, columns, phases)
    return phases.reshape(n, channels * stride[0] * stride[1], rows, columns)


def phase_weight(weight: np.ndarray, stride) -> np.ndarray:
    """w (C_out, C, KH, KW) -> w' (C_out, C·sh·sw, KH', KW'): w'[o, (c, a, b), p', q'] =
    w[o, c, sh·p' + a, sw·q' + b], zero past the window."""
    c_out, channels, kernel_h, kernel_w = weight.shape
    (sh, sw), (kh, kw) = stride, phase_kernel_size((kernel_h, kernel_w), stride)
    padded = np.zeros((c_out, channels, kh * sh, kw * sw), weight.dtype)
    padded[:, :, :kernel_h, :kernel_w] = weight
    phases = padded.reshape(c_out, channels, kh, sh, kw, sw).transpose(0, 1, 3, 5, 2, 4)
    return np.ascontiguousarray(phases).reshape(c_out, channels * sh * sw, kh, kw)


def weight_from_phases(grad: np.ndarray, kernel_hw, stride) -> np.ndarray:
    """The inverse of ``phase_weight`` for a gradient: (C_out, C·sh·sw, KH', KW') ->
    (C_out, C, KH, KW), the taps past the window dropped."""
    c_out, _, kh, kw = grad.shape
    sh, sw = stride
    taps = grad.reshape(c_out, -1, sh, sw, kh, kw).transpose(0, 1, 4, 2, 5, 3)
    window = taps.reshape(c_out, -1, kh * sh, kw * sw)[:, :, :kernel_hw[0], :kernel_hw[1]]
    return np.ascontiguousarray(window)
