"""2-D convolution on the GPU: im2col and col2im as CUDA gathers around cuBLAS products.

The maths is the reference's (``minidl/kernels/reference/conv.py``): im2col copies every
window of the input into a column, and the convolution becomes a matrix product.  Here:

- The column matrix of a chunk of ``images`` images is one (C_in·KH·KW, images·L) array,
  L = OH·OW, with rows (c, p, q) and columns (n, i, j):
      cols[(c·KH + p)·KW + q, n·L + i·OW + j] = xpad[n, c, i·sh + p·dh, j·sw + q·dw]
  Group g owns the rows of its channels, so the matrix viewed as (G, K, images·L), with
  K = C_in/G·KH·KW, holds one column matrix per group, and ``cupy.matmul`` multiplies all
  groups in one batched cuBLAS call: product (G, C_out/G, images·L) = W (G, C_out/G, K) @ cols.
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

COLUMN_BUDGET = 1 << 27
"""Most elements in one chunk's column matrix (512 MiB in float32)."""

SOURCE = r"""
// cols[(c·KH + p)·KW + q, n·OH·OW + i·OW + j] = x[n, c, i·sh - ph + p·dh, j·sw - pw + q·dw],
// or 0 where that pixel lies in the padding.  x is (images, C, H, W).
extern "C" __global__ void im2col(
        const scalar_t* x, long long images, long long channels, long long height,
        long long width, long long kernel_h, long long kernel_w, long long stride_h,
        long long stride_w, long long pad_h, long long pad_w, long long dilation_h,
        long long dilation_w, long long out_h, long long out_w, scalar_t* cols) {
    long long count = channels * kernel_h * kernel_w * images * out_h * out_w;
    FOR_EACH_ITEM(index, count) {
        long long j = index % out_w;
        long long rest = index / out_w;
        long long i = rest % out_h;
        rest /= out_h;
        long long n = rest % images;
        rest /= images;
        long long q = rest % kernel_w;
        rest /= kernel_w;
        long long p = rest % kernel_h;
        long long c = rest / kernel_h;
        long long row = i * stride_h - pad_h + p * dilation_h;
        long long column = j * stride_w - pad_w + q * dilation_w;
        bool inside = 0 <= row && row < height && 0 <= column && column < width;
        cols[index] = inside ? x[((n * channels + c) * height + row) * width + column]
                             : (scalar_t)0;
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
    long long count = images * channels * height * width;
    long long positions = out_h * out_w;
    FOR_EACH_ITEM(index, count) {
        long long x = index % width;
        long long rest = index / width;
        long long y = rest % height;
        rest /= height;
        long long c = rest % channels;
        long long n = rest / channels;
        scalar_t total = 0;
        for (long long p = 0; p < kernel_h; ++p) {
            long long top = y + pad_h - p * dilation_h;          // = i·sh for the window i
            if (top < 0 || top % stride_h != 0 || top / stride_h >= out_h) continue;
            long long i = top / stride_h;
            for (long long q = 0; q < kernel_w; ++q) {
                long long left = x + pad_w - q * dilation_w;     // = j·sw for the window j
                if (left < 0 || left % stride_w != 0 || left / stride_w >= out_w) continue;
                long long j = left / stride_w;
                long long row = (c * kernel_h + p) * kernel_w + q;
                total += cols[(row * images + n) * positions + i * out_w + j];
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
        product = cupy.matmul(w_groups, cols.reshape(groups, rows // groups, -1))
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
    w_t = contiguous(weight, dtype).reshape(groups, c_out // groups, -1).transpose(0, 2, 1)
    grad_x = cupy.empty((n, c_in_group * groups, *input_hw), dtype=dtype)
    for n0, n1 in _image_chunks(n, c_in_group * groups * kh * kw * oh * ow):
        grad_cols = cupy.matmul(w_t, _as_columns(grad_out[n0:n1], groups))  # (G, K, images·L)
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
    grad_w = cupy.zeros((groups, c_out // groups, rows // groups), dtype=dtype)
    for n0, n1 in _image_chunks(n, rows * oh * ow):
        cols = _im2col(x[n0:n1], kernel_hw, stride, padding, dilation, (oh, ow))
        cols_t = cols.reshape(groups, rows // groups, -1).transpose(0, 2, 1)  # (G, images·L, K)
        grad_w += cupy.matmul(_as_columns(grad_out[n0:n1], groups), cols_t)
    return grad_w.reshape(c_out, c_in // groups, kh, kw)
