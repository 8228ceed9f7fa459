"""2-D convolution on the GPU: im2col and col2im as CUDA gathers around cuBLAS products.

The maths is the reference's (``minidl/kernels/reference/conv.py``): im2col copies every
window of the input into a column, and the convolution becomes a matrix product.  Here:

- The column matrix of a chunk of ``images`` images is one (C_in·KH·KW, images·L) array,
  L = OH·OW, with rows (c, p, q) and columns (n, i, j):
      cols[(c·KH + p)·KW + q, n·L + i·OW + j] = xpad[n, c, i·sh + p·dh, j·sw + q·dw]
  Group g owns the rows of its channels, so the matrix viewed as (G, K, images·L), with
  K = C_in/G·KH·KW, holds one column matrix per group, and ``batched_product`` multiplies
  all groups in one strided-batched cuBLAS call:
  product (G, C_out/G, images·L) = W (G, C_out/G, K) @ cols.
  One wide product per group uses cuBLAS far better than one thin product per image.
- The product's layout is (C_out, images, L); ``columns_to_batch`` transposes it back to
  NCHW and adds the bias in the same pass.
- Gathers, not scatters: each thread computes one output element.  im2col reads the one
  input pixel its column entry copies (or writes 0 in the padding); col2im, the adjoint,
  sums for one input pixel every column entry copied from it — at most KH·KW of them,
  found by inverting  y = i·sh - ph + p·dh  for each p (and likewise for x).  No two
  threads write the same element, so no atomics, and the sums are deterministic.
- Images are processed in chunks whose column matrix has at most ``COLUMN_BUDGET``
  elements, which bounds the memory a large batch needs.

Gradients (see the reference for the derivation), with gy = dL/dout as (C_out, images·L)
columns (``_as_columns``):
    dL/dW    = Σ over chunks of  gy (G, C_out/G, images·L) @ colsᵀ (G, images·L, K)
    dL/dcols = Wᵀ (G, K, C_out/G) @ gy,   then dL/dx = col2im(dL/dcols)
"""
from __future__ import annotations

import cupy

from ..geometry import conv_output_size
from .launch import compiled, contiguous, launch
from .linalg import batched_product

COLUMN_BUDGET = 1 << 27
"""Most elements in one chunk's column matrix (512 MiB in float32)."""

SOURCE = r"""
// The window geometry as 32-bit ints (integer arithmetic is much slower in 64 bits on a
// GPU): every size of one image plane and of the kernel fits, only flat indices need more.
#define WINDOW_GEOMETRY \
    const int H = height, W = width, KH = kernel_h, KW = kernel_w, SH = stride_h, \
        SW = stride_w, PH = pad_h, PW = pad_w, DH = dilation_h, DW = dilation_w, \
        OH = out_h, OW = out_w

// cols[(c·KH + p)·KW + q, n·OH·OW + i·OW + j] = x[n, c, i·sh - ph + p·dh, j·sw - pw + q·dw],
// or 0 where that pixel lies in the padding.  x is (images, C, H, W).  One thread per
// (c, n, i, j) writes that window position's KH·KW rows: the index arithmetic is done once
// for all the taps, and neighbouring threads write neighbouring columns.
extern "C" __global__ void im2col(
        const scalar_t* x, long long images, long long channels, long long height,
        long long width, long long kernel_h, long long kernel_w, long long stride_h,
        long long stride_w, long long pad_h, long long pad_w, long long dilation_h,
        long long dilation_w, long long out_h, long long out_w, scalar_t* cols) {
    WINDOW_GEOMETRY;
    long long columns = images * OH * OW;
    FOR_EACH_ITEM(index, channels * columns) {
        long long column = index % columns, c = index / columns;
        int j = column % OW;
        long long rest = column / OW;
        int i = rest % OH;
        long long n = rest / OH;
        const scalar_t* plane = x + (n * channels + c) * H * W;
        scalar_t* out = cols + c * KH * KW * columns + column;
        int top = i * SH - PH, left = j * SW - PW;
        for (int p = 0; p < KH; ++p) {
            int row = top + p * DH;
            bool row_inside = 0 <= row && row < H;
            for (int q = 0; q < KW; ++q, out += columns) {
                int col = left + q * DW;
                *out = row_inside && 0 <= col && col < W ? plane[row * W + col] : (scalar_t)0;
            }
        }
    }
}

// The adjoint of im2col: grad_x[n, c, y, x] = Σ cols[(c·KH + p)·KW + q, n·OH·OW + i·OW + j]
// over the taps (p, q) and output positions (i, j) with i·sh - ph + p·dh = y and
// j·sw - pw + q·dw = x.  For each tap p there is at most one such i:
// i = (y + ph - p·dh) / sh, when that division is exact and 0 <= i < OH.
extern "C" __global__ void col2im(
        const scalar_t* cols, long long images, long long channels, long long height,
        long long width, long long kernel_h, long long kernel_w, long long stride_h,
        long long stride_w, long long pad_h, long long pad_w, long long dilation_h,
        long long dilation_w, long long out_h, long long out_w, scalar_t* grad_x) {
    WINDOW_GEOMETRY;
    long long columns = images * OH * OW;
    FOR_EACH_ITEM(index, images * channels * H * W) {
        int x = index % W;
        long long rest = index / W;
        int y = rest % H;
        rest /= H;
        long long c = rest % channels, n = rest / channels;
        const scalar_t* taps = cols + c * KH * KW * columns + n * OH * OW;
        scalar_t total = 0;
        for (int p = 0; p < KH; ++p) {
            int top = y + PH - p * DH;                    // = i·sh for the window i
            if (top < 0 || top % SH != 0 || top / SH >= OH) continue;
            int i = top / SH;
            for (int q = 0; q < KW; ++q) {
                int left = x + PW - q * DW;               // = j·sw for the window j
                if (left < 0 || left % SW != 0 || left / SW >= OW) continue;
                total += taps[(p * KW + q) * columns + i * OW + left / SW];
            }
        }
        grad_x[index] = total;
    }
}

// out[n, o, l] = product[o, n, l] + bias[o]: the product's (C_out, images, L) layout
// transposed back to the batch's (images, C_out, L).
extern "C" __global__ void columns_to_batch(
        const scalar_t* product, const scalar_t* bias, long long images,
        long long channels, long long positions, scalar_t* out) {
    FOR_EACH_ITEM(index, images * channels * positions) {
        long long l = index % positions;
        long long rest = index / positions;
        long long o = rest % channels;
        long long n = rest / channels;
        out[index] = product[(o * images + n) * positions + l] + bias[o];
    }
}
"""


