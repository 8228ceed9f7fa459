"""2-D convolution and transposed convolution (``torch.nn.functional`` names and arguments).

Every argument is checked here, with a message that names it, so the kernels only ever see
configurations they can compute.  Inputs are (N, C, H, W), or (C, H, W) for one image.
"""
from __future__ import annotations

from ...kernels.geometry import conv_transpose_output_size
from ...ops.arguments import pair
from ...ops.conv import Conv2d, ConvTranspose2d
from ...tensor import Tensor
from .batching import as_batched, like_input


def _check_positive(op: str, name: str, values: tuple, least: int) -> None:
    if min(values) < least:
        wanted = "positive" if least else "non-negative"
        raise ValueError(f"{op}: {name} must be {wanted}, got {values}")


def _check_tensors(op: str, input, weight, bias) -> None:
    """Types, dtypes and ranks (the shapes that depend on channels come later)."""
    for name, value in (("input", input), ("weight", weight)):
        if not isinstance(value, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(value).__name__}")
    if bias is not None and not isinstance(bias, Tensor):
        raise TypeError(f"{op}: bias must be a Tensor or None, got {type(bias).__name__}")
    if weight.ndim != 4:
        raise ValueError(f"{op}: weight must be 4-D, got shape {weight.shape}")
    for name, value in (("weight", weight), ("bias", bias)):
        if value is not None and value.dtype != input.dtype:
            raise TypeError(f"{op}: input is {input.dtype} but {name} is {value.dtype}; "
                            f"convert one of them (e.g. {name}.to(input.dtype))")


def _check_bias(op: str, bias, out_channels: int) -> None:
    if bias is not None and bias.shape != (out_channels,):
        raise ValueError(f"{op}: bias must have shape ({out_channels},) (one value per "
                         f"output channel), got {bias.shape}")


def _check_groups(op: str, groups, channels: dict) -> None:
    """``groups`` is a positive int dividing every channel count named in ``channels``."""
    if not isinstance(groups, int) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    for name, count in channels.items():
        if count % groups:
            raise ValueError(f"{op}: {name} ({count}) is not divisible by groups ({groups})")


