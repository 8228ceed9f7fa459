"""Max, average and adaptive average pooling over (N, C, H, W) or (C, H, W) inputs
(``torch.nn.functional`` names and arguments).

Every argument is checked here (``check_pool2d``), so the kernels only ever see windows
they can compute.
"""
from __future__ import annotations

from ...kernels.geometry import pool_output_size
from ...ops.arguments import pair
from ...ops.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from ...tensor import Tensor
from .batching import as_batched, like_input


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


def _stride(stride, kernel_size, op: str) -> tuple[int, int]:
    """PyTorch's default: the stride is the kernel size (None or an empty list)."""
    return kernel_size if stride is None or stride == [] else pair(stride, "stride", op)


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """The maximum of each kH×kW window (padding counts as -∞).

    With ``return_indices`` also returns, for every output, the flat position h·W + w of
    its maximum in the input plane.
    """
    op = "max_pool2d"
    kernel_size = pair(kernel_size, "kernel_size", op)
    stride = _stride(stride, kernel_size, op)
    padding, dilation = pair(padding, "padding", op), pair(dilation, "dilation", op)
    x = as_batched(input, op)
    check_pool2d(op, x.shape, kernel_size, stride, padding, dilation, ceil_mode)
    output, indices = MaxPool2d.apply(x, kernel_size=kernel_size, stride=stride,
                                      padding=padding, dilation=dilation,
                                      ceil_mode=bool(ceil_mode))
    output = like_input(output, input)
    if not return_indices:
        return output
    return output, indices.reshape(output.shape)


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """The mean of each kH×kW window.

    The divisor is the window's size, counting the zero padding (``count_include_pad``, the
    default) or only the cells inside the input; ``divisor_override`` replaces it.
    """
    op = "avg_pool2d"
    kernel_size = pair(kernel_size, "kernel_size", op)
    stride = _stride(stride, kernel_size, op)
    padding = pair(padding, "padding", op)
    if divisor_override is not None and (not isinstance(divisor_override, int)
                                         or divisor_override == 0):
        raise ValueError(f"{op}: divisor_override must be a non-zero int or None, got "
                         f"{divisor_override!r}")
    x = as_batched(input, op)
    check_pool2d(op, x.shape, kernel_size, stride, padding, (1, 1), ceil_mode)
    return like_input(AvgPool2d.apply(x, kernel_size=kernel_size, stride=stride,
                                       padding=padding, ceil_mode=bool(ceil_mode),
                                       count_include_pad=bool(count_include_pad),
                                       divisor_override=divisor_override), input)


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a fixed (OH, OW) whatever the input's size; ``output_size`` is an
    int or a pair, where None keeps the input's size.  ``output_size=1`` is global average
    pooling."""
    op = "adaptive_avg_pool2d"
    x = as_batched(input, op)
    sizes = tuple(output_size) if isinstance(output_size, tuple | list) \
        else (output_size, output_size)
    if len(sizes) == 2:  # None keeps the input's size
        sizes = tuple(x.shape[2 + axis] if size is None else size
                      for axis, size in enumerate(sizes))
    out_h, out_w = pair(sizes, "output_size", op)
    if out_h < 1 or out_w < 1:
        raise ValueError(f"{op}: output_size must be positive, got {output_size!r}")
    return like_input(AdaptiveAvgPool2d.apply(x, output_size=(out_h, out_w)), input)
