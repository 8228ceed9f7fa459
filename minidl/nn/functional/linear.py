"""The affine map of a fully connected layer."""
from __future__ import annotations

from ...tensor import Tensor


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b.  Shapes: x (*, in_features), W (out_features, in_features),
    b (out_features,) -> y (*, out_features)."""
    if weight.ndim != 2:
        raise RuntimeError(f"linear: weight must be 2-D (out_features, in_features), got "
                           f"shape {weight.shape}")
    if input.ndim == 0 or input.shape[-1] != weight.shape[1]:
        raise RuntimeError(f"linear: input has {input.shape[-1] if input.ndim else 0} "
                           f"features (shape {input.shape}), weight expects "
                           f"{weight.shape[1]} (weight shape {weight.shape})")
    if bias is not None and bias.shape != (weight.shape[0],):
        raise RuntimeError(f"linear: bias must have shape ({weight.shape[0]},), got "
                           f"{bias.shape}")
    output = input.matmul(weight.T)
    return output if bias is None else output + bias