def _image_chunks(batch: int, columns_per_image: int):
    """[(n0, n1), ...]: consecutive images whose column matrix fits ``COLUMN_BUDGET``."""
    step = max(1, COLUMN_BUDGET // max(1, columns_per_image))
    return [(n0, min(batch, n0 + step)) for n0 in range(0, batch, step)]


def _geometry(kernel_hw, stride, padding, dilation, out_hw):
    """The geometry arguments of im2col and col2im, in their order."""
    return (*kernel_hw, *stride, *padding, *dilation, *out_hw)


def _im2col(x, kernel_hw, stride, padding, dilation, out_hw):
    """x (images, C, H, W) -> cols (C·KH·KW, images·OH·OW)."""
    images, channels, height, width = x.shape
    rows = channels * kernel_hw[0] * kernel_hw[1]
    cols = cupy.empty((rows, images * out_hw[0] * out_hw[1]), dtype=x.dtype)
    launch(compiled(SOURCE, "im2col", x.dtype), cols.size, x, images, channels, height,
           width, *_geometry(kernel_hw, stride, padding, dilation, out_hw), cols)
    return cols


def _col2im(cols, grad_x, kernel_hw, stride, padding, dilation, out_hw):
    """Fill grad_x (images, C, H, W) with the adjoint of im2col applied to cols."""
    images, channels, height, width = grad_x.shape
    launch(compiled(SOURCE, "col2im", cols.dtype), grad_x.size, cols, images, channels,
           height, width, *_geometry(kernel_hw, stride, padding, dilation, out_hw), grad_x)


def _as_columns(grad_out, groups):
    """gy (images, C_out, OH, OW) -> (G, C_out/G, images·OH·OW), the product's layout."""
    images, channels = grad_out.shape[:2]
    columns = cupy.ascontiguousarray(grad_out.reshape(images, channels, -1).transpose(1, 0, 2))
    return columns.reshape(groups, channels // groups, -1)


def conv2d_forward(x, weight, bias, stride, padding, dilation, groups):
    """out[n, o, i, j] = bias[o] + Σ_{c,p,q} weight[o, c, p, q] · xpad[n, c', i·sh + p·dh,
    j·sw + q·dw] with c' = channel c of o's group.

    x (N, C_in, H, W), weight (C_out, C_in/G, KH, KW), bias (C_out,) or None
    -> out (N, C_out, OH, OW).  stride, padding, dilation are (vertical, horizontal) pairs.
    """
    n, c_in, h, w = x.shape
    c_out, c_in_group, kh, kw = weight.shape
    dtype = x.dtype
    out_hw = tuple(conv_output_size(size, k, s, p, d) for size, k, s, p, d in
                   zip((h, w), (kh, kw), stride, padding, dilation))
    x = contiguous(x, dtype)
    w_groups = contiguous(weight, dtype).reshape(groups, c_out // groups, c_in_group * kh * kw)
    bias = cupy.zeros(c_out, dtype=dtype) if bias is None else contiguous(bias, dtype)
    out = cupy.empty((n, c_out, *out_hw), dtype=dtype)
    rows = c_in * kh * kw
    for n0, n1 in _image_chunks(n, rows * out_hw[0] * out_hw[1]):
        cols = _im2col(x[n0:n1], (kh, kw), stride, padding, dilation, out_hw)
        product = batched_product(w_groups, cols.reshape(groups, rows // groups, -1))
        launch(compiled(SOURCE, "columns_to_batch", dtype), out[n0:n1].size, product, bias,
               n1 - n0, c_out, out_hw[0] * out_hw[1], out[n0:n1])
    return out


def conv2d_backward_input(grad_out, weight, input_hw, stride, padding, dilation, groups):
    """dL/dx from gy = dL/dout: col2im of dL/dcols = Wᵀ @ gy, group by group.

    grad_out (N, C_out, OH, OW), weight (C_out, C_in/G, KH, KW), input_hw = (H, W)
    -> (N, C_in, H, W).  This is also the forward pass of conv_transpose2d, whose input
    plays the role of grad_out.
    """
    n, c_out, oh, ow = grad_out.shape
    _, c_in_group, kh, kw = weight.shape
    dtype = grad_out.dtype
    grad_out = contiguous(grad_out, dtype)
    w_groups = contiguous(weight, dtype).reshape(groups, c_out // groups, -1)
    grad_x = cupy.empty((n, c_in_group * groups, *input_hw), dtype=dtype)
    for n0, n1 in _image_chunks(n, c_in_group * groups * kh * kw * oh * ow):
        grad_cols = batched_product(w_groups, _as_columns(grad_out[n0:n1], groups),
                                    transpose_a=True)                      # (G, K, images·L)
        _col2im(grad_cols, grad_x[n0:n1], (kh, kw), stride, padding, dilation, (oh, ow))
    return grad_x


def conv_transpose2d_forward(x, weight, bias, output_hw, stride, padding, dilation,
                             groups):
    """The transposed convolution: y = conv2d_backward_input(x, weight) + bias (the
    reference's contract)."""
    y = conv2d_backward_input(x, weight, output_hw, stride, padding, dilation, groups)
    if bias is not None:
        y += bias.reshape(1, -1, 1, 1)
    return y


def conv2d_backward_bias(grad_out):
    """dL/dbias[o] = Σ_{n,i,j} gy[n, o, i, j]: grad_out (N, C_out, OH, OW) -> (C_out,),
    one CuPy reduction."""
    return grad_out.sum(axis=(0, 2, 3))


FEW_OUTPUTS = 1 << 17
"""A weight gradient with at most this many values (C_out x C_in·KH·KW) has too few output
tiles to fill the GPU's multiprocessors: its sum over the batch's positions is split."""

SPLIT_OUTPUTS = 1 << 22
"""Most values of the partial weight gradients of one split product (16 MiB in float32)."""


def _sum_splits(groups: int, c_out: int, rows: int, images: int) -> int:
    """Into how many parts the weight gradient's sum over ``images`` images' positions is
    cut (whole images each; 1: not cut): as many as fit ``SPLIT_OUTPUTS``, for one group
    and a gradient of at most ``FEW_OUTPUTS`` values."""
    outputs = c_out * rows
    if groups != 1 or outputs > FEW_OUTPUTS:
        return 1
    most = max(1, min(images, SPLIT_OUTPUTS // outputs))
    return max(s for s in range(1, most + 1) if images % s == 0)


def conv2d_backward_weight(x, grad_out, kernel_hw, stride, padding, dilation, groups):
    """dL/dweight[g, o, k] = Σ_{n,l} gy[n, g, o, l] · cols[n, g, k, l], cols = im2col(x).

    x (N, C_in, H, W), grad_out (N, C_out, OH, OW), kernel_hw = (KH, KW)
    -> (C_out, C_in/G, KH, KW).  The windows are those of grad_out's OH×OW positions (a
    transposed convolution with output_padding >= stride may leave x trailing windows
    with no gradient).  For conv_transpose2d call it with x = the gradient of the
    transposed convolution's output and grad_out = its input.
    """
    n, c_in = x.shape[:2]
    c_out, oh, ow = grad_out.shape[1:]
    kh, kw = kernel_hw
    dtype = x.dtype
    x, grad_out = contiguous(x, dtype), contiguous(grad_out, dtype)
    rows = c_in * kh * kw
    grad_w = None                   # the first chunk's product, then the others added to it
    for n0, n1 in _image_chunks(n, rows * oh * ow):
        cols = _im2col(x[n0:n1], kernel_hw, stride, padding, dilation, (oh, ow))
        grad_w = batched_product(_as_columns(grad_out[n0:n1], groups),
                                 cols.reshape(groups, rows // groups, -1), transpose_b=True,
                                 out=grad_w, splits=_sum_splits(groups, c_out, rows, n1 - n0))
    if grad_w is None:                                            # an empty batch
        grad_w = cupy.zeros((groups, c_out // groups, rows // groups), dtype=dtype)
    return grad_w.reshape(c_out, c_in // groups, kh, kw)
