"""``bilinear``: y = x1ᵀ A x2 + b, one bilinear form per output feature (``F.bilinear``).

    input1 (*, in1), input2 (*, in2), weight (out, in1, in2), bias (out,) or None
    y[..., o] = Σ_ij input1[..., i] · weight[o, i, j] · input2[..., j] + bias[o]

Computed as one matrix product and a sum: t = input1 @ W' with W' the (in1, out·in2)
matrix of weight[o, i, j] at (i, o·in2 + j), then y = Σ_j t[..., o, j] · input2[..., j]
(2·N·in1·out·in2 multiply-adds); autograd differentiates through both.
"""
from __future__ import annotations

from ...tensor import Tensor


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor,
             bias: Tensor | None = None) -> Tensor:
    """(*, in1), (*, in2) -> (*, out) with ``weight`` (out, in1, in2) and ``bias`` (out,)."""
    for name, value in (("input1", input1), ("input2", input2), ("weight", weight)):
        if not isinstance(value, Tensor):
            raise TypeError(f"bilinear: {name} must be a Tensor, got {type(value).__name__}")
    if weight.ndim != 3:
        raise ValueError(f"bilinear: weight must be 3-D (out, in1, in2), got shape "
                         f"{tuple(weight.shape)}")
    out, in1, in2 = weight.shape
    if input1.ndim == 0 or input1.shape[-1] != in1 or input2.ndim == 0 \
            or input2.shape[-1] != in2 or input1.shape[:-1] != input2.shape[:-1]:
        raise ValueError(f"bilinear: expected input1 (*, {in1}) and input2 (*, {in2}) with "
                         f"the same leading dimensions for weight {tuple(weight.shape)}, got "
                         f"{tuple(input1.shape)} and {tuple(input2.shape)}")
    if bias is not None and tuple(bias.shape) != (out,):
        raise ValueError(f"bilinear: bias must have shape ({out},), got {tuple(bias.shape)}")
    batch = tuple(input1.shape[:-1])
    x1, x2 = input1.reshape(-1, in1), input2.reshape(-1, in2)
    t = x1.matmul(weight.permute(1, 0, 2).reshape(in1, out * in2)).reshape(-1, out, in2)
    y = (t * x2.reshape(-1, 1, in2)).sum(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(*batch, out)
