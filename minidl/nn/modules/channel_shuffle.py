"""``ChannelShuffle`` (ShuffleNet): interleave the channels of ``groups`` groups."""
from __future__ import annotations

from .. import functional as F
from .module import Module


class ChannelShuffle(Module):
    """(N, g·k, *) -> (N, g·k, *), output channel j·g + i = input channel i·k + j."""

    def __init__(self, groups: int):
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
