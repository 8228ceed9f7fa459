"""Nearest-neighbour upsampling by integer factors, written to be read.

x is (N, C, H, W); with integer scale factors (sH, sW) the output is (N, C, H·sH, W·sW) and

    y[n, c, oh, ow] = x[n, c, ⌊oh / sH⌋, ⌊ow / sW⌋]

so each input pixel becomes an sH×sW block of copies.  Backward: each input pixel was
copied into its block, so its gradient is the sum of the gradient over that block.
"""
from __future__ import annotations

import numpy as np


def upsample_nearest2d_forward(x, scale_h: int, scale_w: int):
    """(N, C, H, W) -> (N, C, H·sH, W·sW): repeat every row sH times, every column sW."""
    return np.repeat(np.repeat(x, scale_h, axis=2), scale_w, axis=3)


def upsample_nearest2d_backward(grad_y, scale_h: int, scale_w: int):
    """(N, C, H·sH, W·sW) -> (N, C, H, W): sum each sH×sW block."""
    n, c, out_h, out_w = grad_y.shape
    blocks = grad_y.reshape(n, c, out_h // scale_h, scale_h, out_w // scale_w, scale_w)
    return blocks.sum(axis=(3, 5))