def _same_padding(kernel_hw, dilation) -> tuple[tuple[int, int], tuple[int, int]]:
    """PyTorch's padding="same": d·(k-1) zeros in all, the odd one at the bottom/right.

    Returns the symmetric padding to convolve with and how many leading output rows and
    columns to drop: padding by ⌈d·(k-1)/2⌉ on both sides and dropping the first row is the
    same as padding by ⌊d·(k-1)/2⌋ on top and ⌈d·(k-1)/2⌉ at the bottom (stride 1).
    """
    totals = [d * (k - 1) for k, d in zip(kernel_hw, dilation)]
    return tuple((t + 1) // 2 for t in totals), tuple(t % 2 for t in totals)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """2-D convolution (a correlation, as in PyTorch) of an image batch with a filter bank.

    input (N, C_in, H, W) or (C_in, H, W); weight (C_out, C_in/groups, KH, KW);
    bias (C_out,) or None.  ``stride``, ``dilation``: int or pair; ``padding``: int, pair,
    "valid" (no padding) or "same" (output as large as the input; stride 1 only).
    Output (N, C_out, OH, OW) with OH = ⌊(H + 2·padding - dilation·(KH-1) - 1) / stride⌋ + 1.
    """
    return convolve2d("conv2d", input, weight, bias, stride, padding, dilation, groups)


def convolve2d(op: str, input: Tensor, weight: Tensor, bias: Tensor | None, stride, padding,
               dilation, groups: int) -> Tensor:
    """``conv2d`` with its errors named after ``op`` (``conv1d`` calls it on one row)."""
    _check_tensors(op, input, weight, bias)
    x = as_batched(input, op)
    stride, dilation = pair(stride, "stride", op), pair(dilation, "dilation", op)
    _check_positive(op, "stride", stride, 1)
    _check_positive(op, "dilation", dilation, 1)
    kernel_hw = weight.shape[2:]
    crop = (0, 0)
    if padding == "valid":
        padding = (0, 0)
    elif padding == "same":
        if stride != (1, 1):
            raise ValueError(f"{op}: padding='same' needs stride 1, got stride {stride}")
        padding, crop = _same_padding(kernel_hw, dilation)
    elif isinstance(padding, str):
        raise ValueError(f"{op}: padding must be an int, a pair, 'valid' or 'same', got "
                         f"{padding!r}")
    else:
        padding = pair(padding, "padding", op)
        _check_positive(op, "padding", padding, 0)
    c_out, c_in_group = weight.shape[:2]
    _check_groups(op, groups, {"out_channels": c_out})
    if x.shape[1] != c_in_group * groups:
        raise ValueError(f"{op}: input has {x.shape[1]} channels, weight expects "
                         f"{c_in_group * groups} (weight shape {weight.shape}, groups "
                         f"{groups}); input shape {input.shape}")
    _check_bias(op, bias, c_out)
    for axis, dim in ((0, "height"), (1, "width")):
        span = dilation[axis] * (kernel_hw[axis] - 1) + 1
        padded = x.shape[2 + axis] + 2 * padding[axis]
        if span > padded:
            raise ValueError(f"{op}: the kernel spans {span} pixels along the {dim} (kernel "
                             f"{tuple(kernel_hw)}, dilation {dilation}), more than the "
                             f"padded input's {padded} (input shape {input.shape}, padding "
                             f"{padding})")
    output = Conv2d.apply(x, weight, bias, stride=stride, padding=padding, dilation=dilation,
                          groups=groups)
    if crop != (0, 0):
        output = output[:, :, crop[0]:, crop[1]:]
    return like_input(output, input)


def conv_transpose_output_padding(op: str, input_hw, output_size, kernel_hw, stride, padding,
                                  dilation) -> tuple[int, int]:
    """The output_padding that gives the requested output (height, width), as PyTorch's
    ``ConvTranspose2d.forward(input, output_size)``; an error if none does."""
    sizes = tuple(output_size)[-2:]
    if len(sizes) != 2:
        raise ValueError(f"{op}: output_size must end with (height, width), got "
                         f"{output_size!r}")
    padding_hw = []
    for axis in (0, 1):
        smallest = conv_transpose_output_size(input_hw[axis], kernel_hw[axis], stride[axis],
                                              padding[axis], dilation[axis], 0)
        largest = smallest + stride[axis] - 1
        if not smallest <= sizes[axis] <= largest:
            raise ValueError(f"{op}: output_size {tuple(sizes)} is impossible for input size "
                             f"{tuple(input_hw)}: the {('height', 'width')[axis]} must be in "
                             f"[{smallest}, {largest}]")
        padding_hw.append(sizes[axis] - smallest)
    return tuple(padding_hw)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """2-D transposed convolution: the adjoint (gradient) of ``conv2d`` with this weight.

    input (N, C_in, H, W) or (C_in, H, W); weight (C_in, C_out/groups, KH, KW);
    bias (C_out,) or None.  Output (N, C_out, OH, OW) with
    OH = (H - 1)·stride - 2·padding + dilation·(KH - 1) + output_padding + 1;
    ``output_padding`` (smaller than stride or dilation) picks among the sizes that a
    strided conv2d maps to the same H.
    """
    return convolve_transpose2d("conv_transpose2d", input, weight, bias, stride, padding,
                                output_padding, groups, dilation)


def convolve_transpose2d(op: str, input: Tensor, weight: Tensor, bias: Tensor | None, stride,
                         padding, output_padding, groups: int, dilation) -> Tensor:
    """``conv_transpose2d`` with its errors named after ``op``."""
    _check_tensors(op, input, weight, bias)
    x = as_batched(input, op)
    stride, dilation = pair(stride, "stride", op), pair(dilation, "dilation", op)
    padding = pair(padding, "padding", op)
    output_padding = pair(output_padding, "output_padding", op)
    _check_positive(op, "stride", stride, 1)
    _check_positive(op, "dilation", dilation, 1)
    _check_positive(op, "padding", padding, 0)
    _check_positive(op, "output_padding", output_padding, 0)
    for axis in (0, 1):
        if output_padding[axis] >= max(stride[axis], dilation[axis]):
            raise ValueError(f"{op}: output_padding {output_padding} must be smaller than "
                             f"either stride {stride} or dilation {dilation}")
    c_in = weight.shape[0]
    _check_groups(op, groups, {"in_channels": c_in})
    if x.shape[1] != c_in:
        raise ValueError(f"{op}: input has {x.shape[1]} channels, weight expects {c_in} "
                         f"(weight shape {weight.shape}); input shape {input.shape}")
    _check_bias(op, bias, weight.shape[1] * groups)
    kernel_hw = weight.shape[2:]
    output_hw = tuple(conv_transpose_output_size(x.shape[2 + a], kernel_hw[a], stride[a],
                                                 padding[a], dilation[a], output_padding[a])
                      for a in (0, 1))
    if min(output_hw) < 1:
        raise ValueError(f"{op}: the output would be {output_hw}, empty (input shape "
                         f"{input.shape}, kernel {tuple(kernel_hw)}, stride {stride}, "
                         f"padding {padding}, dilation {dilation})")
    output = ConvTranspose2d.apply(x, weight, bias, stride=stride, padding=padding,
                                   dilation=dilation, groups=groups, output_hw=output_hw)
    return like_input(output, input)

