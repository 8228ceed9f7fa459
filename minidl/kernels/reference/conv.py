"""2-D convolution and its two gradients, written to be read (the oracle of the fast kernels).

Shapes (NCHW):
    x       (N, C_in, H, W)              a batch of N images with C_in channels
    weight  (C_out, C_in/G, KH, KW)      G groups: output channel o sees only the C_in/G
                                         input channels of its group g = o // (C_out/G)
    bias    (C_out,) or None
    out     (N, C_out, OH, OW)           OH = ⌊(H + 2·ph - dh·(KH-1) - 1) / sh⌋ + 1,
                                         and OW alike

With x padded by zeros (xpad, size H + 2·ph by W + 2·pw), the convolution (a correlation,
as in every deep learning library) is

    out[n, o, i, j] = bias[o] + Σ_{c, p, q} weight[o, c, p, q] · xpad[n, g·C_in/G + c,
                                                                       i·sh + p·dh,
                                                                       j·sw + q·dw]

The trick that turns this into one matrix product is **im2col**: copy, for every output
position (i, j), the KH·KW pixels its window sees into a column,

    cols[n, c, p, q, i, j] = xpad[n, c, i·sh + p·dh, j·sw + q·dw]

so that, with the rows (c, p, q) of one group flattened into k and the positions (i, j)
flattened into l,

    out[n, g, o, l] = Σ_k weight[g, o, k] · cols[n, g, k, l]          (a matrix product)

The two gradients follow from this product.  Given gy = dL/dout:

    dL/dweight[g, o, k] = Σ_{n, l} gy[n, g, o, l] · cols[n, g, k, l]
    dL/dcols[n, g, k, l] = Σ_o weight[g, o, k] · gy[n, g, o, l]
    dL/dx = col2im(dL/dcols): every column entry is added back to the pixel it was
            copied from (a pixel seen by several windows collects several terms)

``col2im`` is the adjoint (the transpose) of ``im2col``, and ``conv2d_backward_input`` is
exactly a transposed convolution: ``conv_transpose2d``'s forward pass is this function.
"""
from __future__ import annotations

import numpy as np

from ..geometry import conv_output_size


def im2col(x, kernel_hw, stride, padding, dilation):
    """Copy every window of x into a column: (N, C, H, W) -> (N, C, KH, KW, OH, OW).

    cols[n, c, p, q, i, j] = xpad[n, c, i·sh + p·dh, j·sw + q·dw]
    For one kernel offset (p, q), the pixels seen by all output positions form a strided
    slice of xpad, so two loops over (p, q) fill the whole array.
    """
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel_hw, stride, padding, dilation
    oh = conv_output_size(h, kh, sh, ph, dh)
    ow = conv_output_size(w, kw, sw, pw, dw)
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=x.dtype)
    for p in range(kh):
        for q in range(kw):
            top, left = p * dh, q * dw
            cols[:, :, p, q] = xpad[:, :, top:top + sh * (oh - 1) + 1:sh,
                                    left:left + sw * (ow - 1) + 1:sw]
    return cols


def col2im(cols, input_hw, stride, padding, dilation):
    """The adjoint of ``im2col``: (N, C, KH, KW, OH, OW) -> (N, C, H, W).

    dx[n, c, y, x] = Σ over every (p, q, i, j) with i·sh + p·dh = y + ph and
    j·sw + q·dw = x + pw of cols[n, c, p, q, i, j]
    Each slice that im2col read is added back; the padding border is then cut off.
    """
    n, c, kh, kw, oh, ow = cols.shape
    (h, w), (sh, sw), (ph, pw), (dh, dw) = input_hw, stride, padding, dilation
    grad_pad = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    for p in range(kh):
        for q in range(kw):
            top, left = p * dh, q * dw
            grad_pad[:, :, top:top + sh * (oh - 1) + 1:sh,
                     left:left + sw * (ow - 1) + 1:sw] += cols[:, :, p, q]
    return grad_pad[:, :, ph:ph + h, pw:pw + w]


