"""Adagrad: each coordinate's step divided by the root of the sum of all its squared
gradients so far (Duchi et al., 2011): rarely updated coordinates keep large steps.

For each parameter p with gradient g, at step t = 1, 2, ... (PyTorch's rule)::

    g   <- -g                                       if maximize (done by Optimizer.step)
    g   <- g + weight_decay * p
    lr_t = lr / (1 + (t - 1) * lr_decay)
    s   <- s + g * g                      (sum, s_0 = initial_accumulator_value)
    p   <- p - lr_t * g / (sqrt(s) + eps)

As in PyTorch, every parameter's state (``step`` 0, ``sum``) exists from the start, so
the state dict lists parameters that have not had a gradient yet.
"""
from __future__ import annotations

from ..backend import array_module
from ..ops.arguments import check_number
from .optimizer import Optimizer, speed_hints, state_tensor


class Adagrad(Optimizer):
    """``Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
    eps=1e-10, *, maximize=False)``; state per parameter: ``step``, ``sum``."""

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10, foreach=None, *, maximize: bool = False,
                 differentiable: bool = False, fused=None):
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps,
                                      weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      maximize=maximize,
                                      **speed_hints(foreach=foreach, fused=fused,
                                                    differentiable=differentiable)))

    def check_hyperparameters(self, group: dict) -> None:
        for name in ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            check_number("Adagrad", name, group[name], 0)

    def add_param_group(self, param_group: dict) -> None:
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        for param in group["params"]:
            xp = array_module(param.array)
            self.state[param] = {"step": 0, "sum": state_tensor(
                xp.full_like(param.array, group["initial_accumulator_value"]))}

    def update(self, param, grad, state: dict, group: dict) -> None:
        xp = array_module(param)
        state["step"] += 1
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param
        step_size = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        total = state["sum"].array
        total += grad * grad
        param += -step_size * (grad / (xp.sqrt(total) + group["eps"]))
