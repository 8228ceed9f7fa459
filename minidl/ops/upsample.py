"""Nearest-neighbour upsampling by integer factors as an autograd Function (the maths
lives in ``minidl/kernels/reference/upsample.py``)."""
from __future__ import annotations

from ..autograd.function import Function
from ..kernels import kernel


class UpsampleNearest2d(Function):
    """y[n, c, oh, ow] = x[n, c, ⌊oh/sH⌋, ⌊ow/sW⌋]: (N, C, H, W) -> (N, C, H·sH, W·sW);
    each input pixel's gradient is the sum of the gradient over its sH×sW block."""

    def forward(self, x, *, scale_h, scale_w):
        self.scales = (scale_h, scale_w)
        return kernel("upsample_nearest2d_forward", x)(x, scale_h, scale_w)

    def backward(self, grad):
        return kernel("upsample_nearest2d_backward", grad)(grad, *self.scales)
