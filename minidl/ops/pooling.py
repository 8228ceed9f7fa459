"""Pooling as autograd Functions, and the checks that keep impossible configurations away
from the kernels (the maths lives in ``minidl/kernels/reference/pooling.py``).

Inputs are (N, C, H, W); ``kernel``, ``stride``, ``padding`` and ``dilation`` are (h, w)
pairs of ints (``pair`` turns PyTorch's "int or pair" arguments into one).
"""
from __future__ import annotations

from ..autograd.function import Function
from ..kernels import kernel
from ..kernels.geometry import pool_output_size
from .arguments import pair


def check_pool2d(op: str, shape: tuple, kernel_size, stride, padding, dilation,
                 ceil_mode: bool) -> None:
    """Raise a clear error unless pooling an (N, C, H, W) input with these settings is
    possible."""
    for name, values, least in (("kernel_size", kernel_size, 1), ("stride", stride, 1),
                                ("dilation", dilation, 1), ("padding", padding, 0)):
        if min(values) < least:
            raise ValueError(f"{op}: {name} must be {'positive' if least else 'non-negative'}"
                             f", got {values}")
    if padding[0] > kernel_size[0] // 2 or padding[1] > kernel_size[1] // 2:
        raise ValueError(f"{op}: padding {padding} must be at most half of kernel_size "
                         f"{kernel_size}")
    for axis, dim in ((0, "height"), (1, "width")):
        size, k, s, p, d = (shape[2 + axis], kernel_size[axis], stride[axis], padding[axis],
                            dilation[axis])
        out = pool_output_size(size, k, s, p, d, ceil_mode)
        if out < 1:
            raise ValueError(f"{op}: the window spans {d * (k - 1) + 1} pixels (kernel_size "
                             f"{kernel_size}, dilation {dilation}), more than the input's "
                             f"{dim} {size} plus padding {p} on each side (input shape "
                             f"{shape})")
        # A window that starts inside the input has its first tap there; only those that
        # start in the padding can miss the input (by stepping over it with the dilation).
        for o in range(min(out, -(-p // s))):
            if not any(0 <= o * s - p + i * d < size for i in range(k)):
                raise ValueError(f"{op}: window {o} along the {dim} lies entirely in the "
                                 f"padding (kernel_size {kernel_size}, stride {stride}, "
                                 f"padding {padding}, dilation {dilation}, input shape "
                                 f"{shape})")


class MaxPool2d(Function):
    """y = max of x over each window;  the gradient of each output flows back to the
    input element that was the maximum (``indices``), adding up where windows overlap.

    ``found_indices``, a dict, receives those indices under "indices" (for
    ``return_indices=True``).
    """

    def forward(self, x, *, kernel_size, stride, padding, dilation, ceil_mode,
                found_indices=None):
        y, indices = kernel("max_pool2d_forward", x)(x, kernel_size, stride, padding,
                                                     dilation, ceil_mode)
        if found_indices is not None:
            found_indices["indices"] = indices
        self.input_shape = x.shape
        self.window = (kernel_size, stride, padding, dilation)
        self.save_for_backward(indices)
        return y

    def backward(self, grad):
        (indices,) = self.saved_arrays
        return kernel("max_pool2d_backward", grad)(grad, indices, self.input_shape,
                                                   *self.window)


class AvgPool2d(Function):
    """y = (sum of x over each window) / divisor;  each input element receives
    grad / divisor from every window that covers it."""

    def forward(self, x, *, kernel_size, stride, padding, ceil_mode, count_include_pad,
                divisor_override):
        self.settings = (kernel_size, stride, padding, ceil_mode, count_include_pad,
                         divisor_override)
        self.input_shape = x.shape
        return kernel("avg_pool2d_forward", x)(x, *self.settings)

    def backward(self, grad):
        return kernel("avg_pool2d_backward", grad)(grad, self.input_shape, *self.settings)


class AdaptiveAvgPool2d(Function):
    """y[oh, ow] = mean of x over rows [⌊oh·H/OH⌋, ⌈(oh+1)·H/OH⌉) and the columns alike;
    the gradient of each output is spread evenly over its window."""

    def forward(self, x, *, output_size):
        self.input_shape = x.shape
        return kernel("adaptive_avg_pool2d_forward", x)(x, output_size)

    def backward(self, grad):
        return kernel("adaptive_avg_pool2d_backward", grad)(grad, self.input_shape)
