"""Rprop: resilient backpropagation (Riedmiller & Braun, 1993), PyTorch's rule.

Each parameter element keeps its own step size, started at ``lr``.  At every step, with
s = sign(g · g_prev)::

    step_size <- clamp(step_size * (etaplus if s > 0, etaminus if s < 0, else 1),
                       step_size_min, step_size_max)
    g         <- 0 where s < 0                (no move after a sign change)
    p         <- p - sign(g) * step_size
    g_prev    <- g

State per parameter: ``step``, ``prev`` and ``step_size``.
"""
from __future__ import annotations

from ..backend import array_module
from ..ops.arguments import check_number
from .optimizer import Optimizer, speed_hints, state_tensor


class Rprop(Optimizer):
    """``Rprop(params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
    capturable=False, foreach=None, maximize=False, differentiable=False)``."""

    def __init__(self, params, lr: float = 1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable: bool = False, foreach=None, maximize: bool = False,
                 differentiable: bool = False):
        super().__init__(params, dict(lr=lr, etas=etas, step_sizes=step_sizes,
                                      maximize=maximize,
                                      **speed_hints(foreach=foreach, capturable=capturable,
                                                    differentiable=differentiable)))

    def check_hyperparameters(self, group: dict) -> None:
        check_number("Rprop", "lr", group["lr"], 0)
        etaminus, etaplus = group["etas"]
        if not 0.0 < etaminus < 1.0 < etaplus:
            raise ValueError(f"Rprop: invalid eta values: {etaminus}, {etaplus} (needs "
                             "0 < etaminus < 1 < etaplus)")
        low, high = group["step_sizes"]
        check_number("Rprop", "step_sizes[0]", low)
        check_number("Rprop", "step_sizes[1]", high)

    def state_keys(self, group: dict) -> set[str]:
        return {"step", "prev", "step_size"}

    def update(self, param, grad, state: dict, group: dict) -> None:
        xp = array_module(param)
        etaminus, etaplus = group["etas"]
        low, high = group["step_sizes"]
        if not state:
            state["step"] = 0
            state["prev"] = state_tensor(xp.zeros_like(param))
            state["step_size"] = state_tensor(xp.full_like(param, group["lr"]))
        state["step"] += 1
        prev, step_size = state["prev"].array, state["step_size"].array
        sign = xp.sign(grad * prev)
        factor = xp.where(sign > 0, etaplus, xp.where(sign < 0, etaminus, 1.0))
        step_size *= factor.astype(param.dtype, copy=False)
        xp.clip(step_size, low, high, out=step_size)
        grad = xp.where(sign < 0, 0, grad).astype(param.dtype, copy=False)
        param -= xp.sign(grad) * step_size
        prev[...] = grad
