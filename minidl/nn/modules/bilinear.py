"""``Bilinear``: y = x1ᵀ A x2 + b, a learned bilinear form per output feature."""
from __future__ import annotations

import math

from .. import functional as F
from .. import init
from .module import Module
from .weighted import add_weight_and_bias


class Bilinear(Module):
    """(*, in1_features), (*, in2_features) -> (*, out_features) with ``weight``
    (out, in1, in2) and ``bias`` (out,), both U(-1/√in1, 1/√in1) at first (PyTorch's)."""

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, device=None, dtype=None):
        super().__init__()
        for name, value in (("in1_features", in1_features), ("in2_features", in2_features),
                            ("out_features", out_features)):
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"Bilinear: {name} must be a positive int, got {value!r}")
        self.in1_features, self.in2_features = in1_features, in2_features
        self.out_features = out_features
        add_weight_and_bias(self, (out_features, in1_features, in2_features), out_features,
                            bias, dtype, device)

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.in1_features)
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
