"""Nearest-neighbour upsampling by integer factors on the GPU: the contract of
``reference.upsample``.

Forward: one thread per output pixel copies  y[p, oh, ow] = x[p, ⌊oh/sH⌋, ⌊ow/sW⌋].
Backward gathers: one thread per input pixel sums its own sH×sW block of the output
gradient, so no two threads write the same element.
"""
from __future__ import annotations

import cupy

from .launch import compiled, contiguous, launch

SOURCE = r"""
extern "C" __global__ void upsample_forward(
        const scalar_t* x, long long planes, long long height, long long width,
        long long scale_h, long long scale_w, scalar_t* y) {
    long long out_h = height * scale_h, out_w = width * scale_w;
    FOR_EACH_ITEM(index, planes * out_h * out_w) {
        long long ow = index % out_w;
        long long oh = (index / out_w) % out_h;
        long long plane = index / (out_h * out_w);
        y[index] = x[(plane * height + oh / scale_h) * width + ow / scale_w];
    }
}

extern "C" __global__ void upsample_backward(
        const scalar_t* grad_y, long long planes, long long height, long long width,
        long long scale_h, long long scale_w, scalar_t* grad_x) {
    long long out_h = height * scale_h, out_w = width * scale_w;
    FOR_EACH_ITEM(index, planes * height * width) {
        long long w = index % width;
        long long h = (index / width) % height;
        const scalar_t* block = grad_y + (index / (height * width) * out_h + h * scale_h) * out_w
                                + w * scale_w;
        double total = 0;
        for (long long a = 0; a < scale_h; ++a)
            for (long long b = 0; b < scale_w; ++b)
                total += block[a * out_w + b];
        grad_x[index] = (scalar_t)total;
    }
}
"""


def upsample_nearest2d_forward(x, scale_h: int, scale_w: int):
    """(N, C, H, W) -> (N, C, H·sH, W·sW), each pixel copied into an sH×sW block."""
    n, c, height, width = x.shape
    y = cupy.empty((n, c, height * scale_h, width * scale_w), dtype=x.dtype)
    launch(compiled(SOURCE, "upsample_forward", x.dtype), y.size, contiguous(x, x.dtype),
           n * c, height, width, scale_h, scale_w, y)
    return y


def upsample_nearest2d_backward(grad_y, scale_h: int, scale_w: int):
    """(N, C, H·sH, W·sW) -> (N, C, H, W): the sum of each sH×sW block."""
    n, c, out_h, out_w = grad_y.shape
    grad_x = cupy.empty((n, c, out_h // scale_h, out_w // scale_w), dtype=grad_y.dtype)
    launch(compiled(SOURCE, "upsample_backward", grad_y.dtype), grad_x.size,
           contiguous(grad_y, grad_y.dtype), n * c, out_h // scale_h, out_w // scale_w,
           scale_h, scale_w, grad_x)
    return grad_x
