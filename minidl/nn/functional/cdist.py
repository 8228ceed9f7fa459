"""``torch.cdist``: the p-norm distance between every row of one set and every row of
another, over batches."""
from __future__ import annotations

from numbers import Real

from ...tensor import Tensor


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode=None) -> Tensor:
    """x1 (B…, P, M), x2 (B…, R, M) -> (B…, P, R): out[…, i, j] = ‖x1[…, i] - x2[…, j]‖ₚ,
    the batch dimensions broadcast.  ``p`` ≥ 0: 0 counts the differing coordinates, ∞
    takes the largest difference.  The difference of every pair is formed and reduced
    with ``Tensor.norm``, whose gradient at a zero distance is 0, as PyTorch's.
    ``compute_mode`` (PyTorch's choice of a matrix-product route for p = 2) changes
    nothing here: every mode computes the differences directly.
    """
    op = "cdist"
    for name, value in (("x1", x1), ("x2", x2)):
        if not isinstance(value, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(value).__name__}")
        if value.ndim < 2 or value.dtype.kind != "f":
            raise ValueError(f"{op}: {name} must be a floating-point tensor of at least 2 "
                             f"dimensions (…, rows, M), got {value.dtype} of shape "
                             f"{value.shape}")
    if x1.shape[-1] != x2.shape[-1]:
        raise ValueError(f"{op}: x1 and x2 must have the same number of columns, got "
                         f"shapes {x1.shape} and {x2.shape}")
    if not isinstance(p, Real) or isinstance(p, bool) or not p >= 0:
        raise ValueError(f"{op}: p must be a number >= 0, got {p!r}")
    if compute_mode not in (None, "use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                            "donot_use_mm_for_euclid_dist"):
        raise ValueError(f"{op}: {compute_mode!r} is not a valid value for compute_mode")
    return (x1.unsqueeze(-2) - x2.unsqueeze(-3)).norm(p, dim=-1)
