"""Fully connected layers."""
from __future__ import annotations

from .. import functional as F
from .. import init
from .module import Module
from .weighted import add_weight_and_bias


class Linear(Module):
    """y = x Wᵀ + b with W (out_features, in_features), initialized as PyTorch does:
    W ~ U(-1/√in, 1/√in) (kaiming_uniform_ with a = √5) and b ~ U(-1/√in, 1/√in)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None):
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"Linear: {name} must be a positive int, got {value!r}")
        self.in_features = in_features
        self.out_features = out_features
        add_weight_and_bias(self, (out_features, in_features), out_features, bias, dtype,
                            device)

    def reset_parameters(self) -> None:
        init.default_layer_init_(self.weight, self.bias)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Identity(Module):
    """Returns its input unchanged (a placeholder layer)."""

    def forward(self, input):
        return input
