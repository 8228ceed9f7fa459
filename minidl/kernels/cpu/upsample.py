"""Nearest-neighbour upsampling by integer factors with Numba: the contract of
``reference.upsample``.

The parallel loop runs over the N·C planes.  Forward: each input row is written out
once, widened sW times, then that output row is copied to the sH - 1 rows below it.
Backward gathers: each input pixel sums its own sH×sW block of the output gradient, so
every iteration writes only its own plane.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .options import FAST_SUMS
from .workers import parallel_loop


@njit(nogil=True, cache=True, error_model="numpy")
def _upsample_forward(x, scale_h, scale_w, y, start, stop):
    _, height, width = x.shape
    for p in range(start, stop):
        for h in range(height):
            first_row = h * scale_h
            for w in range(width):
                value = x[p, h, w]
                for b in range(scale_w):
                    y[p, first_row, w * scale_w + b] = value
            for a in range(1, scale_h):
                y[p, first_row + a, :] = y[p, first_row, :]


@njit(nogil=True, cache=True, fastmath=FAST_SUMS, error_model="numpy")
def _upsample_backward(grad_y, scale_h, scale_w, grad_x, start, stop):
    _, height, width = grad_x.shape
    for p in range(start, stop):
        for h in range(height):
            for w in range(width):
                total = 0.0
                for a in range(scale_h):
                    for b in range(scale_w):
                        total += grad_y[p, h * scale_h + a, w * scale_w + b]
                grad_x[p, h, w] = total


def upsample_nearest2d_forward(x, scale_h: int, scale_w: int):
    """(N, C, H, W) -> (N, C, H·sH, W·sW), each pixel copied into an sH×sW block."""
    n, c, height, width = x.shape
    y = np.empty((n, c, height * scale_h, width * scale_w), dtype=x.dtype)
    parallel_loop(_upsample_forward, n * c, x.size + y.size,
                  np.ascontiguousarray(x).reshape(n * c, height, width), scale_h, scale_w,
                  y.reshape(n * c, height * scale_h, width * scale_w))
    return y


def upsample_nearest2d_backward(grad_y, scale_h: int, scale_w: int):
    """(N, C, H·sH, W·sW) -> (N, C, H, W): the sum of each sH×sW block."""
    n, c, out_h, out_w = grad_y.shape
    height, width = out_h // scale_h, out_w // scale_w
    grad_x = np.empty((n, c, height, width), dtype=grad_y.dtype)
    parallel_loop(_upsample_backward, n * c, grad_x.size + grad_y.size,
                  np.ascontiguousarray(grad_y).reshape(n * c, out_h, out_w), scale_h, scale_w,
                  grad_x.reshape(n * c, height, width))
    return grad_x
