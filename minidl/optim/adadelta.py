"""Adadelta: steps whose size comes from running averages of squared gradients and of
squared past steps, so no learning-rate tuning is needed (``lr`` only scales the step).

For each parameter p with gradient g, at step t (PyTorch's rule)::

    g   <- -g                                       if maximize (done by Optimizer.step)
    g   <- g + weight_decay * p
    v_t <- rho * v_{t-1} + (1 - rho) * g * g                 (square_avg, v_0 = 0)
    d_t <- sqrt(u_{t-1} + eps) / sqrt(v_t + eps) * g
    u_t <- rho * u_{t-1} + (1 - rho) * d_t * d_t             (acc_delta, u_0 = 0)
    p   <- p - lr * d_t

The update itself is the ``adadelta_update`` kernel (``minidl.kernels``: one fused pass
over memory on the CPU).
"""
from __future__ import annotations

from ..backend import array_module
from ..kernels.registry import kernel
from ..ops.arguments import check_number
from .optimizer import Optimizer, speed_hints, state_tensor


class Adadelta(Optimizer):
    """``Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, *, maximize=False)``;
    state per parameter: ``step``, ``square_avg``, ``acc_delta``."""

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0, foreach=None, *, capturable: bool = False,
                 maximize: bool = False, differentiable: bool = False):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize,
                                      **speed_hints(foreach=foreach, capturable=capturable,
                                                    differentiable=differentiable)))

    def check_hyperparameters(self, group: dict) -> None:
        check_number("Adadelta", "lr", group["lr"], 0)
        check_number("Adadelta", "rho", group["rho"], 0, 1)
        check_number("Adadelta", "eps", group["eps"], 0)
        check_number("Adadelta", "weight_decay", group["weight_decay"], 0)

    def state_keys(self, group: dict) -> set[str]:
        return {"step", "square_avg", "acc_delta"}

    def update(self, param, grad, state: dict, group: dict) -> None:
        xp = array_module(param)
        rho, eps = group["rho"], group["eps"]
        if not state:
            state["step"] = 0
            state["square_avg"] = state_tensor(xp.zeros_like(param))
            state["acc_delta"] = state_tensor(xp.zeros_like(param))
        state["step"] += 1
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param

        kernel("adadelta_update", param)(param, grad, state["square_avg"].array,
                                         state["acc_delta"].array, rho=rho, eps=eps,
                                         lr=group["lr"])
