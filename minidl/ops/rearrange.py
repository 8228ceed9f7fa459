"""Copies that move elements to new places: ``flip`` and ``roll``.

Each output element is one input element, so backward moves the gradient back the
opposite way: flip it again, roll it by the opposite shifts.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..backend import array_module


class Flip(Function):
    """y = x reversed along ``axes``: y[i] = x[n-1-i] on each such axis (a copy, as
    ``torch.flip``);  the gradient is reversed back."""

    def forward(self, x, *, axes):
        self.axes = axes
        return array_module(x).flip(x, axes).copy()

    def backward(self, grad):
        return array_module(grad).flip(grad, self.axes)


class Roll(Function):
    """y = x shifted cyclically by ``shifts[k]`` along ``axes[k]``: y[(i + s) mod n] = x[i];
    the gradient is rolled by -shifts."""

    def forward(self, x, *, shifts, axes):
        self.shifts, self.axes = shifts, axes
        return array_module(x).roll(x, shifts, axes)

    def backward(self, grad):
        return array_module(grad).roll(grad, tuple(-s for s in self.shifts), self.axes)
