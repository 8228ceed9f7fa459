"""Pooling as autograd Functions (the maths lives in ``minidl/kernels/reference/pooling.py``).

Inputs are (N, C, H, W); ``kernel``, ``stride``, ``padding`` and ``dilation`` are (h, w)
pairs of ints, checked by ``minidl.nn.functional``; these nodes trust them.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..backend import array_module
from ..kernels import kernel
from .graph_backward import LinearMap


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

    def backward_graph(self, grad, needs):
        (indices,) = self.saved_arrays
        input_shape, window = self.input_shape, self.window

        def scatter(g):
            return kernel("max_pool2d_backward", g)(g, indices, input_shape, *window)

        def gather(h):  # the adjoint: each output reads its maximum's position
            planes = h.reshape(h.shape[0], h.shape[1], -1)
            picked = array_module(h).take_along_axis(
                planes, indices.reshape(indices.shape[0], indices.shape[1], -1), axis=2)
            return picked.reshape(indices.shape)

        return (LinearMap.apply(grad, apply=scatter, adjoint=gather),)


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

    def backward_graph(self, grad, needs):
        input_shape, settings = self.input_shape, self.settings
        return (LinearMap.apply(
            grad, apply=lambda g: kernel("avg_pool2d_backward", g)(g, input_shape, *settings),
            adjoint=lambda h: kernel("avg_pool2d_forward", h)(h, *settings)),)


class AdaptiveAvgPool2d(Function):
    """y[oh, ow] = mean of x over rows [⌊oh·H/OH⌋, ⌈(oh+1)·H/OH⌉) and the columns alike;
    the gradient of each output is spread evenly over its window."""

    def forward(self, x, *, output_size):
        self.input_shape = x.shape
        return kernel("adaptive_avg_pool2d_forward", x)(x, output_size)

    def backward(self, grad):
        return kernel("adaptive_avg_pool2d_backward", grad)(grad, self.input_shape)

    def backward_graph(self, grad, needs):
        input_shape = self.input_shape
        output_size = tuple(grad.shape[2:])
        return (LinearMap.apply(
            grad, apply=lambda g: kernel("adaptive_avg_pool2d_backward", g)(g, input_shape),
            adjoint=lambda h: kernel("adaptive_avg_pool2d_forward", h)(h, output_size)),)
