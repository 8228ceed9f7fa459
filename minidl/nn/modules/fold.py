"""``Unfold`` (sliding blocks as columns, im2col) and ``Fold`` (their sum back into an
image), the layers of ``F.unfold`` and ``F.fold``."""
from __future__ import annotations

from .. import functional as F
from .module import Module


class Unfold(Module):
    """(N, C, H, W) -> (N, C·kh·kw, L): each kh×kw block the window visits, as a column."""

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class Fold(Unfold):
    """(N, C·kh·kw, L) -> (N, C, *output_size): each column added back at its block."""

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__(kernel_size, dilation, padding, stride)
        self.output_size = output_size

    def forward(self, input):
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                      self.stride)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}, " + super().extra_repr()
