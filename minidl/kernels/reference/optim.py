"""Optimizer updates, elementwise and in place: the steps of Adam and Adadelta.

For one parameter p with gradient g, moments m (exp_avg) and v (exp_avg_sq), at step t::

    m <- m + (1 - β₁) (g - m)                  (= β₁ m + (1 - β₁) g, PyTorch's lerp)
    v <- β₂ v + (1 - β₂) g²
    v̂ <- max(v̂, v)                            amsgrad only (v̂: max_exp_avg_sq), else v̂ = v
    p <- p - step_size · m / (√v̂ / bias2_sqrt + eps)

with ``step_size = lr / (1 - β₁ᵗ)`` and ``bias2_sqrt = √(1 - β₂ᵗ)`` computed by the caller
(``minidl.optim.Adam``).  Adadelta, with v the running average of g² (square_avg) and u
that of the squared steps (acc_delta)::

    v <- ρ v + (1 - ρ) g²
    d  = √(u + eps) / √(v + eps) · g
    u <- ρ u + (1 - ρ) d²
    p <- p - lr · d

Every array has p's shape and dtype and is changed in place; the scalars are applied in
that dtype, in the order written above.  Written with the array's own module (NumPy or
CuPy), so the CUDA backend uses it as it is.
"""
from __future__ import annotations

from ...backend import array_module


def adam_update(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, *, beta1: float,
                beta2: float, step_size: float, bias2_sqrt: float, eps: float) -> None:
    """One Adam step of ``param`` in place (``max_exp_avg_sq`` None: no amsgrad)."""
    xp = array_module(param)
    exp_avg += (1 - beta1) * (grad - exp_avg)
    exp_avg_sq *= beta2
    exp_avg_sq += (1 - beta2) * grad * grad
    second_moment = exp_avg_sq
    if max_exp_avg_sq is not None:
        xp.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        second_moment = max_exp_avg_sq
    denominator = xp.sqrt(second_moment) / bias2_sqrt + eps
    param -= step_size * (exp_avg / denominator)


def adadelta_update(param, grad, square_avg, acc_delta, *, rho: float, eps: float,
                    lr: float) -> None:
    """One Adadelta step of ``param`` in place."""
    xp = array_module(param)
    square_avg *= rho
    square_avg += (1 - rho) * grad * grad
    delta = xp.sqrt(acc_delta + eps) / xp.sqrt(square_avg + eps) * grad
    acc_delta *= rho
    acc_delta += (1 - rho) * delta * delta
    param -= lr * delta