def _grouped(array, groups):
    """(N, C, ...) -> (N, G, C/G, flattened rest): the channels split into their groups."""
    return array.reshape(array.shape[0], groups, array.shape[1] // groups, -1)


def conv2d_forward(x, weight, bias, stride, padding, dilation, groups):
    """out[n, o, i, j] = bias[o] + Σ_{c,p,q} weight[o, c, p, q] · xpad[n, c', i·sh + p·dh,
    j·sw + q·dw] with c' = channel c of o's group.

    x (N, C_in, H, W), weight (C_out, C_in/G, KH, KW), bias (C_out,) or None
    -> out (N, C_out, OH, OW).  stride, padding, dilation are (vertical, horizontal) pairs.
    """
    n = x.shape[0]
    c_out, c_in_group, kh, kw = weight.shape
    cols = im2col(x, (kh, kw), stride, padding, dilation)       # (N, C_in, KH, KW, OH, OW)
    oh, ow = cols.shape[-2:]
    cols = cols.reshape(n, groups, c_in_group * kh * kw, oh * ow)  # (N, G, K, L)
    w = weight.reshape(groups, c_out // groups, c_in_group * kh * kw)  # (G, C_out/G, K)
    out = np.einsum("gok,ngkl->ngol", w, cols)                   # (N, G, C_out/G, L)
    out = out.reshape(n, c_out, oh, ow)
    if bias is not None:
        out = out + bias.reshape(1, c_out, 1, 1)
    return out


def conv2d_backward_input(grad_out, weight, input_hw, stride, padding, dilation, groups):
    """dL/dx from gy = dL/dout: col2im of
    dL/dcols[n, g, k, l] = Σ_o weight[g, o, k] · gy[n, g, o, l].

    grad_out (N, C_out, OH, OW), weight (C_out, C_in/G, KH, KW), input_hw = (H, W)
    -> (N, C_in, H, W).  This is also the forward pass of conv_transpose2d, whose input
    plays the role of grad_out.
    """
    n, c_out, oh, ow = grad_out.shape
    _, c_in_group, kh, kw = weight.shape
    w = weight.reshape(groups, c_out // groups, c_in_group * kh * kw)  # (G, C_out/G, K)
    gy = _grouped(grad_out, groups)                                # (N, G, C_out/G, L)
    grad_cols = np.einsum("gok,ngol->ngkl", w, gy)                 # (N, G, K, L)
    grad_cols = grad_cols.reshape(n, groups * c_in_group, kh, kw, oh, ow)
    return col2im(grad_cols, input_hw, stride, padding, dilation)


def conv_transpose2d_forward(x, weight, bias, output_hw, stride, padding, dilation,
                             groups):
    """The transposed convolution: y = conv2d_backward_input(x, weight) + bias, the
    adjoint of the convolution with the same weight.  x (N, C_in, H, W) plays the role of
    grad_out; weight (C_in, C_out/G, KH, KW); bias (C_out,) or None -> (N, C_out,
    *output_hw)."""
    y = conv2d_backward_input(x, weight, output_hw, stride, padding, dilation, groups)
    if bias is not None:
        y += bias.reshape(1, -1, 1, 1)
    return y


def conv2d_backward_bias(grad_out):
    """dL/dbias[o] = Σ_{n,i,j} gy[n, o, i, j]: every output the bias o was added to passes
    its gradient back to it.  grad_out (N, C_out, OH, OW) -> (C_out,)."""
    return grad_out.sum(axis=(0, 2, 3))


def conv2d_backward_weight(x, grad_out, kernel_hw, stride, padding, dilation, groups):
    """dL/dweight[g, o, k] = Σ_{n,l} gy[n, g, o, l] · cols[n, g, k, l], cols = im2col(x).

    x (N, C_in, H, W), grad_out (N, C_out, OH, OW), kernel_hw = (KH, KW)
    -> (C_out, C_in/G, KH, KW).  For conv_transpose2d call it with x = the gradient of the
    transposed convolution's output and grad_out = its input.
    """
    n, c_in = x.shape[:2]
    c_out, oh, ow = grad_out.shape[1:]
    kh, kw = kernel_hw
    # Only the windows that have a gradient count.  (They are all of x's windows, except
    # for a transposed convolution whose output_padding >= stride left trailing rows of
    # its output that no input pixel reaches.)
    cols = im2col(x, kernel_hw, stride, padding, dilation)[..., :oh, :ow]
    cols = cols.reshape(n, groups, (c_in // groups) * kh * kw, oh * ow)  # (N, G, K, L)
    gy = _grouped(grad_out, groups)                                # (N, G, C_out/G, L)
    grad_w = np.einsum("ngol,ngkl->gok", gy, cols)                 # (G, C_out/G, K)
    return grad_w.reshape(c_out, c_in // groups, kh, kw)
