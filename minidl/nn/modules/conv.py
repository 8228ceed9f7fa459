"""Convolution layers ``Conv1d``, ``Conv2d``, ``ConvTranspose1d`` and ``ConvTranspose2d``,
with PyTorch's arguments and defaults."""
from __future__ import annotations

from collections.abc import Callable

from ...ops.arguments import pair
from .. import functional as F
from .. import init
from ..functional.conv import conv_transpose_output_padding
from ..functional.signals import single
from .module import Module
from .weighted import add_weight_and_bias

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _one(value, name: str, op: str) -> tuple[int]:
    """An int or a 1-tuple as a 1-tuple, as PyTorch keeps a 1-D layer's settings."""
    return (single(value, name, op),)


class _ConvNd(Module):
    """What both layers share: the arguments, the parameters and their initialization.

    The weight is (out_channels, in_channels/groups, *kernel_size) for a convolution and
    (in_channels, out_channels/groups, *kernel_size) for a transposed one; ``settings``
    turns an int or tuple into the layer's tuple of one size per spatial axis.  PyTorch's default
    initialization: weight ~ kaiming_uniform_(a=√5), i.e. U(-1/√fan_in, 1/√fan_in), and
    bias ~ U(-1/√fan_in, 1/√fan_in), with fan_in = weight.shape[1]·KH·KW.
    """

    transposed = False
    settings: Callable[[object, str, str], tuple[int, ...]] = staticmethod(pair)

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride, padding,
                 dilation, groups: int, bias: bool, padding_mode: str, device, dtype):
        super().__init__()
        name = type(self).__name__
        for label, value in (("in_channels", in_channels), ("out_channels", out_channels),
                             ("groups", groups)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"{name}: {label} must be a positive int, got {value!r}")
        for label, value in (("in_channels", in_channels), ("out_channels", out_channels)):
            if value % groups:
                raise ValueError(f"{name}: {label} ({value}) must be divisible by groups "
                                 f"({groups})")
        if padding_mode not in PADDING_MODES:
            raise ValueError(f"{name}: padding_mode must be one of {PADDING_MODES}, got "
                             f"{padding_mode!r}")
        if self.transposed and padding_mode != "zeros":
            raise ValueError(f"{name}: only padding_mode 'zeros' is supported (as in "
                             f"PyTorch), got {padding_mode!r}")
        if isinstance(padding, str) and (self.transposed or padding not in ("same", "valid")):
            allowed = "an int or a tuple" if self.transposed \
                else "an int, a tuple, 'valid' or 'same'"
            raise ValueError(f"{name}: padding must be {allowed}, got {padding!r}")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = self.settings(kernel_size, "kernel_size", name)
        self.stride = self.settings(stride, "stride", name)
        self.padding = padding if isinstance(padding, str) \
            else self.settings(padding, "padding", name)
        self.dilation = self.settings(dilation, "dilation", name)
        if padding == "same" and any(s != 1 for s in self.stride):
            raise ValueError(f"{name}: padding='same' needs stride 1, got stride "
                             f"{self.stride}")
        self.groups = groups
        self.padding_mode = padding_mode
        if self.transposed:
            shape = (in_channels, out_channels // groups, *self.kernel_size)
        else:
            shape = (out_channels, in_channels // groups, *self.kernel_size)
        add_weight_and_bias(self, shape, out_channels, bias, dtype, device)

    def reset_parameters(self) -> None:
        init.default_layer_init_(self.weight, self.bias)

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if isinstance(self.padding, str) or any(self.padding):
            text += f", padding={self.padding}"
        if any(d != 1 for d in self.dilation):
            text += f", dilation={self.dilation}"
        if any(getattr(self, "output_padding", ())):
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text

    def _padded_forward(self, convolve, input):
        """``convolve`` (F.conv1d or F.conv2d) with the layer's parameters; a padding_mode
        other than "zeros" pads with F.pad first (``_pad_amounts``), then convolves with
        no padding."""
        if self.padding_mode == "zeros":
            return convolve(input, self.weight, self.bias, self.stride, self.padding,
                            self.dilation, self.groups)
        padded = F.pad(input, self._pad_amounts(), mode=self.padding_mode)
        return convolve(padded, self.weight, self.bias, self.stride, 0, self.dilation,
                        self.groups)


class Conv2d(_ConvNd):
    """y = conv2d(x, weight, bias): (N, in_channels, H, W) -> (N, out_channels, OH, OW).

    ``padding`` is an int, a pair, "valid" or "same" (stride 1).  ``padding_mode`` other
    than "zeros" ("reflect", "replicate", "circular") pads the input with ``F.pad`` in that
    mode by the padding, then convolves without padding: (ph, pw) pads ph rows above and
    below and pw columns left and right; "same" pads ⌊d·(k-1)/2⌋ before and the rest after.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)

    def _pad_amounts(self) -> tuple[int, int, int, int]:
        """(left, right, top, bottom): what ``F.pad`` adds for a padding_mode."""
        if self.padding == "valid":
            return (0, 0, 0, 0)
        if self.padding == "same":
            totals = [d * (k - 1) for k, d in zip(self.kernel_size, self.dilation)]
            top, left = (t // 2 for t in totals)
            return (left, totals[1] - left, top, totals[0] - top)
        rows, columns = pair(self.padding, "padding", "Conv2d")
        return (columns, columns, rows, rows)

    def forward(self, input):
        return self._padded_forward(F.conv2d, input)


class ConvTranspose2d(_ConvNd):
    """y = conv_transpose2d(x, weight, bias): (N, in_channels, H, W) -> (N, out_channels,
    OH, OW) with OH = (H - 1)·stride - 2·padding + dilation·(KH - 1) + output_padding + 1.

    ``forward(input, output_size)`` picks the output_padding that yields ``output_size``.
    """

    transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)
        self.output_padding = self.settings(output_padding, "output_padding",
                                            type(self).__name__)

    def forward(self, input, output_size=None):
        output_padding = self.output_padding
        if output_size is not None:
            output_padding = conv_transpose_output_padding(
                "ConvTranspose2d", input.shape[-2:], output_size, self.kernel_size,
                self.stride, self.padding, self.dilation)
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                  output_padding, self.groups, self.dilation)


class Conv1d(_ConvNd):
    """y = conv1d(x, weight, bias): (N, in_channels, L) -> (N, out_channels, OL), weight
    (out_channels, in_channels/groups, K).

    ``padding`` is an int, "valid" or "same" (stride 1); a ``padding_mode`` other than
    "zeros" pads the input with ``F.pad`` in that mode (p on each side; "same": ⌊d·(k-1)/2⌋
    before and the rest after), then convolves without padding.
    """

    settings = staticmethod(_one)

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)

    def _pad_amounts(self) -> tuple[int, int]:
        """(left, right): what ``F.pad`` adds for a padding_mode."""
        if self.padding == "valid":
            return (0, 0)
        if self.padding == "same":
            total = self.dilation[0] * (self.kernel_size[0] - 1)
            return (total // 2, total - total // 2)
        padding = int(self.padding[0])
        return (padding, padding)

    def forward(self, input):
        return self._padded_forward(F.conv1d, input)


class ConvTranspose1d(_ConvNd):
    """y = conv_transpose1d(x, weight, bias): (N, in_channels, L) -> (N, out_channels, OL)
    with OL = (L - 1)·stride - 2·padding + dilation·(K - 1) + output_padding + 1.

    ``forward(input, output_size)`` picks the output_padding that yields ``output_size``.
    """

    transposed = True
    settings = staticmethod(_one)

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)
        self.output_padding = self.settings(output_padding, "output_padding",
                                            "ConvTranspose1d")

    def forward(self, input, output_size=None):
        output_padding = self.output_padding
        if output_size is not None:
            output_padding = conv_transpose_output_padding(
                "ConvTranspose1d", (1, input.shape[-1]), (1, tuple(output_size)[-1]),
                (1, *self.kernel_size), (1, *self.stride), (0, *self.padding),
                (1, *self.dilation))[1:]
        return F.conv_transpose1d(input, self.weight, self.bias, self.stride, self.padding,
                                  output_padding, self.groups, self.dilation)
