"""2-D convolution on the CPU: matrix products (NumPy's BLAS) around Numba data movers.

The maths is the reference's (``minidl/kernels/reference/conv.py``): im2col turns the
convolution into a matrix product.  The work is split three ways:

- ``im2col.py``: the Numba loops that copy pixels into column matrices and add column
  gradients back (block copies, padding never materialised, nothing copied at all for a
  pointwise 1x1 convolution);
- ``tiles.py``: which output positions make one tile, one matrix product, and which worker
  owns which tiles (``workers.py`` runs them);
- ``scratch.py``: the buffers the columns, phases and gathered tiles live in, kept by
  each thread across calls (only the outputs are allocated per call);
- this file: the three kernels, each a loop over its worker's tiles of (columns, GEMM,
  write-back), GEMMs with one thread each, the workers side by side.

Stride-1 float32 convolutions with a few dozen channels go to the direct kernel
(``direct.py``; ``direct_applies`` holds the measured rule; on AMD's Zen cores, those
whose output rows leave its lanes idle go along output channels instead,
``channels_before_rows``): the forward pass, and the input gradient as the flipped
convolution; so do the weight gradients of stride-1 first
layers (few window products) and of layers with few output channels
(``direct_weight_gradient_applies``), and strided first layers as the stride-1
convolutions of their input's phases (``phases.py``, ``_phases_take``): the forward pass,
and the weight gradient of those with fewer than 18 window products.  Other float32
convolutions with enough window products (strided ones, small images) go to the direct
kernel along output channels (``channel_direct.py``, ``channel_direct_applies``), the
same two ways (and the input gradients of strided ones, in phases), and so do the weight
gradients of those, of the direct kernel's convolutions and of strided first layers with
18 or more window products (``STRIDED_WEIGHT_GRADIENT_MIN_TAPS``).  3x3 stride-1
convolutions with enough channels go to Winograd's algorithm (``winograd.py``;
``winograd_tile`` holds the measured rule), in all three kernels.  Other stride-1
convolutions with fewer output than input channels take their gradients through the
flipped convolution (``_flipped_is_cheaper`` says why).
"""
from __future__ import annotations

from functools import partial

import numpy as np

from ..geometry import conv_output_size
from .channel_direct import (
    channel_direct_applies,
    channel_direct_forward,
    channel_direct_input_gradient,
    channel_direct_input_gradient_applies,
    channel_direct_weight_gradient,
    channel_direct_weight_gradient_applies,
    channels_before_rows,
    wide_layers_along_channels,
)
from .direct import (
    direct_applies,
    direct_forward,
    direct_weight_gradient,
    direct_weight_gradient_applies,
)
from .im2col import Col2im, ConvGeometry, Im2col, batch_to_columns, columns_to_batch
from .phases import phase_input, phase_kernel_size, phase_weight, weight_from_phases
from .reductions import row_totals
from .scratch import scratch
from .tiles import MIN_WEIGHT_TILE_WIDTH, TilePlan, plan_tiles
from .winograd import (
    winograd_backward_input,
    winograd_backward_weight,
    winograd_forward,
    winograd_tile,
)
from .workers import run_blocks, worker_count

OUTPUT_TILE = "output tile"
"""The scratch name of a tile's outputs (forward products) or output gradients (gathered
for the backward products), side by side: each kernel uses one of them, so they share."""

TRANSPOSED_WEIGHT_SUM_BELOW = 256
"""Output channels per group below which the weight gradient is summed transposed."""


