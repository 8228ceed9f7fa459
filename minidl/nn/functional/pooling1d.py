"""Max, average and adaptive average pooling over (N, C, L) or (C, L) signals
(``torch.nn.functional`` names and arguments).

Each pools the image (N, C, 1, L) with a window 1 high (``signals.py``), through the 2-D
checks (``check_pool2d``) and Functions; max pooling's indices are then positions along L.
"""
from __future__ import annotations

from ...ops.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from ...tensor import Tensor
from .pooling import check_pool2d
from .signals import as_image, as_signal, single


def _window(op: str, kernel_size, stride, padding) -> tuple[int, int, int]:
    """kernel, stride (default: the kernel) and padding as ints."""
    kernel = single(kernel_size, "kernel_size", op)
    step = kernel if stride is None or stride == [] else single(stride, "stride", op)
    return kernel, step, single(padding, "padding", op)


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """y[n, c, t] = max_k x[n, c, t·stride - padding + k·dilation] (padding counts as -∞).

    With ``return_indices`` also returns each maximum's position along L (int64).
    """
    op = "max_pool1d"
    kernel, step, pad = _window(op, kernel_size, stride, padding)
    x = as_image(input, op)
    window = dict(kernel_size=(1, kernel), stride=(1, step), padding=(0, pad),
                  dilation=(1, single(dilation, "dilation", op)))
    check_pool2d(op, x.shape, ceil_mode=ceil_mode, **window)
    output, indices = MaxPool2d.apply(x, ceil_mode=bool(ceil_mode), **window)
    output = as_signal(output, input)
    return (output, indices.reshape(output.shape)) if return_indices else output


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """y[n, c, t] = Σ_k x[n, c, t·stride - padding + k] / divisor, the divisor being the
    kernel size (``count_include_pad``) or the number of taps inside the input."""
    op = "avg_pool1d"
    kernel, step, pad = _window(op, kernel_size, stride, padding)
    x = as_image(input, op)
    check_pool2d(op, x.shape, (1, kernel), (1, step), (0, pad), (1, 1), ceil_mode)
    return as_signal(AvgPool2d.apply(x, kernel_size=(1, kernel), stride=(1, step),
                                     padding=(0, pad), ceil_mode=bool(ceil_mode),
                                     count_include_pad=bool(count_include_pad),
                                     divisor_override=None), input)


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """Average pooling to ``output_size`` values whatever L: output t averages
    x[⌊t·L/OL⌋ : ⌈(t+1)·L/OL⌉]."""
    op = "adaptive_avg_pool1d"
    size = single(output_size, "output_size", op)
    if size < 1:
        raise ValueError(f"{op}: output_size must be positive, got {output_size!r}")
    x = as_image(input, op)
    return as_signal(AdaptiveAvgPool2d.apply(x, output_size=(1, size)), input)
