"""Pooling as autograd Functions (the maths lives in ``minidl/kernels/reference/pooling.py``).

Inputs are (N, C, H, W); ``kernel``, ``stride``, ``padding`` and ``dilation`` are (h, w)
pairs of ints, checked by ``minidl.nn.functional``; these nodes trust them.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..kernels import kernel


class MaxPool2d(Function):
    """y = max of x over each window;  the gradient of each output flows back to the
    input element that was the maximum (``indices``), adding up where windows overlap.

    Returns ``(y, indices)``: the int64 indices (the flat position h·W + w of each maximum
    in its input plane) are an output without gradient, for ``return_indices=True``.
    """

    def forward(self, x, *, kernel_size, stride, padding, dilation, ceil_mode):
        y, indices = kernel("max_pool2d_forward", x)(x, kernel_size, stride, padding,
                                                     dilation, ceil_mode)
        self.input_shape = x.shape
        self.window = (kernel_size, stride, padding, dilation)
        self.save_for_backward(indices)
        return y, indices

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
