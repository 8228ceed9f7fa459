"""Convolution, transposed convolution, batch norm (evaluation), pooling, upsampling.

minidl's options are PyTorch's, and ONNX's operators share PyTorch's definitions:
pads are [top, left, bottom, right], ConvTranspose's output size is
(in - 1)·stride - pad_begin - pad_end + dilation·(k - 1) + output_padding + 1, and
nearest upsampling by whole factors is Resize with "asymmetric" coordinates rounded
down (output pixel o reads input pixel ⌊o / scale⌋).
"""
from __future__ import annotations

import math

import numpy as np

from ...kernels.geometry import conv_transpose_output_size, pool_output_size
from ...ops import batchnorm as B
from ...ops import conv as C
from ...ops import pooling as P
from ...ops.upsample import UpsampleNearest2d
from . import converts


def _pads(padding) -> list[int]:
    return [int(padding[0]), int(padding[1]), int(padding[0]), int(padding[1])]


def _ints(pair) -> list[int]:
    return [int(v) for v in pair]


@converts(C.Conv2d)
def conv2d(graph, op):
    x, weight, bias = op.inputs
    graph.node("Conv", [x.name, weight.name, bias.name if bias is not None else None],
               [op.output.name], op.scope, kernel_shape=list(weight.shape[2:]),
               strides=_ints(op.option("stride")), pads=_pads(op.option("padding")),
               dilations=_ints(op.option("dilation")), group=int(op.option("groups")))


@converts(C.ConvTranspose2d)
def conv_transpose2d(graph, op):
    x, weight, bias = op.inputs
    stride, padding = op.option("stride"), op.option("padding")
    dilation = op.option("dilation")
    kernel = weight.shape[2:]
    extra = set()  # output_padding: the rows and columns beyond the smallest output
    for shape, options in zip(x.shapes, op.options):
        extra.add(tuple(options["output_hw"][a] - conv_transpose_output_size(
            shape[2 + a], kernel[a], stride[a], padding[a], dilation[a], 0) for a in (0, 1)))
    if len(extra) > 1:
        raise op.error("its output_padding changes with the input's size; export without "
                       "dynamic spatial axes")
    graph.node("ConvTranspose", [x.name, weight.name, bias.name if bias is not None else None],
               [op.output.name], op.scope, kernel_shape=list(kernel),
               strides=_ints(stride), pads=_pads(padding), dilations=_ints(dilation),
               group=int(op.option("groups")), output_padding=list(extra.pop()))


@converts(B.BatchNormEval)
def batch_norm(graph, op):
    x, weight, bias = op.inputs
    channels = x.shape[1]
    scale = graph.cast(weight, x.dtype, op.scope) if weight is not None else \
        graph.constant(np.ones(channels, dtype=x.dtype), "ones")
    shift = graph.cast(bias, x.dtype, op.scope) if bias is not None else \
        graph.constant(np.zeros(channels, dtype=x.dtype), "zeros")
    mean, var = (graph.cast(op.option_value(key), x.dtype, op.scope)
                 for key in ("running_mean", "running_var"))
    graph.node("BatchNormalization", [x.name, scale, shift, mean, var], [op.output.name],
               op.scope, epsilon=float(op.option("eps")))


@converts(B.BatchNormTrain)
def batch_norm_training(graph, op):
    raise op.error("batch norm with batch statistics (training mode) cannot be exported; "
                   "the model is exported in evaluation mode, so this is a batch norm "
                   "without running statistics (track_running_stats=False) or "
                   "F.batch_norm(..., training=True)")


def _ceil_mode(op, input_shapes, kernel, stride, padding, dilation) -> int:
    """ONNX's ceil_mode for a pooling: 0 when rounding up changes nothing; 1 when it adds a
    last window that ONNX's formula ⌈…⌉ + 1 counts too.  A window PyTorch drops (it would
    start in the right padding) is an error."""
    if not op.option("ceil_mode"):
        return 0
    changed = False
    for shape in input_shapes:
        for a in (0, 1):
            size = shape[2 + a]
            floor = pool_output_size(size, kernel[a], stride[a], padding[a], dilation[a],
                                     False)
            ceil = pool_output_size(size, kernel[a], stride[a], padding[a], dilation[a],
                                    True)
            plain_ceil = math.ceil((size + 2 * padding[a] - dilation[a] * (kernel[a] - 1)
                                    - 1) / stride[a]) + 1
            if ceil != plain_ceil:
                raise op.error("ceil_mode=True drops a last window here that ONNX would "
                               "keep; it cannot be exported")
            changed |= ceil != floor
    if changed and op.function is P.AvgPool2d:
        raise op.error("ceil_mode=True adds partial windows, whose divisors ONNX defines "
                       "differently; it cannot be exported")
    return int(changed)


@converts(P.MaxPool2d)
def max_pool2d(graph, op):
    x = op.inputs[0]
    kernel, stride = op.option("kernel_size"), op.option("stride")
    padding, dilation = op.option("padding"), op.option("dilation")
    graph.node("MaxPool", [x.name], [op.output.name], op.scope, kernel_shape=_ints(kernel),
               strides=_ints(stride), pads=_pads(padding), dilations=_ints(dilation),
               ceil_mode=_ceil_mode(op, x.shapes, kernel, stride, padding, dilation))


@converts(P.AvgPool2d)
def avg_pool2d(graph, op):
    if op.option("divisor_override") is not None:
        raise op.error("divisor_override cannot be exported")
    x = op.inputs[0]
    kernel, stride, padding = (op.option(key) for key in ("kernel_size", "stride", "padding"))
    graph.node("AveragePool", [x.name], [op.output.name], op.scope,
               kernel_shape=_ints(kernel), strides=_ints(stride), pads=_pads(padding),
               count_include_pad=int(op.option("count_include_pad")),
               ceil_mode=_ceil_mode(op, x.shapes, kernel, stride, padding, (1, 1)))


@converts(P.AdaptiveAvgPool2d)
def adaptive_avg_pool2d(graph, op):
    """Global average pooling for output size 1; a plain average pooling with
    kernel = stride = input / output when the output size divides the input's."""
    x = op.inputs[0]
    output_size = op.option("output_size")
    if tuple(output_size) == (1, 1):
        graph.node("GlobalAveragePool", [x.name], [op.output.name], op.scope)
        return
    kernels = {tuple(shape[2 + a] // output_size[a] for a in (0, 1)) for shape in x.shapes}
    divides = all(shape[2 + a] % output_size[a] == 0 for shape in x.shapes for a in (0, 1))
    if not divides or len(kernels) > 1:
        raise op.error(f"adaptive average pooling to {tuple(output_size)} can be exported "
                       "only when that size divides the input's (a fixed window), or is 1; "
                       f"input sizes {[shape[2:] for shape in x.shapes]}")
    kernel = list(kernels.pop())
    graph.node("AveragePool", [x.name], [op.output.name], op.scope, kernel_shape=kernel,
               strides=kernel)


@converts(UpsampleNearest2d)
def upsample_nearest2d(graph, op):
    scales = np.array([1, 1, op.option("scale_h"), op.option("scale_w")], dtype=np.float32)
    graph.node("Resize", [op.inputs[0].name, None, graph.constant(scales, "scales")],
               [op.output.name], op.scope, mode="nearest",
               coordinate_transformation_mode="asymmetric", nearest_mode="floor")
