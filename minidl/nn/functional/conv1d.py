"""1-D convolution and transposed convolution (``torch.nn.functional`` names and arguments).

A signal (N, C, L) is convolved as the image (N, C, 1, L) with the filters (…, 1, K): the
2-D forms, their checks, kernels and exact gradients do the work (``signals.py``).
"""
from __future__ import annotations

from ...tensor import Tensor
from .conv import convolve2d, convolve_transpose2d
from .signals import as_image, as_signal, single


def _lift(op: str, input, weight, bias) -> tuple[Tensor, Tensor]:
    """The (N, C, 1, L) input and the (…, …, 1, K) weight."""
    if not isinstance(weight, Tensor):
        raise TypeError(f"{op}: weight must be a Tensor, got {type(weight).__name__}")
    if weight.ndim != 3:
        raise ValueError(f"{op}: weight must be 3-D, got shape {weight.shape}")
    return as_image(input, op), weight.unsqueeze(2)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """1-D convolution (a correlation): y[n, o, t] = bias[o] + Σ_c Σ_k
    weight[o, c, k] · x[n, g·C_in/groups + c, t·stride - padding + k·dilation].

    input (N, C_in, L) or (C_in, L); weight (C_out, C_in/groups, K); bias (C_out,) or None.
    ``padding``: int, "valid" or "same" (stride 1).  Output (N, C_out, OL) with
    OL = ⌊(L + 2·padding - dilation·(K-1) - 1) / stride⌋ + 1.
    """
    op = "conv1d"
    image, kernel = _lift(op, input, weight, bias)
    if not isinstance(padding, str):
        padding = (0, single(padding, "padding", op))
    output = convolve2d(op, image, kernel, bias, (1, single(stride, "stride", op)), padding,
                        (1, single(dilation, "dilation", op)), groups)
    return as_signal(output, input)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """1-D transposed convolution, the adjoint of ``conv1d`` with this weight.

    input (N, C_in, L) or (C_in, L); weight (C_in, C_out/groups, K); bias (C_out,) or None.
    Output (N, C_out, OL) with
    OL = (L - 1)·stride - 2·padding + dilation·(K - 1) + output_padding + 1.
    """
    op = "conv_transpose1d"
    image, kernel = _lift(op, input, weight, bias)
    output = convolve_transpose2d(
        op, image, kernel, bias, (1, single(stride, "stride", op)),
        (0, single(padding, "padding", op)), (0, single(output_padding, "output_padding", op)),
        groups, (1, single(dilation, "dilation", op)))
    return as_signal(output, input)
