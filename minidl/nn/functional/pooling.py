"""Max, average and adaptive average pooling over (N, C, H, W) or (C, H, W) inputs
(``torch.nn.functional`` names and arguments)."""
from __future__ import annotations

from ...ops.arguments import pair
from ...ops.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d, check_pool2d
from ...tensor import Tensor
from .batching import as_batched, like_input


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
    found = {} if return_indices else None
    output = like_input(MaxPool2d.apply(x, kernel_size=kernel_size, stride=stride,
                                         padding=padding, dilation=dilation,
                                         ceil_mode=bool(ceil_mode), found_indices=found),
                         input)
    if not return_indices:
        return output
    return output, Tensor._from_array(found["indices"].reshape(output.shape))


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
