"""Dropout as layers: active in training mode, the identity in evaluation mode."""
from __future__ import annotations

from .. import functional as F
from .module import Module


class Dropout(Module):
    """Zero each element with probability ``p`` (scaling the rest by 1/(1-p))."""

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{type(self).__name__}: p must be in [0, 1], got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}" + (", inplace=True" if self.inplace else "")


class Dropout2d(Dropout):
    """Zero whole channels of (N, C, H, W) with probability ``p``."""

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)
