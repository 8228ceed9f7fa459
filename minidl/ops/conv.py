"""Convolution and transposed convolution as graph nodes, on top of the conv kernels.

A convolution y = conv(x, W) is linear in x and in W, so each gradient is another
convolution-like product (see ``minidl/kernels/reference/conv.py`` for the index maths):

    conv2d:            dL/dx = conv_transpose2d(gy, W)       (kernel conv2d_backward_input)
                       dL/dW = correlation of x with gy      (kernel conv2d_backward_weight)
                       dL/db = Σ_{n,i,j} gy[n, :, i, j]

A transposed convolution is defined as the adjoint of a convolution: its forward pass is
conv2d's input gradient, so its own gradients swap the roles:

    conv_transpose2d:  y = conv2d_backward_input(x, W)
                       dL/dx = conv2d(gy, W)
                       dL/dW = conv2d_backward_weight(gy, x)  (gy plays conv2d's input)
                       dL/db = Σ_{n,i,j} gy[n, :, i, j]

An empty batch (N = 0) gives an empty output and zero weight and bias gradients, as in
PyTorch, without calling a kernel.

With ``create_graph=True`` (``backward_graph``) the same products are recorded nodes: the
input gradient a ConvTranspose2d (Conv2d) of the gradient with the weight, the weight
gradient a :class:`Conv2dWeightGradient` of the input and the gradient, bilinear in both.

Arguments are checked by ``minidl.nn.functional``; these nodes trust them.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..autograd.graph_backward import operand
from ..backend import array_module
from ..kernels.geometry import conv_output_size
from ..kernels.registry import kernel


def _bias_gradient(grad):
    """dL/db[o] = Σ over the batch and every position of gy[n, o, i, j]."""
    return kernel("conv2d_backward_bias", grad)(grad)


def _empty_batch(like, channels: int, hw):
    """The (0, channels, *hw) output of a convolution of an empty batch."""
    return array_module(like).zeros((0, channels, *hw), dtype=like.dtype)


def _empty_batch_gradients(x, weight, grad, needs_input_grad):
    """Gradients of an empty batch: none reach the weight or the bias (sums over N = 0)."""
    xp = array_module(x)
    return (xp.zeros_like(x) if needs_input_grad[0] else None,
            xp.zeros_like(weight) if needs_input_grad[1] else None,
            _bias_gradient(grad) if needs_input_grad[2] else None)


class Conv2d(Function):
    """y[n, o] = b[o] + Σ_c W[o, c] ⋆ x[n, c] (a correlation over the group's channels).

    x (N, C_in, H, W), weight (C_out, C_in/G, KH, KW), bias (C_out,) or None
    -> y (N, C_out, OH, OW).  Options (keyword): stride, padding, dilation as pairs, groups.
    """

    def forward(self, x, weight, bias, *, stride, padding, dilation, groups):
        self.options = (stride, padding, dilation, groups)
        self.save_for_backward(x, weight)
        if len(x) == 0:
            hw = [conv_output_size(size, k, s, p, d) for size, k, s, p, d
                  in zip(x.shape[2:], weight.shape[2:], stride, padding, dilation)]
            return _empty_batch(x, weight.shape[0], hw)
        return kernel("conv2d_forward", x)(x, weight, bias, *self.options)

    def backward(self, grad):
        x, weight = self.saved_arrays
        if len(x) == 0:
            return _empty_batch_gradients(x, weight, grad, self.needs_input_grad)
        grad_x = grad_weight = grad_bias = None
        if self.needs_input_grad[0]:
            grad_x = kernel("conv2d_backward_input", grad)(grad, weight, x.shape[2:],
                                                           *self.options)
        if self.needs_input_grad[1]:
            grad_weight = kernel("conv2d_backward_weight", x)(x, grad, weight.shape[2:],
                                                              *self.options)
        if self.needs_input_grad[2]:
            grad_bias = _bias_gradient(grad)
        return grad_x, grad_weight, grad_bias

    def backward_graph(self, grad, needs):
        x, weight = self.saved_arrays
        stride, padding, dilation, groups = self.options
        grad_x = grad_weight = grad_bias = None
        if needs[0]:
            grad_x = ConvTranspose2d.apply(grad, operand(self, 1, weight), None,
                                           stride=stride, padding=padding, dilation=dilation,
                                           groups=groups, output_hw=tuple(x.shape[2:]))
        if needs[1]:
            grad_weight = Conv2dWeightGradient.apply(
                operand(self, 0, x), grad, kernel_hw=tuple(weight.shape[2:]), stride=stride,
                padding=padding, dilation=dilation, groups=groups)
        if needs[2]:
            grad_bias = _bias_gradient_graph(grad)
        return grad_x, grad_weight, grad_bias


class ConvTranspose2d(Function):
    """The adjoint of Conv2d with the same weight: y = conv2d_backward_input(x, W) + b.

    x (N, C_in, H, W), weight (C_in, C_out/G, KH, KW), bias (C_out,) or None
    -> y (N, C_out, *output_hw).  Options (keyword): stride, padding, dilation as pairs,
    groups, and output_hw, the output's (height, width) (the functional entry point works
    it out from output_padding).
    """

    def forward(self, x, weight, bias, *, stride, padding, dilation, groups, output_hw):
        self.options = (stride, padding, dilation, groups)
        self.save_for_backward(x, weight)
        if len(x) == 0:
            return _empty_batch(x, weight.shape[1] * groups, output_hw)
        return kernel("conv_transpose2d_forward", x)(x, weight, bias, output_hw,
                                                     *self.options)

    def backward(self, grad):
        x, weight = self.saved_arrays
        if len(x) == 0:
            return _empty_batch_gradients(x, weight, grad, self.needs_input_grad)
        h, w = x.shape[2:]
        grad_x = grad_weight = grad_bias = None
        if self.needs_input_grad[0]:
            # An output_padding >= stride (allowed when it is < dilation) leaves trailing
            # output rows no input reaches: the convolution then yields a larger map.
            grad_x = kernel("conv2d_forward", grad)(grad, weight, None,
                                                    *self.options)[:, :, :h, :w]
        if self.needs_input_grad[1]:
            grad_weight = kernel("conv2d_backward_weight", grad)(grad, x, weight.shape[2:],
                                                                 *self.options)
        if self.needs_input_grad[2]:
            grad_bias = _bias_gradient(grad)
        return grad_x, grad_weight, grad_bias

    def backward_graph(self, grad, needs):
        from .shape import GetItem

        x, weight = self.saved_arrays
        stride, padding, dilation, groups = self.options
        h, w = x.shape[2:]
        grad_x = grad_weight = grad_bias = None
        if needs[0]:
            grad_x = Conv2d.apply(grad, operand(self, 1, weight), None, stride=stride,
                                  padding=padding, dilation=dilation, groups=groups)
            if tuple(grad_x.shape[2:]) != (h, w):
                grad_x = GetItem.apply(grad_x, index=(slice(None), slice(None), slice(0, h),
                                                      slice(0, w)))
        if needs[1]:
            grad_weight = Conv2dWeightGradient.apply(
                grad, operand(self, 0, x), kernel_hw=tuple(weight.shape[2:]), stride=stride,
                padding=padding, dilation=dilation, groups=groups)
        if needs[2]:
            grad_bias = _bias_gradient_graph(grad)
        return grad_x, grad_weight, grad_bias


def _bias_gradient_graph(grad):
    """dL/db as a recorded sum over the batch and every position."""
    from .reduction import Sum

    return Sum.apply(grad, axes=(0, 2, 3), keepdim=False)


class Conv2dWeightGradient(Function):
    """G = conv2d_backward_weight(x, gy): a convolution's weight gradient as a node (for
    ``create_graph=True``).  It is bilinear: with Ḡ = dL/dG,

        dL/dx  = conv2d_backward_input(gy, Ḡ)     (x's gradient through a conv with Ḡ)
        dL/dgy = conv2d(x, Ḡ)                     (cropped to gy's size)

    x (N, C_in, H, W), gy (N, C_out, OH, OW) -> G (C_out, C_in/G, KH, KW).
    """

    def forward(self, x, gy, *, kernel_hw, stride, padding, dilation, groups):
        self.options = (stride, padding, dilation, groups)
        self.save_for_backward(x, gy)
        if len(x) == 0:
            return array_module(x).zeros((gy.shape[1], x.shape[1] // groups, *kernel_hw),
                                         dtype=x.dtype)
        return kernel("conv2d_backward_weight", x)(x, gy, kernel_hw, *self.options)

    def backward(self, grad):
        x, gy = self.saved_arrays
        grad_x = grad_gy = None
        if len(x) == 0:
            xp = array_module(x)
            return (xp.zeros_like(x) if self.needs_input_grad[0] else None,
                    xp.zeros_like(gy) if self.needs_input_grad[1] else None)
        if self.needs_input_grad[0]:
            grad_x = kernel("conv2d_backward_input", gy)(gy, grad, x.shape[2:], *self.options)
        if self.needs_input_grad[1]:
            oh, ow = gy.shape[2:]
            grad_gy = kernel("conv2d_forward", x)(x, grad, None,
                                                  *self.options)[:, :, :oh, :ow]
        return grad_x, grad_gy