def _grouped_weight(weight, groups):
    """(C_out, C_in/G, KH, KW) -> (G, C_out/G, C_in/G·KH·KW), a view."""
    return weight.reshape(groups, weight.shape[0] // groups, -1)


def _per_image(cols, groups, images):
    """A tile's column matrix (G·K, images·width) as (images, G, K, width): each image's
    block, a strided view that BLAS takes as it is."""
    return cols.reshape(groups, cols.shape[0] // groups, images, -1).transpose(2, 0, 1, 3)


def _output_gradient_tile(gy, n0, n1, l0, l1, buffer):
    """gy (N, G, C_out/G, L) restricted to a tile, as (G, C_out/G, columns): a view when
    the tile lies in one image, else gathered into ``buffer``."""
    if n1 - n0 == 1:
        return gy[n0, :, :, l0:l1]
    n, groups, c_group, plane = gy.shape
    columns = (n1 - n0) * (l1 - l0)
    tile = buffer[:groups * c_group * columns].reshape(groups, c_group, columns)
    batch_to_columns(gy.reshape(n, groups * c_group, plane), n0, l0, l1,
                     tile.reshape(groups * c_group, columns))
    return tile


def _plan(geometry: ConvGeometry, batch, rows, channels, workers, min_width=None) -> TilePlan:
    return plan_tiles(batch, geometry.oh * geometry.ow, rows, channels, workers, min_width,
                      one_image_per_tile=geometry.pointwise)


# -- forward --------------------------------------------------------------------------------

def _forward_tiles(tiles, x, w_g, bias, out, geometry, plan, folds_bias):
    """One worker's tiles of the forward pass: out_g = weight_g @ cols_g, + bias.
    out (N, G, C_out/G, L) is written only at the tiles' positions.  The bias is added by
    the write-back of gathered tiles, else by the product itself when ``folds_bias`` (w_g
    is then [W | b], the columns get a row of ones), else by a pass over the output."""
    n, groups, c_group, plane = out.shape
    im2col = Im2col(x, geometry, plan.most_images, plan.most_columns, ones_row=folds_bias)
    product_buffer = scratch(OUTPUT_TILE, groups * c_group * plan.most_columns
                             if plan.side_by_side else 0, x.dtype)
    flat_bias = np.zeros(groups * c_group, x.dtype) if bias is None else bias
    for n0, n1, l0, l1 in tiles:
        cols = im2col.columns(n0, n1, l0, l1)
        if not plan.side_by_side:                # one GEMM per image, into out directly
            target = out[n0:n1, :, :, l0:l1]
            np.matmul(w_g, _per_image(cols, groups, n1 - n0), out=target)
            if bias is not None and not folds_bias:
                target += bias.reshape(groups, c_group, 1)
            continue
        columns = cols.shape[1]
        product = product_buffer[:groups * c_group * columns].reshape(groups, c_group, columns)
        np.matmul(w_g, cols.reshape(groups, -1, columns), out=product)
        columns_to_batch(product.reshape(groups * c_group, columns), flat_bias, n0, l0, l1,
                         out.reshape(n, groups * c_group, plane))


def conv2d_forward(x, weight, bias, stride, padding, dilation, groups):
    """out[n, o, i, j] = bias[o] + Σ_{c,p,q} weight[o, c, p, q] · xpad[n, c', i·sh + p·dh,
    j·sw + q·dw] with c' = channel c of o's group.

    x (N, C_in, H, W), weight (C_out, C_in/G, KH, KW), bias (C_out,) or None
    -> out (N, C_out, OH, OW).  Per tile and group g:
    out_g (C_out/G, columns) = weight_g (C_out/G, K) @ cols_g (K, columns).
    """
    x = np.ascontiguousarray(x)
    weight = np.ascontiguousarray(weight)
    n, c_in, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    oh = conv_output_size(h, kh, stride[0], padding[0], dilation[0])
    ow = conv_output_size(w, kw, stride[1], padding[1], dilation[1])
    tile = winograd_tile((kh, kw), stride, padding, dilation, groups, c_in, c_out, (oh, ow))
    workers = worker_count()
    channels = (channel_direct_applies(x.dtype, (kh, kw), stride, groups, c_in, c_out,
                                       tile is not None, (oh, ow))
                or wide_layers_along_channels(x.dtype, (kh, kw), stride, groups, c_in, c_out))
    if (direct_applies(x.dtype, (h, w), (kh, kw), stride, padding, dilation, groups, c_in,
                       c_out, winograd=tile is not None)
            and not (channels and channels_before_rows((kh, kw), c_in, c_out, (oh, ow)))):
        return direct_forward(x, weight, bias, padding, dilation, workers)
    if channels:
        return channel_direct_forward(x, weight, bias, stride, padding, dilation, workers)
    if _phases_take(x.dtype, (kh, kw), stride, dilation, groups, c_in, c_out, (oh, ow)):
        return direct_forward(x, phase_weight(weight, stride), bias, padding, (1, 1),
                              workers, stride, (oh, ow))
    if tile is not None:
        return winograd_forward(x, weight, bias, padding, tile)
    geometry = ConvGeometry((h, w), (kh, kw), stride, padding, dilation, (oh, ow))
    plan = _plan(geometry, n, c_in * kh * kw, c_out, workers)
    out = np.empty((n, groups, c_out // groups, oh * ow), dtype=x.dtype)
    bias = None if bias is None else np.ascontiguousarray(bias, dtype=x.dtype)
    w_g = _grouped_weight(weight, groups)
    # one group, columns copied per image: the bias rides in the product, [W | b] @ [cols; 1]
    folds_bias = (bias is not None and groups == 1 and not plan.side_by_side
                  and not geometry.pointwise)
    if folds_bias:
        w_g = np.concatenate([w_g, bias.reshape(1, -1, 1)], axis=2)
    run_blocks(partial(_forward_tiles, x=x, w_g=w_g, bias=bias, out=out, geometry=geometry,
                       plan=plan, folds_bias=folds_bias), plan.tiles, workers)
    return out.reshape(n, c_out, oh, ow)


# -- bias gradient --------------------------------------------------------------------------

def conv2d_backward_bias(grad_out):
    """dL/dbias[o] = Σ_{n,i,j} gy[n, o, i, j]: grad_out (N, C_out, OH, OW) -> (C_out,).  Each
    plane summed (the workers share the N·C_out planes), then the planes of each channel
    added over the batch.  (As a matrix-vector product, (N·C_out, OH·OW) @ ones, BLAS ran
    it on one core at 27 GB/s: 155 µs for 64x64x16x16 against 49 for PyTorch.)"""
    n, channels, height, width = grad_out.shape
    planes = row_totals(grad_out.reshape(n * channels, height * width))
    return planes.reshape(n, channels).sum(axis=0)


# -- input gradient -------------------------------------------------------------------------

def _input_gradient_tiles(image_groups, gy, w_t, grad_x, geometry, plan):
    """One worker's images of dL/dx: per tile, dcols_g = weight_gᵀ @ gy_g, then col2im.
    gy (N, G, C_out/G, L), w_t (G, K, C_out/G)."""
    groups = w_t.shape[0]
    col2im = Col2im(grad_x, geometry, plan.most_images, plan.most_columns)
    gy_buffer = scratch(OUTPUT_TILE, gy.shape[1] * gy.shape[2] * plan.most_columns
                        if plan.side_by_side else 0, gy.dtype)
    for n0, n1, l0, l1 in (tile for image_group in image_groups for tile in image_group):
        grad_cols = col2im.gradient_columns(n0, n1, l0, l1)
        if plan.side_by_side:
            np.matmul(w_t, _output_gradient_tile(gy, n0, n1, l0, l1, gy_buffer),
                      out=grad_cols.reshape(groups, -1, grad_cols.shape[1]))
        else:                                    # one GEMM per image, from gy directly
            np.matmul(w_t, gy[n0:n1, :, :, l0:l1], out=_per_image(grad_cols, groups, n1 - n0))
        col2im.add(n0, n1, l0, l1, grad_cols)
    col2im.finish()


def conv2d_backward_input(grad_out, weight, input_hw, stride, padding, dilation, groups):
    """dL/dx = col2im(weightᵀ @ gy): per tile and group,
    dcols_g (K, columns) = weight_gᵀ (K, C_out/G) @ gy_g (C_out/G, columns).

    grad_out (N, C_out, OH, OW), weight (C_out, C_in/G, KH, KW), input_hw = (H, W)
    -> (N, C_in, H, W).
    """
    return _input_gradient(grad_out, weight, input_hw, stride, padding, dilation, groups,
                           None)


def conv_transpose2d_forward(x, weight, bias, output_hw, stride, padding, dilation,
                             groups):
    """The transposed convolution, conv2d_backward_input(x, weight) + bias: x (N, C_in, H,
    W), weight (C_in, C_out/G, KH, KW), bias (C_out,) or None -> (N, C_out, *output_hw).
    The kernels that start their sums at a bias (the direct ones, Winograd's) add it as
    they go; a pass of its own over the output had been 0.33 ms of 4.5 (64x128x8x8 ->
    64 4x4/2)."""
    return _input_gradient(x, weight, output_hw, stride, padding, dilation, groups, bias)


def _input_gradient(grad_out, weight, input_hw, stride, padding, dilation, groups, bias):
    """conv2d_backward_input's routes, + bias (C_in,) or None."""
    grad_out = np.ascontiguousarray(grad_out)
    weight = np.ascontiguousarray(weight)
    n, c_out, oh, ow = grad_out.shape
    _, c_in_group, kh, kw = weight.shape
    c_in = c_in_group * groups
    # dL/dx of a stride-1 convolution is one too, the flipped convolution: of gy, padded
    # by d·(K - 1) - p, with the filter flipped (and the channels' roles swapped), when
    # it gives exactly H x W; the direct kernel or Winograd's computes it, where either
    # applies, else it goes through the columns below unless the flip is cheaper
    if _flips(input_hw, (oh, ow), (kh, kw), stride, padding, dilation):
        flipped_padding = _flipped_padding((kh, kw), padding, dilation)
        tile = winograd_tile((kh, kw), stride, flipped_padding, dilation, groups, c_out,
                             c_in, input_hw)
        if (direct_applies(grad_out.dtype, (oh, ow), (kh, kw), stride, flipped_padding,
                           dilation, groups, c_out, c_in, winograd=tile is not None)
                or channel_direct_applies(grad_out.dtype, (kh, kw), stride, groups, c_out,
                                          c_in, tile is not None, input_hw)
                or _flipped_is_cheaper(c_in, c_out)):
            return _flipped_forward(grad_out, weight, padding, dilation, groups, bias)
        if tile is not None:
            return winograd_backward_input(grad_out, weight, padding, tile, bias)
    workers = worker_count()
    if channel_direct_input_gradient_applies(grad_out.dtype, input_hw, (kh, kw), stride,
                                             groups, c_in, c_out):
        return channel_direct_input_gradient(grad_out, weight, input_hw, stride, padding,
                                             dilation, workers, bias)
    geometry = ConvGeometry(input_hw, (kh, kw), stride, padding, dilation, (oh, ow))
    plan = _plan(geometry, n, max(c_in * kh * kw, c_out), c_out, workers)
    grad_x = np.zeros((n, c_in, *input_hw), dtype=grad_out.dtype)
    run_blocks(partial(_input_gradient_tiles,
                       gy=grad_out.reshape(n, groups, c_out // groups, oh * ow),
                       w_t=_grouped_weight(weight, groups).transpose(0, 2, 1),
                       grad_x=grad_x, geometry=geometry, plan=plan),
               plan.by_image(), workers)
    if bias is not None:
        grad_x += bias.reshape(1, -1, 1, 1)
    return grad_x


FLIPPED_CHANNEL_RATIO = 1.0
"""The gradients of a stride-1 convolution with C_out < this x C_in go through the flipped
convolution (``_flipped_is_cheaper``).  Measured for the input gradient, flipped /
col2im: 0.18 for 16x2x200x200 -> 16 channels, 0.75-0.87 for 24-32 -> 33-64 channels,
1.00-1.07 for as many channels on both sides."""


def _phases_take(dtype, kernel_hw, stride, dilation, groups, c_in, c_out, out_hw,
                 weight_gradient=False) -> bool:
    """Whether a strided convolution goes to the direct kernels as the stride-1
    convolution of its input's phases (``phases.py``): no dilation, a window that the
    stride divides (no product wasted on a zero tap) or a single input channel, and that
    convolution within the rule of the direct forward pass (``weight_gradient``: of the
    direct weight gradient).  Measured on 2 cores, phases / the route before (im2col),
    forward and weight gradient: 0.84 and 0.70 for 64x3x32x32 -> 64 4x4/2, 0.86 and 0.73
    for 64x3x64x64 -> 32 4x4/2; 3x3/2, 16 products a channel where it had 9: 0.55 and
    0.45 for 32x1x32x32 -> 32, 0.73 and 0.61 for 64x1x28x28 -> 32, but 1.15 and 1.08 for
    32x3x32x32 -> 32."""
    if tuple(stride) == (1, 1) or tuple(dilation) != (1, 1):
        return False
    if (kernel_hw[0] % stride[0] or kernel_hw[1] % stride[1]) and c_in > 1:
        return False
    kernel = phase_kernel_size(kernel_hw, stride)
    channels = c_in * stride[0] * stride[1]
    if weight_gradient:
        return direct_weight_gradient_applies(dtype, kernel, (1, 1), groups, channels, c_out)
    phase_hw = (out_hw[0] + kernel[0] - 1, out_hw[1] + kernel[1] - 1)
    return direct_applies(dtype, phase_hw, kernel, (1, 1), (0, 0), (1, 1), groups, channels,
                          c_out, winograd=False)


def _flips(input_hw, out_hw, kernel_hw, stride, padding, dilation) -> bool:
    """Whether the gradients of a convolution are flipped convolutions: stride 1, padding
    at most the dilated kernel's reach (so that the flipped one's is not negative).

    The gradients of y = x ⋆ w (stride 1) are convolutions of the same kind: dL/dx is gy
    convolved with w flipped in space and its channel roles swapped, and dL/dw (flipped)
    is the weight gradient of that flipped convolution, with x in the role of its output
    gradient (``_flipped_forward``, ``_flipped_weight_gradient``)."""
    if tuple(stride) != (1, 1):
        return False
    reach = [d * (k - 1) for k, d in zip(kernel_hw, dilation)]
    return (all(0 <= p <= r for p, r in zip(padding, reach))
            and all(o == h + 2 * p - r
                    for o, h, p, r in zip(out_hw, input_hw, padding, reach)))


def _flipped_is_cheaper(c_in, c_out) -> bool:
    """Whether the gradients of a flipping convolution (``_flips``) go through the flipped
    convolution on the im2col route for their channel counts: fewer output channels than
    input channels.  The unflipped route builds columns of C_in·KH·KW rows and, for dL/dx,
    multiplies over an inner dimension of C_out (BLAS is slow when it is small: 2 in the
    last layer of a colourizer); the flipped route builds C_out·KH·KW rows and multiplies
    over C_out·KH·KW."""
    return c_out < FLIPPED_CHANNEL_RATIO * c_in


def _flipped_padding(kernel_hw, padding, dilation):
    """The padding of the flipped convolution: the dilated kernel's reach minus p."""
    return tuple(d * (k - 1) - p for k, p, d in zip(kernel_hw, padding, dilation))


def _flipped_forward(grad_out, weight, padding, dilation, groups, bias=None):
    """dL/dx of a stride-1 convolution as a forward one: of gy (N, C_out, OH, OW), padded
    by d·(K - 1) - p, with the filter flipped in space and its channel roles swapped
    within each group, (C_in, C_out/G, KH, KW): dL/dx[c, y, x] = Σ_{o,p,q} gy[o, y + p·d
    - p', x + ...]·w[o, c, K-1-p, ...], the adjoint of the forward's window sum."""
    c_out, c_in_group, kh, kw = weight.shape
    swapped = (weight.reshape(groups, c_out // groups, c_in_group, kh, kw)
               .transpose(0, 2, 1, 3, 4)[..., ::-1, ::-1]
               .reshape(groups * c_in_group, c_out // groups, kh, kw))
    return conv2d_forward(grad_out, np.ascontiguousarray(swapped), bias, (1, 1),
                          _flipped_padding((kh, kw), padding, dilation), dilation, groups)


def _flipped_weight_gradient(x, grad_out, kernel_hw, padding, dilation):
    """dL/dw of a stride-1, ungrouped convolution through the flipped one: its weight
    gradient with gy (N, C_out, OH, OW) as the input and x (N, C_in, H, W) as the output
    gradient is (C_in, C_out, KH, KW), dL/dw with the channel roles swapped and the
    filter flipped: dL/dw[o, c, p, q] = Σ gy[n, o, y, x]·x[n, c, y + p·d - p', ...]."""
    swapped = conv2d_backward_weight(grad_out, x, kernel_hw, (1, 1),
                                     _flipped_padding(kernel_hw, padding, dilation),
                                     dilation, 1, may_flip=False)
    return np.ascontiguousarray(swapped.transpose(1, 0, 2, 3)[..., ::-1, ::-1])


# -- weight gradient ------------------------------------------------------------------------

def _sums_transposed(c_group) -> bool:
    """Whether the weight gradient is summed transposed, (G, K, C_out/G)."""
    return c_group < TRANSPOSED_WEIGHT_SUM_BELOW


class _WeightGradientSum:
    """One worker's running sum of dL/dweight_g = Σ products a @ bᵀ over its tiles.

    For few output channels the sum is kept transposed, (G, K, C_out/G) = Σ cols @ gyᵀ:
    BLAS runs that shape markedly faster; for many, the transpose at the end would cost
    more than it saves, and the sum is (G, C_out/G, K) = Σ gy @ colsᵀ.  The sum is a new
    array, not scratch: it outlives the worker's block (a pool thread may run another
    block of the same call before the sums are added).
    """

    def __init__(self, groups, k, c_group, dtype):
        self.transposed = _sums_transposed(c_group)
        self.shape = (groups, k, c_group) if self.transposed else (groups, c_group, k)
        self.dtype = dtype
        self.total = None

    def add(self, cols, gy):
        """cols (G, K, columns), gy (G, C_out/G, columns)."""
        a, b = (cols, gy) if self.transposed else (gy, cols)
        if self.total is None:
            self.total = np.matmul(a, b.transpose(0, 2, 1))
            return
        term = scratch("weight gradient term", self.shape, self.dtype)
        np.matmul(a, b.transpose(0, 2, 1), out=term)
        self.total += term

    def add_per_image(self, cols, gy, buffer):
        """The same sum from a tile of several images, one product per image (BLAS runs
        a long inner dimension slowly when the result is small): cols (images, G, K,
        width), gy (images, G, C_out/G, width), ``buffer`` room for the images' products."""
        a, b = (cols, gy) if self.transposed else (gy, cols)
        products = buffer[:len(cols) * np.prod(self.shape)].reshape(len(cols), *self.shape)
        np.matmul(a, b.transpose(0, 1, 3, 2), out=products)
        if self.total is None:
            self.total = products.sum(axis=0)
            return
        term = scratch("weight gradient term", self.shape, self.dtype)
        self.total += np.sum(products, axis=0, out=term)

    def result(self):
        """The sum as (G, C_out/G, K)."""
        if self.total is None:
            return np.zeros((self.shape[0], self.shape[2], self.shape[1]) if self.transposed
                            else self.shape, self.dtype)
        return self.total.transpose(0, 2, 1) if self.transposed else self.total


def _weight_gradient_tiles(tiles, x, gy, geometry, plan):
    """One worker's sum of dL/dweight_g = Σ gy_g @ cols_gᵀ over its tiles, (G, C_out/G, K).
    gy (N, G, C_out/G, L).  Tiles of several images wide enough for a product each take
    one product per image, straight from gy; narrower ones are gathered side by side."""
    groups, c_group = gy.shape[1:3]
    im2col = Im2col(x, geometry, plan.most_images, plan.most_columns)
    total = _WeightGradientSum(groups, im2col.rows // groups, c_group, x.dtype)
    per_image = plan.most_images > 1 and not plan.side_by_side
    gather = plan.most_images > 1 and plan.side_by_side
    gy_buffer = scratch(OUTPUT_TILE, groups * c_group * plan.most_columns
                        if gather else 0, x.dtype)
    products = scratch("weight gradient products",
                       plan.most_images * im2col.rows * c_group if per_image else 0, x.dtype)
    for n0, n1, l0, l1 in tiles:
        cols = im2col.columns(n0, n1, l0, l1)
        if per_image and n1 - n0 > 1:
            total.add_per_image(_per_image(cols, groups, n1 - n0), gy[n0:n1, :, :, l0:l1],
                                products)
            continue
        total.add(cols.reshape(groups, -1, cols.shape[1]),
                  _output_gradient_tile(gy, n0, n1, l0, l1, gy_buffer))
    return total.result()


def conv2d_backward_weight(x, grad_out, kernel_hw, stride, padding, dilation, groups,
                           may_flip=True):
    """dL/dweight_g (C_out/G, K) = Σ over tiles of gy_g (C_out/G, columns) @ cols_gᵀ.

    x (N, C_in, H, W), grad_out (N, C_out, OH, OW), kernel_hw = (KH, KW)
    -> (C_out, C_in/G, KH, KW).  Serves conv_transpose2d too, with x = the gradient of
    its output and grad_out = its input.  Each worker sums its own tiles; the workers'
    sums are then added in a fixed order.  ``may_flip``: whether it may go through the
    flipped convolution (which calls it with False: its own flip is the way back).
    """
    x = np.ascontiguousarray(x)
    grad_out = np.ascontiguousarray(grad_out)
    n, c_in, h, w = x.shape
    _, c_out, oh, ow = grad_out.shape
    kh, kw = kernel_hw
    tile = winograd_tile(kernel_hw, stride, padding, dilation, groups, c_in, c_out, (oh, ow))
    if tile is not None and (oh, ow) == (h + 2 * padding[0] - kh + 1,
                                         w + 2 * padding[1] - kw + 1):
        return winograd_backward_weight(x, grad_out, kh, padding, tile)
    if direct_weight_gradient_applies(x.dtype, kernel_hw, stride, groups, c_in, c_out):
        return direct_weight_gradient(x, grad_out, kernel_hw, padding, dilation,
                                      worker_count())
    if channel_direct_weight_gradient_applies(x.dtype, kernel_hw, stride, groups, c_in,
                                              c_out, tile is not None, (oh, ow)):
        return channel_direct_weight_gradient(x, grad_out, kernel_hw, stride, padding,
                                              dilation, worker_count())
    if _phases_take(x.dtype, kernel_hw, stride, dilation, groups, c_in, c_out, (oh, ow),
                    weight_gradient=True):
        phases = phase_input(x, kernel_hw, stride, padding, (oh, ow))
        grad = direct_weight_gradient(phases, grad_out, phase_kernel_size(kernel_hw, stride),
                                      (0, 0), (1, 1), worker_count())
        return weight_from_phases(grad, kernel_hw, stride)
    if (may_flip and groups == 1 and _flipped_is_cheaper(c_in, c_out)
            and _flips((h, w), (oh, ow), kernel_hw, stride, padding, dilation)):
        return _flipped_weight_gradient(x, grad_out, kernel_hw, padding, dilation)
    geometry = ConvGeometry((h, w), kernel_hw, stride, padding, dilation, (oh, ow))
    workers = worker_count()
    plan = _plan(geometry, n, max(c_in * kh * kw, c_out), c_out, workers,
                 MIN_WEIGHT_TILE_WIDTH)
    sums = run_blocks(partial(_weight_gradient_tiles, x=x,
                              gy=grad_out.reshape(n, groups, c_out // groups, oh * ow),
                              geometry=geometry, plan=plan), plan.tiles, workers)
    # (G, C_out/G, K): the first worker's sum is a new array, the result, unless it was
    # summed transposed: then it is copied out in C order (a non-contiguous gradient would
    # be copied by the autograd engine anyway, and the optimizers' loops need C order)
    grad_w = sums[0].copy() if _sums_transposed(c_out // groups) else sums[0]
    for partial_sum in sums[1:]:
        grad_w += partial_sum
    return grad_w.reshape(c_out, c_in // groups, kh, kw)
